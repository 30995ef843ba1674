import type { Kysely } from 'kysely';

/**
 * Spaces (persistent meeting rooms), their co-moderators, and the chat of spaces that keep it.
 * Settings are one JSON text column (the owner's choices; the site's policy is applied on read).
 * Access codes are kept readable because owners and co-moderators are shown them; they are
 * compared in constant time and never leave the server for anyone else.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('spaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('viewer_access_code', 'text')
    .addColumn('moderator_access_code', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('spaces_owner_id_idx').on('spaces').column('owner_id').execute();

  await db.schema
    .createTable('space_co_moderators')
    .addColumn('space_id', 'text', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) =>
      c.notNull().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('space_co_moderators_pk', ['space_id', 'account_id'])
    .execute();
  await db.schema
    .createIndex('space_co_moderators_account_id_idx')
    .on('space_co_moderators')
    .column('account_id')
    .execute();

  await db.schema
    .createTable('space_chat_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('space_id', 'text', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('space_chat_messages_space_sent_idx')
    .on('space_chat_messages')
    .columns(['space_id', 'sent_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('space_chat_messages').execute();
  await db.schema.dropTable('space_co_moderators').execute();
  await db.schema.dropTable('spaces').execute();
}
