/**
 * Accounts, sessions, registration and administration: the request and response shapes shared by
 * the server (validation, OpenAPI) and the app (types). Endpoints are listed beside each schema.
 */
import { z } from 'zod';
import { locales } from '../i18n/locales';
import {
  EMAIL_MAX_LENGTH,
  NAME_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
} from '../limits';

export const roles = ['member', 'steward'] as const;
export const accountStatuses = ['active', 'pending', 'disabled'] as const;
export const registrationModes = ['open', 'invitation', 'approval'] as const;

export const email = z.string().trim().toLowerCase().max(EMAIL_MAX_LENGTH).email();
export const password = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);
export const personName = z.string().trim().min(1).max(NAME_MAX_LENGTH);
export const locale = z.enum(locales);

/** An account as its owner (and stewards) see it. */
export const accountDto = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  status: z.enum(accountStatuses),
  locale: locale.nullable(),
  createdAt: z.string(),
});
export type AccountDto = z.infer<typeof accountDto>;

/** GET /api/v1/session — who I am, the CSRF token to send as `x-csrf-token` on every write. */
export const sessionDto = z.object({
  account: accountDto.nullable(),
  csrfToken: z.string(),
  setupRequired: z.boolean(),
  registrationMode: z.enum(registrationModes),
});
export type SessionDto = z.infer<typeof sessionDto>;

/** POST /api/v1/setup — creates the first steward while none exists, and logs them in. */
export const setupBody = z.strictObject({
  email,
  name: personName,
  password,
  locale: locale.optional(),
});

/** POST /api/v1/accounts — sign up (201; status 'pending' when approval is required). */
export const signUpBody = z.strictObject({
  email,
  name: personName,
  password,
  locale: locale.optional(),
  invitationToken: z.string().min(1).max(200).optional(),
});

/** POST /api/v1/session — log in; DELETE /api/v1/session — log out. */
export const logInBody = z.strictObject({
  email,
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
});

/** POST /api/v1/password-resets — always 202, whether or not the address is known. */
export const resetRequestBody = z.strictObject({ email });
/** POST /api/v1/password-resets/confirm — 204; the link works once and expires. */
export const resetConfirmBody = z.strictObject({ token: z.string().min(1).max(200), password });
/** GET /api/v1/password-resets/:token — whether a reset link still works (it is not used up). */
export const resetCheckDto = z.object({ valid: z.boolean() });
export type ResetCheckDto = z.infer<typeof resetCheckDto>;
/** Path parameters of /api/v1/password-resets/:token. */
export const resetTokenParams = z.strictObject({ token: z.string().min(1).max(200) });

/** PATCH /api/v1/me */
export const updateMeBody = z.strictObject({
  name: personName.optional(),
  locale: locale.nullable().optional(),
});
/** POST /api/v1/me/password */
export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  newPassword: password,
});
/** POST /api/v1/me/email */
export const changeEmailBody = z.strictObject({
  currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  email,
});
/** DELETE /api/v1/me — body confirms with the password. */
export const deleteMeBody = z.strictObject({
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
});

/** GET /api/v1/admin/accounts?q=&role=&status=&offset=&limit= */
export const listAccountsQuery = z.strictObject({
  q: z.string().max(200).optional(),
  role: z.enum(roles).optional(),
  status: z.enum(accountStatuses).optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export const accountListDto = z.object({ items: z.array(accountDto), total: z.number().int() });
export type AccountListDto = z.infer<typeof accountListDto>;

/** Shortest text a member lookup takes: one letter would list half the register. */
export const MEMBER_LOOKUP_MIN_LENGTH = 2;
/** Most members one lookup returns. */
export const MEMBER_LOOKUP_LIMIT = 10;

/**
 * GET /api/v1/members?q= — find members to pick (e.g. co-moderators of a space): active
 * accounts whose name (any word) starts with `q`. Stewards also match e-mail prefixes and see
 * addresses; everyone else matches an e-mail only when `q` is the whole address, and never sees
 * one. Shorter than MEMBER_LOOKUP_MIN_LENGTH → 400 `query_too_short`; rate-limited (429).
 */
export const memberLookupQuery = z.strictObject({ q: z.string().max(EMAIL_MAX_LENGTH) });
export const memberRefDto = z.object({
  id: z.string(),
  name: z.string(),
  /** Only for stewards. */
  email: z.string().optional(),
});
export type MemberRefDto = z.infer<typeof memberRefDto>;
export const memberLookupDto = z.object({ members: z.array(memberRefDto) });
export type MemberLookupDto = z.infer<typeof memberLookupDto>;

/** PATCH /api/v1/admin/accounts/:id — change role, approve (pending → active), disable, enable. */
export const adminUpdateAccountBody = z.strictObject({
  role: z.enum(roles).optional(),
  status: z.enum(accountStatuses).optional(),
});

/** GET / PUT /api/v1/admin/registration */
export const registrationDto = z.strictObject({ mode: z.enum(registrationModes) });

/** POST /api/v1/admin/invitations → invitationDto (with its url); GET lists; DELETE /:id revokes. */
export const createInvitationBody = z.strictObject({
  email: email.optional(),
  expiresInDays: z.number().int().min(1).max(90).default(14),
});
export const invitationDto = z.object({
  id: z.string(),
  email: z.string().nullable(),
  url: z.string(),
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type InvitationDto = z.infer<typeof invitationDto>;

/** GET /api/v1/invitations/:token — whether an invitation link is still good (for the sign-up page). */
export const invitationCheckDto = z.object({ valid: z.boolean(), email: z.string().nullable() });

/** POST /api/v1/session (log in) and POST /api/v1/setup answer with the new session. */
export const logInResultDto = sessionDto;
/** POST /api/v1/accounts → 201: the new account, and its session unless it awaits approval. */
export const signUpResultDto = z.object({ account: accountDto, session: sessionDto.nullable() });
export type SignUpResultDto = z.infer<typeof signUpResultDto>;
/** GET /api/v1/admin/invitations */
export const invitationListDto = z.object({ items: z.array(invitationDto) });
/** Path parameters of /api/v1/admin/accounts/:id and /api/v1/admin/invitations/:id. */
export const idParams = z.strictObject({ id: z.string().min(1).max(100) });
/** Path parameters of /api/v1/invitations/:token. */
export const invitationTokenParams = z.strictObject({ token: z.string().min(1).max(200) });
