import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  AccountDto,
  AccountListDto,
  InvitationDto,
  SessionDto,
  SignUpResultDto,
} from '@common/api/auth';
import {
  TEST_PASSWORD,
  authHeaders,
  buildAuthTestApp,
  cookieFrom,
  generousRateLimits,
  guestSession,
  signUpAndLogIn,
  type TestSession,
} from '@server/test/accounts';
import { testDialect, type TestApp } from '@server/test/test-app';

describe(`setup, registration modes and administration on ${testDialect()}`, () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildAuthTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  const signUp = async (payload: Record<string, unknown>) => {
    const guest = await guestSession(t.app);
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: authHeaders(guest),
      payload: { name: 'Someone', password: TEST_PASSWORD, ...payload },
    });
  };
  const logIn = async (email: string, password = TEST_PASSWORD) => {
    const guest = await guestSession(t.app);
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: authHeaders(guest),
      payload: { email, password },
    });
  };
  const setMode = (steward: TestSession, mode: string) =>
    t.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/registration',
      headers: authHeaders(steward),
      payload: { mode },
    });
  const administer = (steward: TestSession, id: string, payload: Record<string, unknown>) =>
    t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/accounts/${id}`,
      headers: authHeaders(steward),
      payload,
    });

  it('requires setup until the first steward exists, then never again', async () => {
    const first = await guestSession(t.app);
    expect(first.session.setupRequired).toBe(true);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      headers: authHeaders(first),
      payload: { email: 'Founder@Example.test', name: 'Founder', password: TEST_PASSWORD },
    });
    expect(res.statusCode).toBe(201);
    const s = res.json<SessionDto>();
    expect(s.account).toMatchObject({ email: 'founder@example.test', role: 'steward' });
    expect(s.setupRequired).toBe(false);
    expect(cookieFrom(res, 'commonhall_session')).toBeDefined();

    const later = await guestSession(t.app);
    expect(later.session.setupRequired).toBe(false);
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      headers: authHeaders(later),
      payload: { email: 'intruder@example.test', name: 'Intruder', password: TEST_PASSWORD },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'setup_done' } });
  });

  it('keeps admin routes for stewards: 401 for guests, 403 for members', async () => {
    await signUpAndLogIn(t.app, { steward: true });
    const member = await signUpAndLogIn(t.app);
    expect((await t.app.inject({ url: '/api/v1/admin/accounts' })).statusCode).toBe(401);
    const res = await t.app.inject({ url: '/api/v1/admin/accounts', headers: authHeaders(member) });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await setMode(member, 'approval')).statusCode).toBe(403);
  });

  it('lists and searches accounts by email or name, case-insensitively', async () => {
    const steward = await signUpAndLogIn(t.app, { steward: true, email: 'boss@example.test' });
    await signUpAndLogIn(t.app, { email: 'maria.lopez@example.test', name: 'María López' });
    await signUpAndLogIn(t.app, { email: 'kofi@example.test', name: 'Kofi Mensah' });
    await signUpAndLogIn(t.app, { email: 'percent@example.test', name: '100% Kofi' });
    const list = async (query: string) =>
      (
        await t.app.inject({
          url: `/api/v1/admin/accounts${query}`,
          headers: authHeaders(steward),
        })
      ).json<AccountListDto>();

    expect((await list('')).total).toBe(4);
    const byName = await list('?q=MENSAH');
    expect(byName.items.map((a) => a.email)).toEqual(['kofi@example.test']);
    expect((await list('?q=LOPEZ@')).items.map((a) => a.name)).toEqual(['María López']);
    expect((await list('?q=kofi')).total).toBe(2);
    // % is matched literally, not as a wildcard.
    expect((await list('?q=%25')).items.map((a) => a.email)).toEqual(['percent@example.test']);
    expect((await list('?role=steward')).items.map((a) => a.email)).toEqual(['boss@example.test']);
    const page = await list('?limit=2&offset=2');
    expect(page.items.length).toBe(2);
    expect(page.total).toBe(4);
    const bad = await t.app.inject({
      url: '/api/v1/admin/accounts?limit=1000',
      headers: authHeaders(steward),
    });
    expect(bad.statusCode).toBe(400);
  });

  it('changes roles, but never demotes or disables the last steward', async () => {
    const steward = await signUpAndLogIn(t.app, { steward: true });
    const member = await signUpAndLogIn(t.app);
    const demoteSelf = await administer(steward, steward.account.id, { role: 'member' });
    expect(demoteSelf.statusCode).toBe(409);
    expect(demoteSelf.json()).toMatchObject({ error: { code: 'last_steward' } });
    const disableSelf = await administer(steward, steward.account.id, { status: 'disabled' });
    expect(disableSelf.json()).toMatchObject({ error: { code: 'last_steward' } });
    const deleteSelf = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/me',
      headers: authHeaders(steward),
      payload: { password: TEST_PASSWORD },
    });
    expect(deleteSelf.json()).toMatchObject({ error: { code: 'last_steward' } });

    const promoted = await administer(steward, member.account.id, { role: 'steward' });
    expect(promoted.json<AccountDto>().role).toBe('steward');
    // The promotion takes effect on the member's existing session.
    expect(
      (await t.app.inject({ url: '/api/v1/admin/accounts', headers: authHeaders(member) }))
        .statusCode,
    ).toBe(200);
    expect((await administer(member, steward.account.id, { role: 'member' })).statusCode).toBe(200);
    expect(
      (await t.app.inject({ url: '/api/v1/admin/accounts', headers: authHeaders(steward) }))
        .statusCode,
    ).toBe(403);
    const unknown = await administer(member, 'no-such-id', { role: 'member' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'account_not_found' } });
  });

  it('disables an account (its sessions end at once) and enables it again', async () => {
    const steward = await signUpAndLogIn(t.app, { steward: true });
    const member = await signUpAndLogIn(t.app, { email: 'dis@example.test' });
    const res = await administer(steward, member.account.id, { status: 'disabled' });
    expect(res.json<AccountDto>().status).toBe('disabled');
    expect(
      (await t.app.inject({ url: '/api/v1/me', headers: authHeaders(member) })).statusCode,
    ).toBe(401);
    const refused = await logIn('dis@example.test');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'account_disabled' } });
    // A wrong password says nothing about the account's state.
    expect((await logIn('dis@example.test', 'wrong-password')).json()).toMatchObject({
      error: { code: 'invalid_credentials' },
    });
    await administer(steward, member.account.id, { status: 'active' });
    expect((await logIn('dis@example.test')).statusCode).toBe(200);
  });

  it('approval mode: sign-ups wait as pending until a steward approves', async () => {
    const steward = await signUpAndLogIn(t.app, { steward: true });
    expect((await setMode(steward, 'approval')).json()).toEqual({ mode: 'approval' });
    expect((await guestSession(t.app)).session.registrationMode).toBe('approval');
    const res = await signUp({ email: 'wait@example.test' });
    expect(res.statusCode).toBe(201);
    const body = res.json<SignUpResultDto>();
    expect(body.account.status).toBe('pending');
    expect(body.session).toBeNull();
    expect(cookieFrom(res, 'commonhall_session')).toBeUndefined();
    const pending = await logIn('wait@example.test');
    expect(pending.statusCode).toBe(403);
    expect(pending.json()).toMatchObject({ error: { code: 'account_pending' } });
    const listed = await t.app.inject({
      url: '/api/v1/admin/accounts?status=pending',
      headers: authHeaders(steward),
    });
    expect(listed.json<AccountListDto>().items.map((a) => a.email)).toEqual(['wait@example.test']);
    await administer(steward, body.account.id, { status: 'active' });
    expect((await logIn('wait@example.test')).statusCode).toBe(200);
  });

  it('invitation mode: only single-use, unexpired invitation links sign up', async () => {
    const steward = await signUpAndLogIn(t.app, { steward: true });
    await setMode(steward, 'invitation');
    const none = await signUp({ email: 'uninvited@example.test' });
    expect(none.statusCode).toBe(403);
    expect(none.json()).toMatchObject({ error: { code: 'invitation_required' } });

    const create = (payload: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/invitations',
        headers: authHeaders(steward),
        payload,
      });
    const inv = (await create({})).json<InvitationDto>();
    expect(inv.url).toMatch(/^http:\/\/localhost:8080\/sign-up\?invitation=/);
    const token = new URL(inv.url).searchParams.get('invitation')!;
    const check = async (tok: string) =>
      (await t.app.inject({ url: `/api/v1/invitations/${encodeURIComponent(tok)}` })).json<{
        valid: boolean;
      }>().valid;
    expect(await check(token)).toBe(true);
    expect(await check(`${inv.id}.forged`)).toBe(false);
    expect(await check('garbage')).toBe(false);

    const ok = await signUp({ email: 'invited@example.test', invitationToken: token });
    expect(ok.statusCode).toBe(201);
    expect(ok.json<SignUpResultDto>().account.status).toBe('active');
    const reused = await signUp({ email: 'second@example.test', invitationToken: token });
    expect(reused.statusCode).toBe(400);
    expect(reused.json()).toMatchObject({ error: { code: 'invitation_invalid' } });
    expect(await check(token)).toBe(false);

    const forOne = (await create({ email: 'Only@Example.test' })).json<InvitationDto>();
    expect(forOne.email).toBe('only@example.test');
    const forOneToken = new URL(forOne.url).searchParams.get('invitation')!;
    expect(
      (await signUp({ email: 'other@example.test', invitationToken: forOneToken })).json(),
    ).toMatchObject({ error: { code: 'invitation_invalid' } });

    const short = (await create({ expiresInDays: 1 })).json<InvitationDto>();
    t.clock.advance(25 * 60 * 60 * 1000);
    const expired = await signUp({
      email: 'late@example.test',
      invitationToken: new URL(short.url).searchParams.get('invitation')!,
    });
    expect(expired.json()).toMatchObject({ error: { code: 'invitation_invalid' } });

    const listed = await t.app.inject({
      url: '/api/v1/admin/invitations',
      headers: authHeaders(steward),
    });
    const items = listed.json<{ items: InvitationDto[] }>().items;
    expect(items.length).toBe(3);
    expect(items.find((i) => i.id === inv.id)?.usedAt).not.toBeNull();
    expect(items.find((i) => i.id === inv.id)?.url).toBe(inv.url);

    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/invitations/${forOne.id}`,
      headers: authHeaders(steward),
    });
    expect(revoke.statusCode).toBe(204);
    expect(await check(forOneToken)).toBe(false);
    const revokeAgain = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/invitations/${forOne.id}`,
      headers: authHeaders(steward),
    });
    expect(revokeAgain.json()).toMatchObject({ error: { code: 'invitation_not_found' } });
  });

  it('the helper makes members and stewards in every mode', async () => {
    const steward = await signUpAndLogIn(t.app, { steward: true });
    const second = await signUpAndLogIn(t.app, { steward: true });
    expect(second.account.role).toBe('steward');
    await setMode(steward, 'approval');
    expect((await signUpAndLogIn(t.app)).account.status).toBe('active');
    await setMode(steward, 'invitation');
    expect((await signUpAndLogIn(t.app)).account.role).toBe('member');
  });
});

describe(`rate limits on ${testDialect()}`, () => {
  it('limits log-in attempts per IP address: 429 rate_limited', async () => {
    const t = await buildAuthTestApp({
      auth: {
        rateLimits: {
          logIn: { max: 3, timeWindowMs: 60_000 },
          signUp: { max: 2, timeWindowMs: 60_000 },
          resetRequest: { max: 2, timeWindowMs: 60_000 },
          resetConfirm: { max: 2, timeWindowMs: 60_000 },
          invitation: { max: 2, timeWindowMs: 60_000 },
          memberLookup: { max: 2, timeWindowMs: 60_000 },
          currentPassword: { max: 2, timeWindowMs: 60_000 },
        },
      },
    });
    try {
      const attempt = (remoteAddress: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/session',
          remoteAddress,
          payload: { email: 'who@example.test', password: 'guessing-guessing' },
        });
      for (let i = 0; i < 3; i++) expect((await attempt('10.0.0.1')).statusCode).toBe(401);
      const limited = await attempt('10.0.0.1');
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
      // Another address is not affected.
      expect((await attempt('10.0.0.2')).statusCode).toBe(401);

      const reset = (email: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/password-resets',
          remoteAddress: '10.0.0.3',
          payload: { email },
        });
      expect((await reset('a@example.test')).statusCode).toBe(202);
      expect((await reset('b@example.test')).statusCode).toBe(202);
      expect((await reset('c@example.test')).statusCode).toBe(429);

      const check = () =>
        t.app.inject({ url: '/api/v1/invitations/x.y', remoteAddress: '10.0.0.4' });
      expect((await check()).statusCode).toBe(200);
      expect((await check()).statusCode).toBe(200);
      expect((await check()).statusCode).toBe(429);
    } finally {
      await t.close();
    }
  });

  it('limits current-password checks per account, from any address: 429 rate_limited', async () => {
    const t = await buildAuthTestApp({
      auth: {
        rateLimits: { ...generousRateLimits, currentPassword: { max: 3, timeWindowMs: 60_000 } },
      },
    });
    try {
      const s = await signUpAndLogIn(t.app);
      const other = await signUpAndLogIn(t.app);
      const guess = (who: TestSession, i: number) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/me/password',
          headers: authHeaders(who),
          // A new address each time: the limit follows the account, not the address.
          remoteAddress: `10.1.0.${i}`,
          payload: { currentPassword: `guess-${i}-guess`, newPassword: 'Another-Harbour-Lamp-9' },
        });
      for (let i = 0; i < 3; i++) expect((await guess(s, i)).statusCode).toBe(400);
      const limited = await guess(s, 3);
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
      // The e-mail change and account deletion check the same password under the same limit.
      const email = await t.app.inject({
        method: 'POST',
        url: '/api/v1/me/email',
        headers: authHeaders(s),
        payload: { currentPassword: TEST_PASSWORD, email: 'moved@example.test' },
      });
      expect(email.statusCode).toBe(429);
      const del = await t.app.inject({
        method: 'DELETE',
        url: '/api/v1/me',
        headers: authHeaders(s),
        payload: { password: TEST_PASSWORD },
      });
      expect(del.statusCode).toBe(429);
      // Another account is not affected.
      expect((await guess(other, 4)).statusCode).toBe(400);
    } finally {
      await t.close();
    }
  });
});
