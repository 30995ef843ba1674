import { describeFuzz } from '@server/test/fuzz';

describeFuzz('fuzzing the guest write endpoints', {
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
  bodies: [
    ['POST', '/api/v1/setup', 'guest'],
    ['POST', '/api/v1/accounts', 'guest'],
    ['POST', '/api/v1/session', 'guest'],
    // DELETE /session takes no body: whatever is sent, it logs out (here: a guest, so nothing).
    ['DELETE', '/api/v1/session', 'guest', { ignoresBody: true }],
    ['POST', '/api/v1/password-resets', 'guest'],
    ['POST', '/api/v1/password-resets/confirm', 'guest'],
  ],
  params: [['GET', '/api/v1/password-resets/:token', 'guest']],
});
