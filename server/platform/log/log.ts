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

/** Creates the process logger: JSON lines on stdout (or the given stream, for tests). */
export function createLogger(level: string, stream?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { app: 'commonhall' },
    },
    stream,
  );
}
