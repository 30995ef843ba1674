import { promises as fs } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import {
  CamelCasePlugin,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
} from 'kysely';
import pg from 'pg';
import type { Database } from '@server/config';

/**
 * The database handle every repository receives. Tables are declared by the modules that own
 * them; a repository narrows it with `db.withTables<MyTables>()`.
 */
export type Db = Kysely<object>;

export type Dialect = Database['dialect'];

export interface DbHandle {
  db: Db;
  dialect: Dialect;
  /** Closes the pool or file; safe to call twice. */
  close: () => Promise<void>;
}

// pg returns int8 (bigint, count(*)) as strings by default; our counts fit in a JS number.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

const migrationFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Every file in ./migrations, in name order. Each module adds its own files there
 * (YYYYMMDD-NN-name.ts), so no shared index needs editing. The import happens in our own code so
 * tsx and vitest load the TypeScript files.
 */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => {
    const files = (await fs.readdir(migrationFolder))
      .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.includes('.test.'))
      .sort();
    const out: Record<string, Migration> = {};
    for (const f of files) {
      out[f.replace(/\.(ts|js)$/, '')] = (await import(
        pathToFileURL(join(migrationFolder, f)).href
      )) as Migration;
    }
    return out;
  },
};

/** How many distinct SQL texts keep their prepared statement (queries with IN lists vary). */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * better-sqlite3 as Kysely's SQLite driver sees it, with each SQL text prepared once: Kysely asks
 * for a fresh statement on every query, and preparing costs more than running a lookup by key.
 * SQLite re-prepares a cached statement itself when the schema changes. A statement still being
 * iterated (a streamed query) is busy and gets a fresh one instead.
 */
export function cachingStatements(sqlite: SQLite.Database): {
  prepare: (sql: string) => SQLite.Statement;
  close: () => void;
} {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare: (text) => {
      const hit = cache.get(text);
      if (hit !== undefined && !hit.busy) return hit;
      const stmt = sqlite.prepare(text);
      if (hit === undefined) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        cache.set(text, stmt);
      }
      return stmt;
    },
    close: () => {
      cache.clear();
      sqlite.close();
    },
  };
}

/** Opens the database chosen by config: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL. */
export async function openDb(database: Database): Promise<DbHandle> {
  let closed = false;
  if (database.dialect === 'sqlite') {
    if (database.filename !== ':memory:')
      mkdirSync(dirname(database.filename), { recursive: true });
    const sqlite = new SQLite(database.filename);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    const db = new Kysely<object>({
      dialect: new SqliteDialect({ database: cachingStatements(sqlite) }),
      plugins: [new CamelCasePlugin()],
    });
    return {
      db,
      dialect: 'sqlite',
      close: async () => {
        if (closed) return;
        closed = true;
        await db.destroy();
      },
    };
  }
  const schema = database.schema;
  if (schema !== undefined) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    const admin = new pg.Client({ connectionString: database.connectionString });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: database.connectionString,
    max: 10,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<object>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new CamelCasePlugin()],
  });
  return {
    db,
    dialect: 'postgres',
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

/** Runs every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Db, schema?: string): Promise<MigrationResultSet> {
  // With a PostgreSQL schema of its own (tests), Kysely's bookkeeping tables must live in it too:
  // otherwise it finds another schema's lock table through the catalogue and never makes its own.
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(schema !== undefined ? { migrationTableSchema: schema } : {}),
  });
  const result = await migrator.migrateToLatest();
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const cause =
      result.error instanceof Error ? result.error.message : JSON.stringify(result.error);
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${cause}`);
  }
  return result;
}

/** True when the database answers a trivial query. */
export async function ping(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

export type Readiness = 'ready' | 'database_unreachable' | 'database_not_writable';

/**
 * Whether the database answers and accepts a write: one row of platform_health is written in a
 * transaction, so a full disk, a read-only file or a read-only replica shows here and not first
 * as failed log-ins.
 */
export async function checkReadiness(db: Db, now: Date): Promise<Readiness> {
  if (!(await ping(db))) return 'database_unreachable';
  try {
    await db.transaction().execute(async (tx) => {
      await sql`insert into platform_health (id, checked_at) values ('readyz', ${now.toISOString()})
        on conflict (id) do update set checked_at = excluded.checked_at`.execute(tx);
    });
    return 'ready';
  } catch {
    return 'database_not_writable';
  }
}

const storageErrorCodes = new Set([
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'EIO',
  '53100', // PostgreSQL disk_full
  '25006', // PostgreSQL read_only_sql_transaction (a replica, or default_transaction_read_only)
  '58030', // PostgreSQL io_error
]);

/**
 * True for an error that says the storage cannot take a write (full, read-only, failing): the
 * request is not at fault, and the answer is 503 storage_unavailable rather than a bare 500.
 */
export function isStorageError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  // better-sqlite3 spells extended codes out (SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE, …).
  return (
    storageErrorCodes.has(code) || storageErrorCodes.has(code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1'))
  );
}
