import { AppError } from '@server/http/errors';
import type { Item, SitemapEntry, WikiPage } from '@common/api/handbook';
import { cleanJournal, cleanStory, type HandbookService } from './handbook.service';
import type { PageRecord } from './handbook.repo';
import { plainText, slugify, storyLinks } from './handbook.text';

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

/** The last journal date of a page in ms (what Federated Wiki's sitemap calls `date`). */
export function pageDate(page: PageRecord): number {
  for (let i = page.journal.length - 1; i >= 0; i--) {
    const d = page.journal[i]?.date;
    if (typeof d === 'number') return d;
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
 * `links` of a sitemap entry: each linked slug → the id of the first item it was found in. A Map,
 * not `in` on a plain object, which would take a page named "constructor" as already linked.
 */
export function sitemapLinks(story: readonly Item[]): Record<string, string> {
  const out = new Map<string, string>();
  for (const item of story) {
    for (const title of storyLinks([item])) {
      const slug = slugify(title);
      if (!out.has(slug)) out.set(slug, item.id);
    }
  }
  // fromEntries defines own properties, so even a "__proto__" key is kept as a key.
  return Object.fromEntries(out);
}

export async function sitemap(service: HandbookService): Promise<SitemapEntry[]> {
  const pages = await service.repo.listAll();
  return pages.map((p) => ({
    slug: p.slug,
    title: p.title,
    date: pageDate(p),
    synopsis: synopsis(p.story),
    links: sitemapLinks(p.story),
  }));
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
