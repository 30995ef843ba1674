import { describe, expect, it } from 'vitest';
import { DiagramMarkupError, evaluateMarkup } from './markup';
import { PREVIEW_NEXT_DIAGRAM_MARKUP } from './preview-next';
import { handbook, page, statements } from './test-handbook';

const hello = () =>
  handbook(
    page('Hello World', 'May the world find [[Peace]] and [[Love]].', 'See also [[Joy]]'),
    page('Peace', 'Peace needs [[Love]].'),
    page('Love', 'Love is [[Hello World]].', 'See also [[Peace]]'),
    page('Joy', { type: 'pagefold', text: 'notes' }, 'In the fold: [[Peace]]'),
  );

const markup = (...lines: string[]) => lines.join('\n');

describe('evaluateMarkup: pass-through', () => {
  it('returns raw DOT naming no page unchanged, reads no page and depends on its names', async () => {
    const hb = hello();
    const dot = 'digraph { a -> b }';
    const result = await evaluateMarkup(dot, 'hello-world', hb);
    expect(result).toEqual({
      dot,
      truncated: false,
      // Creating a page called a or b would change the picture.
      visited: ['hello-world', 'a', 'b'],
      usesBacklinks: false,
    });
    expect(hb.reads).toBe(0);
  });

  it('passes node, edge and graph attribute lines through in place', async () => {
    const result = await evaluateMarkup(
      markup('DOT strict graph', '  rankdir=LR', '  node [shape=box]', '  edge [color=red]'),
      'hello-world',
      hello(),
    );
    expect(result.dot).toBe('strict graph {\nrankdir=LR\nnode [shape=box]\nedge [color=red]\n}');
  });
});

