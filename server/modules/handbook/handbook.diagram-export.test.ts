/**
 * Diagrams travel: a handbook page whose graphviz item is `DOT FROM preview-next-diagram`, exported
 * and served by the real Federated Wiki server (npm package `wiki`), is drawn there by the real
 * wiki-plugin-graphviz: the plugin's own code (fedwiki-plugin.ts) reads the pages over HTTP from
 * that server, as a fedwiki client viewing the page does, finds the built-in page the export
 * carries, and draws what our evaluator draws.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WikiExport } from '@common/api/handbook';
import { listsPages, startFedwiki, type Fedwiki } from '@server/test/fedwiki';
import { testDialect } from '@server/test/test-app';
import { evaluateMarkup } from './diagram';
import {
  dotStatements,
  pluginDot,
  type FedwikiPage,
  type FedwikiSite,
  type SitemapEntry,
} from './diagram/fedwiki-plugin';
import { memoryReader } from './diagram/reader';
import { PREVIEW_NEXT_DIAGRAM_MARKUP } from './diagram/preview-next';
import { HandbookRepo } from './handbook.repo';
import { buildHandbookTestApp, createPage, type HandbookTestApp } from './handbook.test-helpers';
import { exportAll } from './handbook.transfer';

const para = (id: string, text: string) => ({ type: 'paragraph', id, text });

let t: HandbookTestApp;
let wiki: Fedwiki | undefined;
let url = '';
let exported: WikiExport = {};

beforeAll(async () => {
  t = await buildHandbookTestApp();
  await createPage(t, 'How we work', [para('w1', 'Next: [[Circles]]')]);
  await createPage(t, 'Circles', [
    para('c1', 'Previous: [[How we work]]'),
    para('c2', 'Our circles: [[Tech circle]] and [[Product circle]].'),
    { type: 'graphviz', id: 'c3', text: 'DOT FROM preview-next-diagram' },
    { type: 'graphviz', id: 'c4', text: 'DOT FROM no-such-diagram' },
  ]);
  await createPage(t, 'Tech circle', [
    para('t1', 'Previous: [[Circles]]'),
    para('t2', 'Next: [[Product circle]]'),
  ]);
  await createPage(t, 'Product circle', [para('p1', 'Previous: [[Tech circle]]')]);
  exported = await exportAll(HandbookRepo.from(t.db));

  wiki = await startFedwiki({ pages: exported, ready: listsPages(Object.keys(exported).length) });
  url = wiki.url;
}, 120_000);

afterAll(async () => {
  await wiki?.stop();
  await t?.close();
});

/** The fedwiki server as the plugin's site adapter sees it. */
async function served(): Promise<FedwikiSite> {
  const sitemap = (await (await fetch(`${url}/system/sitemap.json`)).json()) as SitemapEntry[];
  return {
    sitemap,
    get: async (slug) => {
      const res = await fetch(`${url}/${slug}.json`);
      return res.ok ? ((await res.json()) as FedwikiPage) : undefined;
    },
  };
}

describe(`a diagram exported on ${testDialect()} draws in a Federated Wiki site`, () => {
  it('the export carries the built-in markup page the handbook uses', () => {
    expect(Object.keys(exported).sort()).toEqual([
      'circles',
      'how-we-work',
      'preview-next-diagram',
      'product-circle',
      'tech-circle',
    ]);
    const builtIn = exported['preview-next-diagram'];
    expect(builtIn?.title).toBe('Preview Next Diagram');
    expect(builtIn?.story.find((i) => i.type === 'graphviz')?.text).toBe(
      PREVIEW_NEXT_DIAGRAM_MARKUP,
    );
  });

  it('the real plugin finds it there and draws what we draw', async () => {
    const site = await served();
    const page = await site.get('circles');
    expect(page).toBeDefined();
    if (!page) return;
    const host = new URL(url).host;
    const drawn = await pluginDot('DOT FROM preview-next-diagram', page, site, host);
    if ('error' in drawn) throw new Error(`the plugin could not draw it: ${drawn.error}`);
    const plugin = dotStatements(drawn.dot);
    expect(plugin.body).toEqual(
      expect.arrayContaining([
        '"Circles"',
        '"Circles" -> "Tech circle"',
        '"Tech circle" -> "Product circle"',
        '"How we work" -> "Circles"',
      ]),
    );

    const reader = memoryReader(
      Object.entries(exported).map(([slug, p]) => ({ slug, title: p.title, story: p.story })),
    );
    const ours = dotStatements(
      (await evaluateMarkup('DOT FROM preview-next-diagram', 'circles', reader)).dot,
    );
    expect({
      graph: ours.graph,
      body: ours.body.filter((s) => !/^"(?:[^"\\]|\\.)*" \[URL=/.test(s)),
    }).toEqual(plugin);
  });

  it('a page the site does not serve fails in the plugin as the issue saw it', async () => {
    const site = await served();
    const page = await site.get('circles');
    if (!page) throw new Error('no page');
    const drawn = await pluginDot('DOT FROM no-such-diagram', page, site, new URL(url).host);
    expect(drawn).toEqual({ error: "Cannot read properties of null (reading 'page')" });
  });
});
