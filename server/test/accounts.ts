import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '@server/app';
import { loadConfig, type EnvInput } from '@server/config';
import { ManualClock } from '@server/platform/clock';
import { createLogger, type Logger } from '@server/platform/log';
import { MemoryMailer, type Mailer } from '@server/platform/mail';
import type { AuthOptions } from '@server/modules/auth';
import type { AccountDto, InvitationDto, SessionDto, SignUpResultDto } from '@common/api/auth';
import { generousFloodLimits, openTestDb, type TestApp } from './test-app';

/** argon2id at the lowest cost, for tests only (production keeps its own, see auth.passwords). */
export const cheapHashCost = { memoryCost: 256, timeCost: 1, parallelism: 1 };

/** Rate limits no ordinary test reaches. */
export const generousRateLimits: AuthOptions['rateLimits'] = {
  logIn: { max: 1_000_000, timeWindowMs: 60_000 },
  signUp: { max: 1_000_000, timeWindowMs: 60_000 },
  resetRequest: { max: 1_000_000, timeWindowMs: 60_000 },
  resetConfirm: { max: 1_000_000, timeWindowMs: 60_000 },
  invitation: { max: 1_000_000, timeWindowMs: 60_000 },
  memberLookup: { max: 1_000_000, timeWindowMs: 60_000 },
  currentPassword: { max: 1_000_000, timeWindowMs: 60_000 },
};

export { generousFloodLimits } from './test-app';

/**
 * Like buildTestApp(), with auth options (cheap hashing and generous rate limits by default), and
 * optionally a logger or mailer of the test's own.
 */
export async function buildAuthTestApp(
  opts: {
    env?: EnvInput;
    auth?: Partial<AuthOptions>;
    log?: Logger;
    mailer?: (log: Logger) => Mailer;
    /** With REDIS_URL in env: the Redis key and channel prefix (one per test). */
    redisPrefix?: string;
  } = {},
): Promise<TestApp & { log: Logger }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'commonhall-test-'));
  const config = loadConfig(
    { DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...opts.env },
    { persistSecret: false },
  );
  const { handle, database, drop } = await openTestDb();
  config.database = database;
  const memory = new MemoryMailer();
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = new ManualClock(new Date());
  const app = await buildApp({
    config,
    db: handle,
    log,
    mailer: opts.mailer?.(log) ?? memory,
    clock,
    auth: { hashCost: cheapHashCost, rateLimits: generousRateLimits, ...opts.auth },
    floodLimits: generousFloodLimits,
    ...(opts.redisPrefix !== undefined ? { redisPrefix: opts.redisPrefix } : {}),
  });
  await app.ready();
  return {
    app,
    db: handle,
    config,
    mailer: memory,
    clock,
    dataDir,
    log,
    close: async () => {
      await app.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A logged-in test user: send `authHeaders(session)` with every request. */
export interface TestSession {
  cookie: string;
  csrfToken: string;
  account: AccountDto;
}

/** The headers that act as this session: its cookie and its CSRF token. */
export function authHeaders(session: Pick<TestSession, 'cookie' | 'csrfToken'>): {
  cookie: string;
  'x-csrf-token': string;
} {
  return { cookie: session.cookie, 'x-csrf-token': session.csrfToken };
}

/** The `name=value` of a cookie the response set (or its `__Host-` form on https), or undefined. */
export function cookieFrom(res: LightMyRequestResponse, name: string): string | undefined {
  const c = res.cookies.find(
    (x) => (x.name === name || x.name === `__Host-${name}`) && x.value !== '',
  );
  return c === undefined ? undefined : `${c.name}=${c.value}`;
}

/** A guest's CSRF cookie and token, as the app gets them from GET /api/v1/session. */
export async function guestSession(
  app: FastifyInstance,
): Promise<{ cookie: string; csrfToken: string; session: SessionDto }> {
  const res = await app.inject({ method: 'GET', url: '/api/v1/session' });
  const session = res.json<SessionDto>();
  const cookie = cookieFrom(res, 'commonhall_csrf');
  if (cookie === undefined) throw new Error('GET /session set no commonhall_csrf cookie');
  return { cookie, csrfToken: session.csrfToken, session };
}

export const TEST_PASSWORD = 'Lantern-Meadow-Quiet-7';

// The stewards this helper created, per app, so it can promote, approve and invite.
const stewards = new WeakMap<FastifyInstance, TestSession>();

function fail(what: string, res: LightMyRequestResponse): never {
  throw new Error(`${what} failed: ${res.statusCode} ${res.body}`);
}

/**
 * Signs up (or sets up the first steward) and logs in through the real API. With `steward: true`
 * the first call runs setup; later ones sign up and are promoted by that first steward. In
 * approval or invitation mode the helper's steward approves or invites, when it has one.
 */
export async function signUpAndLogIn(
  app: FastifyInstance,
  opts: { email?: string; name?: string; password?: string; steward?: boolean } = {},
): Promise<TestSession> {
  const email = opts.email ?? `user-${randomBytes(5).toString('hex')}@example.test`;
  const name = opts.name ?? email.split('@')[0] ?? 'Test';
  const password = opts.password ?? TEST_PASSWORD;
  const guest = await guestSession(app);
  const guestHeaders = authHeaders(guest);

  if (opts.steward === true && guest.session.setupRequired) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      headers: guestHeaders,
      payload: { email, name, password },
    });
    if (res.statusCode !== 201) fail('setup', res);
    const s = res.json<SessionDto>();
    const cookie = cookieFrom(res, 'commonhall_session');
    if (cookie === undefined || s.account === null) fail('setup (no session)', res);
    const session = { cookie, csrfToken: s.csrfToken, account: s.account };
    if (!stewards.has(app)) stewards.set(app, session);
    return session;
  }

  const steward = stewards.get(app);
  let invitationToken: string | undefined;
  if (guest.session.registrationMode === 'invitation' && steward !== undefined) {
    const inv = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/invitations',
      headers: authHeaders(steward),
      payload: {},
    });
    if (inv.statusCode !== 201) fail('invitation', inv);
    invitationToken =
      new URL(inv.json<InvitationDto>().url).searchParams.get('invitation') ?? undefined;
  }
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    headers: guestHeaders,
    payload: { email, name, password, ...(invitationToken ? { invitationToken } : {}) },
  });
  if (res.statusCode !== 201) fail('sign-up', res);
  const signedUp = res.json<SignUpResultDto>();
  const { account } = signedUp;

  const needsSteward = opts.steward === true || account.status === 'pending';
  if (!needsSteward && signedUp.session !== null) {
    const cookie = cookieFrom(res, 'commonhall_session');
    if (cookie === undefined) fail('sign-up (no session cookie)', res);
    return { cookie, csrfToken: signedUp.session.csrfToken, account };
  }
  if (needsSteward) {
    if (steward === undefined)
      throw new Error('signUpAndLogIn: a steward is needed, but this helper created none here');
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/accounts/${account.id}`,
      headers: authHeaders(steward),
      payload: { ...(opts.steward === true ? { role: 'steward' } : {}), status: 'active' },
    });
    if (patch.statusCode !== 200) fail('promotion/approval', patch);
  }

  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: guestHeaders,
    payload: { email, password },
  });
  if (login.statusCode !== 200) fail('log-in', login);
  const s = login.json<SessionDto>();
  const cookie = cookieFrom(login, 'commonhall_session');
  if (cookie === undefined || s.account === null) fail('log-in (no session)', login);
  const session = { cookie, csrfToken: s.csrfToken, account: s.account };
  if (opts.steward === true && !stewards.has(app)) stewards.set(app, session);
  return session;
}
