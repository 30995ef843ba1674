import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawServerDefault,
} from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from '@server/config';
import { systemClock, type Clock } from '@server/platform/clock';
import type { Redis } from 'ioredis';
import { LocalBus, RedisBus, connectRedis, quitRedis, type EventBus } from '@server/platform/bus';
import { checkReadiness, type DbHandle } from '@server/platform/db';
import type { Logger } from '@server/platform/log';
import { logMailer, smtpMailer, type Mailer } from '@server/platform/mail';
import { guestActor } from '@server/http/actor';
import { AppError, tooManyRequests } from '@server/http/errors';
import { installErrorHandler, renderFrameworkError } from '@server/http/error-handler';
import { createMetrics, installMetrics } from '@server/http/metrics';
import { installInputGuard } from '@server/http/input-guard';
import { RequestLogs } from '@server/http/request-logs';
import { installRouteList } from '@server/http/route-list';
import { installSecurityHeaders, securityHeaders } from '@server/http/security';
import { appDistDir } from '@server/paths';
import { errorCodes } from '@common/api/errors';
import { pickLocale } from '@common/i18n/locales';
import { BODY_LIMIT_BYTES } from '@common/limits';
import {
  SESSION_COOKIE,
  cookieName,
  createAuthModule,
  type AuthOptions,
} from '@server/modules/auth';
import { createHandbook, isFederationPath } from '@server/modules/handbook';
import websocket from '@fastify/websocket';
import { SIGNAL_LIMITS } from '@common/protocol';
import type { FloodLimits } from '@server/platform/limits';
import { createSpacesGateway, spacesRoutes, type SpacesRouteOptions } from '@server/modules/spaces';
import { createSignalling, type SignallingDeps } from '@server/realtime/signal';
import { createMediaEngine, type MediaEngine } from '@server/realtime/sfu';
import { RedisRouter, type RedisRouterOptions } from '@server/realtime/routing';

/** What the composition root is given; tests pass their own clock, mailer and database. */
export interface AppDeps {
  config: Config;
  db: DbHandle;
  log: Logger;
  clock?: Clock;
  bus?: EventBus;
  /** Prefixes every Redis key and channel when REDIS_URL is set (tests: one per run). */
  redisPrefix?: string;
  /** The RedisRouter's timings when REDIS_URL is set (tests shorten them). */
  redisRouting?: Pick<RedisRouterOptions, 'ttlMs' | 'heartbeatMs' | 'callTimeoutMs'>;
  mailer?: Mailer;
  /** Serve the built SPA from dist/app (off in most tests). */
  serveApp?: boolean;
  /** Auth tunables (tests: cheap hashing, tight rate limits). */
  auth?: Partial<AuthOptions>;
  /** The media engine (tests: a fake, or null for none); by default created from config.media on the first join. */
  media?: MediaEngine | null;
  /**
   * Create the default media engine now, binding MEDIA_PORT (`serve`): a port that cannot be
   * bound then stops the start, instead of failing every joiner's media later.
   */
  startMedia?: boolean;
  /** Signalling limits and timings (tests shorten them). */
  signalling?: Pick<SignallingDeps, 'limits' | 'resumeGraceMs' | 'heartbeatMs'>;
  spaces?: Pick<SpacesRouteOptions, 'guardLimits'>;
  /** Flood limits on joining meetings, per address and per space (tests of other things raise them). */
  floodLimits?: FloodLimits;
}

/** Everything a module's routes may use, wired once here. */
export interface ModuleDeps {
  config: Config;
  db: DbHandle;
  log: Logger;
  clock: Clock;
  bus: EventBus;
  mailer: Mailer;
  /**
   * REDIS_URL: where limits every node must share are counted (wrong passwords and access codes;
   * the HTTP rate limits use the same client), with the install's key prefix.
   */
  sharedCounters?: { redis: Redis; prefix: string };
}

export type AppInstance = FastifyInstance;

/**
 * TRUST_PROXY as a hop count: the socket's peer and the n-1 addresses before it in
 * X-Forwarded-For are proxies (Fastify 5 alone fails closed on a number). Only safe when nothing
 * reaches the app but through those proxies (README "Behind a reverse proxy").
 */
function hopsTrusted(n: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < n;
}

