import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { AppError } from '@server/http/errors';
import { newId } from '@server/platform/ids';
import { HANDBOOK_PAGE_MAX_LINKS } from '@common/limits';
import type { Clock } from '@server/platform/clock';
import {
  HANDBOOK_PAGE_MAX_BYTES,
  type Item,
  wikiPageSchema,
  type WikiExport,
  type WikiPage,
} from '@common/api/handbook';
import type { HandbookRepo, PageRecord } from './handbook.repo';
import { compactJournal, renameDotIds, type RenamedItem } from './handbook.journal';
import { cleanJournal, cleanStory, indexesOf, storyBytes } from './handbook.service';
import { checkImage, HandbookImages } from './handbook.images';
import type { AssetReader } from './handbook.source';
import { asciiSlug, slugify, storyLinks } from './handbook.text';
import { withBuiltInPages } from './handbook.builtin';

/** A page an import refused, and why. */
export interface Refusal {
  page: string;
  reason: string;
}

/** An image item's URL an import left as it was, and why. */
export interface ImageLeft {
  page: string;
  url: string;
  reason: string;
}

export interface ImportReport {
  imported: number;
  refused: Refusal[];
  /** How many pages the source has (absent when the caller passed pages, not a source). */
  sourcePages?: number;
  /** Images copied into the handbook's image store (uploads and data: URLs); absent when none. */
  images?: number;
  /** Image URLs left as they were (the source's files could not be reached); absent when none. */
  imagesLeft?: ImageLeft[];
  /** Sections (Previous/Next sequences) the export carried and the import made; absent when none. */
  sections?: number;
  /** Starter pages removed because an imported handbook comes instead of them. */
  replacedStarter: number;
  /** Items given a new id because theirs was `.`, `..` or the like; absent when none was. */
  renamedItems?: RenamedItem[];
}

export interface ImportOptions {
  /** Replace existing pages of the same slug instead of refusing them. */
  replace?: boolean;
  /**
   * The data folder whose image store (handbook.images.ts) imported images go into. Without it,
   * image URLs are kept as the source had them (and reported in `imagesLeft`).
   */
  dataDir?: string;
  /** Reads the source's uploaded images (`/assets/plugins/image/…`); see loadSource. */
  assets?: AssetReader;
}

/**
 * The sections an export carries, on a page of their own (see SECTIONS_FIELD): each section's
 * head page and its pages in reading order with their parents, all by export key.
 */
const exportedSectionsSchema = z
  .array(
    z.object({
      head: z.string().min(1).max(200),
      pages: z
        .array(
          z.object({ page: z.string().min(1).max(200), parent: z.string().max(200).nullable() }),
        )
        .max(10_000),
    }),
  )
  .max(10_000);
export type ExportedSections = z.infer<typeof exportedSectionsSchema>;

/**
 * The field of the page that carries an export's sections. The page is a plain Federated Wiki
 * page (a title, a story saying what it is, a journal), so a Federated Wiki site that gets the
 * export's pages written out shows it as one more page and serves every other page as before;
 * our import reads it back into sections instead of importing it as a page.
 */
export const SECTIONS_FIELD = 'commonhallSections';
/** The export key the sections page is given (suffixed when a page of the handbook has it). */
export const SECTIONS_KEY = 'commonhall-sections';

function isSectionsPage(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as Record<string, unknown>)[SECTIONS_FIELD])
  );
}

/** A data: URL image's bytes, or undefined when the URL is not a data: URL. */
function dataUrlBytes(url: string): Buffer | undefined {
  const m = /^data:([^,]*),/i.exec(url);
  if (m === null) return undefined;
  const meta = m[1] ?? '';
  const payload = url.slice(m[0].length);
  return /;base64$/i.test(meta)
    ? Buffer.from(payload, 'base64')
    : Buffer.from(decodeURIComponent(payload), 'latin1');
}

/** The story with every data: image URL replaced by a short stand-in (what the page will hold). */
function withoutDataUrls(story: readonly Item[]): Item[] {
  return story.map((i) =>
    i.type === 'image' && typeof i.url === 'string' && /^data:/i.test(i.url)
      ? { ...i, url: '/api/v1/handbook/images/xxxxxxxxxxxxxxxxxxxxx' }
      : i,
  );
}

