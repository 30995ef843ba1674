/**
 * For tests: the real wiki-plugin-graphviz (from node_modules, unmodified) evaluating markup, in a
 * VM context with the little of a browser and of the fedwiki client its code touches:
 *
 * - `window.plugins`, so the plugin registers `{emit, bind}`; its `bind($item, item)` is what the
 *   fedwiki client calls, and it runs the plugin's own `makedot` on the item's text;
 * - a `$item` whose `.parents('.page')` carries the page (`data('data')`) as the client's does;
 * - `wiki.asSlug` (the client's own, from wiki-client), `wiki.site(site).get(route)` answering a
 *   page's JSON or rejecting as the client's site adapter does for a missing page, and
 *   `wiki.neighborhoodObject.backLinks` (the client's own, over the site's sitemap);
 * - `draw(dot)`: the one part replaced. The plugin imports its copy of Graphviz (viz-global.js) as
 *   a browser script, which a VM context cannot; here the DOT is laid out by the project's
 *   @viz-js/viz (the same Graphviz in WebAssembly), so DOT that Graphviz refuses is refused as in
 *   the browser, and the DOT the plugin computed is what `item.dot` keeps.
 *
 * Nothing of the plugin's evaluation is rewritten: the script runs as the browser runs it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Script, createContext } from 'node:vm';
import { instance, type Viz } from '@viz-js/viz';

const require = createRequire(import.meta.url);

/** A page as a fedwiki site serves it (`/<slug>.json`). */
export interface FedwikiPage {
  title: string;
  story: { type: string; id?: string; text?: string; [field: string]: unknown }[];
  journal?: { type: string; site?: string; [field: string]: unknown }[];
}

/** One entry of a fedwiki site's `/system/sitemap.json`. */
export interface SitemapEntry {
  slug: string;
  title: string;
  date?: number;
  links?: Record<string, string>;
}

/** The site the plugin reads pages from. */
export interface FedwikiSite {
  /** The page at a slug, or undefined when the site has none (404). */
  get(slug: string): Promise<FedwikiPage | undefined>;
  sitemap: SitemapEntry[];
}

/** What the plugin made of an item: the DOT it would draw, or the message it shows instead. */
export type PluginResult = { dot: string } | { error: string };

const pluginDir = resolve('node_modules/wiki-plugin-graphviz');
const pluginScript = new Script(readFileSync(resolve(pluginDir, 'client/graphviz.js'), 'utf8'), {
  filename: resolve(pluginDir, 'client/graphviz.js'),
});
// Run after the plugin in the same context: its top-level `draw` and `drawInitialized` are the
// lexical bindings every script of a page shares. The plugin's own initialisation imports Graphviz
// (viz-global.js), which a VM context cannot; that promise is settled and replaced.
const drawStandIn = new Script(
  `drawInitialized.catch(() => {});
   drawInitialized = Promise.resolve();
   draw = async (dot) => ({ outerHTML: layout(dot), addEventListener() {}, aspectData() {} });`,
);

const { asSlug } = require('wiki-client/lib/page.js') as { asSlug: (name: string) => string };
const neighborhood = require('wiki-client/lib/neighborhood.js') as {
  sites: Record<string, { sitemap?: SitemapEntry[] }>;
  backLinks(slug: string): Record<string, { title: string }>;
};

let vizInstance: Promise<Viz> | undefined;
function graphviz(): Promise<Viz> {
  vizInstance ??= instance();
  return vizInstance;
}

/** Federated Wiki's slug of a title (the client's own asSlug). */
export { asSlug };

/**
 * Evaluates a graphviz item's text with the real plugin, on `page` (the page holding the item) of
 * `site`, as a fedwiki client viewing that page at `host` would.
 */
