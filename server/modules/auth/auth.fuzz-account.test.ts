import { authHeaders, signUpAndLogIn } from '@server/test/accounts';
import { describeFuzz } from '@server/test/fuzz';

describeFuzz('fuzzing the account and admin write endpoints', {
  runs: 1000,
  fields: [
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
  ],
  fixtures: async ({ t, steward }) => {
    const target = await signUpAndLogIn(t.app);
    const inv = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/invitations',
      headers: authHeaders(steward),
      payload: {},
    });
    return { account: target.account.id, invitation: inv.json<{ id: string }>().id };
  },
  bodies: [
    ['PATCH', '/api/v1/me', 'member'],
    ['POST', '/api/v1/me/password', 'member'],
    ['POST', '/api/v1/me/email', 'member'],
    // (The member may be gone afterwards: DELETE /me with the right password is a fair draw.)
    ['DELETE', '/api/v1/me', 'member'],
    ['PATCH', '/api/v1/admin/accounts/:account', 'steward'],
    ['PUT', '/api/v1/admin/registration', 'steward'],
    ['POST', '/api/v1/admin/invitations', 'steward'],
    ['DELETE', '/api/v1/admin/invitations/:invitation', 'steward'],
  ],
});
