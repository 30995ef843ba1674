import { type Kysely } from 'kysely';

/**
 * Rendered diagrams, keyed by a hash of the DOT text they were drawn from (with the Graphviz
 * version): a restart or another node serves them without laying out again, and a diagram that
 * ran past the time limit is kept as "too complex" instead of being tried on every read. Derived
 * data only: deleting rows costs a render, never content.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('handbook_diagram_renders')
    .addColumn('dot_hash', 'text', (c) => c.primaryKey())
    .addColumn('svg', 'text')
    .addColumn('error', 'text')
    // A kind of error the app shows translated ('too_complex'), or null.
    .addColumn('problem', 'text')
    .addColumn('time_limit_ms', 'integer', (c) => c.notNull())
    .addColumn('rendered_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('handbook_diagram_renders_rendered_at')
    .on('handbook_diagram_renders')
    .column('rendered_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('handbook_diagram_renders').execute();
}
