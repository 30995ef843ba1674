import { describeFuzz } from './auth.fuzz-harness';

// DELETE /session takes no body: whatever is sent, it logs out (here: a guest, so nothing).
describeFuzz('fuzzing the guest write endpoints', [
  ['POST', '/api/v1/setup', 'guest'],
  ['POST', '/api/v1/accounts', 'guest'],
  ['POST', '/api/v1/session', 'guest'],
  ['DELETE', '/api/v1/session', 'guest'],
  ['POST', '/api/v1/password-resets', 'guest'],
  ['POST', '/api/v1/password-resets/confirm', 'guest'],
]);
