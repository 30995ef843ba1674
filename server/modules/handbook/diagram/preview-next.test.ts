import { describe, expect, it } from 'vitest';
import { evaluateMarkup } from './markup';
import { PREVIEW_NEXT_DIAGRAM_MARKUP } from './preview-next';
import { renderSvg } from './render';
import { handbook, page, statements } from './test-handbook';

/** A small section in sequence: Introduction → Mission & vision → Spaces. */
const section = () =>
  handbook(
    page('Introduction', 'Welcome to the co-op.', 'Next: [[Mission & vision]]'),
    page(
      'Mission & vision',
      'Previous: [[Introduction]]',
      'We practise [[Commoning]] and keep [[Unwritten page]] for later.',
      'Next: [[Spaces]]',
    ),
    page('Spaces', 'Spaces hold [[Circles]].', 'Previous: [[Mission & vision]]'),
    page('Commoning', 'See [[Circles]] and [[Care]].'),
    page('Circles', 'Two levels only: [[Too deep]] is never drawn.'),
  );

describe('preview-next diagram', () => {
  it('draws the previous page, this page highlighted, its links and theirs, two levels deep', async () => {
    const result = await evaluateMarkup(PREVIEW_NEXT_DIAGRAM_MARKUP, 'mission-vision', section());
    expect(result.dot.startsWith('strict digraph {')).toBe(true);
    const lines = statements(result.dot);
    expect(lines).toContain('rankdir=LR');

    // This page is drawn while the highlighted defaults hold; dotted ones follow it.
    const here = lines.indexOf('"Mission & vision"');
    const highlight = lines.findIndex((l) => l.includes('bold') && l.includes('lightyellow'));
    const dotted = lines.findIndex((l) => l.startsWith('node [') && l.includes('dotted'));
    expect(highlight).toBeGreaterThanOrEqual(0);
    expect(highlight).toBeLessThan(here);
    expect(dotted).toBeGreaterThan(here);
    expect(lines).toContain('edge [style=dotted]');

    const edges = lines.filter((l) => l.includes(' -> '));
    // First level: every link of this page, in order, Previous and Next lines included.
    expect(edges.slice(0, 4)).toEqual([
      '"Mission & vision" -> "Introduction"',
      '"Mission & vision" -> "Commoning"',
      '"Mission & vision" -> "Unwritten page"',
      '"Mission & vision" -> "Spaces"',
    ]);
    // Second level: the links of each linked page that exists; missing ones add nothing.
    expect(edges).toContain('"Introduction" -> "Mission & vision"');
    expect(edges).toContain('"Commoning" -> "Circles"');
    expect(edges).toContain('"Commoning" -> "Care"');
    expect(edges).toContain('"Spaces" -> "Circles"');
    expect(edges.some((e) => e.startsWith('"Unwritten page" ->'))).toBe(false);
    // No third level.
    expect(edges.some((e) => e.startsWith('"Circles" ->'))).toBe(false);
    expect(result.dot).not.toContain('Too deep');
    // The previous page points at this page.
    expect(edges.at(-1)).toBe('"Introduction" -> "Mission & vision"');
  });

  it('renders an SVG with the page titles, this page filled light yellow, nodes linked', async () => {
    const hb = section();
    hb.put(
      page('Spaces', 'Spaces hold [[Circles]].', {
        type: 'graphviz',
        text: 'DOT FROM preview-next-diagram',
      }),
    );
    const { dot } = await evaluateMarkup('DOT FROM preview-next-diagram', 'spaces', hb);
    const result = await renderSvg(dot);
    if (!('svg' in result)) throw new Error(result.error);
    for (const title of ['Spaces', 'Circles']) {
      expect(result.svg).toContain(`<title>${title}</title>`);
    }
    const { svg: full } = (await renderSvg(
      (await evaluateMarkup(PREVIEW_NEXT_DIAGRAM_MARKUP, 'mission-vision', hb)).dot,
    )) as { svg: string };
    for (const title of ['Mission &amp; vision', 'Introduction', 'Commoning', 'Unwritten page']) {
      expect(full).toContain(`<title>${title}</title>`);
    }
    const here = full.slice(full.indexOf('<title>Mission &amp; vision</title>'));
    expect(here.slice(0, here.indexOf('</g>'))).toMatch(
      /fill="lightyellow" stroke="black" stroke-width="2"/,
    );
    expect(full).toContain('xlink:href="/handbook/commoning"');
  });
});
