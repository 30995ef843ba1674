import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_PASSWORD,
  authHeaders,
  buildAuthTestApp,
  guestSession,
  signUpAndLogIn,
  type TestSession,
} from '@server/test/accounts';
import { testDialect, type TestApp } from '@server/test/test-app';

/** How many bad bodies each write endpoint receives. */
const RUNS = 1000;

interface BadRequest {
  contentType: string | undefined;
  payload: string;
}

const fieldNames = [
  'email',
  'name',
  'password',
  'locale',
  'invitationToken',
  'token',
  'currentPassword',
  'newPassword',
  'role',
  'status',
  'mode',
  'expiresInDays',
  '__proto__',
  'constructor',
];
const big = ['x'.repeat(10_000), 'é'.repeat(300_000), 'y'.repeat(1_100_000)];

const weirdValue = fc
  .oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 3 },
    { arbitrary: fc.string(), weight: 3 },
    { arbitrary: fc.constantFrom(...big), weight: 1 },
    fc.constantFrom('', ' ', '\u0000', 'a@b', 'steward', 'open', 'en', TEST_PASSWORD, -1, 1e308),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
  )
  .map((v) => v as unknown);

const json = (v: unknown): BadRequest => ({
  contentType: 'application/json',
  payload: JSON.stringify(v) ?? 'null',
});

/** Bodies a careless or hostile client might send. */
const badRequest: fc.Arbitrary<BadRequest> = fc.oneof(
  // Any JSON value at all.
  fc.jsonValue().map(json),
  // The right field names with wrong types, huge strings, unknown extras.
  fc.dictionary(fc.constantFrom(...fieldNames), weirdValue, { maxKeys: 6 }).map(json),
  fc
    .tuple(
      fc.dictionary(fc.constantFrom(...fieldNames), weirdValue, { maxKeys: 4 }),
      fc.string({ minLength: 1, maxLength: 20 }),
      weirdValue,
    )
    .map(([o, k, v]) => json({ ...o, [k]: v })),
  fc.array(weirdValue, { maxLength: 5 }).map(json),
  // Malformed JSON text.
  fc
    .string({ maxLength: 200 })
    .filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    })
    .map((payload) => ({ contentType: 'application/json', payload })),
  fc
    .jsonValue()
    .map((v) => JSON.stringify(v) ?? 'null')
    .filter((s) => s.length > 1)
    .map((s) => ({ contentType: 'application/json', payload: s.slice(0, -1) })),
  // Wrong content types.
  fc
    .tuple(
      fc.constantFrom(
        undefined,
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=xyz',
        'application/xml',
        'application/json; charset=utf-16',
        'application/octet-stream',
        '*/*',
        'garbage',
      ),
      fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
      ),
    )
    .map(([contentType, payload]) => ({ contentType, payload })),
);

describe(`fuzzing every auth write endpoint on ${testDialect()}`, { timeout: 300_000 }, () => {
  let t: TestApp;
  let steward: TestSession;
  let member: TestSession;
  let target: TestSession;
  let invitationId: string;

  beforeAll(async () => {
    t = await buildAuthTestApp();
    steward = await signUpAndLogIn(t.app, { steward: true });
    member = await signUpAndLogIn(t.app);
    target = await signUpAndLogIn(t.app);
    const inv = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/invitations',
      headers: authHeaders(steward),
      payload: {},
    });
    invitationId = inv.json<{ id: string }>().id;
  });
  afterAll(async () => {
    await t.close();
  });

  type As = 'guest' | 'member' | 'steward';
  // DELETE /session takes no body: whatever is sent, it logs out (here: a guest, so nothing).
  type Method = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  const endpoints: [Method, string, As][] = [
    ['POST', '/api/v1/setup', 'guest'],
    ['POST', '/api/v1/accounts', 'guest'],
    ['POST', '/api/v1/session', 'guest'],
    ['DELETE', '/api/v1/session', 'guest'],
    ['POST', '/api/v1/password-resets', 'guest'],
    ['POST', '/api/v1/password-resets/confirm', 'guest'],
    ['PATCH', '/api/v1/me', 'member'],
    ['POST', '/api/v1/me/password', 'member'],
    ['POST', '/api/v1/me/email', 'member'],
    ['DELETE', '/api/v1/me', 'member'],
    ['PATCH', '/api/v1/admin/accounts/:account', 'steward'],
    ['PUT', '/api/v1/admin/registration', 'steward'],
    ['POST', '/api/v1/admin/invitations', 'steward'],
    ['DELETE', '/api/v1/admin/invitations/:invitation', 'steward'],
  ];

  for (const [method, path, as] of endpoints) {
    it(`${method} ${path} never answers 5xx`, async () => {
      const url = path.replace(':account', target.account.id).replace(':invitation', invitationId);
      const guest = await guestSession(t.app);
      const who = { guest, member, steward }[as];
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(badRequest, async (bad) => {
          const res = await t.app.inject({
            method,
            url,
            headers: {
              ...authHeaders(who),
              ...(bad.contentType === undefined ? {} : { 'content-type': bad.contentType }),
            },
            payload: bad.payload,
          });
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500);
          if (res.statusCode >= 400) {
            const body = res.json<{ error: { code: string } }>();
            expect(typeof body.error.code).toBe('string');
          }
        }),
        { numRuns: RUNS },
      );
      if (path === '/api/v1/session' && method === 'DELETE') return;
      // The bodies really were refused in several ways, not waved through.
      const refused = [...statuses].filter(([s]) => s >= 400).reduce((n, [, c]) => n + c, 0);
      expect(refused).toBeGreaterThan(RUNS / 2);
      expect(statuses.has(415) || statuses.has(400)).toBe(true);
    });
  }

  it('still works afterwards', async () => {
    // (The member may be gone: DELETE /me with the right password is a fair draw.)
    const me = await t.app.inject({ url: '/api/v1/me', headers: authHeaders(steward) });
    expect(me.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });
});
