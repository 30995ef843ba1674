import { sql, type Kysely } from 'kysely';
import type { DbHandle } from '@server/platform/db';
import type { Item, JournalAction } from '@common/api/handbook';
import { isSnapshot, summaryOf, type ActionSummary } from './handbook.journal';

interface PagesTable {
  id: string;
  slug: string;
  title: string;
  story: string;
  journal: string;
  journalLength: number;
  origin: string;
  searchText: string;
  createdAt: string;
  updatedAt: string;
}
// A type alias (not an interface) so Kysely sees an index signature.
type HandbookTables = {
  handbookPages: PagesTable;
  handbookAliases: { slug: string; pageId: string; kind: string };
  handbookJournal: {
    pageId: string;
    position: number;
    summary: string;
    snapshot: number;
    action: string;
  };
  handbookLinks: { pageId: string; position: number; toSlug: string; toTitle: string };
  handbookKeywords: { pageId: string; keyword: string };
  handbookSections: { pageId: string; position: number };
  handbookSectionPages: {
    pageId: string;
    sectionId: string;
    parentId: string | null;
    position: number;
  };
  handbookCircles: { id: string; name: string; nameKey: string; createdAt: string };
  handbookCircleMembers: { circleId: string; accountId: string };
  handbookImages: {
    id: string;
    contentType: string;
    size: number;
    createdBy: string | null;
    createdAt: string;
  };
  settings: { key: string; value: string; updatedAt: string };
  handbookGeneration: { id: number; value: number };
  handbookDeletedPages: {
    id: string;
    slug: string;
    title: string;
    page: string;
    /** JSON `[{slug, kind}]`; null for a page deleted before aliases were kept. */
    aliases: string | null;
    deletedBy: string | null;
    deletedAt: string;
  };
};

/** An alias of a page: an old slug after a rename, or an imported Federated Wiki slug. */
export interface PageAlias {
  slug: string;
  kind: 'redirect' | 'import';
}

/**
 * A stored page, JSON columns parsed. `journal` is the journal as served (bounded, see
 * compactJournal); the whole history is in the journal table, `version` actions long.
 */
export interface PageRecord {
  id: string;
  slug: string;
  title: string;
  story: Item[];
  journal: JournalAction[];
  /** How many actions the page's whole history holds: the version edits are based on. */
  version: number;
  origin: string;
  createdAt: string;
  updatedAt: string;
}

/** What a save writes besides the page row: its derived indexes. */
export interface PageIndexes {
  links: { slug: string; title: string }[];
  keywords: string[];
  searchText: string;
}

export interface SectionRow {
  sectionId: string;
  position: number;
}

/** Every column but the search text (a copy of the page's words, read only by search). */
const pageColumns = [
  'id',
  'slug',
  'title',
  'story',
  'journal',
  'journalLength',
  'origin',
  'createdAt',
  'updatedAt',
] as const;

function toRecord(r: Omit<PagesTable, 'searchText'>): PageRecord {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    story: JSON.parse(r.story) as Item[],
    journal: JSON.parse(r.journal) as JournalAction[],
    version: Number(r.journalLength),
    origin: r.origin,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/**
 * True when `err` is the database refusing a circle name another circle holds: the unique index
 * on the name key (or the older one on the exact name), on SQLite or PostgreSQL.
 */
export function isCircleNameTaken(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, constraint, message } = err as {
    code?: unknown;
    constraint?: unknown;
    message?: unknown;
  };
  if (code === '23505')
    return typeof constraint === 'string' && constraint.startsWith('handbook_circles_name');
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    typeof message === 'string' &&
    message.includes('handbook_circles.name')
  );
}

/** Rows per insert statement (links: 4 values a row, well under either database's bound). */
const INSERT_CHUNK = 1000;

/** Kysely queries of the handbook; plain objects in and out. */
export class HandbookRepo {
  constructor(
    private readonly db: Kysely<HandbookTables>,
    readonly dialect: DbHandle['dialect'],
  ) {}

  static from(handle: DbHandle): HandbookRepo {
    return new HandbookRepo(handle.db.withTables<HandbookTables>(), handle.dialect);
  }

