/**
 * Federated Wiki's algorithmic Graphviz markup, evaluated on the server against a handbook.
 *
 * The dialect is the one of the wiki-plugin-graphviz plugin: a first line `DOT [strict] graph|digraph`,
 * then indented lines. Lines that start with a capital letter are keywords (HERE, LINKS, BACKLINKS,
 * GRAPH, WHERE, ELSE, FAKE, STATIC, LINEUP); every other line (`node […]`, `edge […]`, `rankdir=LR`,
 * edges written by hand) passes through. Each keyword sets the context for the block indented under
 * it. The evaluator runs every line of one level first and only then each nested block in turn, in
 * the order they were met, so that `node […]` defaults written at one level apply to the nodes that
 * level draws before deeper levels draw theirs (Graphviz applies defaults to nodes created later).
 * Keywords are recognised, blocks are cut (a blank line ends an indented block) and errors are
 * raised as the plugin does (a malformed LINKS line is refused only when there is a link to draw);
 * a comparison test runs the plugin's own code on the same pages and requires the same statements.
 *
 * Differences from the plugin, on purpose (docs/handbook-diagrams.md): node ids are the full page
 * names (the plugin breaks them at spaces); the wrapped form becomes the node's label, and every
 * page node gets a URL to its page and its name as tooltip. Labels after `HERE NODE` and fold names
 * may use letters of any script; `DOT FROM` takes a title as well as a slug and follows a few hops;
 * trailing spaces on a line are ignored. Work is bounded by a page-visit limit, a node limit and a
 * time budget.
 */
import vm from 'node:vm';
import { PREVIEW_NEXT_DIAGRAM_MARKUP, PREVIEW_NEXT_DIAGRAM_SLUG } from './preview-next';
import { linkRawDot } from './raw-dot';
import {
  linksIn,
  pageHref,
  slugForTitle,
  type DiagramItem,
  type DiagramPage,
  type HandbookReader,
} from './reader';

/** Bounds on one evaluation. */
export interface DiagramLimits {
  /** Page reads (HERE, BACKLINKS, FROM), repeated reads of one page included. */
  maxPages?: number;
  /** Distinct nodes drawn. */
  maxNodes?: number;
  /** Wall-clock budget for the evaluation, in milliseconds. */
  timeBudgetMs?: number;
}

export const DEFAULT_DIAGRAM_LIMITS: Required<DiagramLimits> = {
  maxPages: 200,
  maxNodes: 400,
  timeBudgetMs: 2000,
};

/** Why an evaluation stopped early. */
export type DiagramCut = 'pages' | 'nodes' | 'time';

export interface EvaluatedDiagram {
  /** DOT ready for Graphviz. */
  dot: string;
  /** True when a limit stopped the evaluation; the DOT then carries a label saying so. */
  truncated: boolean;
  /** The limit that stopped it. */
  cut?: DiagramCut;
  /**
   * Slugs of every page whose content or existence the DOT depends on (missing pages under the slug
   * they would get), the page itself included.
   */
  visited: string[];
  /** True when BACKLINKS was used: the DOT then also depends on pages not listed in `visited`. */
  usesBacklinks: boolean;
}

/** Markup the evaluator cannot do; the message follows the plugin's "can't do …" wording. */
export class DiagramMarkupError extends Error {
  override name = 'DiagramMarkupError';
}

export { pageHref } from './reader';

const CUT_LABELS: Record<DiagramCut, string> = {
  pages: 'Diagram cut: it would visit too many pages',
  nodes: 'Diagram cut: it would draw too many nodes',
  time: 'Diagram cut: it took too long to evaluate',
};

/** How many `DOT FROM` redirections are followed before giving up. */
const MAX_FROM_HOPS = 3;
/** Longest WHERE regular expression accepted. */
const MAX_WHERE_PATTERN = 200;
/**
 * How long one `WHERE /regex/` may take over a page's items. A member's pattern runs on the main
 * thread against text of up to the page limit, and a pattern such as `(a+)+b` backtracks
 * exponentially: it runs in a vm context whose timeout interrupts it (V8 stops a regex match on
 * an interrupt), and a pattern past the limit is refused like any other it cannot do.
 */
