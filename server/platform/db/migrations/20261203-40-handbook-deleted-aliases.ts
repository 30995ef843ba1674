import { type Kysely } from 'kysely';

/**
 * A deleted page keeps its aliases (old slugs after renames, imported Federated Wiki slugs), as
 * JSON `[{slug, kind}]`, so a restore brings every old address back. Null for a page deleted
 * before this column: a restore then finds its old slugs in its history's renames.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('handbook_deleted_pages').addColumn('aliases', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('handbook_deleted_pages').dropColumn('aliases').execute();
}