  /** Runs `fn` in one transaction; a repo bound to the transaction is passed in. */
  async transaction<T>(fn: (repo: HandbookRepo) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      return fn(new HandbookRepo(trx, this.dialect));
    });
  }

  async findBySlug(slug: string): Promise<PageRecord | undefined> {
    const r = await this.db
      .selectFrom('handbookPages')
      .select(pageColumns)
      .where('slug', '=', slug)
      .executeTakeFirst();
    return r === undefined ? undefined : toRecord(r);
  }

  /**
   * A page's Federated Wiki fields as stored (story and journal still JSON text), for serving
   * them without parsing and re-serialising.
   */
  async findStoredJson(
    slug: string,
  ): Promise<{ slug: string; title: string; story: string; journal: string } | undefined> {
    return this.db
      .selectFrom('handbookPages')
      .select(['slug', 'title', 'story', 'journal'])
      .where('slug', '=', slug)
      .executeTakeFirst();
  }

  async findById(id: string): Promise<PageRecord | undefined> {
    const r = await this.db
      .selectFrom('handbookPages')
      .select(pageColumns)
      .where('id', '=', id)
      .executeTakeFirst();
    return r === undefined ? undefined : toRecord(r);
  }

  /** The page an alias (old slug or imported ASCII slug) points to. */
  async findByAlias(slug: string): Promise<PageRecord | undefined> {
    const r = await this.db
      .selectFrom('handbookAliases')
      .innerJoin('handbookPages', 'handbookPages.id', 'handbookAliases.pageId')
      .select(pageColumns.map((c) => `handbookPages.${c}` as const))
      .where('handbookAliases.slug', '=', slug)
      .executeTakeFirst();
    return r === undefined ? undefined : toRecord(r);
  }

  async listAll(): Promise<PageRecord[]> {
    const rows = await this.db
      .selectFrom('handbookPages')
      .select(pageColumns)
      .orderBy('slug')
      .execute();
    return rows.map(toRecord);
  }

  async titles(): Promise<{ id: string; slug: string; title: string; updatedAt: string }[]> {
    return this.db
      .selectFrom('handbookPages')
      .select(['id', 'slug', 'title', 'updatedAt'])
      .orderBy('title')
      .execute();
  }

  async count(): Promise<number> {
    const r = await this.db
      .selectFrom('handbookPages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async countNotOrigin(origin: string): Promise<number> {
    const r = await this.db
      .selectFrom('handbookPages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('origin', '!=', origin)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async slugsInUse(slugs: string[]): Promise<Set<string>> {
    if (slugs.length === 0) return new Set();
    const out = new Set<string>();
    for (let i = 0; i < slugs.length; i += 500) {
      const part = slugs.slice(i, i + 500);
      const a = await this.db
        .selectFrom('handbookPages')
        .select('slug')
        .where('slug', 'in', part)
        .execute();
      const b = await this.db
        .selectFrom('handbookAliases')
        .select('slug')
        .where('slug', 'in', part)
        .execute();
      for (const r of [...a, ...b]) out.add(r.slug);
    }
    return out;
  }

  /**
   * Of `keys`, those that are page slugs, and those that are aliases with the slug of their page:
   * what resolving many link titles at once needs.
   */
  async findLinkTargets(
    keys: readonly string[],
  ): Promise<{ pages: Set<string>; aliases: Map<string, string> }> {
    const pages = new Set<string>();
    const aliases = new Map<string, string>();
    for (let i = 0; i < keys.length; i += 500) {
      const part = keys.slice(i, i + 500);
      const a = await this.db
        .selectFrom('handbookPages')
        .select('slug')
        .where('slug', 'in', part)
        .execute();
      for (const r of a) pages.add(r.slug);
      const b = await this.db
        .selectFrom('handbookAliases')
        .innerJoin('handbookPages', 'handbookPages.id', 'handbookAliases.pageId')
        .select(['handbookAliases.slug as alias', 'handbookPages.slug as slug'])
        .where('handbookAliases.slug', 'in', part)
        .execute();
      for (const r of b) aliases.set(r.alias, r.slug);
    }
    return { pages, aliases };
  }

  /**
   * Writes a new page row and appends `history` (by default its journal) to its history, ending at
   * position `page.version` (a restored deleted page's earlier history is already there).
   */
  async insert(
    page: PageRecord,
    idx: PageIndexes,
    history: readonly JournalAction[] = page.journal,
  ): Promise<void> {
    await this.db
      .insertInto('handbookPages')
      .values({
        id: page.id,
        slug: page.slug,
        title: page.title,
        story: JSON.stringify(page.story),
        journal: JSON.stringify(page.journal),
        journalLength: page.version,
        origin: page.origin,
        searchText: idx.searchText,
        createdAt: page.createdAt,
        updatedAt: page.updatedAt,
      })
      .execute();
    await this.appendHistory(page.id, page.version - history.length, history);
    await this.writeIndexes(page.id, idx);
  }

  /** Rewrites the page row (story and served journal) and appends `action` to its history. */
  async update(page: PageRecord, idx: PageIndexes, action: JournalAction): Promise<void> {
    await this.db
      .updateTable('handbookPages')
      .set({
        slug: page.slug,
        title: page.title,
        story: JSON.stringify(page.story),
        journal: JSON.stringify(page.journal),
        journalLength: page.version,
        origin: page.origin,
        searchText: idx.searchText,
        updatedAt: page.updatedAt,
      })
      .where('id', '=', page.id)
      .execute();
    await this.appendHistory(page.id, page.version - 1, [action]);
    await this.writeIndexes(page.id, idx);
  }

  /** Appends actions to a page's history from `position` on. */
  async appendHistory(
    pageId: string,
    position: number,
    actions: readonly JournalAction[],
  ): Promise<void> {
    const rows = actions.map((a, i) => ({
      pageId,
      position: position + i,
      summary: JSON.stringify(summaryOf(a)),
      snapshot: isSnapshot(a) ? 1 : 0,
      action: JSON.stringify(a),
    }));
    // Few rows a statement: an imported journal's actions may each be large.
    for (let i = 0; i < rows.length; i += 100)
      await this.db
        .insertInto('handbookJournal')
        .values(rows.slice(i, i + 100))
        .execute();
  }

  /** How many actions a page's history holds (a deleted page's too). */
  async historyLength(pageId: string): Promise<number> {
    const r = await this.db
      .selectFrom('handbookJournal')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('pageId', '=', pageId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Summaries of a page's history actions at positions [from, to), oldest first. */
  async historySummaries(pageId: string, from: number, to: number): Promise<ActionSummary[]> {
    const rows = await this.db
      .selectFrom('handbookJournal')
      .select('summary')
      .where('pageId', '=', pageId)
      .where('position', '>=', from)
      .where('position', '<', to)
      .orderBy('position')
      .execute();
    return rows.map((r) => JSON.parse(r.summary) as ActionSummary);
  }

  /**
   * The history actions a replay to position `index` needs: from the last create carrying the whole
   * story at or before it (or from the start) up to `index`, oldest first.
   */
  async historyUpTo(pageId: string, index: number): Promise<JournalAction[]> {
    const start = await this.db
      .selectFrom('handbookJournal')
      .select((eb) => eb.fn.max<number>('position').as('p'))
      .where('pageId', '=', pageId)
      .where('position', '<=', index)
      .where('snapshot', '=', 1)
      .executeTakeFirst();
    const from = start?.p === null || start?.p === undefined ? 0 : Number(start.p);
    return this.historyActions(pageId, from, index + 1);
  }

  /** A page's history actions at positions [from, to), oldest first. */
  async historyActions(pageId: string, from = 0, to = Infinity): Promise<JournalAction[]> {
    let q = this.db
      .selectFrom('handbookJournal')
      .select('action')
      .where('pageId', '=', pageId)
      .where('position', '>=', from);
    if (Number.isFinite(to)) q = q.where('position', '<', to);
    const rows = await q.orderBy('position').execute();
    return rows.map((r) => JSON.parse(r.action) as JournalAction);
  }

  /** Deletes a page with its history (an import replacing it, the starter going). */
  async deletePage(id: string): Promise<void> {
    await this.deleteRow(id);
    await this.db.deleteFrom('handbookJournal').where('pageId', '=', id).execute();
  }

  private async deleteRow(id: string): Promise<void> {
    if (this.dialect === 'sqlite')
      await sql`delete from handbook_fts where page_id = ${id}`.execute(this.db);
    await this.db.deleteFrom('handbookPages').where('id', '=', id).execute();
  }

  /**
   * Keeps a deleted page whole (its served journal, its aliases and its history ending in
   * `removal`), then deletes its row (its aliases go with it); the history stays under its id for
   * a restore.
   */
  async archiveAndDelete(
    page: PageRecord,
    removal: JournalAction,
    deletedBy: string | null,
    deletedAt: string,
  ): Promise<void> {
    await this.appendHistory(page.id, page.version, [removal]);
    const aliases = await this.db
      .selectFrom('handbookAliases')
      .select(['slug', 'kind'])
      .where('pageId', '=', page.id)
      .orderBy('slug')
      .execute();
    await this.db
      .insertInto('handbookDeletedPages')
      .values({
        id: page.id,
        slug: page.slug,
        title: page.title,
        page: JSON.stringify({
          title: page.title,
          story: page.story,
          journal: [...page.journal, removal],
        }),
        aliases: JSON.stringify(aliases),
        deletedBy,
        deletedAt,
      })
      .execute();
    await this.deleteRow(page.id);
  }

  async deletedPages(): Promise<{ id: string; slug: string; title: string; deletedAt: string }[]> {
    return this.db
      .selectFrom('handbookDeletedPages')
      .select(['id', 'slug', 'title', 'deletedAt'])
      .orderBy('deletedAt', 'desc')
      .orderBy('title')
      .execute();
  }

  /**
   * A deleted page as it was kept ({title, story, journal}) with its aliases (undefined when it
   * was deleted before aliases were kept), or undefined.
   */
  async findDeleted(id: string): Promise<
    | {
        id: string;
        slug: string;
        page: { title: string; story: Item[]; journal: JournalAction[] };
        aliases: PageAlias[] | undefined;
      }
    | undefined
  > {
    const r = await this.db
      .selectFrom('handbookDeletedPages')
      .select(['id', 'slug', 'page', 'aliases'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (r === undefined) return undefined;
    return {
      id: r.id,
      slug: r.slug,
      page: JSON.parse(r.page) as { title: string; story: Item[]; journal: JournalAction[] },
      aliases: r.aliases === null ? undefined : (JSON.parse(r.aliases) as PageAlias[]),
    };
  }

  async forgetDeleted(id: string): Promise<void> {
    await this.db.deleteFrom('handbookDeletedPages').where('id', '=', id).execute();
  }

  // ---- generation ----

  /**
   * Bumps the handbook's generation and returns the new value. Called inside every write
   * transaction: the row lock also orders concurrent writers on PostgreSQL.
   */
  async bumpGeneration(): Promise<number> {
    await this.db
      .updateTable('handbookGeneration')
      .set((eb) => ({ value: eb('value', '+', 1) }))
      .where('id', '=', 1)
      .execute();
    return this.generation();
  }

  /** The handbook's generation: one primary-key read. */
  async generation(): Promise<number> {
    const r = await this.db
      .selectFrom('handbookGeneration')
      .select('value')
      .where('id', '=', 1)
      .executeTakeFirst();
    return Number(r?.value ?? 0);
  }

  private async writeIndexes(pageId: string, idx: PageIndexes): Promise<void> {
    // In chunks: one statement may bind at most 32,766 values on SQLite and 65,535 on PostgreSQL.
    await this.db.deleteFrom('handbookLinks').where('pageId', '=', pageId).execute();
    const links = idx.links.map((l, position) => ({
      pageId,
      position,
      toSlug: l.slug,
      toTitle: l.title,
    }));
    for (let i = 0; i < links.length; i += INSERT_CHUNK)
      await this.db
        .insertInto('handbookLinks')
        .values(links.slice(i, i + INSERT_CHUNK))
        .execute();
    await this.db.deleteFrom('handbookKeywords').where('pageId', '=', pageId).execute();
    const keywords = idx.keywords.map((keyword) => ({ pageId, keyword }));
    for (let i = 0; i < keywords.length; i += INSERT_CHUNK)
      await this.db
        .insertInto('handbookKeywords')
        .values(keywords.slice(i, i + INSERT_CHUNK))
        .execute();
    if (this.dialect === 'sqlite') {
      await sql`delete from handbook_fts where page_id = ${pageId}`.execute(this.db);
      await sql`insert into handbook_fts (page_id, body) values (${pageId}, ${idx.searchText})`.execute(
        this.db,
      );
    }
  }

  async addAlias(slug: string, pageId: string, kind: 'redirect' | 'import'): Promise<void> {
    await this.db.deleteFrom('handbookAliases').where('slug', '=', slug).execute();
    await this.db.insertInto('handbookAliases').values({ slug, pageId, kind }).execute();
  }

  async removeAlias(slug: string): Promise<void> {
    await this.db.deleteFrom('handbookAliases').where('slug', '=', slug).execute();
  }

  /** Every page's aliases in one read: page id → its old and imported slugs. */
  async allAliases(): Promise<Map<string, string[]>> {
    const rows = await this.db.selectFrom('handbookAliases').select(['pageId', 'slug']).execute();
    const out = new Map<string, string[]>();
    for (const r of rows) {
      const list = out.get(r.pageId);
      if (list === undefined) out.set(r.pageId, [r.slug]);
      else list.push(r.slug);
    }
    return out;
  }

  async aliasesOf(pageId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('handbookAliases')
      .select('slug')
      .where('pageId', '=', pageId)
      .execute();
    return rows.map((r) => r.slug);
  }

  async linksOf(pageId: string): Promise<{ slug: string; title: string }[]> {
    const rows = await this.db
      .selectFrom('handbookLinks')
      .select(['toSlug', 'toTitle'])
      .where('pageId', '=', pageId)
      .orderBy('position')
      .execute();
    return rows.map((r) => ({ slug: r.toSlug, title: r.toTitle }));
  }

  /** Pages whose story links to any of `slugs`, by title. */
  async linkingPages(slugs: string[]): Promise<{ id: string; slug: string; title: string }[]> {
    if (slugs.length === 0) return [];
    return this.db
      .selectFrom('handbookLinks')
      .innerJoin('handbookPages', 'handbookPages.id', 'handbookLinks.pageId')
      .select(['handbookPages.id', 'handbookPages.slug', 'handbookPages.title'])
      .where('handbookLinks.toSlug', 'in', slugs)
      .distinct()
      .orderBy('handbookPages.title')
      .execute();
  }

  async keywordsOf(pageId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('handbookKeywords')
      .select('keyword')
      .where('pageId', '=', pageId)
      .orderBy('keyword')
      .execute();
    return rows.map((r) => r.keyword);
  }

  async keywordIndex(): Promise<{ keyword: string; slug: string; title: string }[]> {
    return this.db
      .selectFrom('handbookKeywords')
      .innerJoin('handbookPages', 'handbookPages.id', 'handbookKeywords.pageId')
      .select(['handbookKeywords.keyword', 'handbookPages.slug', 'handbookPages.title'])
      .orderBy('handbookKeywords.keyword')
      .orderBy('handbookPages.title')
      .execute();
  }

  /**
   * Full-text search on the folded text: FTS5 (unicode61, diacritics removed) on SQLite,
   * to_tsvector('simple', …) on PostgreSQL. Terms are already folded letters/digits; each is a prefix.
   */
  async search(
    terms: string[],
    limit: number,
  ): Promise<{ id: string; slug: string; title: string; story: string }[]> {
    if (terms.length === 0) return [];
    if (this.dialect === 'sqlite') {
      const match = terms.map((t) => `"${t}"*`).join(' AND ');
      const r = await sql<{ id: string; slug: string; title: string; story: string }>`
        select p.id, p.slug, p.title, p.story
        from (
          select page_id, bm25(handbook_fts) as score from handbook_fts
          where handbook_fts match ${match} order by score limit ${limit}
        ) f join handbook_pages p on p.id = f.page_id
        order by f.score`.execute(this.db);
      return r.rows;
    }
    const query = terms.map((t) => `${t}:*`).join(' & ');
    // Rank on the stored vector, then read only the best pages' stories.
    const r = await sql<{ id: string; slug: string; title: string; story: string }>`
      select p.id, p.slug, p.title, p.story
      from (
        select id, title, ts_rank(search_vector, q) as score
        from handbook_pages, to_tsquery('simple', ${query}) q
        where search_vector @@ q
        order by score desc, title limit ${limit}
      ) f join handbook_pages p on p.id = f.id
      order by f.score desc, f.title`.execute(this.db);
    return r.rows;
  }

  // ---- sections ----

  async sections(): Promise<{ pageId: string; position: number }[]> {
    return this.db.selectFrom('handbookSections').selectAll().orderBy('position').execute();
  }

  async sectionPages(): Promise<
    { pageId: string; sectionId: string; parentId: string | null; position: number }[]
  > {
    return this.db.selectFrom('handbookSectionPages').selectAll().orderBy('position').execute();
  }

  async replaceSections(
    sections: { pageId: string; pages: { pageId: string; parentId: string | null }[] }[],
  ): Promise<void> {
    await this.db.deleteFrom('handbookSectionPages').execute();
    await this.db.deleteFrom('handbookSections').execute();
    let position = 0;
    for (const s of sections) {
      await this.db
        .insertInto('handbookSections')
        .values({ pageId: s.pageId, position: position++ })
        .execute();
      let p = 0;
      for (const page of s.pages) {
        await this.db
          .insertInto('handbookSectionPages')
          .values({
            pageId: page.pageId,
            sectionId: s.pageId,
            parentId: page.parentId,
            position: p++,
          })
          .execute();
      }
    }
  }

  // ---- settings and circles ----

  /**
   * Inside a transaction, waits for and then holds the handbook's write lock (the generation row)
   * until it ends, so a read-then-write of the settings cannot interleave with another. SQLite's
   * one connection runs one transaction at a time already.
   */
  async lockForSettings(): Promise<void> {
    if (this.dialect === 'sqlite') return;
    await this.db
      .selectFrom('handbookGeneration')
      .select('value')
      .where('id', '=', 1)
      .forUpdate()
      .execute();
  }

  async getSetting(key: string): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return r?.value;
  }

  async putSetting(key: string, value: string, now: string): Promise<void> {
    // One statement: two saves at once must not both delete and then both insert.
    await this.db
      .insertInto('settings')
      .values({ key, value, updatedAt: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updatedAt: now }))
      .execute();
  }

  async circles(): Promise<{ id: string; name: string; members: string[] }[]> {
    const cs = await this.db
      .selectFrom('handbookCircles')
      .select(['id', 'name'])
      .orderBy('name')
      .execute();
    const ms = await this.db.selectFrom('handbookCircleMembers').selectAll().execute();
    return cs.map((c) => ({
      ...c,
      members: ms.filter((m) => m.circleId === c.id).map((m) => m.accountId),
    }));
  }

  async deleteCircle(id: string): Promise<boolean> {
    await this.db.deleteFrom('handbookCircleMembers').where('circleId', '=', id).execute();
    const r = await this.db.deleteFrom('handbookCircles').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** The id of the circle whose name has this key (circleNameKey), if any. */
  async circleNamed(nameKey: string): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('handbookCircles')
      .select('id')
      .where('nameKey', '=', nameKey)
      .executeTakeFirst();
    return r?.id;
  }

  async circlesOf(accountId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('handbookCircleMembers')
      .select('circleId')
      .where('accountId', '=', accountId)
      .execute();
    return rows.map((r) => r.circleId);
  }

  /**
   * Creates or renames the circle and sets its members. One upsert, so two writers of the same
   * new id end as one circle (the later one's members) instead of a primary-key error. A name key
   * held by another circle throws the unique violation (see isCircleNameTaken).
   */
  async putCircle(
    id: string,
    name: string,
    nameKey: string,
    members: string[],
    now: string,
  ): Promise<void> {
    await this.db
      .insertInto('handbookCircles')
      .values({ id, name, nameKey, createdAt: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name, nameKey }))
      .execute();
    await this.db.deleteFrom('handbookCircleMembers').where('circleId', '=', id).execute();
    if (members.length > 0)
      await this.db
        .insertInto('handbookCircleMembers')
        .values(members.map((accountId) => ({ circleId: id, accountId })))
        .execute();
  }

  // ---- images ----

  async insertImage(img: {
    id: string;
    contentType: string;
    size: number;
    createdBy: string | null;
    createdAt: string;
  }): Promise<void> {
    await this.db.insertInto('handbookImages').values(img).execute();
  }

  async findImage(
    id: string,
  ): Promise<{ id: string; contentType: string; size: number } | undefined> {
    return this.db
      .selectFrom('handbookImages')
      .select(['id', 'contentType', 'size'])
      .where('id', '=', id)
      .executeTakeFirst();
  }
}