describe('evaluateMarkup: keywords', () => {
  it('HERE NODE draws the page in context, with a link to it', async () => {
    const result = await evaluateMarkup(
      markup('DOT digraph', '  HERE NODE'),
      'hello-world',
      hello(),
    );
    expect(statements(result.dot)).toEqual(['"Hello World"']);
    expect(result.dot).toContain(
      '"Hello World" [URL="/handbook/hello-world" target="_top" tooltip="Hello World" label="Hello World"]',
    );
  });

  it('HERE NODE with a label draws a dotted edge from the label to the page', async () => {
    const result = await evaluateMarkup(
      markup('DOT digraph', '  HERE NODE start'),
      'hello-world',
      hello(),
    );
    expect(statements(result.dot)).toEqual(['"start" -> "Hello World" [style=dotted]']);
  });

  it('LINKS HERE -> NODE draws an edge to every link, in order, missing pages included', async () => {
    const result = await evaluateMarkup(
      markup('DOT digraph', '  HERE NODE', '    LINKS HERE -> NODE'),
      'hello-world',
      hello(),
    );
    expect(statements(result.dot)).toEqual([
      '"Hello World"',
      '"Hello World" -> "Peace"',
      '"Hello World" -> "Love"',
      '"Hello World" -> "Joy"',
    ]);
    expect(result.dot).toContain('"Joy" [URL="/handbook/joy"');
  });

  it('LINKS NODE -- HERE draws undirected edges from the links', async () => {
    const result = await evaluateMarkup(
      markup('DOT graph', '  LINKS NODE -- HERE'),
      'peace',
      hello(),
    );
    expect(statements(result.dot)).toEqual(['"Love" -- "Peace"']);
    expect(result.dot.startsWith('graph {')).toBe(true);
  });

  it('HERE skips its block for a missing page and ELSE runs instead', async () => {
    const hb = handbook(page('Home', '[[Here]] and [[Gone]]'), page('Here', 'x'));
    const result = await evaluateMarkup(
      markup(
        'DOT digraph',
        '  LINKS',
        '    HERE',
        '      HERE NODE',
        '    ELSE',
        '      FAKE HERE -> NODE',
      ),
      'home',
      hb,
    );
    expect(statements(result.dot)).toEqual(['"Here"', '"Gone" -> "post-Gone"']);
    expect(result.visited).toEqual(expect.arrayContaining(['home', 'here', 'gone']));
  });

  it('FAKE NODE -> HERE draws a made-up predecessor', async () => {
    const result = await evaluateMarkup(
      markup('DOT digraph', '  FAKE NODE -> HERE'),
      'peace',
      hello(),
    );
    expect(statements(result.dot)).toEqual(['"pre-Peace" -> "Peace"']);
  });

  it('BACKLINKS NODE -> HERE draws the pages that link here', async () => {
    const result = await evaluateMarkup(
      markup('DOT digraph', '  BACKLINKS NODE -> HERE'),
      'peace',
      hello(),
    );
    expect(statements(result.dot).sort()).toEqual([
      '"Hello World" -> "Peace"',
      '"Joy" -> "Peace"',
      '"Love" -> "Peace"',
    ]);
    expect(result.usesBacklinks).toBe(true);
  });

  it('WHERE /regex/ keeps only the matching items for LINKS', async () => {
    const result = await evaluateMarkup(
      markup('DOT digraph', '  WHERE /^See also/', '    LINKS HERE -> NODE'),
      'hello-world',
      hello(),
    );
    expect(statements(result.dot)).toEqual(['"Hello World" -> "Joy"']);
  });

  it('WHERE /regex/ that backtracks without end is refused, not left to block the process', async () => {
    const hb = handbook(page('Greedy', 'a'.repeat(60), '[[Joy]]'));
    await expect(
      evaluateMarkup(
        markup('DOT digraph', '  WHERE /(a+)+b/', '    LINKS HERE -> NODE'),
        'greedy',
        hb,
      ),
    ).rejects.toThrow("can't do where (the pattern takes too long)");
    // (a+)+b on 60 a's would run for longer than the age of the universe: without the limit
    // this test never ends.
    const fine = await evaluateMarkup(
      markup('DOT digraph', '  WHERE /Joy/', '    LINKS HERE -> NODE'),
      'greedy',
      hb,
    );
    expect(statements(fine.dot)).toEqual(['"Greedy" -> "Joy"']);
  });

  it('WHERE FOLD and WHERE <field> select items by fold and by field', async () => {
    const hb = handbook(
      page('Folded', '[[Before]]', { type: 'pagefold', text: 'more' }, '[[After]]', {
        type: 'reference',
        text: 'see [[Elsewhere]]',
        site: 'example.org',
      }),
    );
    const fold = await evaluateMarkup(
      markup('DOT digraph', '  WHERE FOLD more', '    LINKS HERE -> NODE'),
      'folded',
      hb,
    );
    expect(statements(fold.dot)).toEqual(['"Folded" -> "After"', '"Folded" -> "Elsewhere"']);
    const field = await evaluateMarkup(
      markup('DOT digraph', '  WHERE site', '    LINKS HERE -> NODE'),
      'folded',
      hb,
    );
    expect(statements(field.dot)).toEqual(['"Folded" -> "Elsewhere"']);
  });

  it('refuses what it cannot do, with the plugin wording', async () => {
    const hb = hello();
    await expect(evaluateMarkup('DOT digraph\n  WANDER', 'peace', hb)).rejects.toThrow(
      new DiagramMarkupError("can't do\nWANDER"),
    );
    await expect(evaluateMarkup('DOT digraph\n  WHERE /(/', 'peace', hb)).rejects.toThrow(
      "can't do where",
    );
    await expect(evaluateMarkup('DOT digraph\n  LINKS sideways', 'peace', hb)).rejects.toThrow(
      "can't do link",
    );
    await expect(evaluateMarkup('DOT digraph\n  ELSE', 'peace', hb)).rejects.toThrow("can't do");
  });

  it('escapes quotes and backslashes in page names', async () => {
    const hb = handbook(page('Say "hi"', 'to [[C:\\temp]]'));
    const result = await evaluateMarkup('DOT digraph\n  LINKS HERE -> NODE', 'say-hi', hb);
    expect(statements(result.dot)).toEqual(['"Say \\"hi\\"" -> "C:\\\\temp"']);
  });
});