/** Every image URL of a page's story and journal snapshots, each once. */
function imageUrls(page: WikiPage): string[] {
  const out = new Set<string>();
  const visit = (v: unknown) => {
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    if (o.type === 'image' && typeof o.url === 'string' && o.url !== '') out.add(o.url);
    if (Array.isArray(o.story)) o.story.forEach(visit);
  };
  page.story.forEach(visit);
  for (const a of page.journal ?? []) visit(a.item);
  return [...out];
}

/** The same image URL map applied to an item, a journal action's item or a create's story. */
function mapImages<T>(v: T, urls: ReadonlyMap<string, string>): T {
  if (urls.size === 0 || typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  let out = o;
  if (o.type === 'image' && typeof o.url === 'string') {
    const to = urls.get(o.url);
    if (to !== undefined) out = { ...out, url: to };
  }
  if (Array.isArray(o.story))
    out = { ...out, story: o.story.map((i: unknown) => mapImages(i, urls)) };
  if ('item' in o && typeof o.item === 'object') out = { ...out, item: mapImages(o.item, urls) };
  return out as T;
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
  /** The sections the export carries (on its sections page), if it carries any. */
  sections?: ExportedSections;
} {
  const refused: Refusal[] = [];
  const pages: Checked[] = [];
  const renamedItems: RenamedItem[] = [];
  let sections: ExportedSections | undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      pages,
      refused: [{ page: '(file)', reason: 'an export must be a JSON object keyed by slug' }],
      renamedItems,
    };
  }
  const bySlug = new Map<string, string>();
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (isSectionsPage(value)) {
      const parsed = exportedSectionsSchema.safeParse(
        (value as Record<string, unknown>)[SECTIONS_FIELD],
      );
      if (!parsed.success || sections !== undefined) {
        refused.push({
          page: key,
          reason: parsed.success
            ? 'a second page of sections'
            : `${SECTIONS_FIELD}: ${parsed.error.issues[0]?.message ?? 'not a list of sections'}`,
        });
      } else sections = parsed.data;
      continue;
    }
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
    // data: images go into the image store, so the page holds a short URL in their place.
    const bytes = storyBytes(withoutDataUrls(page.story));
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
  return { pages, refused, renamedItems, ...(sections !== undefined ? { sections } : {}) };
}

/** True when the handbook holds only the untouched starter (which an import replaces). */
export async function onlyUntouchedStarter(repo: HandbookRepo): Promise<PageRecord[] | undefined> {
  const all = await repo.listAll();
  if (all.length === 0) return undefined;
  if (all.every((p) => p.origin === 'starter' && p.version === 1)) return all;
  return undefined;
}

/** The image bytes an import copies, read before anything is written. */
interface GatheredImages {
  bytes: Map<string, Buffer>;
  left: ImageLeft[];
  refused: Refusal[];
}

const OUR_IMAGE = /^\/api\/v1\/handbook\/images\/([A-Za-z0-9_-]{10,40})$/;

/**
 * Reads every image an import copies: data: URLs and the source's uploads. An image a page shows
 * that cannot be read, or is not a PNG, JPEG, GIF or WebP within the size limit, refuses its page;
 * one only a journal still names is left as it was (and reported).
 */
async function gatherImages(pages: Checked[], options: ImportOptions): Promise<GatheredImages> {
  const out: GatheredImages = { bytes: new Map(), left: [], refused: [] };
  const seen = new Set<string>();
  for (const c of pages) {
    const shown = new Set(imageUrls({ ...c.page, journal: [] }));
    for (const url of imageUrls(c.page)) {
      if (seen.has(url) || OUR_IMAGE.test(url)) continue;
      seen.add(url);
      const fail = (reason: string) => {
        if (shown.has(url)) out.refused.push({ page: c.key, reason });
        else out.left.push({ page: c.key, url: url.slice(0, 200), reason });
      };
      const isData = /^data:/i.test(url);
      const isUpload = /\/assets\/plugins\/image\//.test(url);
      if (!isData && !isUpload) continue;
      if (options.dataDir === undefined || (!isData && options.assets === undefined)) {
        out.left.push({
          page: c.key,
          url: url.slice(0, 200),
          reason:
            options.dataDir === undefined
              ? 'no image store to copy it into'
              : 'the source’s image files are not at hand (an export file): kept as it was',
        });
        continue;
      }
      const name = isData ? `a data: image (${url.slice(0, 30)}…)` : `the image ${url}`;
      let bytes: Buffer | undefined;
      try {
        bytes = isData ? dataUrlBytes(url) : await options.assets?.(url);
      } catch (err) {
        fail(`${name} could not be read: ${(err as Error).message}`);
        continue;
      }
      if (bytes === undefined) continue;
      try {
        checkImage(bytes);
      } catch (err) {
        fail(`${name}: ${err instanceof AppError ? err.message : String(err)}`);
        continue;
      }
      out.bytes.set(url, bytes);
    }
  }
  return out;
}

