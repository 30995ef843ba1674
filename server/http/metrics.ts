import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A registry per app instance (tests build many apps in one process). */
export function createMetrics(): { registry: Registry } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'commonhall_' });
  return { registry };
}

function isLoopback(ip: string): boolean {
  return ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';
}

/**
 * HTTP request metrics and the /metrics endpoint (METRICS_TOKEN bearer, or from localhost). Local
 * is judged on request.ip, the client's address behind trusted proxies; a forwarded request
 * through a proxy we were not told to trust (`trustsProxy` false) is never local: its socket peer
 * is the proxy, not the visitor.
 */
export function installMetrics(
  app: FastifyInstance,
  registry: Registry,
  token: string | undefined,
  trustsProxy: boolean,
): void {
  const requests = new Counter({
    name: 'commonhall_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'commonhall_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const auth = request.headers.authorization;
    const forwarded =
      request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
    const local = isLoopback(request.ip) && (trustsProxy || !forwarded);
    const allowed = token !== undefined ? auth === `Bearer ${token}` : local;
    if (!allowed) {
      return reply
        .status(403)
        .send({ error: { code: 'forbidden', message: 'Metrics need METRICS_TOKEN.' } });
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
