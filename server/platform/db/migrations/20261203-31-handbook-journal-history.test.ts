import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrationProvider } from '@server/platform/db';
import { openTestDb, testDialect } from '@server/test/test-app';

const NAME = '20261203-31-handbook-journal-history';

describe(`migration ${NAME} on ${testDialect()}`, () => {
  it('moves every journal into the history table whole and bounds what the page row serves', async () => {
    const { handle, schema, drop } = await openTestDb();
    try {
      const migrator = new Migrator({
        db: handle.db,
        provider: migrationProvider,
        ...(schema !== undefined ? { migrationTableSchema: schema } : {}),
      });
      const names = (await migrator.getMigrations()).map((m) => m.name);
      const before = names[names.indexOf(NAME) - 1] ?? '';
      expect((await migrator.migrateTo(before)).error).toBeUndefined();
      const db = handle.db;
      const story = [{ id: 'a', type: 'paragraph', text: 'v200' }];
      const long = [
        {
          type: 'create',
          item: { title: 'Long', story: [{ id: 'a', type: 'paragraph', text: 'v0' }] },
          date: 1,
        },
        ...Array.from({ length: 200 }, (_, i) => ({
          type: 'edit',
          id: 'a',
          item: { id: 'a', type: 'paragraph', text: `v${i + 1}` },
          date: i + 2,
        })),
      ];
      const short = [{ type: 'create', item: { title: 'Short', story }, date: 5 }];
      const now = '2026-12-01T00:00:00.000Z';
      for (const [id, title, journal] of [
        ['p1', 'Long', long],
        ['p2', 'Short', short],
      ] as const)
        await sql`insert into handbook_pages (id, slug, title, story, journal, origin, search_text, created_at, updated_at)
          values (${id}, ${title.toLowerCase()}, ${title}, ${JSON.stringify(story)}, ${JSON.stringify(journal)}, 'local', '', ${now}, ${now})`.execute(
          db,
        );
      await sql`insert into handbook_deleted_pages (id, slug, title, page, deleted_by, deleted_at)
        values ('d1', 'gone', 'Gone', ${JSON.stringify({ title: 'Gone', story, journal: short })}, null, ${now})`.execute(
        db,
      );
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const history = async (id: string) =>
        (
          await sql<{
            action: string;
            position: number;
          }>`select action, position from handbook_journal where page_id = ${id} order by position`.execute(
            db,
          )
        ).rows.map((r) => JSON.parse(r.action) as unknown);
      expect(await history('p1')).toEqual(long);
      expect(await history('p2')).toEqual(short);
      expect(await history('d1')).toEqual(short);
      const rows = (
        await sql<{
          id: string;
          journal: string;
          journalLength: number;
        }>`select id, journal, journal_length from handbook_pages order by id`.execute(db)
      ).rows;
      expect(rows.map((r) => [r.id, Number(r.journalLength)])).toEqual([
        ['p1', 201],
        ['p2', 1],
      ]);
      expect(JSON.parse(rows[0]?.journal ?? '')).toEqual([
        { type: 'create', item: { title: 'Long', story }, date: 201, compacted: 201 },
      ]);
      expect(JSON.parse(rows[1]?.journal ?? '')).toEqual(short);
      // And back down: the journals return to the page rows whole.
      expect((await migrator.migrateTo(before)).error).toBeUndefined();
      const back = (
        await sql<{ journal: string }>`select journal from handbook_pages where id = 'p1'`.execute(
          db,
        )
      ).rows[0];
      expect(JSON.parse(back?.journal ?? '')).toEqual(long);
    } finally {
      await drop();
    }
  });
});
