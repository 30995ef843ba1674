import { sql, type Kysely } from 'kysely';

/** Bounds of a served journal, as common/api/handbook.ts had them when this was written. */
const SERVED_MAX_ACTIONS = 100;
const SERVED_MAX_BYTES = 256 * 1024;
const ROWS_PER_INSERT = 200;

interface Action {
  type?: unknown;
  id?: unknown;
  date?: unknown;
  author?: unknown;
  item?: unknown;
  renamedFrom?: unknown;
}

/** An action's summary and whether a replay may start at it (copies of the handbook module's). */
function summary(a: Action): { summary: string; snapshot: number } {
  const item = (typeof a.item === 'object' && a.item !== null ? a.item : {}) as {
    id?: unknown;
    story?: unknown;
  };
  const itemId = typeof a.id === 'string' ? a.id : typeof item.id === 'string' ? item.id : null;
  const type = typeof a.type === 'string' ? a.type : '';
  return {
    summary: JSON.stringify({
      type,
      date: typeof a.date === 'number' ? a.date : null,
      author: typeof a.author === 'string' ? a.author : null,
      itemId,
      ...(type === 'create' && a.renamedFrom !== undefined ? { renamed: true } : {}),
    }),
    snapshot: type === 'create' && Array.isArray(item.story) ? 1 : 0,
  };
}

async function keepHistory(db: Kysely<unknown>, pageId: string, journal: Action[]): Promise<void> {
  const rows = journal.map((a, position) => ({
    page_id: pageId,
    position,
    ...summary(a),
    action: JSON.stringify(a),
  }));
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
    await db
      .insertInto('handbook_journal' as never)
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .execute();
}

/**
 * A page's whole history moves to its own table, one row per journal action (with a summary for
 * the history list and conflict checks, and whether a replay may start there), so an edit appends
 * one row instead of rewriting the whole journal. The page row keeps the journal as served, and
 * its length (`journal_length`, the page's version). Every journal is copied whole, deleted pages'
 * too (a deleted page keeps its id, so its history is there when it is restored). A journal over
 * the served bounds is served, until the next edit compacts it properly, as one create of the page
 * as it is now (which replays to the same story).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('handbook_journal')
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('snapshot', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('action', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('handbook_journal_pk', ['page_id', 'position'])
    .execute();
  await db.schema
    .alterTable('handbook_pages')
    .addColumn('journal_length', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  const ids = (await sql<{ id: string }>`select id from handbook_pages order by id`.execute(db))
    .rows;
  for (const { id } of ids) {
    const page = (
      await sql<{
        title: string;
        story: string;
        journal: string;
      }>`select title, story, journal from handbook_pages where id = ${id}`.execute(db)
    ).rows[0];
    if (page === undefined) continue;
    const parsed: unknown = JSON.parse(page.journal);
    const journal = Array.isArray(parsed) ? (parsed as Action[]) : [];
    await keepHistory(db, id, journal);
    const tail = journal
      .slice(1)
      .reduce((n, a) => n + Buffer.byteLength(JSON.stringify(a), 'utf8'), 0);
    let served = page.journal;
    if (journal.length - 1 > SERVED_MAX_ACTIONS || tail > SERVED_MAX_BYTES) {
      const last = [...journal].reverse().find((a) => typeof a.date === 'number')?.date;
      served = JSON.stringify([
        {
          type: 'create',
          item: { title: page.title, story: JSON.parse(page.story) as unknown },
          ...(typeof last === 'number' ? { date: last } : {}),
          compacted: journal.length,
        },
      ]);
    }
    await sql`update handbook_pages set journal = ${served}, journal_length = ${journal.length} where id = ${id}`.execute(
      db,
    );
  }
  const deleted = (
    await sql<{ id: string }>`select id from handbook_deleted_pages order by id`.execute(db)
  ).rows;
  for (const { id } of deleted) {
    const row = (
      await sql<{ page: string }>`select page from handbook_deleted_pages where id = ${id}`.execute(
        db,
      )
    ).rows[0];
    if (row === undefined) continue;
    const kept = JSON.parse(row.page) as { journal?: unknown };
    if (Array.isArray(kept.journal)) await keepHistory(db, id, kept.journal as Action[]);
  }
}

/** Journals go back into the page rows whole. */
export async function down(db: Kysely<unknown>): Promise<void> {
  const ids = (await sql<{ id: string }>`select id from handbook_pages order by id`.execute(db))
    .rows;
  for (const { id } of ids) {
    const actions = (
      await sql<{
        action: string;
      }>`select action from handbook_journal where page_id = ${id} order by position`.execute(db)
    ).rows;
    const journal = `[${actions.map((a) => a.action).join(',')}]`;
    await sql`update handbook_pages set journal = ${journal} where id = ${id}`.execute(db);
  }
  await db.schema.alterTable('handbook_pages').dropColumn('journal_length').execute();
  await db.schema.dropTable('handbook_journal').execute();
}
