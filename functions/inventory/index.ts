// The inventory service: its HTTP API, and one function per consumed event.
import { consume } from '../../shared/messaging/consumer';
import { onOrderCancelled } from './on-order-cancelled';
import { onOrderRequested } from './on-order-requested';
import { onShipmentScheduled } from './on-shipment-scheduled';

export { inventoryApi } from './api';
consume('inventory', 'order-requested', onOrderRequested);
consume('inventory', 'order.cancelled', onOrderCancelled);
consume('inventory', 'shipment.scheduled', onShipmentScheduled);
