import { sql, type Kysely } from 'kysely';

/**
 * A circle's name as circles are compared: Unicode normal form C, lower-cased, runs of whitespace
 * made one space, trimmed. A copy of `circleNameKey` in the handbook module as it was when this
 * migration was written (platform code imports no module; a test keeps the two equal).
 */
export function circleNameKey(name: string): string {
  return name
    .normalize('NFC')
    .toLocaleLowerCase('und')
    .replace(/\s+/gu, ' ')
    .trim()
    .normalize('NFC');
}

/** The longest circle name the API accepts (putCircleBodySchema). */
const NAME_MAX = 100;

/** `name (n)`, cut by code points so the whole fits in NAME_MAX and no surrogate pair is split. */
function suffixed(name: string, n: number): string {
  const suffix = ` (${n})`;
  const chars = Array.from(name);
  const base =
    chars.length + suffix.length > NAME_MAX ? chars.slice(0, NAME_MAX - suffix.length) : chars;
  return `${base.join('').trimEnd()}${suffix}`;
}

/**
 * Circle names unique as people read them: "Tech", "tech" and "TECH", or "Café" typed with a
 * combining accent, were different circles to the old exact-text unique constraint. Each circle
 * gets its name key, and a unique index on it.
 *
 * Circles that already share a key are kept apart, not merged: the oldest (created_at, then id)
 * keeps its name, each later one is renamed "<name> (2)", "(3)" … (the first number free). Every
 * circle keeps its id and its members, so the edit policy's chosen circles (ids in settings) mean
 * exactly the people they meant; merging would have silently given one circle's members the edit
 * rights of another's. Stewards see both and can merge by hand.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('handbook_circles')
    .addColumn('name_key', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  const circles = (
    await sql<{
      id: string;
      name: string;
    }>`select id, name from handbook_circles order by created_at, id`.execute(db)
  ).rows;
  const taken = new Set(circles.map((c) => circleNameKey(c.name)));
  const kept = new Set<string>();
  for (const c of circles) {
    let name = c.name;
    let key = circleNameKey(name);
    if (kept.has(key)) {
      for (let n = 2; taken.has(key); n++) {
        name = suffixed(c.name, n);
        key = circleNameKey(name);
      }
      taken.add(key);
    }
    kept.add(key);
    await sql`update handbook_circles set name = ${name}, name_key = ${key} where id = ${c.id}`.execute(
      db,
    );
  }
  await db.schema
    .createIndex('handbook_circles_name_key_unique')
    .on('handbook_circles')
    .column('name_key')
    .unique()
    .execute();
}

/** Renamed circles keep their new names (they are unique under the old rule too). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('handbook_circles_name_key_unique').execute();
  await db.schema.alterTable('handbook_circles').dropColumn('name_key').execute();
}
