import { afterEach, describe, expect, it } from 'vitest';
import type { SpaceDto } from '@common/api/spaces';
import {
  TEST_PASSWORD,
  authHeaders,
  buildAuthTestApp,
  generousRateLimits,
  signUpAndLogIn,
} from '@server/test/accounts';
import { startForwardingProxy, type ForwardingProxy } from '@server/test/forwarding-proxy';
import { testDialect, type TestApp } from '@server/test/test-app';

/** The app behind a loopback proxy that sets X-Forwarded-For, with the real log-in limit. */
async function behindProxy(trustProxy: string | undefined) {
  const t = await buildAuthTestApp({
    env: trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy },
    auth: { rateLimits: { ...generousRateLimits, logIn: { max: 10, timeWindowMs: 60_000 } } },
  });
  opened.push(t);
  const proxy = await startForwardingProxy(t.app);
  proxies.push(proxy);
  return { t, proxy };
}

const opened: TestApp[] = [];
const proxies: ForwardingProxy[] = [];
afterEach(async () => {
  for (const p of proxies.splice(0)) await p.close();
  for (const t of opened.splice(0)) await t.close();
});

const visitorA = '203.0.113.5';
const visitorB = '198.51.100.7';

describe(`behind a reverse proxy on ${testDialect()}`, () => {
  /** Ten wrong log-ins by visitor A, then visitor B's right one: B's status. */
  async function wrongLogInsThenAnother(trustProxy: string | undefined): Promise<number> {
    const { t, proxy } = await behindProxy(trustProxy);
    const { account } = await signUpAndLogIn(t.app);
    const logIn = (client: string, password: string) =>
      proxy.send(client, 'POST', '/api/v1/session', {}, { email: account.email, password });
    for (let i = 0; i < 10; i++) expect((await logIn(visitorA, `wrong-${i}`)).status).toBe(401);
    expect((await logIn(visitorA, TEST_PASSWORD)).status).toBe(429);
    return (await logIn(visitorB, TEST_PASSWORD)).status;
  }

  it('keys log-in limits on the visitor with TRUST_PROXY, not on the proxy', async () => {
    expect(await wrongLogInsThenAnother('loopback')).toBe(200);
  });

  it('shares one key for every visitor when the proxy is not trusted (why TRUST_PROXY exists)', async () => {
    expect(await wrongLogInsThenAnother(undefined)).toBe(429);
  });

  it('keys access-code limits on the visitor and the space', async () => {
    const { t, proxy } = await behindProxy('127.0.0.1');
    const owner = await signUpAndLogIn(t.app);
    const slug = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/spaces',
        headers: authHeaders(owner),
        payload: { name: 'Guarded', settings: { viewerAccessCode: 'right-code' } },
      })
    ).json<SpaceDto>().slug;
    const join = (client: string, accessCode: string) =>
      proxy.send(client, 'POST', `/api/v1/spaces/${slug}/join`, {}, { name: 'G', accessCode });
    for (let i = 0; i < 10; i++) expect((await join(visitorA, `wrong-${i}`)).status).toBe(403);
    expect((await join(visitorA, 'right-code')).status).toBe(429);
    expect((await join(visitorB, 'right-code')).status).toBe(200);
  });

  it('judges /metrics on the real client address', async () => {
    const trusted = await behindProxy('loopback');
    expect((await trusted.proxy.send(visitorA, 'GET', '/metrics')).status).toBe(403);
    expect((await trusted.proxy.send('127.0.0.1', 'GET', '/metrics')).status).toBe(200);

    // A proxy we were not told to trust: its forwarded requests are never local.
    const untrusted = await behindProxy(undefined);
    expect((await untrusted.proxy.send(visitorA, 'GET', '/metrics')).status).toBe(403);
    expect((await untrusted.t.app.inject({ url: '/metrics' })).statusCode).toBe(200);
  });

  it('trusts a hop count of proxies', async () => {
    const { proxy } = await behindProxy('1');
    expect((await proxy.send(visitorA, 'GET', '/metrics')).status).toBe(403);
    expect((await proxy.send('127.0.0.1', 'GET', '/metrics')).status).toBe(200);
  });
});

describe(`log-in guessing on ${testDialect()}`, () => {
  it('counts wrong passwords per address and account; an account under attack slows only those who failed', async () => {
    const t = await buildAuthTestApp();
    opened.push(t);
    const { account } = await signUpAndLogIn(t.app);
    const other = await signUpAndLogIn(t.app);
    const logIn = (remoteAddress: string, email: string, password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        remoteAddress,
        payload: { email, password },
      });
    for (let i = 0; i < 10; i++) await logIn(visitorA, account.email, `wrong-${i}`);
    const locked = await logIn(visitorA, account.email, TEST_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // The same address, another account: not locked out.
    expect((await logIn(visitorA, other.account.email, TEST_PASSWORD)).statusCode).toBe(200);

    // 50 wrong passwords for the account from 5 addresses: it is under attack, not closed.
    for (let i = 10; i < 50; i++) await logIn(`10.2.0.${i % 5}`, account.email, `wrong-${i}`);
    expect((await logIn(visitorB, account.email, TEST_PASSWORD)).statusCode).toBe(200);
    expect((await logIn('10.2.0.9', account.email, 'wrong')).statusCode).toBe(401);
    expect((await logIn('10.2.0.9', account.email, TEST_PASSWORD)).statusCode).toBe(429);
    t.clock.advance(31_000);
    expect((await logIn('10.2.0.9', account.email, TEST_PASSWORD)).statusCode).toBe(200);
  });
});
