import { newId } from '@server/platform/ids';
import { HANDBOOK_PAGE_MAX_LINKS } from '@common/limits';
import type { Clock } from '@server/platform/clock';
import {
  HANDBOOK_PAGE_MAX_BYTES,
  wikiPageSchema,
  type WikiExport,
  type WikiPage,
} from '@common/api/handbook';
import type { HandbookRepo, PageRecord } from './handbook.repo';
import { compactJournal, renameDotIds, type RenamedItem } from './handbook.journal';
import { cleanJournal, cleanStory, indexesOf, storyBytes } from './handbook.service';
import { asciiSlug, slugify, storyLinks } from './handbook.text';
import { withBuiltInPages } from './handbook.builtin';

/** A page an import refused, and why. */
export interface Refusal {
  page: string;
  reason: string;
}

export interface ImportReport {
  imported: number;
  refused: Refusal[];
  /** Starter pages removed because an imported handbook comes instead of them. */
  replacedStarter: number;
  /** Items given a new id because theirs was `.`, `..` or the like; absent when none was. */
  renamedItems?: RenamedItem[];
}

export interface ImportOptions {
  /** Replace existing pages of the same slug instead of refusing them. */
  replace?: boolean;
}

interface Checked {
  key: string;
  slug: string;
  page: WikiPage;
}

/**
 * Checks every page of an export (a JSON object keyed by slug) before anything is written.
 * Returns the pages that may be imported (item ids no URL could name renamed, see renameDotIds)
 * and, for every other one, its key and the reason.
 */
export function checkExport(raw: unknown): {
  pages: Checked[];
  refused: Refusal[];
  renamedItems: RenamedItem[];
} {
  const refused: Refusal[] = [];
  const pages: Checked[] = [];
  const renamedItems: RenamedItem[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      pages,
      refused: [{ page: '(file)', reason: 'an export must be a JSON object keyed by slug' }],
      renamedItems,
    };
  }
  const bySlug = new Map<string, string>();
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const { page: renamedPage, renamed } = renameDotIds(key, value);
    const parsed = wikiPageSchema.safeParse(renamedPage);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where =
        issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
      refused.push({ page: key, reason: `${where}${issue?.message ?? 'not a page'}` });
      continue;
    }
    const page = parsed.data;
    const slug = slugify(page.title);
    if (slug === '') {
      refused.push({ page: key, reason: 'the title has no letter or digit' });
      continue;
    }
    const ids = new Set<string>();
    const dupId = page.story.find((i) => (ids.has(i.id) ? true : (ids.add(i.id), false)));
    if (dupId !== undefined) {
      refused.push({ page: key, reason: `two items share the id ${dupId.id}` });
      continue;
    }
    const bytes = storyBytes(page.story);
    if (bytes > HANDBOOK_PAGE_MAX_BYTES) {
      refused.push({
        page: key,
        reason: `the page is ${Math.ceil(bytes / 1024)} KiB; a page may hold at most ${HANDBOOK_PAGE_MAX_BYTES / 1024} KiB`,
      });
      continue;
    }
    const links = storyLinks(page.story).length;
    if (links > HANDBOOK_PAGE_MAX_LINKS) {
      refused.push({
        page: key,
        reason: `the page links to ${links} pages; a page may link to at most ${HANDBOOK_PAGE_MAX_LINKS}`,
      });
      continue;
    }
    const other = bySlug.get(slug);
    if (other !== undefined) {
      refused.push({
        page: key,
        reason: `its title gives the same slug (${slug}) as page ${other}`,
      });
      continue;
    }
    bySlug.set(slug, key);
    pages.push({ key, slug, page });
    renamedItems.push(...renamed);
  }
  return { pages, refused, renamedItems };
}

/** True when the handbook holds only the untouched starter (which an import replaces). */
export async function onlyUntouchedStarter(repo: HandbookRepo): Promise<PageRecord[] | undefined> {
  const all = await repo.listAll();
  if (all.length === 0) return undefined;
  if (all.every((p) => p.origin === 'starter' && p.version === 1)) return all;
  return undefined;
}