export async function pluginDot(
  text: string,
  page: FedwikiPage,
  site: FedwikiSite,
  host = 'localhost:3000',
): Promise<PluginResult> {
  const errors: string[] = [];
  const viz = await graphviz();
  const here = withJournal(page);
  const $page = {
    data: (key: string) => (key === 'data' ? here : undefined),
    attr: () => asSlug(page.title),
  };
  const $item = {
    parents: () => $page,
    on: () => $item,
    find: () => ({ html: () => undefined, get: () => ({ append: () => undefined }) }),
    get: () => ({ classList: { add: () => undefined } }),
    html: () => $item,
    data: () => ({ item }),
  };
  const item: { type: string; id: string; text: string; dot?: string } = {
    type: 'graphviz',
    id: 'compared',
    text,
  };
  neighborhood.sites = { [host]: { sitemap: site.sitemap } };
  const wiki = {
    asSlug,
    site: () => ({
      // The client's site adapter: a promise of the page's JSON, rejected for a missing page.
      get: async (route: string) => {
        const found = await site.get(route.replace(/\.json$/, ''));
        if (found === undefined) throw new Error(`404 ${route}`);
        return withJournal(structuredClone(found));
      },
    }),
    neighborhoodObject: neighborhood,
  };
  const sandbox: Record<string, unknown> = {
    plugins: {},
    addEventListener: () => undefined,
    wiki,
    // Throws Graphviz's message for DOT it cannot draw, as renderSVGElement does in the browser.
    layout: (dot: string) => viz.renderString(dot, { format: 'svg' }),
    location: { host },
    localStorage: { getItem: () => null },
    // LINEUP reads the pages left of this one: there are none.
    $: () => ({ index: () => 0, each: () => undefined }),
    console: {
      log: (first: unknown, err?: unknown) => {
        // The error is of the context's realm: read its message, not its class.
        if (first === 'makedot') errors.push(String((err as { message?: unknown }).message));
      },
      error: () => undefined,
    },
  };
  // The plugin registers itself on `window.plugins`: the global is its own window.
  sandbox.window = sandbox;
  const context = createContext(sandbox);
  pluginScript.runInContext(context);
  drawStandIn.runInContext(context);
  const plugin = (sandbox.plugins as { graphviz: { bind: (...args: unknown[]) => Promise<void> } })
    .graphviz;
  await plugin.bind($item, item);
  if (errors.length > 0) return { error: errors[0] ?? '' };
  if (item.dot === undefined) return { error: 'no diagram' };
  return { dot: item.dot };
}

/** Every fedwiki page has a journal (the plugin reads it for the sites to ask); tests may omit it. */
function withJournal(page: FedwikiPage): FedwikiPage {
  return { ...page, journal: page.journal ?? [] };
}

/** A site over pages in memory, keyed by fedwiki slug, with the sitemap a fedwiki server makes. */
export function memorySite(pages: FedwikiPage[]): FedwikiSite {
  const bySlug = new Map(pages.map((p) => [asSlug(p.title), p]));
  return {
    get: async (slug) => bySlug.get(slug),
    sitemap: pages.map((p) => ({ slug: asSlug(p.title), title: p.title, links: linksOf(p) })),
  };
}

/** A page's links as a fedwiki server lists them in its sitemap: slug → id of the first item. */
function linksOf(page: FedwikiPage): Record<string, string> {
  const links: Record<string, string> = {};
  for (const item of page.story) {
    const text = typeof item.text === 'string' ? item.text : '';
    for (const m of text.matchAll(/\[\[([^\]]+)\]\]/g)) {
      const slug = asSlug(m[1] ?? '');
      if (!(slug in links)) links[slug] = item.id ?? '';
    }
    if (item.type === 'reference' && typeof item.slug === 'string' && !(item.slug in links)) {
      links[item.slug] = item.id ?? '';
    }
  }
  return links;
}

/** The statements of a DOT graph: split at line ends outside quoted strings, whitespace folded. */
export function dotStatements(dot: string): { graph: string; body: string[] } {
  const open = dot.indexOf('{');
  const close = dot.lastIndexOf('}');
  const body: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = open + 1; i < close; i++) {
    const c = dot[i] ?? '';
    if (quoted && c === '\\') {
      current += c + (dot[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === '\n' && !quoted) {
      body.push(current);
      current = '';
    } else current += c;
  }
  body.push(current);
  return {
    graph: dot.slice(0, open).trim(),
    body: body.map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s !== ''),
  };
}
