import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Paths pino blanks in every log line: no password, token or cookie ever reaches a log. */
export const redactPaths = [
  'password',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  'token',
  '*.token',
  '*.accessCode',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
];

interface LoggedRequest {
  method?: string;
  url?: string;
  hostname?: string;
  ip?: string;
}

/**
 * Requests are logged without their query string: reset links, invitation links and search terms
 * travel there, and a log is no place for them.
 */
export function serializeRequest(req: LoggedRequest): Record<string, unknown> {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return {
    method: req.method,
    url: q === -1 ? url : `${url.slice(0, q)}?[redacted]`,
    host: req.hostname,
    remoteAddress: req.ip,
  };
}

/** Creates the process logger: JSON lines on stdout (or the given stream, for tests). */
export function createLogger(level: string, stream?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { app: 'commonhall' },
      serializers: { req: serializeRequest },
    },
    stream,
  );
}
