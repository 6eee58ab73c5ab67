import type { Express } from 'express';

/** One route an express app really answers: `GET /products/:sku`. */
export interface AnsweredRoute {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every route registered on the app, also inside routers mounted at its root (as httpApi does). */
export function answeredRoutes(app: Express): AnsweredRoute[] {
  const walk = (stack: Layer[]): AnsweredRoute[] =>
    stack.flatMap((layer) => {
      if (layer.route) {
        const methods = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m] && m !== '_all');
        return methods.map((method) => ({ method, path: layer.route!.path }));
      }
      return layer.handle?.stack ? walk(layer.handle.stack) : [];
    });
  return walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
}
