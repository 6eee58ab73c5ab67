// The products (catalog) service: one HTTP function; product.* events feed other services' projections.
export { productsApi } from './api';
