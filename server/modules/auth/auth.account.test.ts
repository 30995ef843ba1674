import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountDto } from '@common/api/auth';
import {
  TEST_PASSWORD,
  authHeaders,
  buildAuthTestApp,
  guestSession,
  signUpAndLogIn,
  type TestSession,
} from '@server/test/accounts';
import { testDialect, type TestApp } from '@server/test/test-app';

const NEW_PASSWORD = 'Another-Harbour-Lamp-9';

describe(`password reset and my account on ${testDialect()}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildAuthTestApp({ env: { PUBLIC_URL: 'https://hall.example.test' } });
  });
  afterAll(async () => {
    await t.close();
  });

  async function requestReset(email: string): Promise<number> {
    const guest = await guestSession(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/password-resets',
      headers: authHeaders(guest),
      payload: { email },
    });
    return res.statusCode;
  }

  function lastResetToken(to: string): string {
    const mail = [...t.mailer.sent].reverse().find((m) => m.to === to);
    if (mail === undefined) throw new Error(`no mail to ${to}`);
    const m = /https:\/\/hall\.example\.test\/reset-password\?token=([A-Za-z0-9_%-]+)/.exec(
      mail.text,
    );
    if (m?.[1] === undefined) throw new Error('no reset link in the mail');
    return decodeURIComponent(m[1]);
  }

  async function confirm(token: string, password: string, session?: TestSession) {
    const headers =
      session === undefined ? authHeaders(await guestSession(t.app)) : authHeaders(session);
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/password-resets/confirm',
      headers,
      payload: { token, password },
    });
  }

  async function logIn(email: string, password: string): Promise<number> {
    const guest = await guestSession(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: authHeaders(guest),
      payload: { email, password },
    });
    return res.statusCode;
  }

  it('answers 202 for known and unknown addresses alike, mailing only the known one', async () => {
    const s = await signUpAndLogIn(t.app, { email: 'rosa@example.test' });
    const before = t.mailer.sent.length;
    expect(await requestReset('nobody@example.test')).toBe(202);
    expect(t.mailer.sent.length).toBe(before);
    expect(await requestReset('ROSA@example.test')).toBe(202);
    expect(t.mailer.sent.length).toBe(before + 1);
    expect(t.mailer.sent.at(-1)?.to).toBe(s.account.email);
  });

  it('resets once through the link, ends every session, and refuses the link again', async () => {
    const s = await signUpAndLogIn(t.app, { email: 'emma@example.test' });
    const other = await signUpAndLogIn(t.app);
    await requestReset('emma@example.test');
    const token = lastResetToken('emma@example.test');

    const stored = await t.db.db
      .withTables<{ passwordResets: { tokenHash: string } }>()
      .selectFrom('passwordResets')
      .select('tokenHash')
      .execute();
    expect(stored.some((r) => r.tokenHash === token)).toBe(false);

    const ok = await confirm(token, NEW_PASSWORD);
    expect(ok.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/me', headers: authHeaders(s) })).statusCode).toBe(
      401,
    );
    // Someone else's session is untouched.
    expect(
      (await t.app.inject({ url: '/api/v1/me', headers: authHeaders(other) })).statusCode,
    ).toBe(200);
    expect(await logIn('emma@example.test', TEST_PASSWORD)).toBe(401);
    expect(await logIn('emma@example.test', NEW_PASSWORD)).toBe(200);

    const again = await confirm(token, 'Yet-Another-Lamp-10');
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ error: { code: 'reset_token_invalid' } });
    const forged = await confirm('not-a-real-token', 'Yet-Another-Lamp-10');
    expect(forged.json()).toMatchObject({ error: { code: 'reset_token_invalid' } });
  });

  it('refuses a link after an hour', async () => {
    await signUpAndLogIn(t.app, { email: 'otto@example.test' });
    await requestReset('otto@example.test');
    const token = lastResetToken('otto@example.test');
    t.clock.advance(61 * 60 * 1000);
    const res = await confirm(token, NEW_PASSWORD);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'reset_token_invalid' } });
    expect(await logIn('otto@example.test', TEST_PASSWORD)).toBe(200);
  });

  it('refuses a weak password on reset without using up the link', async () => {
    await signUpAndLogIn(t.app, { email: 'weak-reset@example.test' });
    await requestReset('weak-reset@example.test');
    const token = lastResetToken('weak-reset@example.test');
    const weak = await confirm(token, 'password123');
    expect(weak.json()).toMatchObject({ error: { code: 'password_too_weak' } });
    expect((await confirm(token, NEW_PASSWORD)).statusCode).toBe(204);
  });

  it('says whether a link still works without using it: fresh, used, expired, unknown', async () => {
    const check = async (token: string) => {
      const res = await t.app.inject({
        url: `/api/v1/password-resets/${encodeURIComponent(token)}`,
      });
      expect(res.statusCode).toBe(200);
      return res.json<{ valid: boolean }>().valid;
    };
    await signUpAndLogIn(t.app, { email: 'lina@example.test' });
    await requestReset('lina@example.test');
    const token = lastResetToken('lina@example.test');
    expect(await check(token)).toBe(true);
    // Asking twice does not use it up.
    expect(await check(token)).toBe(true);
    expect((await confirm(token, NEW_PASSWORD)).statusCode).toBe(204);
    expect(await check(token)).toBe(false);

    await requestReset('lina@example.test');
    const later = lastResetToken('lina@example.test');
    t.clock.advance(61 * 60 * 1000);
    expect(await check(later)).toBe(false);
    expect(await check('not-a-real-token')).toBe(false);

    const tooLong = await t.app.inject({ url: `/api/v1/password-resets/${'x'.repeat(201)}` });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('changes the password with the current one and ends my other sessions', async () => {
    const s = await signUpAndLogIn(t.app, { email: 'pia@example.test' });
    const elsewhere = await signUpAndLogIn(t.app, { email: 'pia2@example.test' });
    // A second session of the same account (another device).
    const guest = await guestSession(t.app);
    const second = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: authHeaders(guest),
      payload: { email: 'pia@example.test', password: TEST_PASSWORD },
    });
    const secondCookie = second.cookies.find((c) => c.name === '__Host-commonhall_session')!;

    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: authHeaders(s),
      payload: { currentPassword: 'not-my-password', newPassword: NEW_PASSWORD },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ error: { code: 'current_password_incorrect' } });

    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: authHeaders(s),
      payload: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(ok.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/me', headers: authHeaders(s) })).statusCode).toBe(
      200,
    );
    const other = await t.app.inject({
      url: '/api/v1/me',
      headers: { cookie: `__Host-commonhall_session=${secondCookie.value}` },
    });
    expect(other.statusCode).toBe(401);
    expect(
      (await t.app.inject({ url: '/api/v1/me', headers: authHeaders(elsewhere) })).statusCode,
    ).toBe(200);
    expect(await logIn('pia@example.test', NEW_PASSWORD)).toBe(200);
  });

  it('changes the email with the current password; a taken one (any case) is 409', async () => {
    const s = await signUpAndLogIn(t.app, { email: 'ivo@example.test' });
    await signUpAndLogIn(t.app, { email: 'taken@example.test' });
    const taken = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/email',
      headers: authHeaders(s),
      payload: { currentPassword: TEST_PASSWORD, email: 'Taken@Example.test' },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ error: { code: 'email_taken' } });
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/email',
      headers: authHeaders(s),
      payload: { currentPassword: 'wrong-wrong', email: 'ivo.new@example.test' },
    });
    expect(wrong.json()).toMatchObject({ error: { code: 'current_password_incorrect' } });
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/email',
      headers: authHeaders(s),
      payload: { currentPassword: TEST_PASSWORD, email: 'Ivo.New@example.test' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json<AccountDto>().email).toBe('ivo.new@example.test');
    expect(await logIn('ivo.new@example.test', TEST_PASSWORD)).toBe(200);
  });

  it('voids the reset links sent before an e-mail change (they went to the old address)', async () => {
    const s = await signUpAndLogIn(t.app, { email: 'lea@example.test' });
    await requestReset('lea@example.test');
    const token = lastResetToken('lea@example.test');
    const moved = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/email',
      headers: authHeaders(s),
      payload: { currentPassword: TEST_PASSWORD, email: 'lea.new@example.test' },
    });
    expect(moved.statusCode).toBe(200);
    const res = await confirm(token, NEW_PASSWORD);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'reset_token_invalid' } });
    expect(await logIn('lea.new@example.test', TEST_PASSWORD)).toBe(200);
    // A link asked for at the new address works.
    await requestReset('lea.new@example.test');
    expect((await confirm(lastResetToken('lea.new@example.test'), NEW_PASSWORD)).statusCode).toBe(
      204,
    );
  });

  it('keeps my preferred language, and clears it with null', async () => {
    const s = await signUpAndLogIn(t.app);
    const set = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: authHeaders(s),
      payload: { locale: 'ca' },
    });
    expect(set.json<AccountDto>().locale).toBe('ca');
    const bad = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: authHeaders(s),
      payload: { locale: 'xx' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'validation_failed' } });
    const session = await t.app.inject({ url: '/api/v1/session', headers: authHeaders(s) });
    expect(session.json<{ account: AccountDto }>().account.locale).toBe('ca');
    const cleared = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: authHeaders(s),
      payload: { locale: null },
    });
    expect(cleared.json<AccountDto>().locale).toBeNull();
  });

  it('deletes my account with my password; then the address is free again', async () => {
    const s = await signUpAndLogIn(t.app, { email: 'gone@example.test' });
    const wrong = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/me',
      headers: authHeaders(s),
      payload: { password: 'not-my-password' },
    });
    expect(wrong.statusCode).toBe(400);
    const ok = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/me',
      headers: authHeaders(s),
      payload: { password: TEST_PASSWORD },
    });
    expect(ok.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/me', headers: authHeaders(s) })).statusCode).toBe(
      401,
    );
    expect(await logIn('gone@example.test', TEST_PASSWORD)).toBe(401);
    await signUpAndLogIn(t.app, { email: 'gone@example.test' });
  });

  it('needs a login for /me: 401 unauthenticated', async () => {
    const res = await t.app.inject({ url: '/api/v1/me' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });
});
