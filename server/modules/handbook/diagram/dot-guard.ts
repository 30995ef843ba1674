/**
 * Checks and tames DOT text before Graphviz sees it. Graphviz's layout time and its recursion depth
 * are in the hands of whoever wrote the DOT: attributes such as `mclimit=1000` or `maxiter` turn a
 * small graph into minutes of work, and labels or subgraphs nested thousands deep run the
 * WebAssembly stack out of bounds. A lexical pass (DOT's tokens are simple; no full parse needed)
 * clamps the costly attributes in place and refuses nesting and counts past fixed bounds.
 */

/** Bounds on a DOT text's structure; beyond them Graphviz's recursion can overrun its stack. */
export const DOT_BOUNDS = {
  /** `{` of graphs and subgraphs nested inside each other. */
  maxDepth: 64,
  /** Subgraphs (named or anonymous `{ … }`). */
  maxSubgraphs: 1000,
  /** Clusters (subgraphs named `cluster…` or with `cluster=true`). */
  maxClusters: 200,
  /** `{` nested inside one record label. */
  maxRecordDepth: 64,
  /** Elements nested inside one HTML-like label. */
  maxHtmlDepth: 64,
} as const;

/** The layout engines a diagram may ask for with `layout=`; others are refused. */
export const ALLOWED_ENGINES = ['dot', 'neato', 'fdp', 'sfdp', 'circo', 'twopi'] as const;

/**
 * Highest value each costly numeric attribute may take (written in the DOT or not). Graphviz's own
 * defaults are at or below these, so ordinary diagrams are drawn exactly as before.
 */
const CEILINGS: Record<string, number> = {
  mclimit: 1,
  nslimit: 5,
  nslimit1: 5,
  searchsize: 30,
  maxiter: 1000,
};

/** What large graphs get instead (see LARGE_GRAPH_EDGES in render.ts); the DOT cannot ask for more. */
const LARGE_CEILINGS: Record<string, number> = {
  ...CEILINGS,
  mclimit: 0.01,
  nslimit: 0.05,
  nslimit1: 0.05,
  searchsize: 5,
  maxiter: 200,
};

/** Spline routings that cost far more than the others on a large graph. */
const COSTLY_SPLINES = new Set(['ortho', 'spline', 'true', 'yes', 'curved', 'compound']);

type Token =
  | { kind: 'id'; start: number; end: number; text: string; quoted: boolean }
  | { kind: 'html'; start: number; end: number; text: string }
  | { kind: 'punct'; start: number; end: number; text: string };

export class DotRefused extends Error {}

