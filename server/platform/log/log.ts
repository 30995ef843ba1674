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

/** Creates a logger: JSON lines on stdout (or the given stream, for tests). */
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

/** Where the process writes: stdout, or a stand-in for it in tests. */
export interface ProcessOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * The process logger. In a terminal (someone ran `npm start`), one short human line per entry;
 * otherwise (a service manager, a container, a pipe) JSON lines on stdout, for log collectors.
 */
export function createProcessLogger(level: string, out: ProcessOutput = process.stdout): Logger {
  if (out.isTTY === true) return createLogger(level, humanLines(out));
  return createLogger(level, out === process.stdout ? undefined : out);
}

const levelNames: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
/** Fields every line has, or that the human line already shows in its own way. */
const shownOrRoutine = new Set(['level', 'time', 'pid', 'hostname', 'app', 'msg', 'reqId']);

/**
 * A pino destination that turns each JSON line into "12:00:01 info  message key=value …": the
 * time, the level, the message, then a request's method and path, a reply's status, an error's
 * message, and any other plain fields.
 */
export function humanLines(out: ProcessOutput): DestinationStream {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const time = typeof entry.time === 'number' ? new Date(entry.time) : new Date();
      const level = levelNames[entry.level as number] ?? String(entry.level);
      const msg = typeof entry.msg === 'string' ? entry.msg : '';
      const parts = [time.toTimeString().slice(0, 8), level.padEnd(5), msg];
      for (const [key, value] of Object.entries(entry)) {
        if (shownOrRoutine.has(key)) continue;
        const v = value as Record<string, unknown> | null;
        if (key === 'req' && typeof v === 'object' && v !== null) {
          parts.push(`${String(v.method)} ${String(v.url)}`);
        } else if (key === 'res' && typeof v === 'object' && v !== null) {
          parts.push(String(v.statusCode));
        } else if (key === 'err' && typeof v === 'object' && v !== null) {
          parts.push(`error: ${String(v.message)}`);
          if (level === 'error' || level === 'fatal') parts.push(`\n${String(v.stack)}`);
        } else if (key === 'responseTime' && typeof value === 'number') {
          parts.push(`${value.toFixed(1)} ms`);
        } else if (typeof value !== 'object' || value === null) {
          parts.push(`${key}=${String(value)}`);
        }
      }
      out.write(`${parts.join(' ')}\n`);
    },
  };
}
