import MiniSearch from 'minisearch';
import { AppError } from '@server/http/errors';
import type { Item, JournalAction, SitemapEntry, WikiPage } from '@common/api/handbook';
import { cleanJournal, cleanStory, type HandbookService } from './handbook.service';
import type { PageRecord } from './handbook.repo';
import { asciiSlug, linkTitle, plainText } from './handbook.text';
import { exportKeys } from './handbook.transfer';

/** Federated Wiki routes are read-only and public: members-only handbooks are not served there. */
export async function assertPublic(service: HandbookService): Promise<void> {
  if ((await service.settings()).read !== 'everyone') {
    throw new AppError(
      403,
      'handbook_members_only',
      'This handbook is for members only and is not published to the federation.',
    );
  }
}

/** What a Federated Wiki server routes as a page name: `/^[a-z0-9-]+$/`. */
export const FEDWIKI_KEY = /^[a-z0-9-]+$/;

/**
 * The date of a page's last edit in ms, as Federated Wiki's sitemap computes it: the last journal
 * action with a date that is not a fork (a fork copies, it does not edit); the row's update time
 * when the journal has none.
 */
export function pageDate(page: Pick<PageRecord, 'journal' | 'updatedAt'>): number {
  for (let i = page.journal.length - 1; i >= 0; i--) {
    const a: JournalAction | undefined = page.journal[i];
    if (typeof a?.date === 'number' && a.type !== 'fork') return a.date;
  }
  return Date.parse(page.updatedAt);
}

/** The first paragraph's words, the way Federated Wiki builds a synopsis. */
export function synopsis(story: readonly Item[]): string {
  const first =
    story.find(
      (i) => i.type === 'paragraph' && typeof i.text === 'string' && i.text.trim() !== '',
    ) ?? story.find((i) => typeof i.text === 'string' && i.text.trim() !== '');
  const text = typeof first?.text === 'string' ? plainText(first.text) : '';
  return text.length > 560 ? `${text.slice(0, 557)}...` : text;
}

/**
 * `links` of a sitemap entry as Federated Wiki computes them: for every `[[Title]]` in any item's
 * text (an html item's as its source wrote it: we store html sanitised, `&` as `&amp;`), and the slug of every reference item, Federated Wiki's slug of it → the id of the first
 * item it was found in. These are the keys a Federated Wiki client looks backlinks up by. A title
 * of which Federated Wiki's slug is empty (Greek, Chinese…) names no page there and is left out.
 * A Map, not `in` on a plain object, which would take a page named "constructor" as linked.
 */
export function sitemapLinks(story: readonly Item[]): Record<string, string> {
  const out = new Map<string, string>();
  const add = (key: string, id: string) => {
    if (key !== '' && !out.has(key)) out.set(key, id);
  };
  for (const item of story) {
    if (typeof item.text === 'string')
      for (const m of item.text.matchAll(/\[\[([^\]]+)\]\]/g))
        add(
          asciiSlug(item.type === 'html' ? linkTitle('html', m[1] ?? '') : (m[1] ?? '')),
          item.id,
        );
    if (item.type === 'reference' && typeof item.slug === 'string') add(item.slug, item.id);
  }
  // fromEntries defines own properties, so even a "__proto__" key is kept as a key.
  return Object.fromEntries(out);
}

// ---- the keys Federated Wiki sees ----

/** A page as the federation view needs it, with its other addresses (old and imported slugs). */
type KeyedPage = Pick<PageRecord, 'id' | 'slug' | 'title' | 'createdAt'> & { aliases: string[] };

/**
 * The key (the name in `/<key>.json`, the sitemap's `slug`) of every page: the key an export names
 * it by (exportKeys), so that what these routes serve and what an export writes into a Federated
 * Wiki site agree. A Federated Wiki client that slugs a `[[Title]]` the way it does lands on the
 * page with that title (`Café société` → `caf-socit`, `Mission & vision` → `mission--vision`);
 * when several titles give one key the oldest page has it, and the others, and titles that give
 * no readable key, take a Federated Wiki slug they were imported under, else their own slug in
 * ASCII, else the key with `-2`, `-3`… (docs/federated-wiki-routes.md).
 */
export function federationKeys(pages: readonly KeyedPage[]): Map<string, string> {
  return exportKeys(pages).keys;
}

// ---- the site index ----

/**
 * An item's words as Federated Wiki's search index takes them: link markup, tags and URLs (kept
 * as their host name) removed, punctuation and symbols made spaces.
 */
function indexWords(text: string): string {
  return text
    .replace(/\[([^\]]*?)\][[(].*?[\])]/g, ' $1 ')
    .replace(/\[{2}|\[(?:\S+)|\]{1,2}/g, ' ')
    .replace(/\n/g, ' ')
    .replace(/<style.*?<\/style>/g, ' ')
    .replace(/<(?:"[^"]*"['"]*|'[^']*'['"]*|[^'">])+>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/(https?:.*?)(?=\p{White_Space}|\p{Quotation_Mark}|$)/gu, (match) => {
      try {
        return new URL(match).hostname;
      } catch {
        return ' ';
      }
    })
    .replace(/[\p{P}\p{Emoji}\p{Symbol}]+/gu, ' ')
    .replace(/\p{White_Space}+/gu, ' ');
}