/** The value a quoted DOT string stands for: `\"` is a quote, backslash-newline continues. */
function unquote(raw: string): string {
  return raw
    .slice(1, -1)
    .replace(/\\\r?\n/g, '')
    .replace(/\\"/g, '"');
}

function* tokens(dot: string): Generator<Token> {
  const n = dot.length;
  let i = 0;
  let lineStart = true;
  while (i < n) {
    const c = dot[i] as string;
    if (c === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#' && lineStart) {
      while (i < n && dot[i] !== '\n') i++;
      continue;
    }
    lineStart = false;
    if (c === '/' && dot[i + 1] === '/') {
      while (i < n && dot[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && dot[i + 1] === '*') {
      const close = dot.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    const start = i;
    if (c === '"') {
      // A quoted string, and any `+ "…"` concatenated to it: one value.
      let text = '';
      for (;;) {
        let j = i + 1;
        while (j < n && dot[j] !== '"') j += dot[j] === '\\' ? 2 : 1;
        text += unquote(dot.slice(i, Math.min(j + 1, n)));
        i = Math.min(j + 1, n);
        const plus = /^\s*\+\s*"/.exec(dot.slice(i, i + 200));
        if (plus === null) break;
        i += plus[0].length - 1;
      }
      yield { kind: 'id', start, end: i, text, quoted: true };
      continue;
    }
    if (c === '<') {
      let depth = 0;
      let j = i;
      for (; j < n; j++) {
        if (dot[j] === '<') depth++;
        else if (dot[j] === '>' && --depth === 0) break;
      }
      i = Math.min(j + 1, n);
      yield { kind: 'html', start, end: i, text: dot.slice(start + 1, i - 1) };
      continue;
    }
    if (c === '-' && (dot[i + 1] === '>' || dot[i + 1] === '-')) {
      i += 2;
      yield { kind: 'punct', start, end: i, text: dot.slice(start, i) };
      continue;
    }
    if ('{}[]=;,:'.includes(c)) {
      i++;
      yield { kind: 'punct', start, end: i, text: c };
      continue;
    }
    let j = i + 1;
    while (j < n && !/[\s{}[\]=;,:"<#/]/.test(dot[j] as string) && !dot.startsWith('->', j)) {
      if (dot.startsWith('--', j)) break;
      j++;
    }
    i = j;
    yield { kind: 'id', start, end: i, text: dot.slice(start, i), quoted: false };
  }
}

/** Deepest `{` nesting of a record label (backslash escapes a brace). */
function recordDepth(label: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < label.length; i++) {
    const c = label[i];
    if (c === '\\') i++;
    else if (c === '{') max = Math.max(max, ++depth);
    else if (c === '}') depth--;
  }
  return max;
}

/** Deepest element nesting of an HTML-like label. */
function htmlDepth(html: string): number {
  let depth = 0;
  let max = 0;
  for (const m of html.matchAll(/<(\/?)[A-Za-z][^<>]*?(\/?)>/g)) {
    if (m[1] === '/') depth--;
    else if (m[2] !== '/') max = Math.max(max, ++depth);
  }
  return max;
}

/**
 * The DOT to hand to Graphviz: costly attributes clamped to {@link CEILINGS} (the large-graph ones
 * when `large`), `splines` straightened on large graphs. Throws {@link DotRefused} with a message
 * for a person when the structure is past {@link DOT_BOUNDS} or `layout` names another engine.
 */
export function guardDot(dot: string, large: boolean): string {
  const ceilings = large ? LARGE_CEILINGS : CEILINGS;
  const edits: { start: number; end: number; text: string }[] = [];
  let depth = 0;
  let subgraphs = 0;
  let clusters = 0;
  /** The last three tokens: `key = value` is found when the value arrives. */
  let prev2: Token | undefined;
  let prev1: Token | undefined;
  for (const t of tokens(dot)) {
    if (t.kind === 'punct' && t.text === '{') {
      if (++depth > DOT_BOUNDS.maxDepth)
        throw new DotRefused(`Subgraphs nested too deep: at most ${DOT_BOUNDS.maxDepth} levels.`);
      // The outermost brace is the graph itself.
      if (depth > 1 && ++subgraphs > DOT_BOUNDS.maxSubgraphs)
        throw new DotRefused(`Too many subgraphs: at most ${DOT_BOUNDS.maxSubgraphs}.`);
    } else if (t.kind === 'punct' && t.text === '}') {
      depth--;
    }
    if (
      t.kind === 'id' &&
      prev1?.kind === 'id' &&
      !prev1.quoted &&
      prev1.text.toLowerCase() === 'subgraph'
    ) {
      if (/^cluster/i.test(t.text)) clusters++;
    }
    if (t.kind === 'id' && t.quoted && recordDepth(t.text) > DOT_BOUNDS.maxRecordDepth)
      throw new DotRefused(
        `A label is nested too deep: at most ${DOT_BOUNDS.maxRecordDepth} levels.`,
      );
    if (t.kind === 'html' && htmlDepth(t.text) > DOT_BOUNDS.maxHtmlDepth)
      throw new DotRefused(
        `An HTML-like label is nested too deep: at most ${DOT_BOUNDS.maxHtmlDepth} levels.`,
      );
    if (
      t.kind !== 'punct' &&
      prev1?.kind === 'punct' &&
      prev1.text === '=' &&
      prev2 !== undefined &&
      prev2.kind !== 'punct'
    ) {
      const key = prev2.text;
      const value = t.text.trim();
      const ceiling = ceilings[key];
      if (ceiling !== undefined) {
        const n = Number(value);
        if (!(Number.isFinite(n) && n <= ceiling)) edits.push({ ...t, text: String(ceiling) });
      } else if (key === 'layout') {
        if (!(ALLOWED_ENGINES as readonly string[]).includes(value))
          throw new DotRefused(
            `Layout engine "${value.slice(0, 40)}" is not available: use one of ${ALLOWED_ENGINES.join(', ')}.`,
          );
      } else if (key === 'cluster' && /^(true|yes|1)$/i.test(value)) {
        clusters++;
      } else if (key === 'splines' && large && COSTLY_SPLINES.has(value.toLowerCase())) {
        edits.push({ ...t, text: 'false' });
      }
    }
    if (clusters > DOT_BOUNDS.maxClusters)
      throw new DotRefused(`Too many clusters: at most ${DOT_BOUNDS.maxClusters}.`);
    prev2 = prev1;
    prev1 = t;
  }
  if (edits.length === 0) return dot;
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += `${dot.slice(at, e.start)}${e.text}`;
    at = e.end;
  }
  return out + dot.slice(at);
}