export const WHERE_TIME_LIMIT_MS = 100;
const whereContext = vm.createContext(Object.create(null) as object);

/** Which of the texts the pattern matches, within WHERE_TIME_LIMIT_MS in all (or undefined). */
function matchWithin(regex: RegExp, texts: readonly string[]): boolean[] | undefined {
  const scope = whereContext as { re?: RegExp; texts?: readonly string[] };
  scope.re = regex;
  scope.texts = texts;
  try {
    const found: unknown = vm.runInContext('texts.map((t) => re.test(t))', whereContext, {
      timeout: WHERE_TIME_LIMIT_MS,
    });
    return Array.from(found as ArrayLike<boolean>);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return undefined;
    throw err;
  } finally {
    delete scope.re;
    delete scope.texts;
  }
}

/** The plugin's keyword tests, in the order it tries them (so `HEREAFTER` is a HERE line). */
const KEYWORDS: [string, RegExp][] = [
  ['LINKS', /^LINKS/],
  ['BACKLINKS', /^BACKLINKS/],
  ['GRAPH', /^GRAPH$/],
  ['HERE', /^HERE/],
  ['WHERE', /^WHERE/],
  ['FAKE', /^FAKE/],
  ['LINEUP', /^LINEUP$/],
  ['STATIC', /^STATIC/],
];

type Tree = (string | Tree)[];

interface Context {
  graph: string;
  /** The name in context: a page title, or a link's text. */
  name: string;
  /** The page in context. */
  page: DiagramPage;
  /** The items of the page in context that WHERE kept. */
  want: DiagramItem[];
  /** A read of the page called `name`, started early. */
  pending?: Promise<DiagramPage | undefined>;
}

/**
 * Evaluates a graphviz item's text in the context of page `here` (a slug).
 * Raw DOT passes through unchanged; `DOT FROM <page>` takes the markup of that page's first
 * graphviz item; text after a `STATIC` line is a stored snapshot and is not evaluated.
 *
 * @throws DiagramMarkupError for markup it cannot do (unknown keyword, bad WHERE, FROM a page
 *   without a graphviz item).
 */
export async function evaluateMarkup(
  text: string,
  here: string,
  reader: HandbookReader,
  limits: DiagramLimits = {},
): Promise<EvaluatedDiagram> {
  const visited = new Set<string>([here]);
  let source = text.replace(/\r\n?/g, '\n');

  for (let hop = 0; ; hop++) {
    // The plugin takes a slug ([a-z0-9-]+); a title (spaces, any script) is accepted as well.
    const from = /^DOT FROM[ \t]+([^\n]*?)[ \t]*(?:\n|$)/.exec(source);
    if (!from || from[1] === '') break;
    if (hop === MAX_FROM_HOPS) throw new DiagramMarkupError(`can't do\n${from[0].trim()}`);
    source = await markupFrom(from[1] ?? '', reader, visited, from[0].trim());
  }
  source = withoutSnapshot(source);

  const header = /^DOT ((?:strict )?(?:di)?graph)[ \t]*(?:\n|$)/.exec(source);
  if (!header) {
    // Raw DOT: drawn as written, with links on the nodes that name existing pages.
    const maxNodes = limits.maxNodes ?? DEFAULT_DIAGRAM_LIMITS.maxNodes;
    const dot = await linkRawDot(source, reader, visited, maxNodes);
    return { dot, truncated: false, visited: [...visited], usesBacklinks: false };
  }
  const graph = header[1] ?? 'digraph';
  const tree = parseTree(source.slice(header[0].length).split('\n'));

  const page = (await reader.page(here)) ?? { slug: here, title: here, story: [] };
  const run = new Evaluation(reader, { ...DEFAULT_DIAGRAM_LIMITS, ...limits }, graph, visited);
  await run.eval(tree, { graph, name: page.title, page, want: page.story.slice() });
  return run.finish();
}