/**
 * Imports an export, all or nothing: every page is checked first, and if any is refused nothing
 * is written. Journals are kept as they are, and so is every story item (html too: what is served
 * or drawn is sanitised then, so a sanitiser that gets better applies to imported pages as well);
 * the page's Federated Wiki slug (the export key) and its ASCII slug stay as aliases. Images
 * (data: URLs and the source's uploads, see ImportOptions) go into the image store. Sections the
 * export carries are added after the handbook's own. An untouched starter handbook is replaced.
 */
export async function importExport(
  repo: HandbookRepo,
  clock: Clock,
  raw: unknown,
  options: ImportOptions = {},
  onProgress?: (done: number, total: number) => void,
): Promise<ImportReport> {
  const { pages, refused, renamedItems, sections } = checkExport(raw);
  if (refused.length > 0) return { imported: 0, refused, replacedStarter: 0 };
  const gathered = await gatherImages(pages, options);
  if (gathered.refused.length > 0)
    return { imported: 0, refused: gathered.refused, replacedStarter: 0 };
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
      // Stored within the transaction: an import that fails leaves no image rows behind.
      const urls = new Map<string, string>();
      if (options.dataDir !== undefined && gathered.bytes.size > 0) {
        const store = new HandbookImages(tx, options.dataDir);
        for (const [url, bytes] of gathered.bytes)
          urls.set(url, (await store.store(bytes, null, clock.now())).url);
      }
      const idOfKey = new Map<string, string>();
      let done = 0;
      for (const c of pages) {
        const story = c.page.story.map((i) => mapImages(i, urls));
        const existing = (await tx.findBySlug(c.slug)) ?? (await tx.findByAlias(c.slug));
        if (existing !== undefined) await tx.deletePage(existing.id);
        // The whole journal is kept as the source had it; the page serves a bounded one.
        const history = (c.page.journal ?? []).map((a) => mapImages(a, urls));
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
        idOfKey.set(c.key, record.id);
        onProgress?.(++done, pages.length);
      }
      const made = sections === undefined ? 0 : await addSections(tx, sections, idOfKey);
      await tx.putSetting(STARTER_KEY, JSON.stringify({ seeded: false, imported: true }), now);
      // A running server's diagram cache sees the import through the generation.
      await tx.bumpGeneration();
      return {
        imported: pages.length,
        refused: [],
        replacedStarter: starter?.length ?? 0,
        ...(renamedItems.length > 0 ? { renamedItems } : {}),
        ...(urls.size > 0 ? { images: urls.size } : {}),
        ...(gathered.left.length > 0 ? { imagesLeft: gathered.left } : {}),
        ...(made > 0 ? { sections: made } : {}),
      };
    })
    .catch((err: unknown) => {
      if (err instanceof ImportRefused)
        return { imported: 0, refused: err.refused, replacedStarter: 0 };
      throw err;
    });
}

/**
 * Adds an export's sections after the handbook's own, by the imported pages' ids. A page already
 * in a section (or heading one) stays where it is; keys the import did not bring are skipped.
 */
