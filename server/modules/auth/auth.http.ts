import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { newToken } from '@server/platform/ids';
import { AppError } from '@server/http/errors';
import { isLocale } from '@common/i18n/locales';
import type { AuthService, NewSession } from './auth.service';

export const SESSION_COOKIE = 'commonhall_session';
/** A guest's CSRF token, in a signed cookie, so sign-up and log-in forms are protected too. */
export const CSRF_COOKIE = 'commonhall_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What the hook learned about a request's cookies, for the session routes. */
interface RequestAuth {
  /** The token a write must echo: the session's, else the guest cookie's. */
  csrfToken: string | undefined;
}
const requestAuth = new WeakMap<FastifyRequest, RequestAuth>();

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface CookieOptions {
  secure: boolean;
}

/**
 * A cookie's name on this install: `__Host-` prefixed when PUBLIC_URL is https (the browser then
 * takes it only Secure, Path=/ and without Domain, so a sibling subdomain cannot plant or shadow
 * it); an http install keeps the plain name (browsers refuse `__Host-` cookies without Secure).
 */
export function cookieName(base: string, o: CookieOptions): string {
  return o.secure ? `__Host-${base}` : base;
}

export function setSessionCookie(reply: FastifyReply, s: NewSession, o: CookieOptions): void {
  reply.setCookie(cookieName(SESSION_COOKIE, o), s.token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: o.secure,
    expires: s.expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, o: CookieOptions): void {
  reply.clearCookie(cookieName(SESSION_COOKIE, o), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: o.secure,
  });
}

/**
 * The CSRF token for this request's answer to GET /session: the session's when logged in,
 * otherwise the guest cookie's, issuing a fresh signed guest cookie when there is none.
 */
export function csrfTokenFor(
  request: FastifyRequest,
  reply: FastifyReply,
  o: CookieOptions,
): string {
  const known = requestAuth.get(request)?.csrfToken;
  if (known !== undefined) return known;
  const token = newToken();
  reply.setCookie(cookieName(CSRF_COOKIE, o), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: o.secure,
    signed: true,
  });
  requestAuth.set(request, { csrfToken: token });
  return token;
}

/**
 * The global hook: turns the session cookie into `request.actor` (an expired, unknown or forged
 * cookie makes a guest and is cleared), then refuses any cookie-carrying write whose
 * `x-csrf-token` header does not match → 403 `csrf_invalid`. Whatever its path: the router
 * decodes `/%61pi/…` to `/api/…`, so a test on the raw URL would let such a spelling through.
 */
export function installAuthHooks(
  app: FastifyInstance,
  service: AuthService,
  o: CookieOptions,
): void {
  app.addHook('onRequest', async (request, reply) => {
    let csrfToken: string | undefined;
    let carriesCookie = false;

    const sessionToken = request.cookies[cookieName(SESSION_COOKIE, o)];
    if (sessionToken !== undefined && sessionToken !== '') {
      carriesCookie = true;
      const s = await service.resolveSession(sessionToken);
      if (s === undefined) {
        clearSessionCookie(reply, o);
      } else {
        const a = s.account;
        request.actor = {
          kind: 'account',
          accountId: a.id,
          sessionId: s.idHash,
          email: a.email,
          name: a.name,
          role: a.role,
          locale: isLocale(a.locale) ? a.locale : request.actor.locale,
        };
        csrfToken = s.csrfToken;
      }
    }

    const guestCookie = request.cookies[cookieName(CSRF_COOKIE, o)];
    if (guestCookie !== undefined && guestCookie !== '') {
      carriesCookie = true;
      if (csrfToken === undefined) {
        const u = request.unsignCookie(guestCookie);
        if (u.valid && u.value !== null && u.value !== '') csrfToken = u.value;
      }
    }
    requestAuth.set(request, { csrfToken });

    if (!carriesCookie || !WRITE_METHODS.has(request.method)) return;
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || csrfToken === undefined || !sameSecret(sent, csrfToken)) {
      throw new AppError(
        403,
        'csrf_invalid',
        'The CSRF token is missing or stale; read GET /api/v1/session and send it as x-csrf-token.',
      );
    }
  });
}
