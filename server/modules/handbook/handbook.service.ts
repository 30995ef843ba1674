import type { Actor } from '@server/http/actor';
import {
  AppError,
  badRequest,
  conflict,
  forbidden,
  notFound,
  refuseMixedScript,
  unauthenticated,
} from '@server/http/errors';
import type { Clock } from '@server/platform/clock';
import { newId } from '@server/platform/ids';
import { HANDBOOK_PAGE_MAX_LINKS } from '@common/limits';
import {
  type CircleView,
  HANDBOOK_PAGE_MAX_BYTES,
  handbookSettingsSchema,
  type HandbookSettings,
  type DiagramProblem,
  type Item,
  type JournalAction,
  type SearchResult,
} from '@common/api/handbook';
import {
  changedSince,
  compactJournal,
  replay,
  storyWithoutDotIds,
  summaryOf,
  type PageState,
} from './handbook.journal';
import { can, type HandbookAction } from './handbook.policy';
import {
  isCircleNameTaken,
  type HandbookRepo,
  type PageAlias,
  type PageIndexes,
  type PageRecord,
} from './handbook.repo';
import {
  asciiSlug,
  circleNameKey,
  fold,
  highlight,
  itemPlainText,
  linkTitle,
  sanitize,
  searchText,
  slugify,
  storyKeywords,
  storyLinks,
} from './handbook.text';
import { builtInPage } from './handbook.builtin';
import { loadSections, placeOf } from './handbook.sections';

/** The page a diagram reader sees. */
export interface ReaderPage {
  slug: string;
  title: string;
  story: Item[];
}

/** A drawn diagram: the SVG, or the error to show (`problem`: one the app translates). */
export interface DrawnDiagram {
  dot: string;
  svg?: string;
  error?: string;
  problem?: DiagramProblem;
  truncated: boolean;
}

/**
 * What the handbook needs from the diagram module (wired in index.ts): draw a graphviz item in a
 * page's context, draw a page's neighbourhood, and forget diagrams that read a changed page.
 */
export interface DiagramPort {
  renderItem(here: string, item: Item): Promise<DrawnDiagram>;
  neighbourhood(here: string): Promise<DrawnDiagram>;
  invalidate(slug: string): void;
  /** Forget every diagram (sections changed: every page's Previous/Next may have). */
  clear(): void;
  /**
   * A write of this process committed and moved the handbook to `generation`. Diagrams it made
   * stale were invalidated as it saved; a jump of more than one means another process wrote too.
   */
  committed(generation: number): void;
}

/** Names of accounts, for showing circle members (wired to the auth module in app.ts). */
export interface AccountDirectory {
  /** The accounts among `ids` that exist, with their name and email. */
  describe(ids: readonly string[]): Promise<{ id: string; name: string; email: string }[]>;
}

/** History entries one request returns at most. */
export const HISTORY_PAGE_MAX = 1000;

const defaultSettings: HandbookSettings = { read: 'everyone', edit: 'members', editCircles: [] };
const SETTINGS_KEY = 'handbook.access';

function authorOf(actor: Actor): string | undefined {
  return actor.kind === 'account' ? actor.name : undefined;
}

/** Resolved page plus the slug it was asked by, when that was an alias or old slug. */
export interface Resolved {
  page: PageRecord;
  redirectedFrom?: string;
  builtIn: boolean;
}

/** Bytes of a story as JSON: what the page size limit counts. */
export function storyBytes(story: readonly Item[]): number {
  return Buffer.byteLength(JSON.stringify(story), 'utf8');
}

/** Refuses a story over the page limit, stating it. */
export function checkStorySize(story: readonly Item[]): void {
  const bytes = storyBytes(story);
  if (bytes > HANDBOOK_PAGE_MAX_BYTES) {
    throw new AppError(
      413,
      'page_too_large',
      `The page is ${Math.ceil(bytes / 1024)} KiB; a page may hold at most ${HANDBOOK_PAGE_MAX_BYTES / 1024} KiB.`,
      { bytes, limitBytes: HANDBOOK_PAGE_MAX_BYTES },
    );
  }
}

/** Refuses a story with more distinct links than a page may hold, stating the bound. */
export function checkStoryLinks(story: readonly Item[]): void {
  const links = storyLinks(story).length;
  if (links > HANDBOOK_PAGE_MAX_LINKS) {
    throw new AppError(
      413,
      'too_many_links',
      `The page links to ${links} pages; a page may link to at most ${HANDBOOK_PAGE_MAX_LINKS}.`,
      { links, limit: HANDBOOK_PAGE_MAX_LINKS },
    );
  }
}

/** HTML items are stored sanitised, so what we serve to other wikis is safe too. */
export function cleanStory(story: readonly Item[]): Item[] {
  return story.map((i) =>
    i.type === 'html' && typeof i.text === 'string' ? { ...i, text: sanitize(i.text) } : { ...i },
  );
}

/**
 * A journal action with the item snapshots it carries sanitised as a story is (an add's or edit's
 * `item`, a create's `item.story`), so raw HTML an editor sent never reaches the journal, and a
 * journal served from an import (which keeps the source's text) is served safe.
 */
