import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@server/app';
import { loadConfig, type Config, type Database, type EnvInput } from '@server/config';
import { ManualClock } from '@server/platform/clock';
import { migrateToLatest, openDb, type DbHandle, type Dialect } from '@server/platform/db';
import { createLogger } from '@server/platform/log';
import type { FloodLimits } from '@server/platform/limits';
import { MemoryMailer } from '@server/platform/mail';

/** The database the server suite runs on: COMMONHALL_TEST_DB=sqlite (default) or postgres. */
export function testDialect(): Dialect {
  return process.env.COMMONHALL_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
}

export const TEST_POSTGRES_URL =
  process.env.COMMONHALL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh, migrated, empty database: SQLite in memory, or a PostgreSQL schema of its own so test
 * files can run in parallel. `drop()` removes it.
 */
export async function openTestDb(dialect: Dialect = testDialect()): Promise<{
  handle: DbHandle;
  database: Database;
  schema?: string;
  drop: () => Promise<void>;
}> {
  if (dialect === 'sqlite') {
    const database: Database = { dialect: 'sqlite', filename: ':memory:' };
    const handle = await openDb(database);
    await migrateToLatest(handle.db);
    return { handle, database, drop: () => handle.close() };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const database: Database = { dialect: 'postgres', connectionString: TEST_POSTGRES_URL, schema };
  const handle = await openDb(database);
  await migrateToLatest(handle.db, schema);
  return {
    handle,
    database,
    schema,
    drop: async () => {
      await handle.close();
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  db: DbHandle;
  config: Config;
  mailer: MemoryMailer;
  clock: ManualClock;
  dataDir: string;
  close: () => Promise<void>;
}

/** Meeting flood limits no ordinary test reaches (the flood tests keep the real ones). */
export const generousFloodLimits: FloodLimits = {
  joinTicketsPerAddressPerMinute: 1_000_000,
  guestJoinTicketsPerSpacePerMinute: 1_000_000,
  socketsPerAddress: 1_000_000,
  socketOpensPerAddressPerMinute: 1_000_000,
};

/** Builds the whole app on a fresh database with a memory mailer and a manual clock. */
export async function buildTestApp(env: EnvInput = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'commonhall-test-'));
  const config = loadConfig(
    { DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
    { persistSecret: false },
  );
  const { handle, database, drop } = await openTestDb();
  config.database = database;
  const mailer = new MemoryMailer();
  const clock = new ManualClock(new Date());
  const app = await buildApp({
    config,
    db: handle,
    log: createLogger(config.logLevel),
    mailer,
    clock,
    floodLimits: generousFloodLimits,
  });
  await app.ready();
  return {
    app,
    db: handle,
    config,
    mailer,
    clock,
    dataDir,
    close: async () => {
      await app.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
