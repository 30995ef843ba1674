import type { FastifyInstance, HTTPMethods } from 'fastify';

/** One route as registered: its method and its path with `:name` placeholders. */
export interface RegisteredRoute {
  method: string;
  url: string;
}

const lists = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/**
 * Records every route the app registers from here on (HEAD routes Fastify adds for GETs left out),
 * so tests can require that each one is in the authorization matrix.
 */
export function installRouteList(app: FastifyInstance): void {
  const list: RegisteredRoute[] = [];
  lists.set(app, list);
  app.addHook('onRoute', (route) => {
    const methods: readonly HTTPMethods[] = Array.isArray(route.method)
      ? route.method
      : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      list.push({ method, url: route.url });
    }
  });
}

/** The routes recorded for this app (empty when installRouteList was not called on it). */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return lists.get(app) ?? [];
}