export function cleanAction(action: JournalAction): JournalAction {
  const item = action.item;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return action;
  const rec = item as Record<string, unknown>;
  if (Array.isArray(rec.story)) {
    const story = rec.story.map((i: unknown) => cleanUnknownItem(i));
    return { ...action, item: { ...rec, story } };
  }
  return { ...action, item: cleanUnknownItem(rec) };
}

/** cleanAction over a whole journal. */
export function cleanJournal(journal: readonly JournalAction[]): JournalAction[] {
  return journal.map(cleanAction);
}

function cleanUnknownItem(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  return o.type === 'html' && typeof o.text === 'string' ? { ...o, text: sanitize(o.text) } : v;
}

/** The derived indexes of a page: links, keywords, folded search text. */
export function indexesOf(title: string, story: readonly Item[]): PageIndexes {
  return {
    links: storyLinks(story).map((t) => ({ slug: slugify(t), title: t })),
    keywords: storyKeywords(story),
    searchText: searchText(title, story),
  };
}

/**
 * The section tree without one page: a deleted head hands its section to its first page; pages
 * whose parent was the deleted page take its parent.
 */
export function mendSections(
  sections: readonly { pageId: string; position: number }[],
  members: readonly {
    pageId: string;
    sectionId: string;
    parentId: string | null;
    position: number;
  }[],
  gone: string,
): { pageId: string; pages: { pageId: string; parentId: string | null }[] }[] {
  const out: { pageId: string; pages: { pageId: string; parentId: string | null }[] }[] = [];
  const goneParent = members.find((m) => m.pageId === gone)?.parentId ?? null;
  for (const s of [...sections].sort((a, b) => a.position - b.position)) {
    const pages = members
      .filter((m) => m.sectionId === s.pageId && m.pageId !== gone)
      .sort((a, b) => a.position - b.position)
      .map((m) => ({
        pageId: m.pageId,
        parentId: m.parentId === gone ? goneParent : m.parentId,
      }));
    if (s.pageId !== gone) {
      out.push({ pageId: s.pageId, pages });
      continue;
    }
    const [first, ...rest] = pages;
    if (first === undefined) continue;
    out.push({
      pageId: first.pageId,
      pages: rest.map((p) => ({ ...p, parentId: p.parentId === first.pageId ? null : p.parentId })),
    });
  }
  return out;
}

/** The co-op's handbook rules: pages, journal, names, sections, search, access. */
export class HandbookService {
  diagrams: DiagramPort | undefined;
  accounts: AccountDirectory | undefined;

  constructor(
    readonly repo: HandbookRepo,
    private readonly clock: Clock,
  ) {}

  // ---- access ----

  /** Goes up whenever this process changes the settings (caches of them compare it). */
  settingsVersion = 0;

  async settings(): Promise<HandbookSettings> {
    return this.settingsIn(this.repo);
  }

  private async settingsIn(repo: HandbookRepo): Promise<HandbookSettings> {
    const raw = await repo.getSetting(SETTINGS_KEY);
    if (raw === undefined) return defaultSettings;
    const parsed = handbookSettingsSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : defaultSettings;
  }

  /**
   * Runs a change of the settings or circles in one transaction that holds the write lock from its
   * start, so what it read is still true when it writes (two stewards' changes cannot interleave
   * and lose one), then bumps settingsVersion so caches of the settings read them again.
   */
  private async changeSettings<T>(fn: (repo: HandbookRepo) => Promise<T>): Promise<T> {
    const out = await this.repo.transaction(async (repo) => {
      await repo.lockForSettings();
      return fn(repo);
    });
    this.settingsVersion++;
    return out;
  }

  async putSettings(actor: Actor, settings: HandbookSettings): Promise<HandbookSettings> {
    await this.authorize(actor, 'administer');
    settings = { ...settings, editCircles: [...new Set(settings.editCircles)] };
    await this.changeSettings(async (repo) => {
      const known = new Set((await repo.circles()).map((c) => c.id));
      const unknown = settings.editCircles.filter((c) => !known.has(c));
      if (unknown.length > 0) {
        throw badRequest('circle_not_found', `There is no circle "${unknown[0] ?? ''}".`, {
          circles: unknown,
        });
      }
      await repo.putSetting(SETTINGS_KEY, JSON.stringify(settings), this.clock.now().toISOString());
    });
    return settings;
  }

  async allows(actor: Actor, action: HandbookAction): Promise<boolean> {
    const settings = await this.settings();
    const actorCircles = actor.kind === 'account' ? await this.repo.circlesOf(actor.accountId) : [];
    return can(actor, action, { settings, actorCircles });
  }

  async authorize(actor: Actor, action: HandbookAction): Promise<void> {
    if (await this.allows(actor, action)) return;
    if (actor.kind === 'guest') {
      throw unauthenticated(
        action === 'read'
          ? 'This handbook is for members only; log in to read it.'
          : 'Log in to change the handbook.',
      );
    }
    throw forbidden(
      action === 'administer'
        ? 'Only stewards may do that.'
        : 'The handbook edit policy does not let you change pages.',
    );
  }

