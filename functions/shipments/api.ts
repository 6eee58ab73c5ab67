import { z } from 'zod';
import { db } from '../../shared/db';
import { notFound } from '../../shared/errors';
import { uuid } from '../../shared/events/fields';
import { httpApi, parse } from '../../shared/http/api';
import { visibleCustomer } from '../../shared/http/identity';
import { findShipmentOfOrder } from './store';

export const orderParam = z.object({ order_id: uuid });

export const shipmentsApi = httpApi('shipments', (r) => {
  r.get('/shipments/:order_id', async (req, res) => {
    const { order_id } = parse(orderParam, req.params);
    const shipment = await findShipmentOfOrder(db(), order_id.toLowerCase(), visibleCustomer(req.caller));
    if (!shipment) throw notFound('shipment');
    const { last_error: _providerError, ...visible } = shipment;
    res.json(req.caller.role === 'admin' ? shipment : visible);
  });
});