describe('evaluateMarkup: as the plugin reads markup', () => {
  it('GRAPH draws the graph items of the page: nodes, then their arcs, HERE for the page', async () => {
    const hb = handbook(
      page('Map', { type: 'graph', text: 'HERE --> Peace <-> Love\n--> Joy\nB <-- A' }),
    );
    const result = await evaluateMarkup('DOT digraph\n  GRAPH', 'map', hb);
    expect(statements(result.dot)).toEqual([
      '"Map"',
      '"Map" -> "Peace"',
      '"Peace"',
      '"Peace" -> "Love"',
      '"Love"',
      '"Love" -> "Peace"',
      '"Love" -> "Joy"',
      '"Joy"',
      '"B"',
      '"A"',
      '"A" -> "B"',
    ]);
    expect(result.dot).toContain('"Peace" [URL="/handbook/peace"');
  });

  it('a blank line ends an indented block: what follows is a block of the outer level', async () => {
    const result = await evaluateMarkup(
      markup('DOT digraph', 'LINKS HERE -> NODE', '', '  HERE NODE'),
      'hello-world',
      hello(),
    );
    // Not a HERE NODE for each link: the page itself, once.
    expect(statements(result.dot)).toEqual([
      '"Hello World" -> "Peace"',
      '"Hello World" -> "Love"',
      '"Hello World" -> "Joy"',
      '"Hello World"',
    ]);
  });

  it('HERE NODE "label" may be followed by text; the label stops at the quote', async () => {
    const result = await evaluateMarkup(
      markup('DOT digraph', '  HERE NODE "Première étape" [color=red] then'),
      'peace',
      hello(),
    );
    expect(statements(result.dot)).toEqual(['"Première étape" -> "Peace" [style=dotted]']);
  });

  it('WHERE FOLD takes the fold name as the plugin does, and a Unicode name whole', async () => {
    const hb = handbook(
      page(
        'Folded',
        { type: 'pagefold', text: 'notes' },
        '[[In notes]]',
        {
          type: 'pagefold',
          text: 'Équipe',
        },
        '[[In équipe]]',
      ),
    );
    const plugin = await evaluateMarkup(
      markup('DOT digraph', '  WHERE FOLD notes: the first', '    LINKS HERE -> NODE'),
      'folded',
      hb,
    );
    expect(statements(plugin.dot)).toEqual(['"Folded" -> "In notes"']);
    const unicode = await evaluateMarkup(
      markup('DOT digraph', '  WHERE FOLD Équipe', '    LINKS HERE -> NODE'),
      'folded',
      hb,
    );
    expect(statements(unicode.dot)).toEqual(['"Folded" -> "In équipe"']);
  });

  it('a malformed LINKS line is refused only when there is a link to draw', async () => {
    const hb = handbook(page('Alone', 'no links'));
    const result = await evaluateMarkup('DOT digraph\n  LINKS sideways', 'alone', hb);
    expect(statements(result.dot).filter(Boolean)).toEqual([]);
  });
});

