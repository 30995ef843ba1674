import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** How long a join token is good for: enough to open a socket, too short to share. */
export const JOIN_TOKEN_TTL_MS = 60_000;

/** What a join token grants: one person into one space's meeting, with a role and a name. */
export const joinClaims = z.object({
  v: z.literal(1),
  /** Space id. */
  sid: z.string(),
  role: z.enum(['viewer', 'moderator']),
  /** Display name. */
  name: z.string(),
  /** Account id, null for a guest. */
  aid: z.string().nullable(),
  /**
   * A guest's key as the meeting knows it: HMAC of the browser's guest key and the space id
   * (never the key itself); absent for members and for guests who sent none.
   */
  gk: z.string().optional(),
  /** Expiry, ms since the epoch. */
  exp: z.number(),
  /** Random id (so two tokens never look alike). */
  jti: z.string(),
});
export type JoinClaims = z.infer<typeof joinClaims>;

/**
 * What the meeting knows of a guest's per-browser key: bound to the space (the same key in another
 * space gives another value) and keyed by the server's secret, so the value says nothing of the key.
 */
export function guestKeyHash(secret: string, spaceId: string, guestKey: string): string {
  return createHmac('sha256', keyFrom(secret))
    .update(`guest-key\0${spaceId}\0${guestKey}`)
    .digest('base64url');
}

export type TokenCheck =
  { ok: true; claims: JoinClaims } | { ok: false; reason: 'token_invalid' | 'token_expired' };

function keyFrom(secret: string): Buffer {
  // A key of its own, so a join token can never pass for a cookie signature or vice versa.
  return createHmac('sha256', secret).update('commonhall.join-token.v1').digest();
}

/** Signs claims as `<payload base64url>.<HMAC-SHA256 base64url>`. */
export function signJoinToken(
  secret: string,
  claims: Omit<JoinClaims, 'v' | 'exp' | 'jti'>,
  now: Date,
  ttlMs = JOIN_TOKEN_TTL_MS,
): { token: string; expiresAt: Date } {
  const exp = now.getTime() + ttlMs;
  const full: JoinClaims = { v: 1, ...claims, exp, jti: randomBytes(9).toString('base64url') };
  const payload = Buffer.from(JSON.stringify(full)).toString('base64url');
  const mac = createHmac('sha256', keyFrom(secret)).update(payload).digest('base64url');
  return { token: `${payload}.${mac}`, expiresAt: new Date(exp) };
}

/** Checks a join token's signature (constant time), shape and expiry. */
export function verifyJoinToken(secret: string, token: unknown, now: Date): TokenCheck {
  if (typeof token !== 'string' || token.length > 4096)
    return { ok: false, reason: 'token_invalid' };
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'token_invalid' };
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', keyFrom(secret)).update(payload).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'token_invalid' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'token_invalid' };
  }
  const claims = joinClaims.safeParse(parsed);
  if (!claims.success) return { ok: false, reason: 'token_invalid' };
  if (claims.data.exp <= now.getTime()) return { ok: false, reason: 'token_expired' };
  return { ok: true, claims: claims.data };
}
