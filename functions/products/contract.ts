import { z } from 'zod';
import { amount, defineContract, page, timestamp } from '../../shared/http/contract';
import { createBody, listQuery, skuParam, updateBody } from './api';

const product = z.looseObject({
  sku: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  price: amount,
  created_at: timestamp,
  updated_at: timestamp,
});
const example = {
  sku: 'CABLE-001',
  name: 'USB-C cable 2 m',
  description: null,
  price: 9.99,
  created_at: '2026-12-01T14:09:30.709Z',
  updated_at: '2026-12-01T14:09:30.709Z',
};

export const productsContract = defineContract({
  service: 'products',
  description: 'The catalog: products with a price. Writes are for admins and publish product.* events.',
  routes: [
    {
      method: 'get',
      path: '/products',
      summary: 'List products (by SKU)',
      access: 'anyone',
      query: listQuery,
      ok: {
        status: 200,
        description: 'a page of products',
        schema: page(product),
        example: { data: [example], next_cursor: null },
      },
    },
    {
      method: 'get',
      path: '/products/:sku',
      summary: 'One product',
      access: 'anyone',
      params: skuParam,
      ok: { status: 200, description: 'the product', schema: product, example },
    },
    {
      method: 'post',
      path: '/products',
      summary: 'Create a product (publishes product.created)',
      access: 'admin',
      body: createBody,
      ok: { status: 201, description: 'created', schema: product, example },
      errors: [409],
    },
    {
      method: 'put',
      path: '/products/:sku',
      summary: 'Change name, description or price (publishes product.updated)',
      access: 'admin',
      params: skuParam,
      body: updateBody,
      ok: { status: 200, description: 'the changed product', schema: product, example },
    },
    {
      method: 'delete',
      path: '/products/:sku',
      summary: 'Delete a product (publishes product.deleted)',
      access: 'admin',
      params: skuParam,
      ok: { status: 204, description: 'deleted' },
    },
  ],
});