async function addSections(
  tx: HandbookRepo,
  sections: ExportedSections,
  idOfKey: ReadonlyMap<string, string>,
): Promise<number> {
  const [heads, members] = await Promise.all([tx.sections(), tx.sectionPages()]);
  const kept = heads.map((h) => ({
    pageId: h.pageId,
    pages: members
      .filter((m) => m.sectionId === h.pageId)
      .map((m) => ({ pageId: m.pageId, parentId: m.parentId })),
  }));
  const taken = new Set([...heads.map((h) => h.pageId), ...members.map((m) => m.pageId)]);
  const added: typeof kept = [];
  for (const s of sections) {
    const head = idOfKey.get(s.head);
    if (head === undefined || taken.has(head)) continue;
    taken.add(head);
    const pages: { pageId: string; parentId: string | null }[] = [];
    for (const e of s.pages) {
      const id = idOfKey.get(e.page);
      if (id === undefined || taken.has(id)) continue;
      taken.add(id);
      const parent = e.parent === null ? undefined : idOfKey.get(e.parent);
      // A parent earlier in the same section only (as the app nests pages).
      const parentId =
        parent !== undefined && pages.some((p) => p.pageId === parent) ? parent : null;
      pages.push({ pageId: id, parentId });
    }
    added.push({ pageId: head, pages });
  }
  if (added.length > 0) await tx.replaceSections([...kept, ...added]);
  return added.length;
}

/** The settings key that records the starter handbook was seeded (or replaced by an import). */
export const STARTER_KEY = 'handbook.starter';

class ImportRefused extends Error {
  constructor(readonly refused: Refusal[]) {
    super('import refused');
  }
}

/** A page an export could not name by the key Federated Wiki computes from its title, and why. */
export interface ExportKey {
  slug: string;
  title: string;
  key: string;
  reason: 'shared' | 'no-ascii-letters';
}

export interface ExportOptions {
  /** The data folder whose stored images are put into the export as data: URLs. */
  dataDir?: string;
}

const FEDWIKI_KEY = /^[a-z0-9-]+$/;

/**
 * The key each page is exported under: the slug Federated Wiki computes from its title
 * (asciiSlug), so a Federated Wiki server serves it where its links look for it. When two pages'
 * titles give one key (`C++` and `C`), the page made first keeps it; when a title gives none (only
 * non-Latin letters, or nothing but dashes), or gave a key another page kept, the page takes a Federated Wiki key it was
 * imported under, else its own slug written in ASCII (punycode, `xn--…`), else the key with
 * `-2`, `-3` … added. Such pages are returned in `renamed`: a `[[link]]` a Federated Wiki site
 * computes from their title does not reach them there (docs/decisions/0008-handbook-federated-wiki-transfer.md).
 */
export function exportKeys(
  pages: readonly {
    id: string;
    slug: string;
    title: string;
    createdAt: string;
    aliases: string[];
  }[],
  reserved: readonly string[] = [],
): { keys: Map<string, string>; renamed: ExportKey[] } {
  const order = [...pages].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.slug.localeCompare(b.slug),
  );
  const taken = new Set(reserved);
  const keys = new Map<string, string>();
  const wanting: { page: (typeof order)[number]; want: string }[] = [];
  for (const p of order) {
    // A key of dashes only (what is left of a Greek or Chinese title) names nothing readable.
    const slugged = asciiSlug(p.title);
    const want = /[a-z0-9]/.test(slugged) ? slugged : '';
    if (want !== '' && !taken.has(want)) {
      taken.add(want);
      keys.set(p.id, want);
    } else wanting.push({ page: p, want });
  }
  const renamed: ExportKey[] = [];
  for (const { page: p, want } of wanting) {
    const puny = want === '' ? domainToASCII(p.slug).toLowerCase() : '';
    const candidates = [
      ...p.aliases.filter((a) => FEDWIKI_KEY.test(a)).sort(),
      ...(FEDWIKI_KEY.test(p.slug) ? [p.slug] : []),
      ...(FEDWIKI_KEY.test(puny) ? [puny] : []),
    ];
    let key = candidates.find((k) => !taken.has(k));
    const base = want !== '' ? want : 'page';
    for (let n = 2; key === undefined; n++) if (!taken.has(`${base}-${n}`)) key = `${base}-${n}`;
    taken.add(key);
    keys.set(p.id, key);
    renamed.push({
      slug: p.slug,
      title: p.title,
      key,
      reason: want === '' ? 'no-ascii-letters' : 'shared',
    });
  }
  return { keys, renamed };
}

/**
 * Every page as a Federated Wiki export: a JSON object keyed by the slug a Federated Wiki server
 * serves each page at (exportKeys). Stories and journals are served sanitised (html items as the
 * page view draws them). With `dataDir`, images in the image store go into the story as data:
 * URLs, so the export draws in a Federated Wiki site too (journals keep the store's URLs).
 * Sections, when there are any, travel on a page of their own (SECTIONS_FIELD).
 */
