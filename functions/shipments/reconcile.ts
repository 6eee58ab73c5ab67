import { reconcileDue } from '../../shared/providers/reconciler';
import { book } from './shipments';
import type { Shipment } from './store';

/** The shipments reconciler (a scheduled job): books every shipment whose booking was parked while the carrier was down. */
export const reconcileShipments = () =>
  reconcileDue<Shipment>({ service: 'shipments', table: 'shipments.shipments', statuses: ['pending'], step: book });
