/**
 * Our evaluator against the real wiki-plugin-graphviz (its own code from node_modules, run by
 * fedwiki-plugin.ts) on the same pages: for every markup the plugin accepts, the same DOT
 * statements in the same order, and for every markup it refuses, the same refusal.
 *
 * Normalised on both sides: whitespace (the plugin breaks node names at spaces with a newline;
 * ours keeps the spaces and wraps the label instead) and empty statements (the plugin emits one per
 * blank line). Dropped on our side only: the statements our evaluator adds to give each page node
 * its URL, tooltip and wrapped label (`"Name" [URL=… target="_top" tooltip=… label=…]`), and those
 * raw DOT gets for the nodes that name pages.
 */
import { describe, expect, it } from 'vitest';
import { builtInPage } from '../handbook.builtin';
import { evaluateMarkup } from './markup';
import { PREVIEW_NEXT_DIAGRAM_MARKUP } from './preview-next';
import { memoryReader, slugForTitle, type DiagramPage } from './reader';
import { dotStatements, memorySite, pluginDot, type FedwikiPage } from './fedwiki-plugin';

type Item = FedwikiPage['story'][number];
const p = (text: string, id: string): Item => ({ type: 'paragraph', id, text });

const pages: FedwikiPage[] = [
  {
    title: 'Hello World',
    story: [p('May the world find [[Peace]] and [[Love]].', 'h1'), p('See also [[Joy]]', 'h2')],
  },
  { title: 'Peace', story: [p('Peace needs [[Love]].', 'p1')] },
  { title: 'Love', story: [p('Love is [[Hello World]].', 'l1'), p('See also [[Peace]]', 'l2')] },
  {
    title: 'Joy',
    story: [
      p('Before the fold: [[Love]]', 'j1'),
      { type: 'pagefold', id: 'j2', text: 'notes' },
      p('In the fold: [[Peace]]', 'j3'),
      { type: 'pagefold', id: 'j4', text: 'later' },
      p('Later: [[Hello World]]', 'j5'),
      { type: 'pagefold', id: 'j6', text: 'to-do_list' },
      p('To do: [[Say "hi"]]', 'j7'),
    ],
  },
  {
    title: 'Mission & vision',
    story: [
      p('Our [[Principles & protocols]] and [[Política econòmica]].', 'm1'),
      { type: 'reference', id: 'm2', site: 'example.org', slug: 'peace', text: 'See [[Peace]]' },
      { type: 'pagefold', id: 'm3', text: 'more' },
      p('Not written yet: [[Missing page]]', 'm4'),
    ],
  },
  {
    title: 'Principles & protocols',
    story: [
      p('Previous: [[Mission & vision]]', 'r1'),
      p('How we decide: [[Assemblies]]', 'r2'),
      p('Next: [[Política econòmica]]', 'r3'),
    ],
  },
  { title: 'Política econòmica', story: [p('Previous: [[Principles & protocols]]', 'e1')] },
  {
    title: 'Équipe',
    story: [
      p('Avant: [[Peace]]', 'q1'),
      { type: 'pagefold', id: 'q2', text: 'Membres' },
      p('[[Love]]', 'q3'),
    ],
  },
  {
    title: 'Relay',
    story: [{ type: 'graphviz', id: 'y1', text: 'DOT FROM star' }],
  },
  { title: 'Assemblies', story: [p('Say "hi" to [[Say "hi"]]', 'a1')] },
  { title: 'Say "hi"', story: [p('Back to [[Assemblies]], on to [[Graphs]]', 's1')] },
  {
    title: 'Graphs',
    story: [
      { type: 'graph', id: 'g1', text: 'HERE --> Peace\nPeace --> Love <-> Joy\n--> Hello World' },
      { type: 'graph', id: 'g2', text: '2 --> 1\nB <-- A\nA --> B' },
      p('No links in this page.', 'g3'),
    ],
  },
  {
    title: 'Star',
    story: [
      p('A diagram to reuse.', 'st1'),
      { type: 'graphviz', id: 'st2', text: 'DOT digraph\n  HERE NODE\n    LINKS HERE -> NODE' },
    ],
  },
];
// The built-in page, as our export carries it to a fedwiki site.
const builtIn = builtInPage('preview-next-diagram');
if (builtIn) pages.push({ title: builtIn.title, story: builtIn.story });