export async function exportHandbook(
  repo: HandbookRepo,
  options: ExportOptions = {},
): Promise<{ pages: WikiExport; renamed: ExportKey[] }> {
  const [all, aliases] = await Promise.all([repo.listAll(), repo.allAliases()]);
  const withAliases = all.map((p) => ({ ...p, aliases: aliases.get(p.id) ?? [] }));
  const { keys, renamed } = exportKeys(withAliases);
  const images =
    options.dataDir === undefined ? undefined : new HandbookImages(repo, options.dataDir);
  const inlined = new Map<string, string | undefined>();
  const inline = async (item: Item): Promise<Item> => {
    const m =
      item.type === 'image' && typeof item.url === 'string' ? OUR_IMAGE.exec(item.url) : null;
    const id = m?.[1];
    if (images === undefined || id === undefined) return item;
    if (!inlined.has(id)) {
      const img = await images.read(id).catch(() => undefined);
      inlined.set(id, img && `data:${img.contentType};base64,${img.bytes.toString('base64')}`);
    }
    const url = inlined.get(id);
    return url === undefined ? item : { ...item, url };
  };
  const out: WikiExport = {};
  for (const p of all) {
    // The whole history; imported journals keep the source's text, an export serves them sanitised.
    const journal = cleanJournal(await repo.historyActions(p.id));
    const story = await Promise.all(cleanStory(p.story).map(inline));
    out[keys.get(p.id) ?? p.slug] = { title: p.title, story, journal };
  }
  const sections = await exportedSections(repo, keys);
  if (sections.length > 0) {
    let key = SECTIONS_KEY;
    for (let n = 2; key in out; n++) key = `${SECTIONS_KEY}-${n}`;
    const titleOfKey = new Map(all.map((p) => [keys.get(p.id) ?? p.slug, p.title]));
    out[key] = sectionsPage(sections, titleOfKey, all);
  }
  // The built-in pages the handbook uses (DOT FROM preview-next-diagram) travel with it.
  return { pages: withBuiltInPages(out), renamed };
}

/** Every page as a Federated Wiki export (exportHandbook without the list of renamed keys). */
export async function exportAll(
  repo: HandbookRepo,
  options: ExportOptions = {},
): Promise<WikiExport> {
  return (await exportHandbook(repo, options)).pages;
}

async function exportedSections(
  repo: HandbookRepo,
  keys: ReadonlyMap<string, string>,
): Promise<ExportedSections> {
  const [heads, members] = await Promise.all([repo.sections(), repo.sectionPages()]);
  const out: ExportedSections = [];
  for (const h of heads) {
    const head = keys.get(h.pageId);
    if (head === undefined) continue;
    const pages = members
      .filter((m) => m.sectionId === h.pageId)
      .sort((a, b) => a.position - b.position)
      .flatMap((m) => {
        const page = keys.get(m.pageId);
        if (page === undefined) return [];
        return [{ page, parent: m.parentId === null ? null : (keys.get(m.parentId) ?? null) }];
      });
    out.push({ head, pages });
  }
  return out;
}

/** The sections as a readable Federated Wiki page that also carries them for our import. */
function sectionsPage(
  sections: ExportedSections,
  titleOf: ReadonlyMap<string, string>,
  all: readonly PageRecord[],
): WikiPage {
  const date = all.reduce((d, p) => Math.max(d, Date.parse(p.updatedAt) || 0), 0);
  const title = 'Commonhall sections';
  const story: Item[] = [
    {
      type: 'paragraph',
      id: 'commonhall-sections',
      text: 'The sections of this handbook (its Previous/Next sequences), kept for Commonhall: each paragraph below is a section, its first page then its pages in order. A Commonhall import makes them sections again.',
    },
    ...sections.map((s, i) => ({
      type: 'paragraph',
      id: `section-${i + 1}`,
      text: [s.head, ...s.pages.map((p) => p.page)].map((k) => titleOf.get(k) ?? k).join(' → '),
    })),
  ];
  return {
    title,
    story,
    journal: [{ type: 'create', item: { title, story }, date }],
    [SECTIONS_FIELD]: sections,
  };
}
