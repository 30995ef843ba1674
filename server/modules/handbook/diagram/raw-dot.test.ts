import { describe, expect, it } from 'vitest';
import { DiagramCache } from './cache';
import { drawDiagram } from './diagram';
import { evaluateMarkup } from './markup';
import { dotNodes } from './raw-dot';
import { handbook, page } from './test-handbook';

const hb = () =>
  handbook(
    page('Mission & vision', 'Why we exist.'),
    page('Commoning', 'How we share.'),
    page('Política econòmica', 'Diners i hores.'),
  );

describe('raw DOT: page links', () => {
  it('finds nodes, not graph names, attributes, ports or subgraph names', () => {
    const nodes = dotNodes(
      [
        'strict digraph G {',
        '  rankdir=LR; node [shape=box, label="not a node"]',
        '  subgraph cluster_a { label="Cluster"; a:n -> "b c" [label="edge label"] }',
        '  // x -> y in a comment',
        '  d [label="Dee\\nlabel" fontsize=9]',
        '  e [URL="https://example.org/"]',
        '  f [label=<<b>html</b>>]',
        '}',
      ].join('\n'),
    );
    expect(nodes).toEqual([
      { id: 'a', linked: false },
      { id: 'b c', linked: false },
      { id: 'd', label: 'Dee label', linked: false },
      { id: 'e', linked: true },
      { id: 'f', linked: false },
    ]);
  });

  it('gives nodes named like an existing page a URL to it, by name or by label', async () => {
    const dot = [
      'digraph {',
      '  "Mission & vision" -> commoning',
      '  pe [label="Política\\neconòmica"]',
      '  commoning -> pe -> "Nowhere"',
      '}',
    ].join('\n');
    const result = await evaluateMarkup(dot, 'here', hb());
    expect(result.dot).toContain(
      '"Mission & vision" [URL="/handbook/mission-vision" target="_top" tooltip="Mission & vision"]',
    );
    expect(result.dot).toContain('"commoning" [URL="/handbook/commoning" target="_top"');
    expect(result.dot).toContain(
      `"pe" [URL="/handbook/${encodeURIComponent('política-econòmica')}" target="_top" tooltip="Política econòmica"]`,
    );
    expect(result.dot).not.toContain('"Nowhere" [URL');
    // The written DOT is kept as it was; the links come just before the closing brace.
    expect(result.dot.startsWith(dot.slice(0, dot.lastIndexOf('}')).trimEnd())).toBe(true);
    expect(result.dot.endsWith('\n}')).toBe(true);
    // The missing page is a dependency too: creating it must change the picture.
    expect(result.visited).toEqual(
      expect.arrayContaining(['mission-vision', 'commoning', 'política-econòmica', 'nowhere']),
    );
  });

  it('leaves nodes that already carry a link alone', async () => {
    const dot = 'digraph { Commoning [URL="https://example.org/"] }';
    const result = await evaluateMarkup(dot, 'here', hb());
    expect(result.dot).toBe(dot);
  });

  it('puts the links into the SVG, and a page created later links on the next drawing', async () => {
    const book = hb();
    const cache = new DiagramCache();
    const text = 'graph { Commoning -- "Tide pools" }';
    const first = await drawDiagram({ text, page: 'here', itemId: 'g', reader: book, cache });
    expect(first.svg).toContain('xlink:href="/handbook/commoning"');
    expect(first.svg).not.toContain('/handbook/tide-pools');

    book.put(page('Tide pools', 'Salt water.'));
    cache.invalidate('tide-pools');
    const second = await drawDiagram({ text, page: 'here', itemId: 'g', reader: book, cache });
    expect(second.svg).toContain('xlink:href="/handbook/tide-pools"');
  });

  it('stops looking names up at the node limit', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `n${i}`);
    const dot = `digraph { ${names.join(' -> ')} Commoning }`;
    const result = await evaluateMarkup(dot, 'here', hb(), { maxNodes: 5 });
    expect(result.visited.length).toBeLessThanOrEqual(6);
    expect(result.dot).toBe(dot);
  });
});