/**
 * Imports an export, all or nothing: every page is checked first, and if any is refused nothing
 * is written. Journals are kept as they are; the page's Federated Wiki slug (the export key) and
 * its ASCII slug stay as aliases. An untouched starter handbook is replaced.
 */
export async function importExport(
  repo: HandbookRepo,
  clock: Clock,
  raw: unknown,
  options: ImportOptions = {},
  onProgress?: (done: number, total: number) => void,
): Promise<ImportReport> {
  const { pages, refused, renamedItems } = checkExport(raw);
  if (refused.length > 0) return { imported: 0, refused, replacedStarter: 0 };
  return repo
    .transaction(async (tx) => {
      const starter = await onlyUntouchedStarter(tx);
      if (starter !== undefined) {
        await tx.replaceSections([]);
        for (const p of starter) await tx.deletePage(p.id);
      }
      const conflicts: Refusal[] = [];
      for (const c of pages) {
        const existing = (await tx.findBySlug(c.slug)) ?? (await tx.findByAlias(c.slug));
        if (existing !== undefined && options.replace !== true) {
          conflicts.push({
            page: c.key,
            reason: `a page with the slug ${c.slug} already exists (use --replace)`,
          });
        }
      }
      if (conflicts.length > 0) {
        // Abort the transaction (the starter stays) and report.
        throw new ImportRefused(conflicts);
      }
      const now = clock.now().toISOString();
      let done = 0;
      for (const c of pages) {
        const story = cleanStory(c.page.story);
        const existing = (await tx.findBySlug(c.slug)) ?? (await tx.findByAlias(c.slug));
        if (existing !== undefined) await tx.deletePage(existing.id);
        // The whole journal is kept as the source had it; the page serves a bounded one.
        const history = c.page.journal ?? [];
        const record: PageRecord = {
          id: newId(),
          slug: c.slug,
          title: c.page.title,
          story,
          journal: compactJournal(history, { title: c.page.title, story }),
          version: history.length,
          origin: 'import',
          createdAt: now,
          updatedAt: now,
        };
        await tx.insert(record, indexesOf(record.title, story), history);
        for (const alias of new Set([c.key, asciiSlug(c.page.title)])) {
          if (alias !== '' && alias !== c.slug) await tx.addAlias(alias, record.id, 'import');
        }
        onProgress?.(++done, pages.length);
      }
      await tx.putSetting(STARTER_KEY, JSON.stringify({ seeded: false, imported: true }), now);
      // A running server's diagram cache sees the import through the generation.
      await tx.bumpGeneration();
      return {
        imported: pages.length,
        refused: [],
        replacedStarter: starter?.length ?? 0,
        ...(renamedItems.length > 0 ? { renamedItems } : {}),
      };
    })
    .catch((err: unknown) => {
      if (err instanceof ImportRefused)
        return { imported: 0, refused: err.refused, replacedStarter: 0 };
      throw err;
    });
}

/** The settings key that records the starter handbook was seeded (or replaced by an import). */
export const STARTER_KEY = 'handbook.starter';

class ImportRefused extends Error {
  constructor(readonly refused: Refusal[]) {
    super('import refused');
  }
}

/** Every page as a Federated Wiki export: a JSON object keyed by slug. */
export async function exportAll(repo: HandbookRepo): Promise<WikiExport> {
  const out: WikiExport = {};
  for (const p of await repo.listAll()) {
    // The whole history; imported journals keep the source's text, an export serves them sanitised.
    const journal = cleanJournal(await repo.historyActions(p.id));
    out[p.slug] = { title: p.title, story: p.story, journal };
  }
  // The built-in pages the handbook uses (DOT FROM preview-next-diagram) travel with it.
  return withBuiltInPages(out);
}
