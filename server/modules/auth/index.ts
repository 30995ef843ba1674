/** The auth module's public surface: accounts, sessions, CSRF, registration, policy. */
export { createAuthModule, defaultAuthOptions } from './auth.module';
export type { AuthModule, AuthOptions } from './auth.module';
export { can, authorize } from './auth.policy';
export type { AuthAction, PolicySubject } from './auth.policy';
export { SESSION_COOKIE, CSRF_COOKIE, CSRF_HEADER, cookieName } from './auth.http';
export type { AccountRow, Role, AccountStatus } from './auth.repo';
export { registerAuthCommands } from './auth.cli';
export { SETUP_COMPLETED, type SetupCompletedPayload } from './auth.service';
