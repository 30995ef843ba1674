import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  accountDto,
  accountListDto,
  adminUpdateAccountBody,
  changeEmailBody,
  changePasswordBody,
  createInvitationBody,
  deleteMeBody,
  idParams,
  invitationCheckDto,
  invitationDto,
  invitationListDto,
  invitationTokenParams,
  listAccountsQuery,
  memberLookupDto,
  memberLookupQuery,
  logInBody,
  registrationDto,
  resetCheckDto,
  resetConfirmBody,
  resetRequestBody,
  resetTokenParams,
  sessionDto,
  setupBody,
  signUpBody,
  signUpResultDto,
  updateMeBody,
  type SessionDto,
} from '@common/api/auth';
import { AppError, tooManyRequests } from '@server/http/errors';
import type { GuessGuard } from '@server/http/guess-guard';
import type { AccountRow } from './auth.repo';
import type { AuthService } from './auth.service';
import { authorize } from './auth.policy';
import { presentAccount, presentInvitation, presentMemberRef } from './auth.presenter';
import {
  clearSessionCookie,
  csrfTokenFor,
  setSessionCookie,
  type CookieOptions,
} from './auth.http';

/** A rate limit: at most `max` requests per `timeWindowMs` from one IP address. */
export interface RateLimit {
  max: number;
  timeWindowMs: number;
}

export interface AuthRateLimits {
  logIn: RateLimit;
  signUp: RateLimit;
  resetRequest: RateLimit;
  resetConfirm: RateLimit;
  invitation: RateLimit;
  memberLookup: RateLimit;
  /** Checks of the current password (change password or e-mail, delete account), per account. */
  currentPassword: RateLimit;
}

const errorDto = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  })
  .describe('{error:{code,message,details}}; see the code list in the API description.');
const noContent = z.null().describe('No content');

/** The error answers every route may give, documented once. */
const errors = {
  400: errorDto,
  401: errorDto,
  403: errorDto,
  404: errorDto,
  409: errorDto,
  413: errorDto,
  415: errorDto,
  429: errorDto,
};

const TAG_SESSION = 'session';
const TAG_ACCOUNT = 'account';
const TAG_ADMIN = 'admin';
const TAG_MEMBERS = 'members';

/**
 * The accounts, sessions, registration and administration routes, under /api/v1. Thin: parse
 * (zod) → authorize (policy) → service → present.
 */