/**
 * Builds the whole HTTP application without listening: plugins, error handling, health, metrics,
 * OpenAPI, every module's routes under /api/v1, and the SPA. main.ts listens; tests inject().
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, db, log } = deps;
  const media = deps.media;
  // The default engine binds MEDIA_PORT on the first join, so a process without meetings binds
  // none, unless startMedia asks for it now (before anything else is opened).
  let defaultEngine: Promise<MediaEngine> | undefined;
  const createDefaultEngine = () =>
    (defaultEngine ??= createMediaEngine({
      port: config.media.port,
      ...(config.media.bindAddress !== undefined ? { bindAddress: config.media.bindAddress } : {}),
      ...(config.media.announcedAddress !== undefined
        ? { announcedAddress: config.media.announcedAddress }
        : {}),
      candidateNetworks: config.media.candidateNetworks,
      log,
    }));
  if (deps.startMedia === true && media === undefined) await createDefaultEngine();
  const clock = deps.clock ?? systemClock;
  const redisPrefix = deps.redisPrefix ?? 'commonhall:';
  // REDIS_URL: events reach every node's subscribers; otherwise they stay in this process.
  const bus =
    deps.bus ??
    (config.redisUrl !== undefined
      ? await RedisBus.connect({
          url: config.redisUrl,
          prefix: redisPrefix,
          onError: (err, event) => log.error({ err, event: event?.type }, 'event bus error'),
        })
      : new LocalBus((err, event) =>
          log.error({ err, event: event.type }, 'event handler failed'),
        ));
  const mailer =
    deps.mailer ??
    (config.smtpUrl !== undefined ? smtpMailer(config.smtpUrl, config.mailFrom) : logMailer(log));
  // REDIS_URL: login, current-password and access-code limits are counted where every node
  // sees them, so N nodes do not give an address N times the tries.
  const countersRedis =
    config.redisUrl === undefined
      ? undefined
      : await connectRedis(config.redisUrl, 'commonhall-limits');
  countersRedis?.on('error', (err: unknown) => log.error({ err }, 'limits Redis error'));
  const moduleDeps: ModuleDeps = {
    config,
    db,
    log,
    clock,
    bus,
    mailer,
    ...(countersRedis !== undefined
      ? { sharedCounters: { redis: countersRedis, prefix: redisPrefix } }
      : {}),
  };
  // REDIS_URL: each meeting lives on one node and participants reach it through any node.
  const routerRedis =
    config.redisUrl === undefined
      ? undefined
      : {
          pub: await connectRedis(config.redisUrl, 'commonhall-router-pub'),
          sub: await connectRedis(config.redisUrl, 'commonhall-router-sub'),
        };
  for (const r of routerRedis === undefined ? [] : [routerRedis.pub, routerRedis.sub]) {
    r.on('error', (err: unknown) => log.error({ err }, 'router Redis error'));
  }
  const signalling = createSignalling({
    gateway: createSpacesGateway(moduleDeps),
    allowedOrigin: () => new URL(config.publicUrl).origin,
    bus,
    clock,
    log,
    media: media === null ? null : async () => media ?? (await createDefaultEngine()),
    ...(routerRedis !== undefined
      ? {
          router: (newMeeting, prepareToHost) =>
            new RedisRouter(newMeeting, {
              ...routerRedis,
              log,
              prepareToHost,
              prefix: redisPrefix,
              ...deps.redisRouting,
            }),
          // A join token opens one socket, whichever node it reaches.
          markJoinTokenUsed: async (jti: string, ttlMs: number) =>
            (await routerRedis.pub.set(`${redisPrefix}jti:${jti}`, '1', 'PX', ttlMs, 'NX')) ===
            'OK',
        }
      : {}),
    ...deps.signalling,
    ...(deps.floodLimits !== undefined ? { floodLimits: deps.floodLimits } : {}),
  });

  const headers = securityHeaders(config.secureCookies);
  const app = Fastify<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: log,
    // Health, readiness and metrics requests at debug, not info.
    logController: new RequestLogs(),
    bodyLimit: BODY_LIMIT_BYTES,
    // request.ip is the client's address behind the proxies TRUST_PROXY names (README).
    trustProxy:
      typeof config.trustProxy === 'number' ? hopsTrusted(config.trustProxy) : config.trustProxy,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    frameworkErrors: (err, request, reply) => {
      void reply.headers(headers);
      renderFrameworkError(err, request, reply);
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  }).withTypeProvider<ZodTypeProvider>();
  installRouteList(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Declared empty; the onRequest hook below sets a real actor on every request.
  app.decorateRequest('actor');
  app.addHook('onRequest', async (request) => {
    request.actor = guestActor(pickLocale(request.headers['accept-language']));
  });

  installErrorHandler(app);
  installInputGuard(app);
  installSecurityHeaders(app, headers);
  await app.register(cookie, { secret: config.sessionSecret });
  const auth = createAuthModule(moduleDeps, deps.auth);
  auth.installHooks(app);
  await app.register(rateLimit, {
    global: false,
    // Shared by every node with REDIS_URL; a Redis that does not answer refuses (no free tries).
    ...(countersRedis !== undefined
      ? { redis: countersRedis, nameSpace: `${redisPrefix}rate-limit:` }
      : {}),
    errorResponseBuilder: (_req, ctx) =>
      tooManyRequests(undefined, { retryAfterSeconds: Math.ceil(ctx.ttl / 1000) }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Commonhall API',
        version: '1',
        description: `Every error is {error:{code,message,details}}. Codes: ${errorCodes.join(', ')}.`,
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: cookieName(SESSION_COOKIE, { secure: config.secureCookies }),
          },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  const { registry } = createMetrics();
  installMetrics(app, registry, config.metricsToken, config.trustProxy !== false);

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    // Ready means the database answers and takes a write (a full disk fails the write only).
    const status = await checkReadiness(db.db, clock.now());
    return reply.status(status === 'ready' ? 200 : 503).send({ status });
  });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const handbook = createHandbook({
    ...moduleDeps,
    // Circles name their members; the handbook asks the auth module, never its tables.
    accounts: {
      describe: async (ids) => {
        const found = await Promise.all(
          ids.map((id) => auth.service.account(id).catch(() => undefined)),
        );
        return found
          .filter((a) => a !== undefined)
          .map((a) => ({ id: a.id, name: a.name, email: a.email }));
      },
    },
  });
  await app.register(
    async (api) => {
      // Module routes are registered here, each through its module's index.ts.
      await api.register(auth.routes);
      await api.register(
        spacesRoutes(moduleDeps, {
          live: signalling.live,
          ...deps.spaces,
          ...(deps.floodLimits !== undefined ? { floodLimits: deps.floodLimits } : {}),
        }),
      );
      void moduleDeps;
      await api.register(handbook.apiRoutes, { prefix: '/handbook' });
    },
    { prefix: '/api/v1' },
  );
  // Federated Wiki's read-only routes live at the site root (see handbook/wiki.routes.ts).
  await app.register(handbook.wikiRoutes);

  const indexHtml = deps.serveApp === true ? loadIndexHtml(log) : undefined;
  if (indexHtml !== undefined) {
    await app.register(fastifyStatic, {
      root: appDistDir,
      wildcard: false,
      index: false,
      maxAge: '1h',
    });
  }
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (path.startsWith('/api/')) {
      throw new AppError(404, 'route_not_found', `No API route ${request.method} ${path}.`);
    }
    // A Federated Wiki client takes any 200 for a page or a site: never the app's page there.
    if (isFederationPath(path)) throw new AppError(404, 'route_not_found', `No route ${path}.`);
    if (indexHtml !== undefined && (request.method === 'GET' || request.method === 'HEAD')) {
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(indexHtml);
    }
    throw new AppError(404, 'not_found', 'Not found.');
  });
  await app.register(websocket, {
    options: { maxPayload: SIGNAL_LIMITS.maxFrameBytes },
    // Replaces the plugin's own stop, which runs before any hook of ours and closes every socket
    // without a code (1005): meetings end first and close their sockets with 1001 "going away",
    // which tells clients to come back by themselves once the server is up again.
    preClose: async () => {
      await signalling.close();
      app.websocketServer.close();
    },
  });
  await app.register(signalling.routes);
  app.addHook('preClose', async () => {
    await (await defaultEngine?.catch(() => undefined))?.close();
  });
  // Before in-flight requests are awaited: one waiting on a long layout answers at once.
  app.addHook('preClose', () => handbook.close());
  app.addHook('onClose', async () => {
    await bus.close();
    if (countersRedis !== undefined) await quitRedis(countersRedis);
  });
  return app;
}

function loadIndexHtml(log: Logger): string | undefined {
  const file = join(appDistDir, 'index.html');
  if (!existsSync(file)) {
    log.warn({ file }, 'the web app is not built (run npm run build); serving the API only');
    return undefined;
  }
  return readFileSync(file, 'utf8');
}
