/** Error codes of accounts, sessions, registration and administration. */
export const authErrorCodes = ['invalid_credentials'] as const;
