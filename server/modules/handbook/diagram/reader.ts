/**
 * What the diagram evaluator needs from a handbook. The handbook module implements it over its
 * repository; tests and the benchmark use {@link memoryReader} over hand-built pages.
 */
import { type Item } from '@common/api/handbook';

/** A story item as the evaluator sees it: the handbook's item (id, type, text, more fields). */
export type DiagramItem = Item;

/** A page as the evaluator sees it. */
export interface DiagramPage {
  slug: string;
  title: string;
  story: DiagramItem[];
}

/**
 * Read access to one handbook.
 *
 * - `page(slug)`: the page, or undefined when there is none. A page in a section sequence should
 *   carry its Previous/Next links in its story (a paragraph starting `Previous` and one starting
 *   `Next`, each with a `[[Title]]` link), as meet.coop's pages did, so that markup such as
 *   {@link PREVIEW_NEXT_DIAGRAM_MARKUP} sees them.
 * - `backlinks(slug)`: slugs of the pages that link to this one.
 * - `resolve(titleOrSlug)`: the slug of the page with that title or slug (old slugs included), or
 *   undefined when there is no such page.
 */
export interface HandbookReader {
  page(slug: string): Promise<DiagramPage | undefined>;
  backlinks(slug: string): Promise<string[]>;
  resolve(titleOrSlug: string): Promise<string | undefined>;
}

/** Where each node of a page links to in our app. */
export function pageHref(slug: string): string {
  return `/handbook/${encodeURIComponent(slug)}`;
}

/**
 * The slug a page with this title would get, for links to pages that do not exist yet.
 * Unicode-safe: letters and digits of every script are kept.
 */
export function slugForTitle(title: string): string {
  return title
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * A reader over pages held in memory: for tests, the benchmark and previews.
 * Links are the `[[Title]]` references in the items' text.
 */
export function memoryReader(pages: Iterable<DiagramPage>): HandbookReader & {
  put(page: DiagramPage): void;
  remove(slug: string): void;
} {
  const bySlug = new Map<string, DiagramPage>();
  const byTitle = new Map<string, string>();
  for (const page of pages) put(page);

  function put(page: DiagramPage): void {
    const old = bySlug.get(page.slug);
    if (old) byTitle.delete(old.title.toLowerCase());
    bySlug.set(page.slug, page);
    byTitle.set(page.title.toLowerCase(), page.slug);
  }

  return {
    put,
    remove(slug) {
      const old = bySlug.get(slug);
      if (old) byTitle.delete(old.title.toLowerCase());
      bySlug.delete(slug);
    },
    async page(slug) {
      return bySlug.get(slug);
    },
    async resolve(titleOrSlug) {
      if (bySlug.has(titleOrSlug)) return titleOrSlug;
      const bySlugOfTitle = slugForTitle(titleOrSlug);
      return (
        byTitle.get(titleOrSlug.toLowerCase()) ??
        (bySlug.has(bySlugOfTitle) ? bySlugOfTitle : undefined)
      );
    },
    async backlinks(slug) {
      const target = bySlug.get(slug);
      if (!target) return [];
      const out: string[] = [];
      for (const page of bySlug.values()) {
        const links = linksIn(page.story.map((item) => item.text ?? '').join('\n'));
        if (links.some((link) => link.toLowerCase() === target.title.toLowerCase())) {
          out.push(page.slug);
        }
      }
      return out;
    },
  };
}

/** The `[[Title]]` links in a text, in order, as Federated Wiki finds them. */
export function linksIn(text: string): string[] {
  return Array.from(text.matchAll(/\[\[(.*?)\]\]/g), (m) => m[1] ?? '');
}
