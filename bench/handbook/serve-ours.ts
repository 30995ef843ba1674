/**
 * Commonhall's HTTP application for the benchmark, without the web app build (the bench asks only
 * for page JSON, the API and /healthz): the same buildApp as `commonhall serve`, with serveApp off.
 *
 * Usage: node --import tsx bench/handbook/serve-ours.ts   (DATA_DIR, PORT, HOST from env)
 */
import { buildApp } from '@server/app';
import { envFromProcess, loadConfig } from '@server/config';
import { migrateToLatest, openDb } from '@server/platform/db';
import { createLogger } from '@server/platform/log';

const config = loadConfig(envFromProcess());
const log = createLogger(config.logLevel);
const db = await openDb(config.database);
await migrateToLatest(db.db);
const app = await buildApp({ config, db, log, serveApp: false });
await app.listen({ port: config.port, host: config.host });
const stop = () => {
  app.close().then(
    () => db.close().then(() => process.exit(0)),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
