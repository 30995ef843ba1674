import type { AddressInfo } from 'node:net';
import { buildApp } from '@server/app';
import type { Config } from '@server/config';
import { migrateToLatest, openDb } from '@server/platform/db';
import { createProcessLogger } from '@server/platform/log';

/** The C library's version when it is glibc (Linux), from Node's diagnostic report header. */
function glibcVersion(): string | undefined {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } })
    .header;
  return header?.glibcVersionRuntime;
}

/** How long a graceful stop may take before the process exits anyway. */
const STOP_DEADLINE_MS = 10_000;

export interface Server {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts Commonhall in one process: database (migrated), HTTP + WebSocket + media, and a graceful
 * stop on SIGTERM/SIGINT (stop accepting, finish in-flight requests, close the database).
 */
export async function startServer(
  config: Config,
  options: { handleSignals?: boolean } = {},
): Promise<Server> {
  // JSON lines, or human ones when started in a terminal.
  const log = createProcessLogger(config.logLevel);
  const db = await openDb(config.database);
  await migrateToLatest(db.db);
  // startMedia: a MEDIA_PORT another process holds stops the start, naming the port.
  const app = await buildApp({ config, db, log, serveApp: true, startMedia: true });
  app.addHook('onClose', async () => {
    await db.close();
  });
  const address = await app.listen({ port: config.port, host: config.host });
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  // The address to open: PUBLIC_URL, unless the port was chosen at listen time (PORT=0).
  const openAt =
    config.port === 0
      ? `http://${host}:${(app.server.address() as AddressInfo).port}`
      : config.publicUrl;
  log.info(
    { address, database: config.database.dialect, publicUrl: config.publicUrl },
    `Commonhall is running at ${openAt}`,
  );
  if (!config.mallocArenasLimited && glibcVersion() !== undefined) {
    log.info(
      'MALLOC_ARENA_MAX is not set: the media engine uses less memory, and memory that stays put as people come and go, with MALLOC_ARENA_MAX=1 in the environment (README, Operations)',
    );
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      log.info('stopping: no new connections, finishing requests in flight');
      await app.close();
      log.info('stopped');
    })();
    return stopping;
  };
  if (options.handleSignals !== false) {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'signal received');
      const timer = setTimeout(() => {
        log.error('graceful stop took too long; exiting');
        process.exit(1);
      }, STOP_DEADLINE_MS);
      timer.unref();
      stop().then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'error while stopping');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return {
    url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`,
    stop,
  };
}
