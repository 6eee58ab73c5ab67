// The push service: the customer's push inbox and delivery through the configured provider.
export { pushApi } from './api';
import './on-push-requested';