  /**
   * Creates or updates a circle with exactly these members. A name another circle holds, compared
   * as circleNameKey does (case, Unicode form and spacing aside) → 409 circle_name_taken, whether
   * the check sees it or the unique index catches a steward creating it at the same moment; with
   * an account directory wired, unknown account ids → 400.
   */
  async putCircle(actor: Actor, id: string, name: string, members: string[]): Promise<void> {
    await this.authorize(actor, 'administer');
    const unique = [...new Set(members)];
    if (this.accounts !== undefined && unique.length > 0) {
      const found = new Set((await this.accounts.describe(unique)).map((a) => a.id));
      const missing = unique.filter((m) => !found.has(m));
      if (missing.length > 0) {
        throw badRequest('validation_failed', 'Some members are not accounts of this hall.', {
          accounts: missing,
        });
      }
    }
    const key = circleNameKey(name);
    const taken = (holder: string | undefined) =>
      conflict('circle_name_taken', `A circle named "${name}" already exists.`, {
        id: holder ?? null,
      });
    try {
      await this.repo.transaction(async (repo) => {
        const holder = await repo.circleNamed(key);
        if (holder !== undefined && holder !== id) throw taken(holder);
        await repo.putCircle(id, name, key, unique, this.clock.now().toISOString());
      });
    } catch (err) {
      // Another steward's circle of this name committed after our check read.
      if (isCircleNameTaken(err)) throw taken(await this.repo.circleNamed(key));
      throw err;
    }
  }