async function markupFrom(
  ref: string,
  reader: HandbookReader,
  visited: Set<string>,
  line: string,
): Promise<string> {
  const slug = await reader.resolve(ref);
  visited.add(slug ?? slugForTitle(ref));
  const page = slug === undefined ? undefined : await reader.page(slug);
  const item = page?.story.find((each) => each.type === 'graphviz');
  if (item) return (item.text ?? '').replace(/\r\n?/g, '\n');
  // The built-in page may not be stored in a handbook; its markup is always known.
  if (slugForTitle(ref) === PREVIEW_NEXT_DIAGRAM_SLUG) return PREVIEW_NEXT_DIAGRAM_MARKUP;
  throw new DiagramMarkupError(`can't do\n${line}`);
}

/**
 * A `STATIC` line separates live markup from a stored snapshot of its DOT: markup keeps what comes
 * before it, anything else (a snapshot saved alone) keeps what comes after it.
 */
export function withoutSnapshot(text: string): string {
  const mark = /^[ \t]*STATIC[ \t]*$/m.exec(text);
  if (!mark) return text;
  return text.startsWith('DOT')
    ? text.slice(0, mark.index).trimEnd()
    : text.slice(mark.index + mark[0].length).trim();
}

/**
 * Lines into nested arrays by indentation (leading spaces), as the plugin builds its tree: a line
 * indented more than the one before opens a nested block, one indented less closes blocks until
 * its level. A blank line counts as a line at its own indentation (usually none), so it ends the
 * blocks above it: an indented line after it opens a new block rather than continuing the old one.
 * Trailing spaces are dropped (the plugin keeps them, and then refuses `HERE ` or `ELSE `).
 */
export function parseTree(lines: string[]): Tree {
  let at = 0;
  const build = (into: Tree, indent: number): Tree => {
    while (at < lines.length) {
      const line = lines[at] ?? '';
      const spaces = /^ */.exec(line)?.[0].length ?? 0;
      if (spaces === indent) {
        into.push(line.slice(spaces).trimEnd());
        at++;
      } else if (spaces > indent) {
        const nested: Tree = [];
        into.push(nested);
        build(nested, spaces);
      } else {
        return into;
      }
    }
    return into;
  };
  return build([], 0);
}

/** A DOT quoted string of `text`. */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A node label: the name broken into lines of about 20 characters. */
function wrappedLabel(name: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of name.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > 20) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return `"${lines.map((l) => l.replace(/\\/g, '\\\\').replace(/"/g, '\\"')).join('\\n')}"`;
}

/**
 * The arcs of a graph item's text, read as wiki-plugin-graph reads it: `A --> B`, `A <-- B`,
 * `A <-> B`, chains (`A --> B --> C`), a line starting with an operator continuing from the last
 * name of the line before, `HERE` standing for `here`. Keyed in the plugin's order (an object's
 * key order: integer-like names first); no prototype, so no name is special.
 */
export function graphArcs(here: string, text: string): Record<string, Set<string>> {
  // Sets keep the plugin's first-seen order and make a repeated arc cheap to skip.
  const graph = Object.create(null) as Record<string, Set<string>>;
  let left: string | undefined;
  let op: string | undefined;
  for (const line of text.split('\n')) {
    for (const token of line.trim().split(/\s*(-->|<--|<->)\s*/)) {
      if (token === '') continue;
      if (token === '-->' || token === '<--' || token === '<->') {
        op = token;
        continue;
      }
      const right = token === 'HERE' ? here : token;
      graph[right] ??= new Set();
      if (left !== undefined && op !== undefined) {
        if (op !== '<--') graph[left]?.add(right);
        if (op !== '-->') graph[right].add(left);
      }
      left = right;
      op = undefined;
    }
  }
  return graph;
}

function startsWithHere(tree: Tree): boolean {
  return tree.some((line) => typeof line === 'string' && line.startsWith('HERE'));
}

function noop(): void {}

