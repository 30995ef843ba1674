import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '@server/test/test-app';
import { createLogger } from './log';

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
