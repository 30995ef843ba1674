/**
 * Raw DOT (a graphviz item without the `DOT …` markup header) gets the same page links the
 * evaluated markup gets: every node whose name or label is the title of an existing page is given
 * a URL to that page. The DOT is read with a small tokenizer (strings, HTML strings, comments,
 * identifiers, punctuation), never rewritten: the attributes are added in node statements just
 * before the graph's closing brace.
 */
import { pageHref, slugForTitle, type HandbookReader } from './reader';

/** A DOT string of text already in DOT's escaped form (only quotes need escaping). */
const requote = (id: string) => `"${id.replace(/"/g, '\\"')}"`;
/** A name as a title: DOT's line breaks (\n, \l, \r) become spaces. */
const asTitle = (text: string) =>
  text
    .replace(/\\[nlr]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

type Token =
  | { kind: 'id'; text: string; quoted: boolean }
  | { kind: 'html' }
  | { kind: 'punct'; text: string };

const KEYWORDS = new Set(['node', 'edge', 'graph', 'digraph', 'subgraph', 'strict']);

/** DOT's tokens; comments and `#` lines dropped. Never throws: unknown characters are skipped. */
export function tokenize(dot: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = dot.length;
  let lineStart = true;
  while (i < n) {
    const c = dot[i] ?? '';
    if (c === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (lineStart && c === '#') {
      while (i < n && dot[i] !== '\n') i++;
      continue;
    }
    lineStart = false;
    if (c === '/' && dot[i + 1] === '/') {
      while (i < n && dot[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && dot[i + 1] === '*') {
      const end = dot.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === '"') {
      let text = '';
      i++;
      while (i < n && dot[i] !== '"') {
        if (dot[i] === '\\' && i + 1 < n) {
          const next = dot[i + 1] ?? '';
          // \" is a quote; a backslash-newline continues the line; other escapes stay for Graphviz.
          if (next === '"') text += '"';
          else if (next !== '\n') text += `\\${next}`;
          i += 2;
          continue;
        }
        text += dot[i];
        i++;
      }
      i++;
      out.push({ kind: 'id', text, quoted: true });
      continue;
    }
    if (c === '<') {
      let depth = 0;
      while (i < n) {
        if (dot[i] === '<') depth++;
        else if (dot[i] === '>') depth--;
        i++;
        if (depth === 0) break;
      }
      out.push({ kind: 'html' });
      continue;
    }
    if (c === '-' && (dot[i + 1] === '>' || dot[i + 1] === '-')) {
      out.push({ kind: 'punct', text: dot.slice(i, i + 2) });
      i += 2;
      continue;
    }
    const word = /^(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*|-?(?:\.\d+|\d+(?:\.\d*)?))/u.exec(
      dot.slice(i, i + 1000),
    );
    if (word) {
      out.push({ kind: 'id', text: word[0], quoted: false });
      i += word[0].length;
      continue;
    }
    out.push({ kind: 'punct', text: c });
    i++;
  }
  return out;
}

/** A node named in the DOT and the label its own statements give it (plain strings only). */
interface NodeName {
  id: string;
  label?: string;
  /** The DOT already gives it a link: left alone. */
  linked: boolean;
}

/** The nodes of a DOT text in order of first mention. */
export function dotNodes(dot: string): NodeName[] {
  const tokens = tokenize(dot);
  const nodes = new Map<string, NodeName>();
  const isId = (t: Token | undefined): t is Token & { kind: 'id' } => t?.kind === 'id';
  const punct = (t: Token | undefined, text: string) => t?.kind === 'punct' && t.text === text;
  let inList = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (punct(t, '[')) inList = true;
    if (punct(t, ']')) inList = false;
    // Names inside an attribute list are attributes and values, never nodes.
    if (!isId(t) || inList) continue;
    const prev = tokens[i - 1];
    if (!t.quoted && KEYWORDS.has(t.text.toLowerCase())) continue;
    // The graph's or a subgraph's name.
    if (isId(prev) && !prev.quoted && /^(di)?graph$|^subgraph$/i.test(prev.text)) continue;
    // An attribute name or value (`rankdir=LR`, `[label="…"]`) or a port (`a:n`).
    if (punct(tokens[i + 1], '=') || punct(prev, '=') || punct(prev, ':')) continue;
    let j = i + 1;
    while (punct(tokens[j], ':') && tokens[j + 1] !== undefined) j += 2;
    const edge =
      punct(prev, '->') || punct(prev, '--') || punct(tokens[j], '->') || punct(tokens[j], '--');
    const node = nodes.get(t.text) ?? { id: t.text, linked: false };
    nodes.set(t.text, node);
    if (!edge && punct(tokens[j], '[')) {
      for (let k = j + 1; k < tokens.length && !punct(tokens[k], ']'); k++) {
        const key = tokens[k];
        const value = tokens[k + 2];
        if (!isId(key) || !punct(tokens[k + 1], '=')) continue;
        const name = key.text.toLowerCase();
        if (name === 'url' || name === 'href') node.linked = true;
        if (name === 'label') {
          if (isId(value)) node.label = asTitle(value.text);
          else delete node.label;
        }
      }
    }
  }
  return [...nodes.values()];
}

/**
 * Adds `URL`, `target` and `tooltip` to every node of raw DOT whose name, or else its label, is
 * the title (or slug) of an existing page. Resolved and missing names go into `visited`, so the
 * cached picture is dropped when such a page appears, changes or goes. At most `maxNodes` names
 * are looked up.
 */
export async function linkRawDot(
  dot: string,
  reader: HandbookReader,
  visited: Set<string>,
  maxNodes: number,
): Promise<string> {
  const close = dot.lastIndexOf('}');
  if (close < 0) return dot;
  const lines: string[] = [];
  let looked = 0;
  for (const node of dotNodes(dot.slice(0, close))) {
    if (node.linked) continue;
    for (const raw of [node.id, node.label]) {
      const name = raw === undefined ? '' : asTitle(raw);
      if (name === '' || looked >= maxNodes) continue;
      looked++;
      const slug = await reader.resolve(name);
      visited.add(slug ?? slugForTitle(name));
      if (slug === undefined) continue;
      lines.push(
        `${requote(node.id)} [URL=${requote(pageHref(slug))} target="_top" tooltip=${requote(name.replace(/\\/g, '\\\\'))}]`,
      );
      break;
    }
  }
  if (lines.length === 0) return dot;
  const head = dot.slice(0, close).replace(/\s*$/, '');
  return `${head}\n${lines.join('\n')}\n${dot.slice(close)}`;
}
