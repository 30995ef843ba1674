import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import type { JoinTicketDto, SpaceDto } from '@common/api/spaces';
import type { ServerMessage } from '@common/protocol';
import { buildApp, type AppDeps } from '@server/app';
import { loadConfig, type Config, type EnvInput } from '@server/config';
import { LocalBus, type DomainEvent } from '@server/platform/bus';
import type { DbHandle } from '@server/platform/db';
import { ManualClock } from '@server/platform/clock';
import { createLogger } from '@server/platform/log';
import { MemoryMailer } from '@server/platform/mail';
import type { MediaEngine } from '@server/realtime/sfu/engine';
import {
  authHeaders,
  cheapHashCost,
  generousFloodLimits,
  generousRateLimits,
  type TestSession,
} from './accounts';
import type { FloodLimits } from '@server/platform/limits';
import type { AuthOptions } from '@server/modules/auth';
import { openTestDb } from './test-app';

export interface MeetingTestApp {
  app: FastifyInstance;
  config: Config;
  db: DbHandle;
  clock: ManualClock;
  /** Every event published on the bus (with `redis`, the app's own RedisBus: none here). */
  events: DomainEvent[];
  /** ws://127.0.0.1:<port>/ws */
  wsUrl: string;
  /** Stops the app only (a node leaving its cluster); the shared database stays. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole app listening on 127.0.0.1 and port 0 (real sockets), on a fresh database, with a
 * manual clock, the given media engine (a fake by default in signalling tests) and short timings.
 */
export async function startMeetingTestApp(
  opts: {
    env?: EnvInput;
    media?: MediaEngine | null;
    signalling?: AppDeps['signalling'];
    /** Another node of the same hall: its database (and session secret) are shared. */
    nodeOf?: MeetingTestApp;
    /** Flood limits (generous by default; the flood tests pass the real ones). */
    floodLimits?: FloodLimits;
    /** REDIS_URL and the key prefix of this test's cluster, and shorter router timings. */
    redis?: { url: string; prefix: string; routing?: AppDeps['redisRouting'] };
    /** Auth options over the cheap, generous test ones (e.g. real rate limits). */
    auth?: Partial<AuthOptions>;
  } = {},
): Promise<MeetingTestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'commonhall-meeting-'));
  const config = loadConfig(
    {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      MEDIA_PORT: '0',
      MEDIA_BIND_ADDRESS: '127.0.0.1',
      ...(opts.nodeOf !== undefined ? { SESSION_SECRET: opts.nodeOf.config.sessionSecret } : {}),
      ...(opts.redis !== undefined ? { REDIS_URL: opts.redis.url } : {}),
      ...opts.env,
    },
    { persistSecret: false },
  );
  const { handle, database, drop } =
    opts.nodeOf !== undefined
      ? { handle: opts.nodeOf.db, database: opts.nodeOf.config.database, drop: async () => {} }
      : await openTestDb();
  config.database = database;
  const clock = new ManualClock(new Date());
  const events: DomainEvent[] = [];
  const bus = opts.redis !== undefined ? undefined : new LocalBus();
  bus?.subscribe('*', (e) => {
    events.push(e);
  });
  const app = await buildApp({
    config,
    db: handle,
    log: createLogger(config.logLevel),
    mailer: new MemoryMailer(),
    clock,
    ...(bus !== undefined ? { bus } : {}),
    ...(opts.redis !== undefined
      ? {
          redisPrefix: opts.redis.prefix,
          ...(opts.redis.routing !== undefined ? { redisRouting: opts.redis.routing } : {}),
        }
      : {}),
    auth: { hashCost: cheapHashCost, rateLimits: generousRateLimits, ...opts.auth },
    floodLimits: opts.floodLimits ?? generousFloodLimits,
    ...(opts.media !== undefined ? { media: opts.media } : {}),
    ...(opts.signalling !== undefined ? { signalling: opts.signalling } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  let stopped: Promise<undefined> | undefined;
  const stop = () => (stopped ??= app.close());
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    app,
    config,
    db: handle,
    clock,
    events,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    stop,
    close: async () => {
      await stop();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a space through the API as `owner`. */
export async function createTestSpace(
  app: FastifyInstance,
  owner: TestSession,
  payload: Record<string, unknown> = {},
): Promise<SpaceDto> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/spaces',
    headers: authHeaders(owner),
    payload: { name: `Space ${Math.random().toString(36).slice(2, 8)}`, ...payload },
  });
  if (res.statusCode !== 201) throw new Error(`create space: ${res.statusCode} ${res.body}`);
  return res.json<SpaceDto>();
}

/** A join ticket through the API (as a session, or as a guest). */
export async function joinTicket(
  app: FastifyInstance,
  slug: string,
  body: { name: string; accessCode?: string },
  session?: TestSession,
): Promise<JoinTicketDto> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/spaces/${encodeURIComponent(slug)}/join`,
    payload: body,
    ...(session !== undefined ? { headers: authHeaders(session) } : {}),
  });
  if (res.statusCode !== 200) throw new Error(`join: ${res.statusCode} ${res.body}`);
  return res.json<JoinTicketDto>();
}

type Msg<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** A signalling client on a real socket that records what it receives. */
export class TestClient {
  readonly received: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly taken = new Set<ServerMessage>();
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.received.push(JSON.parse(data.toString('utf8')) as ServerMessage);
      for (const w of this.waiters) w();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const w of this.waiters) w();
      });
    });
  }

  /** Opens a socket (from `localAddress`, e.g. 127.0.4.2, to look like another client). */
  static open(url: string, opts: { localAddress?: string } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, opts);
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  /** Opens a socket and joins with a ticket; resolves with the `joined` message. */
  static async join(
    url: string,
    token: string,
    opts: { localAddress?: string } = {},
  ): Promise<{ client: TestClient; joined: Msg<'joined'> }> {
    const client = await TestClient.open(url, opts);
    client.send({ type: 'join', token });
    return { client, joined: await client.next('joined') };
  }

  send(message: object | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next not-yet-taken message of a type (matching `where`), waiting up to 5 s. */
  next<T extends ServerMessage['type']>(
    type: T,
    where: (m: Msg<T>) => boolean = () => true,
  ): Promise<Msg<T>> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.received.find(
          (m): m is Msg<T> => m.type === type && !this.taken.has(m) && where(m as Msg<T>),
        );
        if (found === undefined) return false;
        this.taken.add(found);
        resolve(found);
        return true;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(`no ${type} message; got ${JSON.stringify(this.received.map((m) => m.type))}`),
        );
      }, 5000);
      const waiter = () => {
        if (check()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
        }
      };
      this.waiters.push(waiter);
    });
  }

  /** A round trip: everything the server sent before answering this ping has arrived. */
  async sync(): Promise<void> {
    const ref = Math.random().toString(36).slice(2);
    this.send({ type: 'ping', ref });
    await this.next('pong');
  }

  close(code = 1000): void {
    this.ws.close(code);
  }
}
