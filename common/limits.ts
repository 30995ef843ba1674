/** Limits shared by server and app, so the app can say them before the server refuses. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;
export const NAME_MAX_LENGTH = 100;
export const EMAIL_MAX_LENGTH = 254;
/**
 * Distinct `[[links]]` a handbook page may hold. Each is a row of the link index and a target to
 * resolve on every view; the bound keeps both small.
 */
export const HANDBOOK_PAGE_MAX_LINKS = 5000;
