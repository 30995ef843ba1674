import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Sends one request over a real socket with the path exactly as given: app.inject and fetch
 * resolve dot segments (`..`, `%2e%2e`) before the server sees them; a raw client does not.
 * Starts the app listening on port 0 the first time; `json`, when given, is the body.
 */
export async function rawRequest(
  app: FastifyInstance,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  json?: object,
): Promise<{ status: number; body: string }> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const payload = json === undefined ? undefined : JSON.stringify(json);
  const all = payload === undefined ? headers : { ...headers, 'content-type': 'application/json' };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: all }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