class Evaluation {
  private readonly lines: string[] = [];
  private readonly nodes = new Set<string>();
  private readonly pageNodes = new Set<string>();
  private readonly slugs = new Map<string, Promise<string | undefined>>();
  private readonly pages = new Map<string, Promise<DiagramPage | undefined>>();
  private readonly started = performance.now();
  private readonly kind: '->' | '--';
  private readonly maxStatements: number;
  private visits = 0;
  private cut: DiagramCut | undefined;
  private usesBacklinks = false;

  constructor(
    private readonly reader: HandbookReader,
    private readonly limits: Required<DiagramLimits>,
    private readonly graph: string,
    private readonly visited: Set<string>,
  ) {
    this.kind = graph.endsWith('digraph') ? '->' : '--';
    // Duplicate edges add statements without nodes; bound them too.
    this.maxStatements = limits.maxNodes * 10;
  }

  /** Runs one level's lines, then each nested block in turn. */
  async eval(tree: Tree, context: Context): Promise<void> {
    const deeper: { tree: Tree; context: Context }[] = [];
    let pc = 0;
    while (pc < tree.length && !this.stopped()) {
      const ir = tree[pc++] ?? '';
      const nest = (): Tree => {
        const next = tree[pc];
        if (Array.isArray(next)) {
          pc++;
          return next;
        }
        return [];
      };
      if (Array.isArray(ir)) {
        deeper.push({ tree: ir, context });
        continue;
      }
      if (!/^[A-Z]/.test(ir)) {
        // A blank line ends blocks (see parseTree) but is no statement.
        if (ir !== '') this.emit(ir, []);
        continue;
      }
      // The plugin's keyword tests, in its order: a line is the first keyword it starts with.
      const keyword = KEYWORDS.find(([, shape]) => shape.test(ir))?.[0];
      switch (keyword) {
        case 'LINKS': {
          const text = context.want.map((item) => item.text ?? '').join('\n');
          this.relate(ir, 'LINKS', context, linksIn(text), nest(), deeper);
          break;
        }
        case 'BACKLINKS': {
          const block = nest();
          this.usesBacklinks = true;
          const names = await this.backlinkTitles(context);
          this.relate(ir, 'BACKLINKS', context, names, block, deeper);
          break;
        }
        case 'GRAPH':
          this.graphItems(context);
          break;
        case 'HERE': {
          const block = nest();
          const page = await (context.pending ?? this.fetch(context));
          if (page) {
            // As the plugin reads it: the label is the run of letters, digits and spaces after
            // `HERE NODE` and an optional quote; whatever follows it (a closing quote, text) is
            // ignored. Letters of any script count (the plugin's \w only knows ASCII).
            const label = /^HERE NODE "?([\p{L}\p{M}\p{N}_\s]+)/u.exec(ir)?.[1];
            if (ir === 'HERE NODE') {
              this.emit(quote(context.name), [context.name], [context.name]);
            } else if (label !== undefined) {
              this.emit(
                `${quote(label)} ${this.kind} ${quote(context.name)} [style=dotted]`,
                [label, context.name],
                [context.name],
              );
            } else if (ir !== 'HERE') {
              throw new DiagramMarkupError(`can't do here\n${ir}`);
            }
            deeper.push({
              tree: block,
              context: { ...context, page, want: page.story, pending: undefined },
            });
          }
          if (tree[pc] === 'ELSE') {
            pc++;
            const otherwise = nest();
            if (!page) deeper.push({ tree: otherwise, context });
          }
          break;
        }
        case 'WHERE': {
          deeper.push({ tree: nest(), context: { ...context, want: this.where(ir, context) } });
          break;
        }
        case 'FAKE': {
          const forward = /^FAKE HERE (->|--) NODE/.exec(ir);
          const backward = /^FAKE NODE (->|--) HERE/.exec(ir);
          if (forward) {
            const fake = `post-${context.name}`;
            this.emit(
              `${quote(context.name)} ${forward[1]} ${quote(fake)}`,
              [context.name, fake],
              [context.name],
            );
          } else if (backward) {
            const fake = `pre-${context.name}`;
            this.emit(
              `${quote(fake)} ${backward[1]} ${quote(context.name)}`,
              [fake, context.name],
              [context.name],
            );
          } else {
            throw new DiagramMarkupError(`can't do fake\n${ir}`);
          }
          break;
        }
        case 'LINEUP':
          // The lineup is the reader's browser state; a server has none, so nothing is drawn
          // (the plugin, too, draws nothing for a page opened alone).
          nest();
          break;
        case 'STATIC':
          // What follows is a stored snapshot, not markup.
          pc = tree.length;
          break;
        default:
          throw new DiagramMarkupError(`can't do\n${ir}`);
      }
    }
    for (const child of deeper) {
      if (this.stopped()) return;
      await this.eval(child.tree, child.context);
    }
  }

