import { describe, expect, it } from 'vitest';
import { guestActor, type Actor } from '@server/http/actor';
import { AppError } from '@server/http/errors';
import { authorize, can } from './auth.policy';

const account = (role: 'member' | 'steward', accountId = 'me'): Actor => ({
  kind: 'account',
  accountId,
  sessionId: 's',
  email: `${accountId}@example.test`,
  name: accountId,
  role,
  locale: 'en',
});

describe('auth policy', () => {
  const guest = guestActor();
  const member = account('member');
  const steward = account('steward', 'boss');

  it('lets guests do nothing that needs an account', () => {
    for (const action of ['member', 'steward', 'account.read', 'accounts.list'] as const)
      expect(can(guest, action)).toBe(false);
  });

  it('lets members act on themselves only', () => {
    expect(can(member, 'member')).toBe(true);
    expect(can(member, 'steward')).toBe(false);
    expect(can(member, 'account.update', { accountId: 'me' })).toBe(true);
    expect(can(member, 'account.update', { accountId: 'other' })).toBe(false);
    expect(can(member, 'account.read', { accountId: 'other' })).toBe(false);
    expect(can(member, 'accounts.list')).toBe(false);
    expect(can(member, 'account.administer', { accountId: 'me' })).toBe(false);
    expect(can(member, 'registration.manage')).toBe(false);
    expect(can(member, 'invitations.manage')).toBe(false);
  });

  it('lets stewards administer', () => {
    expect(can(steward, 'steward')).toBe(true);
    expect(can(steward, 'account.read', { accountId: 'other' })).toBe(true);
    expect(can(steward, 'account.administer', { accountId: 'other' })).toBe(true);
    expect(can(steward, 'registration.manage')).toBe(true);
    // Stewards change their own profile, not other people's, through account.update.
    expect(can(steward, 'account.update', { accountId: 'other' })).toBe(false);
  });

  it('authorize throws 401 for guests and 403 for the forbidden', () => {
    const code = (f: () => unknown) => {
      try {
        f();
        return 'allowed';
      } catch (err) {
        return err instanceof AppError ? `${err.statusCode} ${err.code}` : 'other';
      }
    };
    expect(code(() => authorize(guest, 'member'))).toBe('401 unauthenticated');
    expect(code(() => authorize(member, 'steward'))).toBe('403 forbidden');
    expect(code(() => authorize(steward, 'steward'))).toBe('allowed');
    expect(authorize(member, 'member').accountId).toBe('me');
  });
});
