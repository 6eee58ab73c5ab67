// The notifications service: its HTTP API, the customer projection, one consumer per customer-facing
// event, and the delivery results that come back from the email and push channels.
export { notificationsApi } from './api';
import './on-customer';
import './on-email-verification';
import './on-order-created';
import './on-order-cancelled';
import './on-saga-step';
import './on-stock-rejected';
import './on-delivery-result';
import { registerJob } from '../../shared/runtime/job';
import { redriveNotifications } from './redrive';

registerJob('notifications-redrive', () => redriveNotifications());
