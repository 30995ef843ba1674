import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '@server/test/test-app';
import { createLogger, createProcessLogger } from './log';

describe('request logs', () => {
  it('never carry a query string (reset and invitation links travel there)', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const t = await buildTestApp();
    try {
      const { buildApp } = await import('@server/app');
      const app = await buildApp({ config: t.config, db: t.db, log: createLogger('info', sink) });
      await app.inject({ url: '/reset-password?token=SECRET-RESET-TOKEN' });
      await app.inject({ url: '/api/v1/invitations/x?invitation=SECRET-INVITE' });
      await app.close();
      const all = lines.join('');
      expect(all).toContain('/reset-password?[redacted]');
      expect(all).not.toContain('SECRET-RESET-TOKEN');
      expect(all).not.toContain('SECRET-INVITE');
    } finally {
      await t.close();
    }
  });
});

describe('the process logger', () => {
  const output = (isTTY: boolean) => {
    const written: string[] = [];
    return { isTTY, written, write: (text: string) => written.push(text) };
  };

  it('writes one human line per entry in a terminal, secrets still redacted', () => {
    const out = output(true);
    const log = createProcessLogger('info', out);
    log.info({ address: 'http://0.0.0.0:8080' }, 'Commonhall is running at http://localhost:8080');
    log.warn({ password: 'SECRET-PASSWORD' }, 'something to look at');
    log.debug('not at info');
    expect(out.written).toHaveLength(2);
    expect(out.written[0]).toMatch(
      /^\d\d:\d\d:\d\d info {2}Commonhall is running at http:\/\/localhost:8080 address=http:\/\/0\.0\.0\.0:8080\n$/,
    );
    expect(out.written[1]).toMatch(/ warn {2}something to look at password=\[redacted\]\n$/);
    expect(out.written.join('')).not.toContain('SECRET-PASSWORD');
  });

  it('writes JSON lines elsewhere (a service manager, a container, a pipe)', async () => {
    const out = output(false);
    const log = createProcessLogger('info', out);
    log.info('Commonhall is running at http://localhost:8080');
    log.flush();
    await new Promise((r) => setImmediate(r));
    expect(out.written).toHaveLength(1);
    expect(JSON.parse(out.written[0]!)).toMatchObject({
      level: 30,
      msg: 'Commonhall is running at http://localhost:8080',
    });
  });
});
