import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Security headers and a Content-Security-Policy that allows only our own origin: nothing is
 * fetched from a third party. blob: and data: cover media streams and generated images.
 */
function securityOptions(secure: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        ...(secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // Cross-origin isolation is not needed and would break Federated Wiki clients reading our JSON.
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
    hsts: secure,
  };
}

/**
 * The headers helmet sets for these options. They depend on nothing in the request (no nonces),
 * so helmet runs once at start and every response gets the same set — @fastify/helmet would
 * rebuild helmet's middleware on every request.
 */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  } as unknown as ServerResponse;
  // helmet throws a bad option at once (since 8.1 it no longer passes errors to next).
  helmet(options)({ headers: {} } as IncomingMessage, res, () => undefined);
  return headers;
}

/** The security headers of every response, for a site on https (`secure`) or not. */
export function securityHeaders(secure: boolean): Record<string, string> {
  return helmetHeaders(securityOptions(secure));
}

/**
 * Sets these headers on every response (a route may still override one, as CORS does). Answers
 * Fastify gives before any hook runs (a URL it cannot decode) must set them themselves.
 */
export function installSecurityHeaders(
  app: FastifyInstance,
  headers: Record<string, string>,
): void {
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
}
