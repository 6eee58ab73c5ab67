import { z } from 'zod';
import { db } from '../../shared/db';
import { notFound } from '../../shared/errors';
import { uuid } from '../../shared/events/fields';
import { httpApi, parse } from '../../shared/http/api';
import { visibleCustomer } from '../../shared/http/identity';
import { pageQuery } from '../../shared/http/pagination';
import { listInbox } from './store';

export const customerParam = z.object({ customerId: uuid });
export const listQuery = z.object(pageQuery).strict();

/** `GET /notifications/:customerId`: a customer's push inbox, oldest first — the caller's own, or anyone's for an admin. */
export const pushApi = httpApi('push', (r) => {
  r.get('/notifications/:customerId', async (req, res) => {
    const customerId = parse(customerParam, req.params).customerId.toLowerCase();
    const own = visibleCustomer(req.caller);
    if (own && own !== customerId) throw notFound('inbox');
    res.json(await listInbox(db(), customerId, parse(listQuery, req.query)));
  });
});
