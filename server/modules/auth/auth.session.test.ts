import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountDto, SessionDto, SignUpResultDto } from '@common/api/auth';
import {
  TEST_PASSWORD,
  authHeaders,
  buildAuthTestApp,
  cookieFrom,
  guestSession,
  signUpAndLogIn,
} from '@server/test/accounts';
import { testDialect, type TestApp } from '@server/test/test-app';

describe(`sign-up, log-in, sessions and CSRF on ${testDialect()}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildAuthTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url, payload: payload as object, headers });

  it('gives a guest a CSRF token bound to a signed, HttpOnly cookie', async () => {
    const res = await t.app.inject({ url: '/api/v1/session' });
    expect(res.statusCode).toBe(200);
    const s = res.json<SessionDto>();
    expect(s.account).toBeNull();
    expect(s.csrfToken.length).toBeGreaterThan(20);
    expect(s.registrationMode).toBe('open');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/commonhall_csrf=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    // The cookie carries a signature, not just the token.
    expect(cookieFrom(res, 'commonhall_csrf')).not.toBe(`commonhall_csrf=${s.csrfToken}`);
  });

  it('signs up (logged in at once), then logs out and in again with a rotated session', async () => {
    const guest = await guestSession(t.app);
    const res = await post(
      '/api/v1/accounts',
      { email: 'Ada@Example.test', name: 'Ada', password: TEST_PASSWORD },
      authHeaders(guest),
    );
    expect(res.statusCode).toBe(201);
    const body = res.json<SignUpResultDto>();
    expect(body.account).toMatchObject({
      email: 'ada@example.test',
      role: 'member',
      status: 'active',
    });
    expect(body.account).not.toHaveProperty('passwordHash');
    const cookie1 = cookieFrom(res, 'commonhall_session');
    expect(cookie1).toBeDefined();
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/commonhall_session=.*HttpOnly/i);
    expect(setCookie).toMatch(/commonhall_session=.*SameSite=Lax/i);
    expect(setCookie).not.toMatch(/commonhall_session=[^,]*Secure/i);

    const me = await t.app.inject({ url: '/api/v1/me', headers: { cookie: cookie1! } });
    expect(me.json<AccountDto>().email).toBe('ada@example.test');

    // Log in again from the same browser: a new session id; the old one dies.
    const login = await post(
      '/api/v1/session',
      { email: 'ADA@example.test', password: TEST_PASSWORD },
      { cookie: cookie1!, 'x-csrf-token': body.session!.csrfToken },
    );
    expect(login.statusCode).toBe(200);
    const cookie2 = cookieFrom(login, 'commonhall_session');
    expect(cookie2).toBeDefined();
    expect(cookie2).not.toBe(cookie1);
    const old = await t.app.inject({ url: '/api/v1/me', headers: { cookie: cookie1! } });
    expect(old.statusCode).toBe(401);
    expect(old.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    const csrf2 = login.json<SessionDto>().csrfToken;

    const out = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { cookie: cookie2!, 'x-csrf-token': csrf2 },
    });
    expect(out.statusCode).toBe(204);
    const after = await t.app.inject({ url: '/api/v1/me', headers: { cookie: cookie2! } });
    expect(after.statusCode).toBe(401);
  });

  it('refuses a duplicate email differing only in case with 409 email_taken', async () => {
    await signUpAndLogIn(t.app, { email: 'grace@example.test' });
    const guest = await guestSession(t.app);
    const res = await post(
      '/api/v1/accounts',
      { email: 'GRACE@Example.TEST', name: 'Grace', password: TEST_PASSWORD },
      authHeaders(guest),
    );
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'email_taken' } });
  });

  it('refuses short and common passwords with 400 password_too_weak', async () => {
    const guest = await guestSession(t.app);
    for (const password of ['password123', 'Qwerty123!', 'iloveyou123']) {
      const res = await post(
        '/api/v1/accounts',
        { email: 'weak@example.test', name: 'W', password },
        authHeaders(guest),
      );
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'password_too_weak' } });
    }
    const short = await post(
      '/api/v1/accounts',
      { email: 'weak@example.test', name: 'W', password: 'short' },
      authHeaders(guest),
    );
    expect(short.statusCode).toBe(400);
  });

  it('refuses wrong passwords and unknown addresses alike: 401 invalid_credentials', async () => {
    await signUpAndLogIn(t.app, { email: 'lin@example.test' });
    const guest = await guestSession(t.app);
    for (const payload of [
      { email: 'lin@example.test', password: 'not the password' },
      { email: 'nobody@example.test', password: TEST_PASSWORD },
    ]) {
      const res = await post('/api/v1/session', payload, authHeaders(guest));
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'invalid_credentials' } });
    }
  });

  it('stores argon2id hashes, never the password', async () => {
    const s = await signUpAndLogIn(t.app, { email: 'hash@example.test' });
    const row = await t.db.db
      .withTables<{ accounts: { id: string; passwordHash: string } }>()
      .selectFrom('accounts')
      .select('passwordHash')
      .where('id', '=', s.account.id)
      .executeTakeFirstOrThrow();
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(TEST_PASSWORD);
  });

  it('treats a forged session cookie as a guest and clears it', async () => {
    const res = await t.app.inject({
      url: '/api/v1/session',
      headers: { cookie: 'commonhall_session=forged-forged-forged-forged-forged-forged' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<SessionDto>().account).toBeNull();
    expect(String(res.headers['set-cookie'])).toMatch(
      /commonhall_session=;.*Expires=Thu, 01 Jan 1970/i,
    );
    const me = await t.app.inject({
      url: '/api/v1/me',
      headers: { cookie: 'commonhall_session=forged-forged-forged-forged-forged-forged' },
    });
    expect(me.statusCode).toBe(401);
    expect(me.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('treats an expired session as a guest: 401, cookie cleared', async () => {
    const s = await signUpAndLogIn(t.app);
    expect((await t.app.inject({ url: '/api/v1/me', headers: authHeaders(s) })).statusCode).toBe(
      200,
    );
    t.clock.advance(31 * 24 * 60 * 60 * 1000);
    try {
      const me = await t.app.inject({ url: '/api/v1/me', headers: authHeaders(s) });
      expect(me.statusCode).toBe(401);
      expect(me.json()).toMatchObject({ error: { code: 'unauthenticated' } });
      expect(String(me.headers['set-cookie'])).toMatch(/commonhall_session=;/);
    } finally {
      t.clock.advance(-31 * 24 * 60 * 60 * 1000);
    }
  });

  it('refuses a cookie-carrying write without, or with a forged, x-csrf-token: 403 csrf_invalid', async () => {
    const s = await signUpAndLogIn(t.app);
    const missing = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie: s.cookie },
      payload: { name: 'Changed' },
    });
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({ error: { code: 'csrf_invalid' } });
    const forged = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie: s.cookie, 'x-csrf-token': 'x'.repeat(43) },
      payload: { name: 'Changed' },
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json()).toMatchObject({ error: { code: 'csrf_invalid' } });
    const ok = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: authHeaders(s),
      payload: { name: 'Changed' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json<AccountDto>().name).toBe('Changed');
  });

  it("refuses a guest's write whose token does not match the signed guest cookie", async () => {
    const a = await guestSession(t.app);
    const b = await guestSession(t.app);
    const payload = { email: 'x@example.test', password: 'whatever-whatever' };
    const crossed = await post('/api/v1/session', payload, {
      cookie: a.cookie,
      'x-csrf-token': b.csrfToken,
    });
    expect(crossed.statusCode).toBe(403);
    expect(crossed.json()).toMatchObject({ error: { code: 'csrf_invalid' } });
    // A cookie whose signature is forged does not count either.
    const forgedCookie = await post('/api/v1/session', payload, {
      cookie: `commonhall_csrf=${a.csrfToken}.forgedsignature`,
      'x-csrf-token': a.csrfToken,
    });
    expect(forgedCookie.statusCode).toBe(403);
    // Without any Commonhall cookie (an API script), no token is needed.
    const scripted = await post('/api/v1/session', payload, {});
    expect(scripted.statusCode).toBe(401);
  });

  it('answers malformed JSON with 400 invalid_json and an oversized body with 413', async () => {
    const guest = await guestSession(t.app);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: { ...authHeaders(guest), 'content-type': 'application/json' },
      payload: '{"email": "a@b.c", ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'invalid_json' } });
    const huge = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: { ...authHeaders(guest), 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.c', name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    const unknown = await post(
      '/api/v1/accounts',
      { email: 'u@example.test', name: 'U', password: TEST_PASSWORD, role: 'steward' },
      authHeaders(guest),
    );
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });
});

describe(`secure cookies on ${testDialect()}`, () => {
  it('names the cookies __Host-… and marks them Secure, Path=/ without Domain when PUBLIC_URL is https', async () => {
    const t = await buildAuthTestApp({ env: { PUBLIC_URL: 'https://hall.example.test' } });
    try {
      const s = await signUpAndLogIn(t.app);
      expect(s.cookie).toMatch(/^__Host-commonhall_session=/);
      const guest = await t.app.inject({ url: '/api/v1/session' });
      const guestCookie = String(guest.headers['set-cookie']);
      expect(guestCookie).toMatch(/^__Host-commonhall_csrf=.*; Path=\/;.*Secure/);
      expect(guestCookie).not.toMatch(/Domain=/i);
      // A cookie under the plain name (planted by a sibling subdomain) is not a session here.
      const planted = s.cookie.replace(/^__Host-/, '');
      const me = await t.app.inject({ url: '/api/v1/me', headers: { cookie: planted } });
      expect(me.statusCode).toBe(401);
      const login = await t.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        headers: authHeaders(s),
        payload: { email: s.account.email, password: TEST_PASSWORD },
      });
      expect(String(login.headers['set-cookie'])).toMatch(/^__Host-commonhall_session=.*Secure/);
    } finally {
      await t.close();
    }
  });
});
