import {
  PREVIEW_NEXT_DIAGRAM_MARKUP,
  PREVIEW_NEXT_DIAGRAM_SLUG,
  PREVIEW_NEXT_DIAGRAM_TITLE,
} from './diagram';
import type { WikiExport } from '@common/api/handbook';
import type { PageRecord } from './handbook.repo';
import { slugify, storyLinks } from './handbook.text';

export const PREVIEW_NEXT_SLUG = PREVIEW_NEXT_DIAGRAM_SLUG;

/** The built-in pages, present unless the handbook has its own page of the same slug. */
export function builtInPage(slug: string): PageRecord | undefined {
  if (slug !== PREVIEW_NEXT_SLUG) return undefined;
  const title = PREVIEW_NEXT_DIAGRAM_TITLE;
  const story = [
    {
      type: 'paragraph',
      id: 'b1a5e0f1c0d1e001',
      text: 'Draws a page’s neighbourhood: the previous page, the page itself (highlighted), every page it links to, and what those pages link to. Put a graphviz item with DOT FROM preview-next-diagram on any page to show it there.',
    },
    { type: 'graphviz', id: 'b1a5e0f1c0d1e002', text: PREVIEW_NEXT_DIAGRAM_MARKUP },
  ];
  return {
    id: `builtin:${PREVIEW_NEXT_SLUG}`,
    slug: PREVIEW_NEXT_SLUG,
    title,
    story,
    journal: [{ type: 'create', item: { title, story }, date: Date.UTC(2026, 10, 26) }],
    version: 1,
    origin: 'builtin',
    createdAt: '2026-11-26T00:00:00.000Z',
    updatedAt: '2026-11-26T00:00:00.000Z',
  };
}

/**
 * An export with the built-in pages its pages use (a graphviz item `DOT FROM preview-next-diagram`,
 * by slug or title, or a `[[Preview Next Diagram]]` link), so that they still draw in a Federated
 * Wiki site, where the plugin finds the markup only on a page the site serves. A page of the
 * handbook under the same key is its own and stays; an export that uses no built-in page is
 * unchanged.
 */
export function withBuiltInPages(out: WikiExport): WikiExport {
  const used = new Set<string>();
  for (const page of Object.values(out)) {
    for (const item of page.story) {
      const from =
        item.type === 'graphviz'
          ? /^DOT FROM[ \t]+([^\n]*?)[ \t]*(?:\r?\n|$)/.exec(item.text ?? '')
          : null;
      if (from?.[1]) used.add(slugify(from[1]));
    }
    for (const title of storyLinks(page.story)) used.add(slugify(title));
  }
  for (const slug of used) {
    const built = slug in out ? undefined : builtInPage(slug);
    if (built) out[slug] = { title: built.title, story: built.story, journal: built.journal };
  }
  return out;
}
