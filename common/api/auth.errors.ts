/** Error codes of accounts, sessions, registration and administration. */
export const authErrorCodes = [
  'invalid_credentials',
  'email_taken',
  'password_too_weak',
  'account_disabled',
  'account_pending',
  'account_not_found',
  'current_password_incorrect',
  'reset_token_invalid',
  'setup_done',
  'last_steward',
  'invitation_required',
  'invitation_invalid',
  'invitation_not_found',
  'query_too_short',
] as const;
