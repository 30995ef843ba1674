import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { PageView } from '@common/api/handbook';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { loadConfig, type Config } from '@server/config';
import { guestActor, type Actor } from '@server/http/actor';
import { installErrorHandler } from '@server/http/error-handler';
import { ManualClock } from '@server/platform/clock';
import type { DbHandle } from '@server/platform/db';
import { createLogger } from '@server/platform/log';
import { openTestDb } from '@server/test/test-app';
import { createHandbook, type Handbook } from './index';

/**
 * The handbook's routes on a fresh database, with the actor taken from an `x-test-actor` header
 * (`steward:Name`, `member:Name`; absent → guest). The auth module sets the real actor; this lets
 * the handbook's rules be tested on their own.
 */
export interface HandbookTestApp {
  app: FastifyInstance;
  handbook: Handbook;
  db: DbHandle;
  config: Config;
  clock: ManualClock;
  close: () => Promise<void>;
}

export async function buildHandbookTestApp(
  options: { importAllowPrivate?: boolean } = {},
): Promise<HandbookTestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'commonhall-handbook-'));
  const config = loadConfig(
    { DATA_DIR: dataDir, LOG_LEVEL: 'silent', HANDBOOK_STARTER: 'off' },
    { persistSecret: false },
  );
  const { handle, drop } = await openTestDb();
  const clock = new ManualClock(new Date('2026-11-26T12:00:00Z'));
  const log = createLogger('silent');
  const handbook = createHandbook({ config, db: handle, clock, log, ...options });
  // The router options of server/app.ts: a trailing slash reaches the same route there.
  const app = Fastify({
    logger: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('actor');
  app.addHook('onRequest', async (request) => {
    request.actor = actorFrom(request.headers['x-test-actor']);
  });
  installErrorHandler(app);
  await app.register(handbook.apiRoutes, { prefix: '/api/v1/handbook' });
  await app.register(handbook.wikiRoutes);
  await app.ready();
  return {
    app,
    handbook,
    db: handle,
    config,
    clock,
    close: async () => {
      await app.close();
      await handbook.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function actorFrom(header: string | string[] | undefined): Actor {
  if (typeof header !== 'string') return guestActor();
  const [role, name = 'Someone'] = header.split(':');
  return {
    kind: 'account',
    accountId: `acc-${name.toLowerCase()}`,
    sessionId: 's',
    email: `${name.toLowerCase()}@example.org`,
    name,
    role: role === 'steward' ? 'steward' : 'member',
    locale: 'en',
  };
}

export const steward = { 'x-test-actor': 'steward:Ada' };
export const member = (name = 'Bea') => ({ 'x-test-actor': `member:${name}` });

/** Creates a page through the API (as a steward unless `headers` say otherwise); expects 201. */
export async function createPage(
  t: HandbookTestApp,
  title: string,
  story: unknown[] = [],
  headers: Record<string, string> = steward,
): Promise<PageView> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/handbook/pages',
    headers,
    payload: { title, story },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ page: PageView }>().page;
}
