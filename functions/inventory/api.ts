import { z } from 'zod';
import { db } from '../../shared/db';
import { conflict, notFound } from '../../shared/errors';
import { sku } from '../../shared/events/fields';
import { httpApi, parse } from '../../shared/http/api';
import { requireAdmin, type Caller } from '../../shared/http/identity';
import { pageQuery } from '../../shared/http/pagination';
import { deleteStock, findStock, insertStock, listStock, setAvailable, type Stock } from './store';

const stockQuantity = z.number().int().min(0).max(1_000_000);
export const createBody = z.object({ product_sku: sku, quantity: stockQuantity }).strict();
export const updateBody = z.object({ quantity: stockQuantity }).strict();
export const skuParam = z.object({ sku });
export const listQuery = z.object(pageQuery).strict();

/** Customers see what is available; reserved and sold figures are an admin's. */
const visibleTo = (caller: Caller) =>
  caller.role === 'admin' ? (stock: Stock) => stock : ({ reserved: _r, sold: _s, ...stock }: Stock) => stock;

export const inventoryApi = httpApi('inventory', (r) => {
  r.get('/inventory', async (req, res) => {
    const page = await listStock(db(), parse(listQuery, req.query));
    res.json({ ...page, data: page.data.map(visibleTo(req.caller)) });
  });

  r.get('/inventory/:sku', async (req, res) => {
    const stock = await findStock(db(), parse(skuParam, req.params).sku);
    if (!stock) throw notFound('inventory item');
    res.json(visibleTo(req.caller)(stock));
  });

  r.post('/inventory', async (req, res) => {
    requireAdmin(req.caller);
    const input = parse(createBody, req.body);
    const stock = await insertStock(db(), input.product_sku, input.quantity);
    if (!stock) throw conflict('duplicate_sku', `inventory for ${input.product_sku} already exists`);
    res.status(201).location(`/inventory/${stock.product_sku}`).json(stock);
  });

  r.put('/inventory/:sku', async (req, res) => {
    requireAdmin(req.caller);
    const { sku: target } = parse(skuParam, req.params);
    const { quantity } = parse(updateBody, req.body);
    const stock = await setAvailable(db(), target, quantity);
    if (!stock) throw notFound('inventory item');
    res.json(stock);
  });

  r.delete('/inventory/:sku', async (req, res) => {
    requireAdmin(req.caller);
    const outcome = await deleteStock(db(), parse(skuParam, req.params).sku);
    if (outcome === 'missing') throw notFound('inventory item');
    if (outcome === 'reserved') throw conflict('stock_reserved', 'units of this SKU are reserved by open orders');
    res.status(204).end();
  });
});
