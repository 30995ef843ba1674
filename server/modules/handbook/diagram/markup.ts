/**
 * Federated Wiki's algorithmic Graphviz markup, evaluated on the server against a handbook.
 *
 * The dialect is the one of the wiki-plugin-graphviz plugin: a first line `DOT [strict] graph|digraph`,
 * then indented lines. Lines that start with a capital letter are keywords (HERE, LINKS, BACKLINKS,
 * WHERE, ELSE, FAKE, STATIC, LINEUP); every other line (`node […]`, `edge […]`, `rankdir=LR`, edges
 * written by hand) passes through. Each keyword sets the context for the block indented under it.
 * The evaluator runs every line of one level first and only then each nested block in turn, in the
 * order they were met, so that `node […]` defaults written at one level apply to the nodes that
 * level draws before deeper levels draw theirs (Graphviz applies defaults to nodes created later).
 *
 * Differences from the plugin, on purpose: node ids are the full page names (the plugin breaks them
 * at spaces); the wrapped form becomes the node's label, and every page node gets a URL to its page
 * and its name as tooltip. Work is bounded by a page-visit limit, a node limit and a time budget.
 */
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
    const from = /^DOT FROM (\S+)[ \t]*(?:\n|$)/.exec(source);
    if (!from) break;
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

/** Lines into nested arrays by indentation (spaces), blank lines dropped. */
export function parseTree(lines: string[]): Tree {
  const queue = lines.filter((line) => line.trim() !== '');
  const build = (into: Tree, indent: number): Tree => {
    while (queue.length > 0) {
      const line = queue[0] ?? '';
      const spaces = /^ */.exec(line)?.[0].length ?? 0;
      if (spaces === indent) {
        into.push(line.slice(spaces).trimEnd());
        queue.shift();
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
  // The first level may itself be indented (the plugin's examples indent it by two spaces).
  const first = queue[0];
  const indent = first === undefined ? 0 : (/^ */.exec(first)?.[0].length ?? 0);
  const root = build([], indent);
  // Lines indented less than the first level would stop parsing; keep them at the top.
  while (queue.length > 0) {
    const line = queue[0] ?? '';
    const spaces = /^ */.exec(line)?.[0].length ?? 0;
    build(root, spaces);
  }
  return root;
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
        this.emit(ir, []);
        continue;
      }
      const keyword = ir.split(/\s/, 1)[0];
      switch (keyword) {
        case 'LINKS': {
          const text = context.want.map((item) => item.text ?? '').join('\n');
          this.relate(ir, 'LINKS', context, linksIn(text), nest(), deeper);
          break;
        }
        case 'BACKLINKS': {
          const block = nest();
          this.check(ir, /^BACKLINKS( (HERE (->|--) NODE|NODE (->|--) HERE))?$/, 'backlink');
          this.usesBacklinks = true;
          const names = await this.backlinkTitles(context);
          this.relate(ir, 'BACKLINKS', context, names, block, deeper);
          break;
        }
        case 'HERE': {
          const block = nest();
          this.check(ir, /^HERE( NODE( "?[\p{L}\p{N}_\s]+"?)?)?$/u, 'here');
          const page = await (context.pending ?? this.fetch(context));
          if (page) {
            const label = /^HERE NODE "?([\p{L}\p{N}_\s]+)/u.exec(ir)?.[1];
            if (ir === 'HERE NODE') {
              this.emit(quote(context.name), [context.name], [context.name]);
            } else if (label !== undefined) {
              this.emit(
                `${quote(label)} ${this.kind} ${quote(context.name)} [style=dotted]`,
                [label, context.name],
                [context.name],
              );
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
          // The lineup is the reader's browser state; a server has none, so nothing is drawn.
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
    if (!forward && !backward && ir !== word) {
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
      return context.want.filter((item) => regex.test(item.text ?? ''));
    }
    const fold = / FOLD (\S+)/.exec(ir);
    if (fold) {
      let within = false;
      return context.want.filter((item) => {
        if (item.type === 'pagefold') within = item.text === fold[1];
        return within;
      });
    }
    const attribute = /^WHERE ([a-z_]+)$/.exec(ir);
    if (attribute) {
      const field = attribute[1] ?? '';
      return context.want.filter((item) => Boolean(item[field]));
    }
    throw new DiagramMarkupError(`can't do where\n${ir}`);
  }

  private check(ir: string, shape: RegExp, what: string): void {
    if (!shape.test(ir)) throw new DiagramMarkupError(`can't do ${what}\n${ir}`);
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