  /** The DOT, with URLs on page nodes and a label when a limit was hit. */
  async finish(): Promise<EvaluatedDiagram> {
    const body = [...this.lines];
    if (this.cut) {
      body.push(`label=${quote(CUT_LABELS[this.cut])}`, 'labelloc=b', 'fontcolor=firebrick');
    }
    const names = [...this.pageNodes];
    const slugs = await Promise.all(names.map((name) => this.slugOf(name)));
    names.forEach((name, i) => {
      const href = pageHref(slugs[i] ?? slugForTitle(name));
      body.push(
        `${quote(name)} [URL=${quote(href)} target="_top" tooltip=${quote(name)} label=${wrappedLabel(name)}]`,
      );
    });
    return {
      dot: `${this.graph} {\n${body.join('\n')}\n}`,
      truncated: this.cut !== undefined,
      ...(this.cut ? { cut: this.cut } : {}),
      visited: [...this.visited],
      usesBacklinks: this.usesBacklinks,
    };
  }

  private relate(
    ir: string,
    word: 'LINKS' | 'BACKLINKS',
    context: Context,
    names: string[],
    block: Tree,
    deeper: { tree: Tree; context: Context }[],
  ): void {
    const forward = new RegExp(`^${word} HERE (->|--) NODE`).exec(ir);
    const backward = new RegExp(`^${word} NODE (->|--) HERE`).exec(ir);
    // Like the plugin, a line of no known shape is refused only when there is something to draw.
    if (!forward && !backward && ir !== word && names.length > 0) {
      throw new DiagramMarkupError(`can't do ${word === 'LINKS' ? 'link' : 'backlink'}\n${ir}`);
    }
    const fetchEarly = startsWithHere(block);
    for (const name of names) {
      if (this.stopped()) return;
      if (forward) {
        const both = [context.name, name];
        this.emit(`${quote(context.name)} ${forward[1]} ${quote(name)}`, both, both);
      } else if (backward) {
        const both = [name, context.name];
        this.emit(`${quote(name)} ${backward[1]} ${quote(context.name)}`, both, both);
      }
      if (block.length > 0) {
        const child: Context = { ...context, name, pending: undefined };
        if (fetchEarly) {
          // Start the read now so that the pages of one level load concurrently.
          child.pending = this.fetch(child);
          child.pending.catch(noop);
        }
        deeper.push({ tree: block, context: child });
      }
    }
  }

