import type { Kysely } from 'kysely';

/**
 * One row /readyz writes on every check: a database that answers reads but cannot write (a full
 * disk, a read-only file or replica) is not ready.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('platform_health')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('platform_health').execute();
}