const textTypes = new Set([
  'paragraph',
  'markdown',
  'html',
  'reference',
  'image',
  'pagefold',
  'math',
  'mathjax',
  'code',
]);
const markupTypes = new Set(['audio', 'video', 'frame']);

/**
 * A story's searchable text, item by item as Federated Wiki's server indexes it: text items whole;
 * audio, video and frame items without their markup lines (a URL, an UPPER-CASE keyword, `//`).
 */
export function indexText(story: readonly Item[]): string {
  let out = '';
  for (const item of story) {
    if (typeof item.text !== 'string' || item.text === '') continue;
    if (textTypes.has(item.type)) out += ' ' + indexWords(item.text);
    else if (markupTypes.has(item.type)) {
      const prose = item.text
        .split(/\r\n?|\n/)
        .map((line) => {
          const first = line.split(/\p{White_Space}/u)[0] ?? '';
          return first.startsWith('http') || first.toUpperCase() === first || first.startsWith('//')
            ? ''
            : line;
        })
        .join(' ');
      out += ' ' + indexWords(prose);
    }
  }
  return out;
}

/**
 * `/system/site-index.json`: a serialised MiniSearch index over `title` and `content`, document ids
 * the pages' keys, as Federated Wiki's server writes it and its client loads it
 * (`MiniSearch.loadJSON(text, { fields: ['title', 'content'] })`).
 */
export function siteIndexJson(pages: readonly { key: string; title: string; story: Item[] }[]) {
  const index = new MiniSearch({ fields: ['title', 'content'] });
  index.addAll(pages.map((p) => ({ id: p.key, title: p.title, content: indexText(p.story) })));
  return JSON.stringify(index);
}

// ---- the federation view of one generation ----

/** Everything the Federated Wiki routes serve that depends on all pages, for one generation. */
export interface FederationView {
  generation: number;
  /** Key → our slug, and our slug → key. */
  slugOfKey: Map<string, string>;
  keyOfSlug: Map<string, string>;
  /** Keys in sitemap order. */
  keys: string[];
  sitemap: SitemapEntry[];
  /** When the handbook last changed (a page written or deleted), ms; what Last-Modified says. */
  lastModified: number;
  /** The serialised site index, built on first use. */
  siteIndex(): string;
}

/** Builds the view from every page (and the deletion times, which change the sitemap too). */
export function federationView(
  generation: number,
  pages: readonly PageRecord[],
  deletedAt: readonly string[],
  aliases: ReadonlyMap<string, string[]> = new Map(),
): FederationView {
  const keyOf = federationKeys(pages.map((p) => ({ ...p, aliases: aliases.get(p.id) ?? [] })));
  const keyed = pages.map((p) => ({ page: p, key: keyOf.get(p.id) ?? p.slug }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let lastModified = 0;
  for (const p of pages) lastModified = Math.max(lastModified, Date.parse(p.updatedAt));
  for (const d of deletedAt) lastModified = Math.max(lastModified, Date.parse(d));
  let index: string | undefined;
  return {
    generation,
    slugOfKey: new Map(keyed.map((k) => [k.key, k.page.slug])),
    keyOfSlug: new Map(keyed.map((k) => [k.page.slug, k.key])),
    keys: keyed.map((k) => k.key),
    sitemap: keyed.map(({ page, key }) => {
      const links = sitemapLinks(page.story);
      return {
        slug: key,
        title: page.title,
        date: pageDate(page),
        synopsis: synopsis(page.story),
        ...(Object.keys(links).length > 0 ? { links } : {}),
      };
    }),
    lastModified: lastModified === 0 ? Date.parse('2000-01-01T00:00:00Z') : lastModified,
    siteIndex: () =>
      (index ??= siteIndexJson(
        keyed.map(({ page, key }) => ({ key, title: page.title, story: page.story })),
      )),
  };
}

/**
 * A page as Federated Wiki JSON. Graphviz items carry the evaluated `dot` and the `svg`, as
 * Federated Wiki stores them, when the diagram module is wired.
 */
export async function wikiPage(service: HandbookService, page: PageRecord): Promise<WikiPage> {
  const story: Item[] = [];
  // An imported story keeps the source's HTML; what is served is sanitised.
  for (const item of cleanStory(page.story)) {
    if (item.type === 'graphviz' && service.diagrams !== undefined) {
      const d = await service.diagrams.renderItem(page.slug, item);
      story.push({ ...item, dot: d.dot, ...(d.svg !== undefined ? { svg: d.svg } : {}) });
    } else story.push(item);
  }
  return { title: page.title, story, journal: cleanJournal(page.journal) };
}
