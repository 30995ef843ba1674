import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@server/platform/log';
import { buildTestApp } from '@server/test/test-app';

interface Line {
  level: number;
  msg: string;
  req?: { url: string };
  res?: { statusCode: number };
}

/** The app's log lines at `level` while it answers `urls` (each through inject, from localhost). */
async function linesFor(level: string, urls: string[]): Promise<Line[]> {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  const t = await buildTestApp();
  try {
    const { buildApp } = await import('@server/app');
    const app = await buildApp({ config: t.config, db: t.db, log: createLogger(level, sink) });
    for (const url of urls) await app.inject({ url });
    await app.close();
  } finally {
    await t.close();
  }
  return lines;
}

const requestLines = (lines: Line[], url: string) =>
  lines.filter((l) => l.msg === 'incoming request' && l.req?.url === url);

describe('request logs of health checks', () => {
  it('leave /healthz, /readyz and /metrics out at info, and log other requests', async () => {
    const lines = await linesFor('info', ['/healthz', '/readyz', '/metrics', '/api/v1/session']);
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      expect(requestLines(lines, url)).toEqual([]);
    }
    expect(requestLines(lines, '/api/v1/session')).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'request completed')).toHaveLength(1);
  });

  it('log them at debug', async () => {
    const lines = await linesFor('debug', ['/healthz', '/readyz']);
    const healthz = requestLines(lines, '/healthz');
    expect(healthz).toHaveLength(1);
    expect(healthz[0]?.level).toBe(20);
    const completed = lines.filter((l) => l.msg === 'request completed');
    expect(completed.map((l) => l.level)).toEqual([20, 20]);
  });
});
