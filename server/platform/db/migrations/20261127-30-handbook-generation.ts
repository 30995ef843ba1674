import { sql, type Kysely } from 'kysely';

/**
 * The handbook's generation: one counter bumped by every write to the handbook (from this
 * process, another server node or the `commonhall handbook import` command), so a server can tell
 * cheaply whether its diagram cache may still be trusted. And deleted pages, kept whole (title,
 * story, journal) so deleting a page never destroys its history.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('handbook_generation')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into handbook_generation (id, value) values (1, 0)`.execute(db);
  await db.schema
    .createTable('handbook_deleted_pages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    // The page as Federated Wiki JSON ({title, story, journal}), the journal ending in the deletion.
    .addColumn('page', 'text', (c) => c.notNull())
    .addColumn('deleted_by', 'text')
    .addColumn('deleted_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('handbook_deleted_pages_slug')
    .on('handbook_deleted_pages')
    .column('slug')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('handbook_deleted_pages').execute();
  await db.schema.dropTable('handbook_generation').execute();
}
