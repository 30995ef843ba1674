import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startMeetingTestApp, type MeetingTestApp } from '@server/test/meeting-app';
import { testDialect } from '@server/test/test-app';

/** Opens /ws with the given Origin (none when undefined): the upgrade's outcome. */
function upgrade(url: string, origin: string | undefined): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { headers: { origin } });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.on('error', reject);
  });
}

describe(`the /ws upgrade's Origin on ${testDialect()}`, () => {
  let t: MeetingTestApp;
  beforeAll(async () => {
    t = await startMeetingTestApp({ media: null, env: { PUBLIC_URL: 'https://hall.example.org' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a browser on another origin with 403, lets PUBLIC_URL and non-browsers through', async () => {
    expect(await upgrade(t.wsUrl, 'https://evil.example.net')).toBe(403);
    expect(await upgrade(t.wsUrl, 'https://hall.example.org.evil.example.net')).toBe(403);
    expect(await upgrade(t.wsUrl, 'http://hall.example.org')).toBe(403);
    expect(await upgrade(t.wsUrl, 'https://hall.example.org')).toBe('open');
    expect(await upgrade(t.wsUrl, undefined)).toBe('open');
  });
});