const site = memorySite(pages);
const ourPages: DiagramPage[] = pages.map((page) => ({
  slug: slugForTitle(page.title),
  title: page.title,
  story: page.story.map((item, i) => ({ ...item, id: item.id ?? String(i) })),
}));
const reader = memoryReader(ourPages);

/** Ours, without the URL statements it adds to page nodes. */
const OUR_DECORATION = /^"(?:[^"\\]|\\.)*" \[URL="[^"]*" target="_top" tooltip=/;

async function both(markup: string, here: string) {
  const page = pages.find((each) => each.title === here);
  if (!page) throw new Error(`no page ${here}`);
  const plugin = await pluginDot(markup, page, site);
  let ours: { dot: string } | { error: string };
  try {
    ours = { dot: (await evaluateMarkup(markup, slugForTitle(here), reader)).dot };
  } catch (err) {
    ours = { error: (err as Error).message };
  }
  const norm = (result: { dot: string } | { error: string }, strip: boolean) => {
    if ('error' in result) return result;
    const { graph, body } = dotStatements(result.dot);
    return { graph, body: strip ? body.filter((s) => !OUR_DECORATION.test(s)) : body };
  };
  return { plugin: norm(plugin, false), ours: norm(ours, true) };
}

const md = (...lines: string[]) => lines.join('\n');

/** [what it shows, markup, page in context]; the plugin accepts every one of them. */
const accepted: [string, string, string][] = [
  [
    'attribute lines pass through',
    md('DOT strict graph', '  rankdir=LR', '  node [shape=box]', '  edge [color=red]'),
    'Hello World',
  ],
  ['HERE NODE', md('DOT digraph', '  HERE NODE'), 'Hello World'],
  [
    'HERE alone draws nothing itself',
    md('DOT digraph', '  HERE', '    FAKE HERE -> NODE'),
    'Peace',
  ],
  ['HERE NODE label', md('DOT digraph', '  HERE NODE start'), 'Hello World'],
  ['HERE NODE "quoted label"', md('DOT digraph', '  HERE NODE "start here"'), 'Peace'],
  [
    'HERE NODE "label" followed by text',
    md('DOT digraph', '  HERE NODE "begin" [color=red] and more'),
    'Peace',
  ],
  ['HERE NODE label then punctuation', md('DOT digraph', '  HERE NODE step-1 next'), 'Peace'],
  ['HERE NODE label of digits and _', md('DOT digraph', '  HERE NODE "step_2 of 3"'), 'Love'],
  [
    'LINKS HERE -> NODE, in order, missing pages too',
    md('DOT digraph', '  HERE NODE', '    LINKS HERE -> NODE'),
    'Mission & vision',
  ],
  ['LINKS NODE -> HERE', md('DOT digraph', '  LINKS NODE -> HERE'), 'Love'],
  ['LINKS NODE -- HERE in a graph', md('DOT graph', '  LINKS NODE -- HERE'), 'Peace'],
  ['LINKS alone, nested', md('DOT digraph', '  LINKS', '    FAKE NODE -> HERE'), 'Hello World'],
  [
    'two levels of LINKS',
    md('DOT digraph', '  LINKS HERE -> NODE', '    HERE', '      LINKS HERE -> NODE'),
    'Hello World',
  ],
  [
    'HERE … ELSE for a missing page',
    md(
      'DOT digraph',
      '  LINKS',
      '    HERE',
      '      HERE NODE',
      '    ELSE',
      '      FAKE HERE -> NODE',
    ),
    'Mission & vision',
  ],
  ['FAKE NODE -> HERE', md('DOT digraph', '  FAKE NODE -> HERE'), 'Peace'],
  ['FAKE HERE -- NODE', md('DOT graph', '  FAKE HERE -- NODE'), 'Peace'],
  ['BACKLINKS NODE -> HERE', md('DOT digraph', '  BACKLINKS NODE -> HERE'), 'Peace'],
  ['BACKLINKS HERE -> NODE', md('DOT digraph', '  BACKLINKS HERE -> NODE'), 'Hello World'],
  [
    'BACKLINKS with a nested block',
    md('DOT digraph', '  BACKLINKS', '    HERE', '      LINKS HERE -> NODE'),
    'Love',
  ],
  [
    'WHERE /regex/',
    md('DOT digraph', '  WHERE /^See also/', '    LINKS HERE -> NODE'),
    'Hello World',
  ],
  [
    'WHERE /regex/ with Unicode and classes',
    md('DOT digraph', '  WHERE /^(←|(Previous|Next)[:\\s])/', '    LINKS NODE -> HERE'),
    'Principles & protocols',
  ],
  ['WHERE FOLD', md('DOT digraph', '  WHERE FOLD notes', '    LINKS HERE -> NODE'), 'Joy'],
  [
    'WHERE FOLD, the last fold',
    md('DOT digraph', '  WHERE FOLD more', '    LINKS HERE -> NODE'),
    'Mission & vision',
  ],
  [
    'WHERE FOLD name with - and _',
    md('DOT digraph', '  WHERE FOLD to-do_list', '    LINKS HERE -> NODE'),
    'Joy',
  ],
  [
    'WHERE FOLD name read as the plugin reads it',
    md('DOT digraph', '  WHERE FOLD notes: the middle', '    LINKS HERE -> NODE'),
    'Joy',
  ],
  ['WHERE field', md('DOT digraph', '  WHERE site', '    LINKS HERE -> NODE'), 'Mission & vision'],
  [
    'WHERE field named anywhere on the line',
    md('DOT digraph', '  WHERE THE slug', '    LINKS HERE -> NODE'),
    'Mission & vision',
  ],
  ['GRAPH', md('DOT digraph', '  GRAPH'), 'Graphs'],
  ['GRAPH in an undirected graph', md('DOT graph', '  node [shape=box]', '  GRAPH'), 'Graphs'],
  ['GRAPH on a page without graph items', md('DOT digraph', '  GRAPH'), 'Peace'],
  [
    'GRAPH of the pages linked',
    md('DOT digraph', '  LINKS', '    HERE', '      GRAPH'),
    'Say "hi"',
  ],
  ['DOT FROM a slug', 'DOT FROM star', 'Peace'],
  ['DOT FROM preview-next-diagram', 'DOT FROM preview-next-diagram', 'Principles & protocols'],
  ['the preview-next markup itself', PREVIEW_NEXT_DIAGRAM_MARKUP, 'Mission & vision'],
  [
    'a blank line ends a block: the indented line after it is a new block',
    md('DOT digraph', 'LINKS HERE -> NODE', '', '  HERE NODE'),
    'Hello World',
  ],
  [
    'a blank line inside a nested block',
    md('DOT digraph', '  HERE NODE', '    LINKS HERE -> NODE', '', '    FAKE HERE -> NODE'),
    'Hello World',
  ],
  [
    'a blank line between LINKS and its block',
    md('DOT digraph', '  LINKS HERE -> NODE', '', '    HERE', '      LINKS HERE -> NODE'),
    'Peace',
  ],
  [
    'a blank line between WHERE and its block',
    md('DOT digraph', '  WHERE /^See/', '', '    LINKS HERE -> NODE'),
    'Love',
  ],
  ['trailing blank lines', md('DOT digraph', '  HERE NODE', '', '', ''), 'Love'],
  [
    'first level indented less than later top lines',
    md(
      'DOT digraph',
      '  node [shape=box]',
      'HERE NODE',
      '    LINKS HERE -> NODE',
      '  edge [color=red]',
    ),
    'Peace',
  ],
  ['first level not indented', md('DOT digraph', 'HERE NODE', '  LINKS HERE -> NODE'), 'Love'],
  [
    'comments pass through',
    md('DOT digraph', '  // a comment', '  # another', '  /* a block */', '  HERE NODE'),
    'Peace',
  ],
  [
    'hand-written edges pass through',
    md('DOT digraph', '  "a b" -> "c"  [label="x  y"]', '  HERE NODE'),
    'Peace',
  ],
  [
    'levels before nested blocks',
    md(
      'DOT digraph',
      '  node [color=red]',
      '  HERE NODE',
      '    node [color=blue]',
      '    LINKS HERE -> NODE',
      '      HERE',
      '        LINKS HERE -> NODE',
      '  edge [color=green]',
    ),
    'Hello World',
  ],
  [
    'quotes in names',
    md('DOT digraph', '  HERE NODE', '    LINKS HERE -> NODE', '      HERE', '        LINKS'),
    'Assemblies',
  ],
  ['a malformed LINKS line with no link to draw', md('DOT digraph', '  LINKS sideways'), 'Graphs'],
  ['LINEUP of a page opened alone', md('DOT digraph', '  LINEUP', '    HERE NODE'), 'Peace'],
  [
    'STATIC ends the markup',
    md('DOT digraph', '  HERE NODE', '', 'STATIC', '', 'digraph { "old" }'),
    'Peace',
  ],
  [
    'STATIC as a keyword stops its level',
    md('DOT digraph', '  HERE NODE', '    rankdir=LR', '    STATIC below', '    "stale"'),
    'Peace',
  ],
  ['raw DOT', 'digraph { Peace -> Love; x -> y }', 'Peace'],
  ['DOT strict digraph', md('DOT strict digraph', '  LINKS HERE -> NODE'), 'Joy'],
];

const drawsNothing = new Set([
  'GRAPH on a page without graph items',
  'a malformed LINKS line with no link to draw',
  'LINEUP of a page opened alone',
]);

/** Markup the plugin refuses; ours must refuse it with the same message. */
const refused: [string, string, string][] = [
  ['an unknown keyword', md('DOT digraph', '  WANDER'), 'Peace'],
  ['ELSE without HERE', md('DOT digraph', '  ELSE'), 'Peace'],
  ['a malformed LINKS line with links', md('DOT digraph', '  LINKS sideways'), 'Peace'],
  ['a malformed BACKLINKS line', md('DOT digraph', '  BACKLINKS around'), 'Peace'],
  ['a malformed HERE line', md('DOT digraph', '  HERE there!'), 'Peace'],
  ['HEREAFTER is a HERE line', md('DOT digraph', '  HEREAFTER'), 'Peace'],
  ['a malformed FAKE line', md('DOT digraph', '  FAKE it'), 'Peace'],
  ['GRAPH with words after it', md('DOT digraph', '  GRAPH all'), 'Graphs'],
  ['LINEUP with words after it', md('DOT digraph', '  LINEUP all'), 'Peace'],
  ['WHERE with nothing to match', md('DOT digraph', '  WHERE 42'), 'Peace'],
  ['DOT FROM a page without a graphviz item', 'DOT FROM love', 'Peace'],
];

describe('our evaluator against the real wiki-plugin-graphviz', () => {
  it('covers every keyword the plugin knows, in at least 30 markup pages', () => {
    const all = [...accepted, ...refused].map(([, markup]) => markup).join('\n');
    for (const word of ['DOT', 'HERE', 'NODE', 'LINKS', 'WHERE', 'FOLD', 'BACKLINKS', 'GRAPH'])
      expect(all).toContain(word);
    for (const word of ['FROM', 'ELSE', 'FAKE', 'LINEUP', 'STATIC', '"', '//', '\n\n'])
      expect(all).toContain(word);
    expect(accepted.length).toBeGreaterThanOrEqual(30);
  });

  it.each(accepted)('same statements: %s', async (what, markup, here) => {
    const { plugin, ours } = await both(markup, here);
    expect('error' in plugin ? plugin.error : '').toBe('');
    expect(ours).toEqual(plugin);
    // Something was compared: every case draws at least one statement but those meant to draw
    // nothing.
    const empty = 'body' in plugin && plugin.body.length === 0;
    expect(empty).toBe(drawsNothing.has(what));
  });

  it.each(refused)('same refusal: %s', async (_what, markup, here) => {
    const { plugin, ours } = await both(markup, here);
    expect(plugin).toHaveProperty('error');
    expect(ours).toEqual(plugin);
  });
});

describe('where we differ from the plugin on purpose (docs/handbook-diagrams.md)', () => {
  it('a label after HERE NODE may use letters of any script', async () => {
    const whole = await both(md('DOT digraph', '  HERE NODE "Étape"'), 'Peace');
    expect(whole.plugin).toEqual({ error: 'can\'t do here\nHERE NODE "Étape"' });
    expect(whole.ours).toEqual({ graph: 'digraph', body: ['"Étape" -> "Peace" [style=dotted]'] });
    const cut = await both(md('DOT digraph', '  HERE NODE "Première étape"'), 'Peace');
    // The plugin's \w stops at the first letter outside ASCII.
    expect(cut.plugin).toEqual({ graph: 'digraph', body: ['"Premi" -> "Peace" [style=dotted]'] });
    expect(cut.ours).toEqual({
      graph: 'digraph',
      body: ['"Première étape" -> "Peace" [style=dotted]'],
    });
  });

  it('a fold whose name is not lower-case ASCII is found by its name', async () => {
    const { plugin, ours } = await both(
      md('DOT digraph', '  WHERE FOLD Membres', '    LINKS HERE -> NODE'),
      'Équipe',
    );
    // The plugin sees no fold there and filters on a field called "embres".
    expect(plugin).toEqual({ graph: 'digraph', body: [] });
    expect(ours).toEqual({ graph: 'digraph', body: ['"Équipe" -> "Love"'] });
  });

  it('DOT FROM takes a title as well as a slug', async () => {
    const { plugin, ours } = await both('DOT FROM Preview Next Diagram', 'Peace');
    // Not a FROM line for the plugin: it hands the text to Graphviz, which refuses it.
    expect(plugin).toHaveProperty('error', expect.stringContaining('syntax error'));
    const direct = await both(PREVIEW_NEXT_DIAGRAM_MARKUP, 'Peace');
    expect(ours).toEqual(direct.plugin);
  });

  it('DOT FROM follows a page whose item is itself DOT FROM', async () => {
    const { plugin, ours } = await both('DOT FROM relay', 'Peace');
    expect(plugin).toHaveProperty('error', expect.stringContaining('syntax error'));
    const direct = await both('DOT FROM star', 'Peace');
    expect(ours).toEqual(direct.plugin);
  });

  it('trailing spaces on a line are ignored', async () => {
    const { plugin, ours } = await both(md('DOT digraph', '  HERE NODE '), 'Peace');
    // The plugin keeps the space and then knows no such HERE line.
    expect(plugin).toEqual({ error: "can't do here\nHERE NODE " });
    expect(ours).toEqual({ graph: 'digraph', body: ['"Peace"'] });
  });

  it('STATIC ends the markup only on a line of its own', async () => {
    const { plugin, ours } = await both(
      md('DOT digraph', '  HERE NODE "ECSTATIC"', '  FAKE HERE -> NODE'),
      'Peace',
    );
    // The plugin cuts the text at the word inside the label.
    expect(plugin).toEqual({ graph: 'digraph', body: ['"EC" -> "Peace" [style=dotted]'] });
    expect(ours).toEqual({
      graph: 'digraph',
      body: ['"ECSTATIC" -> "Peace" [style=dotted]', '"Peace" -> "post-Peace"'],
    });
  });
});
