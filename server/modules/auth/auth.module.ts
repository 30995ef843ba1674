import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ModuleDeps } from '@server/app';
import { failureLogFor, GuessGuard, type GuessLimits } from '@server/http/guess-guard';
import { productionHashCost, type HashCost } from './auth.passwords';
import { AuthRepo } from './auth.repo';
import { buildAuthRoutes, type AuthRateLimits } from './auth.routes';
import { AuthService } from './auth.service';
import { installAuthHooks } from './auth.http';

/** Tunables of the auth module; tests pass cheaper hashing and other limits. */
export interface AuthOptions {
  hashCost: HashCost;
  rateLimits: AuthRateLimits;
  /** Wrong passwords per address and account, and per account (docs/decisions/0004). */
  logInGuesses: GuessLimits;
  sessionTtlMs: number;
}

const MINUTE = 60_000;

export const defaultAuthOptions: AuthOptions = {
  hashCost: productionHashCost,
  rateLimits: {
    logIn: { max: 10, timeWindowMs: MINUTE },
    signUp: { max: 10, timeWindowMs: 10 * MINUTE },
    resetRequest: { max: 5, timeWindowMs: 10 * MINUTE },
    resetConfirm: { max: 10, timeWindowMs: 10 * MINUTE },
    invitation: { max: 20, timeWindowMs: 10 * MINUTE },
    // A picker looks up as the person types (debounced): generous, but no bulk harvesting.
    memberLookup: { max: 60, timeWindowMs: MINUTE },
    // Per account: a borrowed session gets a few tries at the password, not a dictionary.
    currentPassword: { max: 10, timeWindowMs: 10 * MINUTE },
  },
  logInGuesses: { perAddress: 10, perTarget: 50, windowMs: 15 * MINUTE, backoffMs: 30_000 },
  sessionTtlMs: 30 * 24 * 60 * MINUTE,
};

export interface AuthModule {
  service: AuthService;
  /** Adds the global hook (session → request.actor, CSRF check); call on the root instance. */
  installHooks: (app: FastifyInstance) => void;
  /** The routes, registered inside the /api/v1 plugin. */
  routes: FastifyPluginAsync;
}

/** Wires the auth module once, so its hook and routes share one service. */
export function createAuthModule(deps: ModuleDeps, options: Partial<AuthOptions> = {}): AuthModule {
  const o: AuthOptions = { ...defaultAuthOptions, ...options };
  const service = new AuthService({
    repo: new AuthRepo(deps.db.db),
    clock: deps.clock,
    mailer: deps.mailer,
    log: deps.log,
    publicUrl: deps.config.publicUrl,
    secret: deps.config.sessionSecret,
    hashCost: o.hashCost,
    sessionTtlMs: o.sessionTtlMs,
    bus: deps.bus,
  });
  const cookies = { secure: deps.config.secureCookies };
  return {
    service,
    installHooks: (app) => installAuthHooks(app, service, cookies),
    routes: buildAuthRoutes(service, {
      ...cookies,
      rateLimits: o.rateLimits,
      loginGuard: new GuessGuard(
        deps.clock,
        o.logInGuesses,
        failureLogFor(deps.sharedCounters, 'login'),
      ),
    }),
  };
}
