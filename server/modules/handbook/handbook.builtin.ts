import {
  PREVIEW_NEXT_DIAGRAM_MARKUP,
  PREVIEW_NEXT_DIAGRAM_SLUG,
  PREVIEW_NEXT_DIAGRAM_TITLE,
} from './diagram';
import type { PageRecord } from './handbook.repo';

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
