import type { ServiceName } from '../shared/topology';

/**
 * Loads a service's module, which registers its functions with the Functions Framework.
 * (On Cloud Functions the same module is the function source: FUNCTION_SOURCE=dist/functions/<service>.)
 * require() keeps loading lazy and synchronous in every runner (tsx, jest, compiled JavaScript).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const modules: Record<ServiceName, () => unknown> = {
  orders: () => require('./orders'),
  products: () => require('./products'),
  inventory: () => require('./inventory'),
  cart: () => require('./cart'),
  customers: () => require('./customers'),
  messaging: () => require('./messaging'),
  notifications: () => require('./notifications'),
  email: () => require('./email'),
  push: () => require('./push'),
  payments: () => require('./payments'),
  shipments: () => require('./shipments'),
};

export const loadService = (service: ServiceName): void => {
  modules[service]();
};
