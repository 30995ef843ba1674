import type { PageRecord } from './handbook.repo';

export const PREVIEW_NEXT_SLUG = 'preview-next-diagram';

/**
 * The markup of the neighbourhood diagram (our own, in the algorithmic markup of Federated Wiki's
 * graphviz plugin). Lines of one indent level run before the nested blocks, so:
 * level 1 sets left-to-right and a bold light-yellow style, then draws HERE (this page);
 * level 2 switches to a dotted style, draws previous → here from the "Previous" line, then
 * here → every linked page in order; level 3 visits each linked page that exists and draws its
 * links (level 4). Missing pages are skipped by HERE, so they keep their first edge only.
 */
export const PREVIEW_NEXT_MARKUP = [
  'DOT strict digraph',
  '  rankdir=LR',
  '  node [shape=box style="bold,filled" fillcolor=lightyellow]',
  '  HERE NODE',
  '    node [style="dotted,filled" fillcolor=white]',
  '    edge [style=dotted]',
  '    WHERE /^Previous/',
  '      LINKS NODE -> HERE',
  '    LINKS HERE -> NODE',
  '      HERE NODE',
  '        LINKS HERE -> NODE',
].join('\n');

/** The built-in pages, present unless the handbook has its own page of the same slug. */
export function builtInPage(slug: string): PageRecord | undefined {
  if (slug !== PREVIEW_NEXT_SLUG) return undefined;
  const title = 'Preview Next Diagram';
  const story = [
    {
      type: 'paragraph',
      id: 'b1a5e0f1c0d1e001',
      text: 'Draws a page’s neighbourhood: the previous page, the page itself (highlighted), every page it links to, and what those pages link to. Put a graphviz item with DOT FROM preview-next-diagram on any page to show it there.',
    },
    { type: 'graphviz', id: 'b1a5e0f1c0d1e002', text: PREVIEW_NEXT_MARKUP },
  ];
  return {
    id: `builtin:${PREVIEW_NEXT_SLUG}`,
    slug: PREVIEW_NEXT_SLUG,
    title,
    story,
    journal: [{ type: 'create', item: { title, story }, date: Date.UTC(2026, 10, 26) }],
    origin: 'builtin',
    createdAt: '2026-11-26T00:00:00.000Z',
    updatedAt: '2026-11-26T00:00:00.000Z',
  };
}
