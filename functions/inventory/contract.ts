import { z } from 'zod';
import { defineContract, page, timestamp } from '../../shared/http/contract';
import { createBody, listQuery, skuParam, updateBody } from './api';

const stock = z.looseObject({
  product_sku: z.string(),
  quantity: z.number().int().min(0).describe('available units'),
  reserved: z.number().int().min(0).optional().describe('admin only: units held by orders not yet shipped'),
  sold: z.number().int().min(0).optional().describe('admin only: units shipped'),
  updated_at: timestamp,
});
const example = { product_sku: 'CABLE-001', quantity: 40, reserved: 2, sold: 8, updated_at: '2026-12-01T14:09:30.709Z' };

export const inventoryContract = defineContract({
  service: 'inventory',
  description:
    'Stock per SKU: available units (reserved and sold too, for an admin). Reservations are made and released by events only.',
  routes: [
    {
      method: 'get',
      path: '/inventory',
      summary: 'List stock (by SKU)',
      access: 'anyone',
      query: listQuery,
      ok: {
        status: 200,
        description: 'a page of stock rows',
        schema: page(stock),
        example: { data: [example], next_cursor: null },
      },
    },
    {
      method: 'get',
      path: '/inventory/:sku',
      summary: "One SKU's stock",
      access: 'anyone',
      params: skuParam,
      ok: { status: 200, description: 'the stock row', schema: stock, example },
    },
    {
      method: 'post',
      path: '/inventory',
      summary: 'Start stocking a SKU',
      access: 'admin',
      body: createBody,
      ok: { status: 201, description: 'created', schema: stock, example },
      errors: [409],
    },
    {
      method: 'put',
      path: '/inventory/:sku',
      summary: 'Set the available units',
      access: 'admin',
      params: skuParam,
      body: updateBody,
      ok: { status: 200, description: 'the changed stock row', schema: stock, example },
    },
    {
      method: 'delete',
      path: '/inventory/:sku',
      summary: 'Stop stocking a SKU (409 while units are reserved)',
      access: 'admin',
      params: skuParam,
      ok: { status: 204, description: 'deleted' },
      errors: [409],
    },
  ],
});
