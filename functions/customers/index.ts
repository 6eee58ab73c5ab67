// The customers service: one HTTP function; customer.* events feed other services' projections.
export { customersApi } from './api';
