/** Limits shared by server and app, so the app can say them before the server refuses. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;
export const NAME_MAX_LENGTH = 100;
export const EMAIL_MAX_LENGTH = 254;
