export { migrateToLatest, migrationProvider, openDb, ping } from './db';
export type { Db, DbHandle, Dialect } from './db';
export { isoNow } from './columns';
