import { describe, expect, it } from 'vitest';
import { canIndent, canOutdent, fitDepths, shiftDepth, withParents } from './section-order';

const pg = (slug: string, depth: number) => ({ slug, title: slug.toUpperCase(), depth });

describe('the order of a section’s pages', () => {
  it('names each page’s parent from the depths, as PUT /sections takes them', () => {
    expect(
      withParents([pg('a', 1), pg('b', 2), pg('c', 3), pg('d', 2), pg('e', 1), pg('f', 2)]),
    ).toEqual([
      { slug: 'a', parent: null },
      { slug: 'b', parent: 'a' },
      { slug: 'c', parent: 'b' },
      { slug: 'd', parent: 'a' },
      { slug: 'e', parent: null },
      { slug: 'f', parent: 'e' },
    ]);
  });

  it('keeps depths after a move where the tree allows, and fits them where it does not', () => {
    // c moved above a: b stays under a.
    expect(fitDepths([pg('c', 1), pg('a', 1), pg('b', 2)])).toEqual([
      pg('c', 1),
      pg('a', 1),
      pg('b', 2),
    ]);
    // b moved to the top cannot stay at depth 2.
    expect(fitDepths([pg('b', 2), pg('a', 1)])).toEqual([pg('b', 1), pg('a', 1)]);
    expect(fitDepths([pg('a', 1), pg('b', 3)])).toEqual([pg('a', 1), pg('b', 2)]);
  });

  it('indents and outdents a page with its sub-pages', () => {
    const pages = [pg('a', 1), pg('b', 1), pg('c', 2), pg('d', 1)];
    expect(canIndent(pages, 0)).toBe(false);
    expect(canIndent(pages, 1)).toBe(true);
    expect(canIndent(pages, 2)).toBe(false);
    expect(canOutdent(pages, 1)).toBe(false);
    expect(canOutdent(pages, 2)).toBe(true);
    expect(shiftDepth(pages, 1, 1)).toEqual([pg('a', 1), pg('b', 2), pg('c', 3), pg('d', 1)]);
    expect(shiftDepth(shiftDepth(pages, 1, 1), 1, -1)).toEqual(pages);
    // Not allowed: unchanged.
    expect(shiftDepth(pages, 0, 1)).toEqual(pages);
  });
});
