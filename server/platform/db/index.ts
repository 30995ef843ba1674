export {
  checkReadiness,
  isStorageError,
  migrateToLatest,
  migrationProvider,
  openDb,
  ping,
} from './db';
export type { Db, DbHandle, Dialect, Readiness } from './db';
export { isoNow } from './columns';