describe('evaluateMarkup: nesting order', () => {
  it('runs every line of a level before any nested block', async () => {
    const result = await evaluateMarkup(
      markup(
        'DOT digraph',
        '  node [color=red]',
        '  HERE NODE',
        '    node [color=blue]',
        '    LINKS HERE -> NODE',
        '  edge [color=green]',
      ),
      'hello-world',
      hello(),
    );
    expect(statements(result.dot)).toEqual([
      'node [color=red]',
      '"Hello World"',
      'edge [color=green]',
      'node [color=blue]',
      '"Hello World" -> "Peace"',
      '"Hello World" -> "Love"',
      '"Hello World" -> "Joy"',
    ]);
  });

  it('then runs each nested block in turn, each before the next sibling', async () => {
    const result = await evaluateMarkup(
      markup(
        'DOT digraph',
        '  HERE',
        '    LINKS',
        '      HERE',
        '        LINKS HERE -> NODE',
        '          HERE',
        '            FAKE HERE -> NODE',
        '  node [shape=box]',
      ),
      'hello-world',
      hello(),
    );
    expect(statements(result.dot)).toEqual([
      'node [shape=box]',
      // Peace's level, then its nested block, before Love's level.
      '"Peace" -> "Love"',
      '"Love" -> "post-Love"',
      '"Love" -> "Hello World"',
      '"Love" -> "Peace"',
      '"Hello World" -> "post-Hello World"',
      '"Peace" -> "post-Peace"',
      '"Joy" -> "Peace"',
      '"Peace" -> "post-Peace"',
    ]);
  });
});

describe('evaluateMarkup: FROM and STATIC', () => {
  it('FROM takes the markup of another page and evaluates it here', async () => {
    const hb = hello();
    hb.put(
      page('Star', 'A diagram to reuse:', {
        type: 'graphviz',
        text: 'DOT digraph\n  HERE NODE\n    LINKS HERE -> NODE',
      }),
    );
    const result = await evaluateMarkup('DOT FROM star', 'peace', hb);
    expect(statements(result.dot)).toEqual(['"Peace"', '"Peace" -> "Love"']);
    expect(result.visited).toContain('star');
  });

  it('FROM takes a title as well as a slug', async () => {
    const hb = hello();
    hb.put(page('Star map', { type: 'graphviz', text: 'DOT digraph\n  HERE NODE' }));
    const result = await evaluateMarkup('DOT FROM Star map', 'peace', hb);
    expect(statements(result.dot)).toEqual(['"Peace"']);
  });

  it('FROM a page without a graphviz item is refused', async () => {
    await expect(evaluateMarkup('DOT FROM peace', 'love', hello())).rejects.toThrow(
      "can't do\nDOT FROM peace",
    );
    await expect(evaluateMarkup('DOT FROM nowhere', 'love', hello())).rejects.toThrow("can't do");
  });

  it('FROM preview-next-diagram works even when the handbook has no such page', async () => {
    const fromPage = await evaluateMarkup('DOT FROM preview-next-diagram', 'peace', hello());
    const direct = await evaluateMarkup(PREVIEW_NEXT_DIAGRAM_MARKUP, 'peace', hello());
    expect(fromPage.dot).toBe(direct.dot);
    expect(fromPage.dot).toContain('"Peace" -> "Love"');
  });

  it('STATIC ends the markup: the stored snapshot after it is not evaluated', async () => {
    const text = markup(
      'DOT digraph',
      '  HERE NODE',
      '',
      'STATIC',
      '',
      'digraph { "old snapshot" }',
    );
    const result = await evaluateMarkup(text, 'peace', hello());
    expect(statements(result.dot)).toEqual(['"Peace"']);
    expect(result.dot).not.toContain('old snapshot');
  });

  it('a snapshot saved alone after STATIC is drawn as it is', async () => {
    const result = await evaluateMarkup('STATIC\n\ndigraph { a -> b }', 'peace', hello());
    expect(result.dot).toBe('digraph { a -> b }');
  });

  it('STATIC as a keyword stops its level', async () => {
    const result = await evaluateMarkup(
      markup(
        'DOT digraph',
        '  HERE NODE',
        '    rankdir=LR',
        '    STATIC snapshot below',
        '    "stale"',
        '  node [shape=box]',
      ),
      'peace',
      hello(),
    );
    expect(statements(result.dot)).toEqual(['"Peace"', 'node [shape=box]', 'rankdir=LR']);
  });
});
