import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authHeaders,
  buildAuthTestApp,
  signUpAndLogIn,
  type TestSession,
} from '@server/test/accounts';
import { testDialect, type TestApp } from '@server/test/test-app';

// Regressions found by spaces.fuzz.test.ts: each of these was a 500 on PostgreSQL (U+0000 in a
// text column or a WHERE) or Fastify's own error body without our code.
describe(`spaces refuse what the fuzzer found, on ${testDialect()}`, () => {
  let t: TestApp;
  let owner: TestSession;
  beforeAll(async () => {
    t = await buildAuthTestApp();
    await signUpAndLogIn(t.app, { steward: true });
    owner = await signUpAndLogIn(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/spaces',
      headers: authHeaders(owner),
      payload: { name: 'Room', slug: 'room' },
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const send = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: authHeaders(owner),
      ...(payload === undefined ? {} : { payload }),
    });

  it.each([
    ['POST', '/api/v1/spaces', { name: 'a\u0000b' }],
    ['POST', '/api/v1/spaces', { name: 'Ok', description: 'd\u0000' }],
    ['POST', '/api/v1/spaces', { name: 'Ok', settings: { viewerAccessCode: 'ab\u0000cd' } }],
    ['POST', '/api/v1/spaces', { name: 'Ok', coModeratorIds: ['x\u0000'] }],
    ['PATCH', '/api/v1/spaces/room', { name: 'a\u0000b' }],
    ['POST', '/api/v1/spaces/room/join', { name: 'a\u0000b' }],
    ['GET', '/api/v1/spaces/%00', undefined],
    ['GET', '/api/v1/spaces/%00/public', undefined],
    ['DELETE', '/api/v1/spaces/%00', undefined],
    ['POST', '/api/v1/spaces/%00/join', { name: 'Gus' }],
  ] as const)('%s %s with a NUL is 400 validation_failed', async (method, url, payload) => {
    const res = await send(method, url, payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('answers a slug with broken percent-encoding or over 500 characters with a code', async () => {
    const bad = await send('GET', '/api/v1/spaces/%/public');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'validation_failed' } });
    const long = await send('DELETE', `/api/v1/spaces/${'a'.repeat(600)}`);
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ error: { code: 'validation_failed' } });
    // The space is still there.
    expect((await send('GET', '/api/v1/spaces/room')).statusCode).toBe(200);
  });
});