  private where(ir: string, context: Context): DiagramItem[] {
    const pattern = /\/(.*?)\//.exec(ir);
    if (pattern) {
      const source = pattern[1] ?? '';
      if (source.length > MAX_WHERE_PATTERN) {
        throw new DiagramMarkupError(`can't do where (pattern too long)\n${ir}`);
      }
      let regex: RegExp;
      try {
        regex = new RegExp(source);
      } catch {
        throw new DiagramMarkupError(`can't do where\n${ir}`);
      }
      const matched = matchWithin(
        regex,
        context.want.map((item) => item.text ?? ''),
      );
      if (matched === undefined)
        throw new DiagramMarkupError(`can't do where (the pattern takes too long)\n${ir}`);
      return context.want.filter((_item, i) => matched[i] === true);
    }
    // The plugin's fold names are [a-z_-]+; a name it cannot read (capitals, other scripts) is
    // taken whole here, where the plugin would filter on a field named after its lower-case tail.
    const fold = / FOLD ([a-z_-]+)/.exec(ir) ?? / FOLD (\S+)/.exec(ir);
    if (fold) {
      let within = false;
      return context.want.filter((item) => {
        if (item.type === 'pagefold') within = item.text === fold[1];
        return within;
      });
    }
    // As the plugin does: the first run of lower-case letters and `_` on the line names a field.
    const attribute = /[a-z_]+/.exec(ir);
    if (attribute) {
      const field = attribute[0];
      return context.want.filter((item) => Boolean(item[field]));
    }
    throw new DiagramMarkupError(`can't do where\n${ir}`);
  }

  /**
   * GRAPH: the graph items (wiki-plugin-graph's `A --> B` lines) of the items in context, drawn as
   * the plugin draws them: each node, then its arcs, `HERE` standing for the name in context.
   */
  private graphItems(context: Context): void {
    for (const item of context.want) {
      if (item.type !== 'graph') continue;
      const arcs = graphArcs(context.name, item.text ?? '');
      for (const from of Object.keys(arcs)) {
        this.emit(quote(from), [from], [from]);
        for (const to of arcs[from] ?? []) {
          this.emit(`${quote(from)} ${this.kind} ${quote(to)}`, [from, to], [from, to]);
        }
      }
    }
  }

  private async backlinkTitles(context: Context): Promise<string[]> {
    const slug =
      context.name === context.page.title ? context.page.slug : await this.slugOf(context.name);
    if (slug === undefined) return [];
    const titles: string[] = [];
    for (const from of await this.reader.backlinks(slug)) {
      const page = await this.read(from);
      if (this.stopped()) break;
      if (page) titles.push(page.title);
    }
    return titles;
  }

  /** The page called `context.name`: the page in context itself, or a read. */
  private fetch(context: Context): Promise<DiagramPage | undefined> {
    if (context.name === context.page.title) return Promise.resolve(context.page);
    return this.slugOf(context.name).then((slug) =>
      slug === undefined ? undefined : this.read(slug),
    );
  }

  /** One page read, counted against the page-visit limit; repeated reads share one promise. */
  private read(slug: string): Promise<DiagramPage | undefined> {
    if (this.stopped()) return Promise.resolve(undefined);
    if (++this.visits > this.limits.maxPages) {
      this.cut = 'pages';
      return Promise.resolve(undefined);
    }
    this.visited.add(slug);
    let page = this.pages.get(slug);
    if (!page) {
      page = this.reader.page(slug);
      this.pages.set(slug, page);
    }
    return page;
  }

  private slugOf(name: string): Promise<string | undefined> {
    let slug = this.slugs.get(name);
    if (!slug) {
      slug = this.reader.resolve(name).then((found) => {
        // A missing page matters too: creating it changes the picture.
        this.visited.add(found ?? slugForTitle(name));
        return found;
      });
      this.slugs.set(name, slug);
    }
    return slug;
  }

  /** Adds a statement unless a limit is reached; `names` are the nodes it mentions. */
  private emit(line: string, names: string[], pageNames: string[] = []): void {
    if (this.stopped()) return;
    const fresh = names.filter((name) => !this.nodes.has(name));
    if (this.nodes.size + new Set(fresh).size > this.limits.maxNodes) {
      this.cut = 'nodes';
      return;
    }
    if (this.lines.length >= this.maxStatements) {
      this.cut = 'nodes';
      return;
    }
    for (const name of names) this.nodes.add(name);
    for (const name of pageNames) this.pageNodes.add(name);
    this.lines.push(line);
  }

  private stopped(): boolean {
    if (this.cut) return true;
    if (performance.now() - this.started > this.limits.timeBudgetMs) this.cut = 'time';
    return this.cut !== undefined;
  }
}
