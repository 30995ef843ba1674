/**
 * The built-in `preview-next-diagram` page: a page's neighbourhood drawn the way the meet.coop
 * handbook drew it under each section page.
 *
 * Level by level (the evaluator runs each level's lines before its nested blocks):
 * 1. graph settings, highlighted node defaults, this page's node, then plain dotted defaults for
 *    every node drawn after it;
 * 2. an edge from this page to every page it links to, in order (its Previous/Next lines included);
 * 3. for each linked page that exists, an edge to every page it links to (two levels, no
 *    deeper; a missing page keeps only its first-level edge: HERE finds no page, so nothing nested
 *    runs); then the previous page → this page (the links of the item that starts with
 *    "Previous:", "Previous " or "←").
 */
export const PREVIEW_NEXT_DIAGRAM_SLUG = 'preview-next-diagram';

export const PREVIEW_NEXT_DIAGRAM_TITLE = 'Preview Next Diagram';

export const PREVIEW_NEXT_DIAGRAM_MARKUP = [
  'DOT strict digraph',
  '  rankdir=LR',
  '  node [shape=box style="rounded,filled,bold" fillcolor=lightyellow fontname="Helvetica"]',
  '  edge [style=dotted]',
  '  HERE NODE',
  '    LINKS HERE -> NODE',
  '      HERE',
  '        LINKS HERE -> NODE',
  '    WHERE /^(←|(Previous|Prev|Anterior|Précédent|Zurück)[:\\s])/',
  '      LINKS NODE -> HERE',
  '  node [style="rounded,dotted" fillcolor=white]',
].join('\n');
