import { describeFuzz } from './auth.fuzz-harness';

describeFuzz('fuzzing the account and admin write endpoints', [
  ['PATCH', '/api/v1/me', 'member'],
  ['POST', '/api/v1/me/password', 'member'],
  ['POST', '/api/v1/me/email', 'member'],
  ['DELETE', '/api/v1/me', 'member'],
  ['PATCH', '/api/v1/admin/accounts/:account', 'steward'],
  ['PUT', '/api/v1/admin/registration', 'steward'],
  ['POST', '/api/v1/admin/invitations', 'steward'],
  ['DELETE', '/api/v1/admin/invitations/:invitation', 'steward'],
]);
