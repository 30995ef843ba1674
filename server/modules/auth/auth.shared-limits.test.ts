/**
 * With REDIS_URL, the limits on guessing are counted in Redis, so two nodes of one hall share
 * them: the current-password and log-in rate limits, wrong passwords (the log-in guess guard) and
 * wrong access codes. Without sharing, each node would give an address its own full allowance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAuthOptions } from '@server/modules/auth';
import {
  authHeaders,
  generousRateLimits,
  signUpAndLogIn,
  TEST_PASSWORD,
} from '@server/test/accounts';
import {
  createTestSpace,
  startMeetingTestApp,
  type MeetingTestApp,
} from '@server/test/meeting-app';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '@server/test/redis';
import { testDialect } from '@server/test/test-app';

describe(`limits shared by two nodes through Redis on ${testDialect()}`, () => {
  let n1: MeetingTestApp;
  let n2: MeetingTestApp;
  beforeAll(async () => {
    const redis = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
    const auth = {
      rateLimits: {
        ...generousRateLimits,
        logIn: { max: 6, timeWindowMs: 60_000 },
        currentPassword: { max: 4, timeWindowMs: 60_000 },
      },
      logInGuesses: { ...defaultAuthOptions.logInGuesses, perAddress: 3 },
    };
    n1 = await startMeetingTestApp({ media: null, redis, auth });
    n2 = await startMeetingTestApp({ media: null, redis, auth, nodeOf: n1 });
  });
  afterAll(async () => {
    await n2.close();
    await n1.close();
  });
  const both = () => [n1, n2] as const;

  it('counts current-password checks of one account on every node together', async () => {
    const s = await signUpAndLogIn(n1.app);
    const wrong = (node: MeetingTestApp) =>
      node.app.inject({
        method: 'POST',
        url: '/api/v1/me/password',
        headers: authHeaders(s),
        payload: { currentPassword: 'not-my-password', newPassword: 'a whole new sentence' },
      });
    for (let i = 0; i < 2; i++) {
      for (const node of both()) expect((await wrong(node)).statusCode).toBe(400);
    }
    // Two tries on each node: the account's four are used up on both.
    for (const node of both()) {
      const limited = await wrong(node);
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    }
  });

  it("counts an address's log-in attempts on every node together", async () => {
    const logIn = (node: MeetingTestApp, i: number) =>
      node.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        remoteAddress: '198.51.100.20',
        payload: { email: `nobody-${i}@example.test`, password: 'wrong-wrong-wrong' },
      });
    for (let i = 0; i < 6; i++)
      expect((await logIn(i % 2 === 0 ? n1 : n2, i)).statusCode).toBe(401);
    expect((await logIn(n1, 6)).statusCode).toBe(429);
    expect((await logIn(n2, 7)).statusCode).toBe(429);
  });

  it('counts wrong passwords for one account from one address on every node together', async () => {
    const s = await signUpAndLogIn(n1.app);
    const logIn = (node: MeetingTestApp, password: string) =>
      node.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        remoteAddress: '198.51.100.30',
        payload: { email: s.account.email, password },
      });
    expect((await logIn(n1, 'wrong-one-here')).statusCode).toBe(401);
    expect((await logIn(n2, 'wrong-two-here')).statusCode).toBe(401);
    expect((await logIn(n1, 'wrong-three-here')).statusCode).toBe(401);
    // Three wrong from this address on the account, over both nodes: it waits, on either.
    for (const node of both()) {
      const held = await logIn(node, TEST_PASSWORD);
      expect(held.statusCode).toBe(429);
      expect(held.json()).toMatchObject({ error: { code: 'rate_limited' } });
    }
  });

  it('counts wrong access codes for one space from one address on every node together', async () => {
    const owner = await signUpAndLogIn(n1.app);
    const space = await createTestSpace(n1.app, owner, {
      settings: { viewerAccessCode: 'sesame' },
    });
    const join = (node: MeetingTestApp, accessCode: string) =>
      node.app.inject({
        method: 'POST',
        url: `/api/v1/spaces/${space.slug}/join`,
        remoteAddress: '198.51.100.40',
        payload: { name: 'Gus', accessCode },
      });
    // Ten wrong codes per address and space (the default), five through each node.
    for (let i = 0; i < 10; i++) {
      expect((await join(i % 2 === 0 ? n1 : n2, `wrong-${i}`)).statusCode).toBe(403);
    }
    for (const node of both()) expect((await join(node, 'sesame')).statusCode).toBe(429);
  });
});
