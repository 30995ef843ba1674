import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * The handbook: pages (Federated Wiki JSON kept as text), aliases (old slugs and imported
 * Federated Wiki ASCII slugs), the link and keyword indexes, sections, circles, images, and the
 * full-text index (FTS5 on SQLite, a GIN expression index on PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('handbook_pages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('story', 'text', (c) => c.notNull())
    .addColumn('journal', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull().defaultTo('local'))
    // Title and item texts, accents folded, lower-cased: what full-text search reads.
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('handbook_aliases')
    .addColumn('slug', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) =>
      c.notNull().references('handbook_pages.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('handbook_links')
    .addColumn('page_id', 'text', (c) =>
      c.notNull().references('handbook_pages.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('to_slug', 'text', (c) => c.notNull())
    .addColumn('to_title', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('handbook_links_pk', ['page_id', 'position'])
    .execute();
  await db.schema.createIndex('handbook_links_to').on('handbook_links').column('to_slug').execute();
  await db.schema
    .createTable('handbook_keywords')
    .addColumn('page_id', 'text', (c) =>
      c.notNull().references('handbook_pages.id').onDelete('cascade'),
    )
    .addColumn('keyword', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('handbook_keywords_pk', ['page_id', 'keyword'])
    .execute();
  await db.schema
    .createTable('handbook_sections')
    .addColumn('page_id', 'text', (c) =>
      c.primaryKey().references('handbook_pages.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('handbook_section_pages')
    .addColumn('page_id', 'text', (c) =>
      c.primaryKey().references('handbook_pages.id').onDelete('cascade'),
    )
    .addColumn('section_id', 'text', (c) =>
      c.notNull().references('handbook_sections.page_id').onDelete('cascade'),
    )
    .addColumn('parent_id', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('handbook_circles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('handbook_circle_members')
    .addColumn('circle_id', 'text', (c) =>
      c.notNull().references('handbook_circles.id').onDelete('cascade'),
    )
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('handbook_circle_members_pk', ['circle_id', 'account_id'])
    .execute();
  await db.schema
    .createTable('handbook_images')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  if (sqlite) {
    await sql`create virtual table handbook_fts using fts5(page_id unindexed, body, tokenize = 'unicode61 remove_diacritics 2')`.execute(
      db,
    );
  } else {
    await sql`create index handbook_pages_search on handbook_pages using gin (to_tsvector('simple', search_text))`.execute(
      db,
    );
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  if (sqlite) await sql`drop table if exists handbook_fts`.execute(db);
  for (const t of [
    'handbook_images',
    'handbook_circle_members',
    'handbook_circles',
    'handbook_section_pages',
    'handbook_sections',
    'handbook_keywords',
    'handbook_links',
    'handbook_aliases',
    'handbook_pages',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