export function buildAuthRoutes(
  service: AuthService,
  o: CookieOptions & { rateLimits: AuthRateLimits; loginGuard: GuessGuard },
): FastifyPluginAsync {
  const limit = (r: RateLimit) => ({ rateLimit: { max: r.max, timeWindow: r.timeWindowMs } });
  async function sessionOf(
    request: FastifyRequest,
    reply: FastifyReply,
    account: AccountRow | null,
    csrfToken?: string,
  ): Promise<SessionDto> {
    const [setupRequired, registrationMode] = await Promise.all([
      service.setupRequired(),
      service.registrationMode(),
    ]);
    return {
      account: account === null ? null : presentAccount(account),
      csrfToken: csrfToken ?? csrfTokenFor(request, reply, o),
      setupRequired,
      registrationMode,
    };
  }

  /** Logs an account in on this reply: a fresh session, the request's old one ended. */
  async function logInOn(
    request: FastifyRequest,
    reply: FastifyReply,
    account: AccountRow,
  ): Promise<SessionDto> {
    const old = request.actor.kind === 'account' ? request.actor.sessionId : undefined;
    const s = await service.startSession(account.id, old);
    setSessionCookie(reply, s, o);
    return sessionOf(request, reply, account, s.csrfToken);
  }

  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();
    // One limit shared by every route that checks the current password, keyed by the account,
    // not the address: a borrowed session gets a few tries, not a dictionary from many addresses.
    // Guests are refused by those routes anyway; they count per address.
    const checksCurrentPassword = plugin.rateLimit({
      max: o.rateLimits.currentPassword.max,
      timeWindow: o.rateLimits.currentPassword.timeWindowMs,
      keyGenerator: (request) =>
        request.actor.kind === 'account' ? `account:${request.actor.accountId}` : request.ip,
    });

    app.get(
      '/session',
      {
        schema: {
          tags: [TAG_SESSION],
          summary: 'Who I am, the CSRF token to send on writes, setup and registration state',
          response: { 200: sessionDto, ...errors },
        },
      },
      async (request, reply) => {
        const account =
          request.actor.kind === 'account' ? await service.account(request.actor.accountId) : null;
        return sessionOf(request, reply, account);
      },
    );

    app.post(
      '/session',
      {
        config: limit(o.rateLimits.logIn),
        schema: {
          tags: [TAG_SESSION],
          summary: 'Log in (rotates the session)',
          body: logInBody,
          response: { 200: sessionDto, ...errors },
        },
      },
      async (request, reply) => {
        // Wrong passwords count per address and account, and per account (docs/decisions/0004).
        const target = request.body.email.trim().toLowerCase();
        const wait = await o.loginGuard.retryAfter(request.ip, target);
        if (wait > 0)
          throw tooManyRequests('Too many wrong passwords; try again later.', {
            retryAfterSeconds: wait,
          });
        let account: AccountRow;
        try {
          account = await service.authenticate(request.body.email, request.body.password);
        } catch (err) {
          if (err instanceof AppError && err.code === 'invalid_credentials')
            await o.loginGuard.recordFailure(request.ip, target);
          throw err;
        }
        return logInOn(request, reply, account);
      },
    );

    app.delete(
      '/session',
      {
        schema: {
          tags: [TAG_SESSION],
          summary: 'Log out',
          response: { 204: noContent, ...errors },
        },
      },
      async (request, reply) => {
        if (request.actor.kind === 'account') await service.endSession(request.actor.sessionId);
        clearSessionCookie(reply, o);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/setup',
      {
        config: limit(o.rateLimits.signUp),
        schema: {
          tags: [TAG_SESSION],
          summary: 'Create the first steward while none exists, and log in',
          body: setupBody,
          response: { 201: sessionDto, ...errors },
        },
      },
      async (request, reply) => {
        const account = await service.setUp(request.body);
        const session = await logInOn(request, reply, account);
        return reply.code(201).send(session);
      },
    );

    app.post(
      '/accounts',
      {
        config: limit(o.rateLimits.signUp),
        schema: {
          tags: [TAG_ACCOUNT],
          summary: 'Sign up (logged in at once, unless the account awaits approval)',
          body: signUpBody,
          response: { 201: signUpResultDto, ...errors },
        },
      },
      async (request, reply) => {
        const account = await service.signUp(request.body);
        const session = account.status === 'active' ? await logInOn(request, reply, account) : null;
        return reply.code(201).send({ account: presentAccount(account), session });
      },
    );

    app.get(
      '/me',
      {
        schema: {
          tags: [TAG_ACCOUNT],
          summary: 'My account',
          response: { 200: accountDto, ...errors },
        },
      },
      async (request) => {
        const me = authorize(request.actor, 'account.read');
        return presentAccount(await service.account(me.accountId));
      },
    );

    app.patch(
      '/me',
      {
        schema: {
          tags: [TAG_ACCOUNT],
          summary: 'Change my name or preferred language',
          body: updateMeBody,
          response: { 200: accountDto, ...errors },
        },
      },
      async (request) => {
        const me = authorize(request.actor, 'account.update');
        return presentAccount(await service.updateProfile(me.accountId, request.body));
      },
    );

    app.post(
      '/me/password',
      {
        preHandler: checksCurrentPassword,
        schema: {
          tags: [TAG_ACCOUNT],
          summary: 'Change my password (ends my other sessions)',
          body: changePasswordBody,
          response: { 204: noContent, ...errors },
        },
      },
      async (request, reply) => {
        const me = authorize(request.actor, 'account.update');
        const { currentPassword, newPassword } = request.body;
        await service.changePassword(me.accountId, currentPassword, newPassword, me.sessionId);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/me/email',
      {
        preHandler: checksCurrentPassword,
        schema: {
          tags: [TAG_ACCOUNT],
          summary: 'Change my email address',
          body: changeEmailBody,
          response: { 200: accountDto, ...errors },
        },
      },
      async (request) => {
        const me = authorize(request.actor, 'account.update');
        const { currentPassword, email } = request.body;
        return presentAccount(await service.changeEmail(me.accountId, currentPassword, email));
      },
    );

    app.delete(
      '/me',
      {
        preHandler: checksCurrentPassword,
        schema: {
          tags: [TAG_ACCOUNT],
          summary: 'Delete my account',
          body: deleteMeBody,
          response: { 204: noContent, ...errors },
        },
      },
      async (request, reply) => {
        const me = authorize(request.actor, 'account.delete');
        await service.deleteAccount(me.accountId, request.body.password);
        clearSessionCookie(reply, o);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/password-resets',
      {
        config: limit(o.rateLimits.resetRequest),
        schema: {
          tags: [TAG_ACCOUNT],
          summary: 'Email a password-reset link (always 202)',
          body: resetRequestBody,
          response: { 202: noContent, ...errors },
        },
      },
      async (request, reply) => {
        await service.requestPasswordReset(request.body.email);
        return reply.code(202).send(null);
      },
    );

    app.post(
      '/password-resets/confirm',
      {
        config: limit(o.rateLimits.resetConfirm),
        schema: {
          tags: [TAG_ACCOUNT],
          summary: 'Set a new password from a reset link (ends other sessions)',
          body: resetConfirmBody,
          response: { 204: noContent, ...errors },
        },
      },
      async (request, reply) => {
        const keep = request.actor.kind === 'account' ? request.actor.sessionId : undefined;
        await service.confirmPasswordReset(request.body.token, request.body.password, keep);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/password-resets/:token',
      {
        config: limit(o.rateLimits.resetConfirm),
        // The token is a secret: keep it out of the request log.
        logSerializers: {
          req: (req: FastifyRequest) => ({ method: req.method, url: '/api/v1/password-resets/…' }),
        },
        schema: {
          tags: [TAG_ACCOUNT],
          summary: 'Whether a password-reset link still works (without using it)',
          params: resetTokenParams,
          response: { 200: resetCheckDto, ...errors },
        },
      },
      async (request) => ({ valid: await service.passwordResetUsable(request.params.token) }),
    );

    app.get(
      '/invitations/:token',
      {
        config: limit(o.rateLimits.invitation),
        // The token is a secret: keep it out of the request log.
        logSerializers: {
          req: (req: FastifyRequest) => ({ method: req.method, url: '/api/v1/invitations/…' }),
        },
        schema: {
          tags: [TAG_ACCOUNT],
          summary: 'Whether an invitation link is still good',
          params: invitationTokenParams,
          response: { 200: invitationCheckDto, ...errors },
        },
      },
      async (request) => {
        const inv = await service.validInvitation(request.params.token);
        return { valid: inv !== undefined, email: inv?.email ?? null };
      },
    );

    app.get(
      '/members',
      {
        config: limit(o.rateLimits.memberLookup),
        schema: {
          tags: [TAG_MEMBERS],
          summary:
            'Look members up by a word of their name (or e-mail) to pick them, e.g. as co-moderators',
          description:
            'At least 2 characters (else 400 query_too_short), at most 10 active members, by name. ' +
            'Members see id and name only and match an e-mail only when q is the whole address; ' +
            'stewards also match e-mail prefixes and see addresses. Rate-limited (429 rate_limited).',
          querystring: memberLookupQuery,
          response: { 200: memberLookupDto, ...errors },
        },
      },
      async (request) => {
        const actor = authorize(request.actor, 'members.lookup');
        const steward = actor.role === 'steward';
        const found = await service.lookUpMembers({ text: request.query.q, bySteward: steward });
        return { members: found.map((a) => presentMemberRef(a, steward)) };
      },
    );

    app.get(
      '/admin/accounts',
      {
        schema: {
          tags: [TAG_ADMIN],
          summary: 'List and search accounts (stewards)',
          querystring: listAccountsQuery,
          response: { 200: accountListDto, ...errors },
        },
      },
      async (request) => {
        authorize(request.actor, 'accounts.list');
        const { items, total } = await service.listAccounts(request.query);
        return { items: items.map(presentAccount), total };
      },
    );

    app.patch(
      '/admin/accounts/:id',
      {
        schema: {
          tags: [TAG_ADMIN],
          summary: "Change an account's role, approve, disable or enable it (stewards)",
          params: idParams,
          body: adminUpdateAccountBody,
          response: { 200: accountDto, ...errors },
        },
      },
      async (request) => {
        authorize(request.actor, 'account.administer', { accountId: request.params.id });
        return presentAccount(await service.administer(request.params.id, request.body));
      },
    );

    app.get(
      '/admin/registration',
      {
        schema: {
          tags: [TAG_ADMIN],
          summary: 'The registration mode (stewards)',
          response: { 200: registrationDto, ...errors },
        },
      },
      async (request) => {
        authorize(request.actor, 'registration.manage');
        return { mode: await service.registrationMode() };
      },
    );

    app.put(
      '/admin/registration',
      {
        schema: {
          tags: [TAG_ADMIN],
          summary: 'Set the registration mode: open, invitation or approval (stewards)',
          body: registrationDto,
          response: { 200: registrationDto, ...errors },
        },
      },
      async (request) => {
        authorize(request.actor, 'registration.manage');
        await service.setRegistrationMode(request.body.mode);
        return { mode: await service.registrationMode() };
      },
    );

    app.get(
      '/admin/invitations',
      {
        schema: {
          tags: [TAG_ADMIN],
          summary: 'List invitations (stewards)',
          response: { 200: invitationListDto, ...errors },
        },
      },
      async (request) => {
        authorize(request.actor, 'invitations.manage');
        const all = await service.listInvitations();
        return { items: all.map((i) => presentInvitation(i.invitation, i.url)) };
      },
    );

    app.post(
      '/admin/invitations',
      {
        schema: {
          tags: [TAG_ADMIN],
          summary: 'Issue a single-use invitation link (stewards)',
          body: createInvitationBody,
          response: { 201: invitationDto, ...errors },
        },
      },
      async (request, reply) => {
        const me = authorize(request.actor, 'invitations.manage');
        const { invitation, url } = await service.createInvitation(me.accountId, request.body);
        return reply.code(201).send(presentInvitation(invitation, url));
      },
    );

    app.delete(
      '/admin/invitations/:id',
      {
        schema: {
          tags: [TAG_ADMIN],
          summary: 'Revoke an invitation (stewards)',
          params: idParams,
          response: { 204: noContent, ...errors },
        },
      },
      async (request, reply) => {
        authorize(request.actor, 'invitations.manage');
        await service.revokeInvitation(request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
