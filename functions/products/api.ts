import { z } from 'zod';
import { conflict, notFound } from '../../shared/errors';
import { name, sku } from '../../shared/events/fields';
import { httpApi, parse } from '../../shared/http/api';
import { requireAdmin } from '../../shared/http/identity';
import { pageQuery } from '../../shared/http/pagination';
import { db } from '../../shared/db';
import { inTransaction } from '../../shared/messaging/outbox';
import { money } from '../../shared/money';
import { deleteProduct, findProduct, insertProduct, listProducts, productEvent, updateProduct, type Product } from './store';

const description = z.string().max(2000).nullable();
export const createBody = z.object({ sku, name, description: description.optional(), price: money }).strict();
export const updateBody = z
  .object({ name: name.optional(), description: description.optional(), price: money.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one of name, description, price is required');
export const skuParam = z.object({ sku });
export const listQuery = z.object(pageQuery).strict();

const view = ({ version: _version, ...p }: Product) => p;

export const productsApi = httpApi('products', (r) => {
  r.get('/products', async (req, res) => {
    const page = await listProducts(db(), parse(listQuery, req.query));
    res.json({ ...page, data: page.data.map(view) });
  });

  r.get('/products/:sku', async (req, res) => {
    const product = await findProduct(db(), parse(skuParam, req.params).sku);
    if (!product) throw notFound('product');
    res.json(view(product));
  });

  r.post('/products', async (req, res) => {
    requireAdmin(req.caller);
    const input = parse(createBody, req.body);
    const product = await inTransaction('products', async ({ tx, emit }) => {
      const created = await insertProduct(tx, input);
      if (!created) throw conflict('duplicate_sku', `product ${input.sku} already exists`);
      await emit('product.created', productEvent(created), { correlationId: created.sku });
      return created;
    });
    res.status(201).location(`/products/${product.sku}`).json(view(product));
  });

  r.put('/products/:sku', async (req, res) => {
    requireAdmin(req.caller);
    const { sku: target } = parse(skuParam, req.params);
    const changes = parse(updateBody, req.body);
    const product = await inTransaction('products', async ({ tx, emit }) => {
      const updated = await updateProduct(tx, target, changes);
      if (!updated) throw notFound('product');
      await emit('product.updated', productEvent(updated), { correlationId: updated.sku });
      return updated;
    });
    res.json(view(product));
  });

  r.delete('/products/:sku', async (req, res) => {
    requireAdmin(req.caller);
    const { sku: target } = parse(skuParam, req.params);
    await inTransaction('products', async ({ tx, emit }) => {
      const version = await deleteProduct(tx, target);
      if (version === undefined) throw notFound('product');
      await emit('product.deleted', { sku: target, version }, { correlationId: target });
    });
    res.status(204).end();
  });
});
