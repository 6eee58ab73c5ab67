// The orders service: its HTTP API, and one function per consumed event.
import { consume } from '../../shared/messaging/consumer';
import { onStockAvailable } from './on-stock-available';

export { ordersApi } from './api';
consume('orders', 'stock-available', onStockAvailable);
