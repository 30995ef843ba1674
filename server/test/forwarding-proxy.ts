import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** A reverse proxy on loopback in front of an app, as nginx or Caddy would stand. */
export interface ForwardingProxy {
  /**
   * Sends one request through the proxy as the visitor at `client`: the proxy appends it to
   * X-Forwarded-For, like nginx's `$proxy_add_x_forwarded_for`.
   */
  send(
    client: string,
    method: string,
    path: string,
    headers?: Record<string, string>,
    json?: object,
  ): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** Starts the app on 127.0.0.1 port 0 (if it is not listening) and a proxy in front of it. */
export async function startForwardingProxy(app: FastifyInstance): Promise<ForwardingProxy> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const target = (app.server.address() as AddressInfo).port;
  const proxy = createServer((req, res) => {
    const client = String(req.headers['x-test-client'] ?? req.socket.remoteAddress ?? '');
    const { 'x-test-client': _c, ...rest } = req.headers;
    const prior = rest['x-forwarded-for'];
    const headers = {
      ...rest,
      'x-forwarded-for': prior === undefined ? client : `${String(prior)}, ${client}`,
    };
    const up = request(
      { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  const port = (proxy.address() as AddressInfo).port;
  return {
    send: (client, method, path, headers = {}, json) =>
      new Promise((resolve, reject) => {
        const payload = json === undefined ? undefined : JSON.stringify(json);
        const all = {
          ...headers,
          'x-test-client': client,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        };
        const req = request({ host: '127.0.0.1', port, method, path, headers: all }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              headers: res.headers,
            }),
          );
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(payload);
      }),
    close: () =>
      new Promise<void>((done) => {
        proxy.closeAllConnections();
        proxy.close(() => done());
      }),
  };
}
