import { describe, expect, it } from 'vitest';
import type { InvitationDto, SessionDto } from '@common/api/auth';
import { createLogger } from '@server/platform/log';
import { logMailer } from '@server/platform/mail';
import {
  TEST_PASSWORD,
  authHeaders,
  buildAuthTestApp,
  cookieFrom,
  guestSession,
  signUpAndLogIn,
} from '@server/test/accounts';
import { testDialect } from '@server/test/test-app';

const value = (cookie: string) => cookie.slice(cookie.indexOf('=') + 1);

describe(`logs on ${testDialect()}`, () => {
  it('never contain passwords, tokens or cookies; only the logged reset mail carries its link', async () => {
    const lines: string[] = [];
    const log = createLogger('trace', { write: (line: string) => void lines.push(line) });
    const t = await buildAuthTestApp({ log, mailer: (l) => logMailer(l) });
    const secrets: string[] = [TEST_PASSWORD];
    try {
      const steward = await signUpAndLogIn(t.app, { steward: true });
      secrets.push(value(steward.cookie), steward.csrfToken);

      const guest = await guestSession(t.app);
      secrets.push(value(guest.cookie), guest.csrfToken);
      const memberPassword = 'Member-Only-Secret-77';
      secrets.push(memberPassword);
      const signUp = await t.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        headers: authHeaders(guest),
        payload: { email: 'logs@example.test', name: 'Logs', password: memberPassword },
      });
      expect(signUp.statusCode).toBe(201);
      secrets.push(value(cookieFrom(signUp, 'commonhall_session')!));

      const wrongPassword = 'Wrong-Guess-Secret-55';
      secrets.push(wrongPassword);
      const wrong = await t.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        headers: authHeaders(guest),
        payload: { email: 'logs@example.test', password: wrongPassword },
      });
      expect(wrong.statusCode).toBe(401);
      const login = await t.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        headers: authHeaders(guest),
        payload: { email: 'logs@example.test', password: memberPassword },
      });
      expect(login.statusCode).toBe(200);
      const member = {
        cookie: cookieFrom(login, 'commonhall_session')!,
        csrfToken: login.json<SessionDto>().csrfToken,
      };
      secrets.push(value(member.cookie), member.csrfToken);

      const newPassword = 'Changed-Member-Secret-88';
      secrets.push(newPassword);
      const changed = await t.app.inject({
        method: 'POST',
        url: '/api/v1/me/password',
        headers: authHeaders(member),
        payload: { currentPassword: memberPassword, newPassword },
      });
      expect(changed.statusCode).toBe(204);

      const resetRequest = await t.app.inject({
        method: 'POST',
        url: '/api/v1/password-resets',
        headers: authHeaders(guest),
        payload: { email: 'logs@example.test' },
      });
      expect(resetRequest.statusCode).toBe(202);
      const mailLines = lines.filter((l) => l.includes('/reset-password?token='));
      expect(mailLines.length).toBe(1);
      const token = decodeURIComponent(/token=([A-Za-z0-9_%-]+)/.exec(mailLines[0]!)![1]!);
      const checked = await t.app.inject({
        url: `/api/v1/password-resets/${encodeURIComponent(token)}`,
      });
      expect(checked.json()).toEqual({ valid: true });
      const resetPassword = 'Reset-Member-Secret-99';
      secrets.push(resetPassword);
      const confirmed = await t.app.inject({
        method: 'POST',
        url: '/api/v1/password-resets/confirm',
        headers: authHeaders(guest),
        payload: { token, password: resetPassword },
      });
      expect(confirmed.statusCode).toBe(204);
      const reused = await t.app.inject({
        method: 'POST',
        url: '/api/v1/password-resets/confirm',
        headers: authHeaders(guest),
        payload: { token, password: resetPassword },
      });
      expect(reused.statusCode).toBe(400);

      const inv = await t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/invitations',
        headers: authHeaders(steward),
        payload: {},
      });
      const invitationToken = new URL(inv.json<InvitationDto>().url).searchParams.get(
        'invitation',
      )!;
      secrets.push(invitationToken);
      const check = await t.app.inject({
        url: `/api/v1/invitations/${encodeURIComponent(invitationToken)}`,
      });
      expect(check.json()).toEqual({ valid: true, email: null });

      // The capture really holds the request log, at every level.
      const all = lines.join('');
      expect(all).toContain('incoming request');
      expect(all).toContain('/api/v1/password-resets/confirm');
      expect(all).toContain('/api/v1/password-resets/…');
      expect(all).toContain('/api/v1/invitations/');

      for (const line of lines) {
        const isResetMail = line === mailLines[0];
        for (const secret of secrets) {
          expect(line.includes(secret), `secret in log line: ${line.slice(0, 200)}`).toBe(false);
        }
        if (!isResetMail) expect(line.includes(token), `reset token in ${line}`).toBe(false);
      }
      expect(JSON.parse(mailLines[0]!)).toMatchObject({
        msg: 'mail not sent (no SMTP_URL): logged instead',
        mail: { to: 'logs@example.test' },
      });
    } finally {
      await t.close();
    }
  });
});
