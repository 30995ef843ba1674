/**
 * The section tree as the "Order of pages" page edits it: each section a head page and its pages in
 * reading order, each with a depth (1 = directly under the head). The API takes parents, not
 * depths; a page's parent is the nearest page before it one level up.
 */
export interface OrderedPage {
  slug: string;
  title: string;
  depth: number;
}

export interface OrderedSection {
  slug: string;
  title: string;
  pages: OrderedPage[];
  /** A section added here whose head page is created when the order is saved. */
  isNew?: boolean;
}

/** What PUT /sections takes for one section's pages: each page with its parent's slug or null. */
export function withParents(
  pages: readonly OrderedPage[],
): { slug: string; parent: string | null }[] {
  const above: string[] = [];
  return pages.map((p) => {
    const depth = Math.max(1, Math.min(p.depth, above.length + 1));
    above.length = depth - 1;
    const parent = above[depth - 2] ?? null;
    above.push(p.slug);
    return { slug: p.slug, parent };
  });
}

/**
 * Depths a tree can have: the first page at depth 1, every other at most one deeper than the page
 * before it. Pages keep their depth wherever that allows.
 */
export function fitDepths(pages: readonly OrderedPage[]): OrderedPage[] {
  let before = 0;
  return pages.map((p) => {
    const depth = Math.max(1, Math.min(p.depth, before + 1));
    before = depth;
    return depth === p.depth ? p : { ...p, depth };
  });
}

/** Whether the page at `i` can go one level deeper (under the page before it). */
export function canIndent(pages: readonly OrderedPage[], i: number): boolean {
  const p = pages[i];
  const prev = pages[i - 1];
  return p !== undefined && prev !== undefined && p.depth <= prev.depth;
}

/** Whether the page at `i` can come one level up. */
export function canOutdent(pages: readonly OrderedPage[], i: number): boolean {
  return (pages[i]?.depth ?? 1) > 1;
}

/**
 * The page at `i` one level deeper (`by` 1) or up (`by` -1). Its own sub-pages go with it: they
 * keep their place under it.
 */
export function shiftDepth(pages: readonly OrderedPage[], i: number, by: 1 | -1): OrderedPage[] {
  const p = pages[i];
  if (p === undefined || (by === 1 ? !canIndent(pages, i) : !canOutdent(pages, i)))
    return [...pages];
  let end = i + 1;
  while (end < pages.length && (pages[end]?.depth ?? 0) > p.depth) end++;
  return fitDepths(pages.map((q, k) => (k >= i && k < end ? { ...q, depth: q.depth + by } : q)));
}