  /** Every circle with its members (names when an account directory is wired). Stewards. */
  async listCircles(actor: Actor): Promise<CircleView[]> {
    await this.authorize(actor, 'administer');
    const circles = await this.repo.circles();
    const ids = [...new Set(circles.flatMap((c) => c.members))];
    const known = new Map(
      (this.accounts === undefined ? [] : await this.accounts.describe(ids)).map((a) => [a.id, a]),
    );
    return circles.map((c) => ({
      id: c.id,
      name: c.name,
      members: c.members
        .map((id) => ({
          id,
          name: known.get(id)?.name ?? null,
          email: known.get(id)?.email ?? null,
        }))
        .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id)),
    }));
  }

  /** Deletes a circle; it also leaves the edit policy's chosen circles. 404 circle_not_found. */
  async deleteCircle(actor: Actor, id: string): Promise<void> {
    await this.authorize(actor, 'administer');
    await this.changeSettings(async (repo) => {
      if (!(await repo.deleteCircle(id)))
        throw notFound('circle_not_found', `There is no circle "${id}".`, { id });
      // Read here, under the lock: a copy read before would undo a change saved in between.
      const settings = await this.settingsIn(repo);
      if (settings.editCircles.includes(id)) {
        await repo.putSetting(
          SETTINGS_KEY,
          JSON.stringify({
            ...settings,
            editCircles: settings.editCircles.filter((c) => c !== id),
          }),
          this.clock.now().toISOString(),
        );
      }
    });
  }

  // ---- names ----

  /**
   * Finds a page by slug, by an alias (old slug after a rename, or an imported Federated Wiki
   * ASCII slug), or by a title; the built-in preview-next-diagram page when the handbook has none.
   */
  async resolve(slugOrTitle: string): Promise<Resolved | undefined> {
    const direct = await this.repo.findBySlug(slugOrTitle);
    if (direct !== undefined) return { page: direct, builtIn: false };
    const viaAlias = await this.repo.findByAlias(slugOrTitle);
    if (viaAlias !== undefined)
      return { page: viaAlias, redirectedFrom: slugOrTitle, builtIn: false };
    const slug = slugify(slugOrTitle);
    if (slug !== slugOrTitle && slug !== '') {
      const bySlug = await this.repo.findBySlug(slug);
      if (bySlug !== undefined) return { page: bySlug, builtIn: false };
      const byAlias = await this.repo.findByAlias(slug);
      if (byAlias !== undefined)
        return { page: byAlias, redirectedFrom: slugOrTitle, builtIn: false };
    }
    const ascii = asciiSlug(slugOrTitle);
    if (ascii !== '' && ascii !== slugOrTitle && ascii !== slug) {
      const byAscii = await this.repo.findByAlias(ascii);
      if (byAscii !== undefined)
        return { page: byAscii, redirectedFrom: slugOrTitle, builtIn: false };
    }
    const built = builtInPage(slug === '' ? slugOrTitle : slug);
    if (built !== undefined) return { page: built, builtIn: true };
    return undefined;
  }

  async mustResolve(slug: string): Promise<Resolved> {
    const r = await this.resolve(slug);
    if (r === undefined)
      throw notFound('page_not_found', `There is no handbook page "${slug}".`, { slug });
    return r;
  }

  /**
   * Where each link title leads, as linkTarget would answer one by one (a page by the title, an
   * alias of it, its slug, an alias of the slug, its ASCII slug's alias, the built-in page), keyed
   * by the title's slug; found with one lookup of pages and one of aliases (in chunks), so a page
   * with thousands of links costs a few queries to view, not several per link.
   */
  async linkTargets(
    titles: readonly string[],
  ): Promise<Map<string, { slug: string; exists: boolean }>> {
    const keys = new Set<string>();
    for (const t of titles) {
      keys.add(t);
      keys.add(slugify(t));
      keys.add(asciiSlug(t));
    }
    keys.delete('');
    const { pages, aliases } = await this.repo.findLinkTargets([...keys]);
    const out = new Map<string, { slug: string; exists: boolean }>();
    for (const t of titles) {
      const slug = slugify(t);
      if (out.has(slug)) continue;
      const ascii = asciiSlug(t);
      const found =
        (pages.has(t) ? t : undefined) ??
        aliases.get(t) ??
        (slug !== t && slug !== '' ? (pages.has(slug) ? slug : aliases.get(slug)) : undefined) ??
        (ascii !== '' && ascii !== t && ascii !== slug ? aliases.get(ascii) : undefined) ??
        builtInPage(slug === '' ? t : slug)?.slug;
      out.set(slug, found === undefined ? { slug, exists: false } : { slug: found, exists: true });
    }
    return out;
  }

  /** Whether a link title leads to an existing page, and its slug. */
  async linkTarget(title: string): Promise<{ slug: string; exists: boolean }> {
    const r = await this.resolve(title);
    return r === undefined
      ? { slug: slugify(title), exists: false }
      : { slug: r.page.slug, exists: true };
  }

  // ---- reading ----

  async readPage(actor: Actor, slug: string): Promise<Resolved> {
    await this.authorize(actor, 'read');
    return this.mustResolve(slug);
  }

  /** Titles of pages linking here (through the slug or any alias). */
  async backlinks(page: PageRecord): Promise<{ slug: string; title: string }[]> {
    const aliases = await this.repo.aliasesOf(page.id);
    const rows = await this.repo.linkingPages([page.slug, ...aliases]);
    return rows.filter((r) => r.id !== page.id).map((r) => ({ slug: r.slug, title: r.title }));
  }

  /**
   * A page's whole history, one entry per action: the `limit` entries before index `before`
   * (default: the newest), oldest first, and how many there are in all.
   */
  async history(actor: Actor, slug: string, page: { before?: number; limit?: number } = {}) {
    const { page: p, builtIn } = await this.readPage(actor, slug);
    const total = p.version;
    const to = Math.min(page.before ?? total, total);
    const from = Math.max(0, to - (page.limit ?? HISTORY_PAGE_MAX));
    const summaries = builtIn
      ? p.journal.map(summaryOf)
      : await this.repo.historySummaries(p.id, from, to);
    return {
      total,
      history: summaries.map((a, i) => ({
        index: from + i,
        type: a.type,
        date: a.date,
        author: a.author,
        itemId: a.itemId,
      })),
    };
  }

  /** The page as it was after history action `index`, replayed from the snapshot before it. */
  private async stateAt(repo: HandbookRepo, page: PageRecord, index: number): Promise<PageState> {
    if (index < 0 || index >= page.version) {
      throw notFound(
        'journal_index_invalid',
        `This page has no version ${index}; its journal has ${page.version} actions.`,
      );
    }
    const actions = page.id.startsWith('builtin:')
      ? page.journal.slice(0, index + 1)
      : await repo.historyUpTo(page.id, index);
    return replay(actions, actions.length - 1, page.title);
  }

  async version(actor: Actor, slug: string, index: number): Promise<PageState> {
    const { page } = await this.readPage(actor, slug);
    const state = await this.stateAt(this.repo, page, index);
    // An imported journal keeps the source's text; what is served is sanitised.
    return { title: state.title, story: cleanStory(state.story) };
  }

  // ---- changing ----

  /**
   * Authorizes, then runs `fn` in a transaction. Authorization reads outside the transaction:
   * SQLite has one connection, so a read beside an open transaction would wait forever.
   */
  private async editing<T>(actor: Actor, fn: (repo: HandbookRepo) => Promise<T>): Promise<T> {
    await this.authorize(actor, 'edit');
    return this.write(fn);
  }

  /**
   * Runs a write in one transaction that also bumps the handbook's generation, then tells the
   * diagram cache which generation this process's own write produced.
   */
  private async write<T>(fn: (repo: HandbookRepo) => Promise<T>): Promise<T> {
    let generation = 0;
    const out = await this.repo.transaction(async (repo) => {
      const r = await fn(repo);
      generation = await repo.bumpGeneration();
      return r;
    });
    this.diagrams?.committed(generation);
    return out;
  }

  private async resolveIn(repo: HandbookRepo, slug: string): Promise<PageRecord> {
    const page = (await repo.findBySlug(slug)) ?? (await repo.findByAlias(slug));
    if (page !== undefined) return page;
    if (builtInPage(slug) !== undefined) {
      throw forbidden(
        'The built-in page cannot be edited; create a page with the same title to replace it.',
      );
    }
    throw notFound('page_not_found', `There is no handbook page "${slug}".`, { slug });
  }

  /** Writes a changed page with its new journal action; invalidates diagrams that read it. */
  private async save(
    repo: HandbookRepo,
    actor: Actor,
    page: PageRecord,
    next: PageState,
    action: JournalAction,
  ): Promise<PageRecord> {
    const story = cleanStory(next.story);
    checkStorySize(story);
    checkStoryLinks(story);
    const now = this.clock.now();
    const author = authorOf(actor);
    const stamped: JournalAction = {
      ...cleanAction(action),
      date: now.getTime(),
      ...(author !== undefined ? { author } : {}),
    };
    const updated: PageRecord = {
      ...page,
      title: next.title,
      slug: page.slug,
      story,
      // The row serves a bounded journal; the action joins the whole history in its own table.
      journal: compactJournal([...page.journal, stamped], { title: next.title, story }),
      version: page.version + 1,
      updatedAt: now.toISOString(),
    };
    await repo.update(updated, indexesOf(updated.title, story), stamped);
    this.invalidate(page.slug);
    return updated;
  }

  private invalidate(slug: string): void {
    this.diagrams?.invalidate(slug);
  }

  /** Creates a page; a slug already taken (by a page or an old slug) → 409 page_exists. */
  async createPage(
    actor: Actor,
    input: { title: string; story?: Item[] | undefined },
  ): Promise<PageRecord> {
    await this.authorize(actor, 'edit');
    const title = input.title.trim();
    const slug = slugify(title);
    if (slug === '')
      throw badRequest('validation_failed', 'A title needs at least one letter or digit.');
    refuseMixedScript(slug, 'word');
    return this.write(async (repo) => {
      const existing = (await repo.findBySlug(slug)) ?? (await repo.findByAlias(slug));
      if (existing !== undefined) {
        throw conflict('page_exists', `A page named "${existing.title}" already exists.`, {
          slug: existing.slug,
          title: existing.title,
          link: `/handbook/${encodeURIComponent(existing.slug)}`,
        });
      }
      const story = cleanStory(input.story ?? []);
      checkStorySize(story);
      checkStoryLinks(story);
      const now = this.clock.now();
      const author = authorOf(actor);
      const page: PageRecord = {
        id: newId(),
        slug,
        title,
        story,
        journal: [
          {
            type: 'create',
            item: { title, story },
            date: now.getTime(),
            ...(author !== undefined ? { author } : {}),
          },
        ],
        version: 1,
        origin: 'local',
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      };
      await repo.insert(page, indexesOf(title, story));
      this.invalidate(slug);
      return page;
    });
  }

  async addItem(
    actor: Actor,
    slug: string,
    input: { item: Item; after?: string | null | undefined },
  ): Promise<PageRecord> {
    return this.editing(actor, async (repo) => {
      const page = await this.resolveIn(repo, slug);
      if (page.story.some((i) => i.id === input.item.id)) {
        throw conflict('edit_conflict', 'An item with this id is already on the page.', {
          yours: input.item,
          theirs: cleanStory(page.story.filter((i) => i.id === input.item.id))[0],
          version: page.version,
        });
      }
      const after = input.after ?? undefined;
      const story = page.story.slice();
      const at = after === undefined ? -1 : story.findIndex((i) => i.id === after);
      if (at >= 0) story.splice(at + 1, 0, input.item);
      else story.push(input.item);
      return this.save(
        repo,
        actor,
        page,
        { title: page.title, story },
        {
          type: 'add',
          id: input.item.id,
          item: input.item,
          ...(at >= 0 && after !== undefined ? { after } : {}),
        },
      );
    });
  }

  /**
   * Replaces an item. `baseVersion` is the journal length the editor started from: if the item was
   * changed or removed since, the save is refused (409 edit_conflict) with both versions.
   */
  async editItem(
    actor: Actor,
    slug: string,
    id: string,
    input: { item: Item; baseVersion: number },
  ): Promise<PageRecord> {
    return this.editing(actor, async (repo) => {
      const page = await this.resolveIn(repo, slug);
      if (input.baseVersion > page.version) {
        throw badRequest(
          'validation_failed',
          `baseVersion ${input.baseVersion} is newer than the page (${page.version}).`,
        );
      }
      const current = page.story.find((i) => i.id === id);
      const since = await repo.historySummaries(
        page.id,
        Math.max(0, input.baseVersion),
        page.version,
      );
      if (changedSince(since, id) || current === undefined) {
        throw conflict(
          'edit_conflict',
          current === undefined
            ? 'Someone removed this item while you were editing it; your text is kept below.'
            : 'Someone changed this item while you were editing it; compare both versions.',
          {
            yours: { ...input.item, id },
            theirs: current === undefined ? null : (cleanStory([current])[0] ?? null),
            version: page.version,
            baseVersion: input.baseVersion,
          },
        );
      }
      const item = { ...input.item, id };
      const story = page.story.map((i) => (i.id === id ? item : i));
      return this.save(repo, actor, page, { title: page.title, story }, { type: 'edit', id, item });
    });
  }

  async removeItem(actor: Actor, slug: string, id: string): Promise<PageRecord> {
    return this.editing(actor, async (repo) => {
      const page = await this.resolveIn(repo, slug);
      if (!page.story.some((i) => i.id === id)) {
        throw notFound('item_not_found', `The page has no item ${id}.`);
      }
      const story = page.story.filter((i) => i.id !== id);
      return this.save(repo, actor, page, { title: page.title, story }, { type: 'remove', id });
    });
  }

  /** Reorders items; ids not named keep their relative order after the named ones. */
  async moveItems(actor: Actor, slug: string, order: string[]): Promise<PageRecord> {
    return this.editing(actor, async (repo) => {
      const page = await this.resolveIn(repo, slug);
      const ids = new Set(page.story.map((i) => i.id));
      const named = order.filter((id) => ids.has(id));
      const byId = new Map(page.story.map((i) => [i.id, i]));
      const story = [
        ...named.map((id) => byId.get(id) as Item),
        ...page.story.filter((i) => !named.includes(i.id)),
      ];
      return this.save(
        repo,
        actor,
        page,
        { title: page.title, story },
        { type: 'move', order: story.map((i) => i.id) },
      );
    });
  }

  /** Restores the page as it was after journal action `index`; itself a new journal action. */
  async restore(actor: Actor, slug: string, index: number): Promise<PageRecord> {
    return this.editing(actor, async (repo) => {
      const page = await this.resolveIn(repo, slug);
      // An old version may hold an item id no URL can name ("..": saved before such ids were
      // refused); it comes back under a fresh id, the same in the story and in the journal.
      const story = cleanStory(storyWithoutDotIds((await this.stateAt(repo, page, index)).story));
      // Title stays: a restore brings back content, the name is changed by rename only.
      return this.save(
        repo,
        actor,
        page,
        { title: page.title, story },
        { type: 'create', item: { title: page.title, story }, restoredFrom: index },
      );
    });
  }

  /**
   * Deletes a page, in one transaction: the page is kept whole among the deleted pages (its
   * journal ending in a `remove` action naming who deleted it), its aliases, links, keywords and
   * search entry go with it, and its section is mended (a deleted section head hands the section
   * to its first page; pages under a deleted page move up to its parent). Pages linking to it then
   * show a link to a missing page. Every diagram is forgotten.
   */
  async deletePage(actor: Actor, slug: string): Promise<{ slug: string; title: string }> {
    const out = await this.editing(actor, async (repo) => {
      const page = await this.resolveIn(repo, slug);
      const sections = await repo.sections();
      const members = await repo.sectionPages();
      const touchesSections =
        sections.some((s) => s.pageId === page.id) || members.some((m) => m.pageId === page.id);
      if (touchesSections) await repo.replaceSections(mendSections(sections, members, page.id));
      const now = this.clock.now();
      const author = authorOf(actor);
      await repo.archiveAndDelete(
        page,
        {
          type: 'remove',
          deleted: true,
          date: now.getTime(),
          ...(author !== undefined ? { author } : {}),
        },
        actor.kind === 'account' ? actor.accountId : null,
        now.toISOString(),
      );
      return { slug: page.slug, title: page.title };
    });
    this.diagrams?.clear();
    return out;
  }

  /** Deleted pages, newest first (stewards). */
  async deletedPages(actor: Actor) {
    await this.authorize(actor, 'administer');
    return this.repo.deletedPages();
  }

  /**
   * Brings a deleted page back under its title, with its whole journal and a `create` action
   * saying it was restored (stewards), and every old address it had (its aliases) answering
   * again, unless another page has taken one since. It comes back outside any section.
   * 404 page_not_found when no deleted page has this id; 409 page_exists when its slug was taken
   * since.
   */
  async restoreDeleted(actor: Actor, id: string): Promise<PageRecord> {
    await this.authorize(actor, 'administer');
    const page = await this.write(async (repo) => {
      const kept = await repo.findDeleted(id);
      if (kept === undefined)
        throw notFound('page_not_found', 'There is no deleted page with this id.', { id });
      const slug = slugify(kept.page.title);
      const existing = (await repo.findBySlug(slug)) ?? (await repo.findByAlias(slug));
      if (existing !== undefined) {
        throw conflict('page_exists', `A page named "${existing.title}" already exists.`, {
          slug: existing.slug,
          title: existing.title,
          link: `/handbook/${encodeURIComponent(existing.slug)}`,
        });
      }
      const now = this.clock.now();
      const author = authorOf(actor);
      // Like a restored version, it brings back no item id a URL cannot name.
      const story = cleanStory(storyWithoutDotIds(kept.page.story));
      const restored: JournalAction = {
        type: 'create',
        item: { title: kept.page.title, story },
        restoredFrom: 'deleted',
        date: now.getTime(),
        ...(author !== undefined ? { author } : {}),
      };
      // Its history stayed under its id; the restore is one more action.
      const version = (await repo.historyLength(kept.id)) + 1;
      const record: PageRecord = {
        id: kept.id,
        slug,
        title: kept.page.title,
        story,
        journal: compactJournal([...kept.page.journal, restored], {
          title: kept.page.title,
          story,
        }),
        version,
        origin: 'local',
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      };
      await repo.forgetDeleted(kept.id);
      await repo.insert(record, indexesOf(record.title, story), [restored]);
      // Its old addresses answer again, but none another page has taken since.
      for (const alias of kept.aliases ?? (await this.renamedSlugs(repo, kept.id))) {
        if (alias.slug === slug || alias.slug === '') continue;
        const taken = (await repo.findBySlug(alias.slug)) ?? (await repo.findByAlias(alias.slug));
        if (taken === undefined)
          await repo.addAlias(alias.slug, kept.id, alias.kind === 'import' ? 'import' : 'redirect');
      }
      return record;
    });
    // Pages linking to its title now find it.
    this.diagrams?.clear();
    return page;
  }

  /**
   * The slugs a page had before its renames, from its history: the old addresses of a page
   * deleted before deleted pages kept their aliases.
   */
  private async renamedSlugs(repo: HandbookRepo, pageId: string): Promise<PageAlias[]> {
    const slugs = new Set<string>();
    for (const action of await repo.historyActions(pageId)) {
      if (action.type === 'create' && typeof action.renamedFrom === 'string')
        slugs.add(slugify(action.renamedFrom));
    }
    return [...slugs].map((slug) => ({ slug, kind: 'redirect' }));
  }

  /**
   * Renames a page. Its old slug stays as a redirect; the answer lists pages linking to the old
   * title so the editor can offer to update them (see updateLinks).
   */
  async renamePage(actor: Actor, slug: string, title: string) {
    return this.editing(actor, async (repo) => {
      const page = await this.resolveIn(repo, slug);
      const newSlug = slugify(title);
      if (newSlug === '')
        throw badRequest('validation_failed', 'A title needs at least one letter or digit.');
      if (newSlug !== page.slug) {
        // An imported page keeps the address its source gave it, look-alike or not.
        refuseMixedScript(newSlug, 'word');
        const existing = (await repo.findBySlug(newSlug)) ?? (await repo.findByAlias(newSlug));
        if (existing !== undefined && existing.id !== page.id) {
          throw conflict('page_exists', `A page named "${existing.title}" already exists.`, {
            slug: existing.slug,
            title: existing.title,
            link: `/handbook/${encodeURIComponent(existing.slug)}`,
          });
        }
      }
      const oldTitle = page.title;
      const oldSlug = page.slug;
      const saved = await this.save(
        repo,
        actor,
        { ...page, slug: newSlug },
        { title, story: page.story },
        {
          type: 'create',
          item: { title, story: page.story },
          renamedFrom: oldTitle,
        },
      );
      if (newSlug !== oldSlug) {
        await repo.removeAlias(newSlug);
        await repo.addAlias(oldSlug, page.id, 'redirect');
        this.invalidate(oldSlug);
      }
      const linking = (await repo.linkingPages([oldSlug])).filter((p) => p.id !== page.id);
      return {
        page: saved,
        oldSlug,
        oldTitle,
        linkingPages: linking.map((p) => ({ slug: p.slug, title: p.title })),
      };
    });
  }

  /** Rewrites `[[Old title]]` → `[[New title]]` in every page linking to the old slug. */
  async updateLinks(actor: Actor, slug: string, fromTitle: string): Promise<{ updated: string[] }> {
    return this.editing(actor, async (repo) => {
      const page = await this.resolveIn(repo, slug);
      const oldSlug = slugify(fromTitle);
      const linking = (await repo.linkingPages([oldSlug])).filter((p) => p.id !== page.id);
      const updated: string[] = [];
      for (const l of linking) {
        const other = await repo.findById(l.id);
        if (other === undefined) continue;
        let changed = other;
        for (const item of other.story) {
          if (
            typeof item.text !== 'string' ||
            !['paragraph', 'markdown', 'html'].includes(item.type)
          )
            continue;
          const text = item.text.replace(/\[\[([^\]\n]{1,200})\]\]/g, (m, t: string) =>
            slugify(linkTitle(item.type, t)) === oldSlug ? `[[${page.title}]]` : m,
          );
          if (text === item.text) continue;
          const next = { ...item, text };
          changed = await this.save(
            repo,
            actor,
            changed,
            {
              title: changed.title,
              story: changed.story.map((i) => (i.id === item.id ? next : i)),
            },
            { type: 'edit', id: item.id, item: next },
          );
        }
        updated.push(other.slug);
      }
      return { updated };
    });
  }

  // ---- search and indexes ----

  /** Full-text search; snippets are escaped text with matches in <mark>. */
  async search(actor: Actor, q: string, limit = 20): Promise<SearchResult[]> {
    await this.authorize(actor, 'read');
    const terms = [...new Set(fold(q).match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, 8);
    if (terms.length === 0) return [];
    const rows = await this.repo.search(terms, limit);
    return rows.map((r) => {
      const story = JSON.parse(r.story) as Item[];
      // An imported html item keeps the source's markup: its snippet is taken from what is drawn.
      const texts = cleanStory(story).map(itemPlainText);
      const foldedTerms = terms;
      const best =
        texts.find((t) => foldedTerms.some((term) => fold(t).includes(term))) ??
        texts.find((t) => t !== '') ??
        '';
      return {
        slug: r.slug,
        title: r.title,
        snippet: highlight(best === '' ? r.title : best, foldedTerms),
      };
    });
  }

  async keywordIndex(actor: Actor) {
    await this.authorize(actor, 'read');
    const rows = await this.repo.keywordIndex();
    const out = new Map<string, { slug: string; title: string }[]>();
    for (const r of rows) {
      const list = out.get(r.keyword) ?? [];
      list.push({ slug: r.slug, title: r.title });
      out.set(r.keyword, list);
    }
    return [...out.entries()].map(([keyword, pages]) => ({ keyword, pages }));
  }

  async listPages(actor: Actor) {
    await this.authorize(actor, 'read');
    return (await this.repo.titles()).map((p) => ({
      slug: p.slug,
      title: p.title,
      updatedAt: p.updatedAt,
    }));
  }

  // ---- sections ----

  async sectionTree(actor: Actor) {
    await this.authorize(actor, 'read');
    const sections = await loadSections(this.repo);
    return sections.map((s) => ({
      slug: s.head.slug,
      title: s.head.title,
      pages: s.entries.slice(1).map((e) => ({ slug: e.slug, title: e.title, depth: e.depth })),
    }));
  }

  /** Stewards set the whole tree: each section's head page and its pages in order. */
  async setSections(
    actor: Actor,
    input: { slug: string; pages: { slug: string; parent?: string | null | undefined }[] }[],
  ): Promise<void> {
    await this.authorize(actor, 'administer');
    await this.write(async (repo) => {
      const seen = new Set<string>();
      const idOf = async (slug: string): Promise<string> => {
        const p = (await repo.findBySlug(slug)) ?? (await repo.findByAlias(slug));
        if (p === undefined)
          throw badRequest('section_invalid', `There is no page "${slug}" to put in a section.`, {
            slug,
          });
        if (seen.has(p.id))
          throw badRequest('section_invalid', `The page "${slug}" is listed twice.`, { slug });
        seen.add(p.id);
        return p.id;
      };
      const out: { pageId: string; pages: { pageId: string; parentId: string | null }[] }[] = [];
      for (const s of input) {
        const headId = await idOf(s.slug);
        const pages: { pageId: string; parentId: string | null }[] = [];
        const local = new Map<string, string>();
        for (const p of s.pages) {
          const id = await idOf(p.slug);
          local.set(p.slug, id);
          let parentId: string | null = null;
          if (p.parent !== undefined && p.parent !== null) {
            const parent = local.get(p.parent);
            if (parent === undefined)
              throw badRequest(
                'section_invalid',
                `The parent "${p.parent}" of "${p.slug}" must come before it in the same section.`,
              );
            parentId = parent;
          }
          pages.push({ pageId: id, parentId });
        }
        out.push({ pageId: headId, pages });
      }
      await repo.replaceSections(out);
    });
    this.diagrams?.clear();
  }

  /**
   * Puts one page at the end of a section (named by its head page's slug or an old slug), or takes
   * it out of every section (`null`), for whoever may edit pages. A page already in that section
   * keeps its place; pages under a page that leaves take its parent, as when it is deleted. A
   * section's head stays where it is: 409 section_head (the sections are stewards' to change).
   * 404 page_not_found, 404 section_not_found when that page heads no section.
   */
  async placeInSection(actor: Actor, slug: string, section: string | null): Promise<string> {
    const out = await this.editing(actor, async (repo) => {
      const page = await this.resolveIn(repo, slug);
      const sections = await repo.sections();
      const members = await repo.sectionPages();
      let target: string | null = null;
      if (section !== null) {
        const head = (await repo.findBySlug(section)) ?? (await repo.findByAlias(section));
        if (head === undefined || !sections.some((s) => s.pageId === head.id))
          throw notFound('section_not_found', `There is no section "${section}".`, { section });
        target = head.id;
      }
      if (sections.some((s) => s.pageId === page.id)) {
        if (target === page.id) return page.slug;
        throw conflict(
          'section_head',
          `"${page.title}" heads its own section; stewards change that on the order of pages.`,
          { slug: page.slug },
        );
      }
      const now = members.find((m) => m.pageId === page.id);
      if ((now?.sectionId ?? null) === target) return page.slug;
      const tree = mendSections(sections, members, page.id);
      if (target !== null)
        tree.find((s) => s.pageId === target)?.pages.push({ pageId: page.id, parentId: null });
      await repo.replaceSections(tree);
      return page.slug;
    });
    this.diagrams?.clear();
    return out;
  }

  /** Previous/Next and the table of contents of a page's section, or null. */
  async placeOfPage(pageId: string) {
    const sections = await loadSections(this.repo);
    const place = placeOf(sections, pageId);
    if (place === undefined) return null;
    return {
      slug: place.section.head.slug,
      title: place.section.head.title,
      previous: place.previous,
      next: place.next,
      contents: place.section.entries.map((e) => ({
        slug: e.slug,
        title: e.title,
        depth: e.depth,
      })),
    };
  }

  // ---- the diagram module's view of the handbook ----

  /**
   * A page as diagrams read it. A page in a section gets its Previous and Next as paragraphs
   * ("Previous: [[…]]", "Next: [[…]]") after its story, the line the meet.coop handbook wrote by
   * hand, so LINKS and WHERE /^Previous/ see the sequence.
   */
  async readerPage(slugOrTitle: string): Promise<ReaderPage | undefined> {
    const r = await this.resolve(slugOrTitle);
    if (r === undefined) return undefined;
    const story = r.page.story.slice();
    if (!r.builtIn) {
      const place = await this.placeOfPage(r.page.id);
      const hasLine = story.some(
        (i) => typeof i.text === 'string' && /^(Previous|Next)\b/.test(i.text),
      );
      if (place !== null && !hasLine) {
        if (place.previous !== null)
          story.push({
            type: 'paragraph',
            id: 'sequence-previous',
            text: `Previous: [[${place.previous.title}]]`,
          });
        if (place.next !== null)
          story.push({
            type: 'paragraph',
            id: 'sequence-next',
            text: `Next: [[${place.next.title}]]`,
          });
      }
    }
    return { slug: r.page.slug, title: r.page.title, story };
  }

  async readerBacklinks(slug: string): Promise<string[]> {
    const r = await this.resolve(slug);
    if (r === undefined || r.builtIn) return [];
    return (await this.backlinks(r.page)).map((b) => b.slug);
  }

  async readerResolve(titleOrSlug: string): Promise<string | undefined> {
    return (await this.resolve(titleOrSlug))?.page.slug;
  }
}
