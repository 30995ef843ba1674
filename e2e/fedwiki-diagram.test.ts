/**
 * Diagrams travel, in a browser: a handbook whose page has `DOT FROM preview-next-diagram` is
 * exported (exportAll over a real database), served by the real Federated Wiki server (npm package
 * `wiki`, with --packageDir at the project's node_modules, so it serves its own client and the
 * real wiki-plugin-graphviz), and opened in Debian chromium with the fedwiki client: the plugin
 * draws the diagram (an SVG with the page's neighbours), not an error.
 *
 * Needs no build of our app: only the export runs our code.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WikiExport } from '@common/api/handbook';
import { HandbookRepo } from '@server/modules/handbook/handbook.repo';
import { exportAll, importExport } from '@server/modules/handbook/handbook.transfer';
import { ManualClock } from '@server/platform/clock';
import { migrateToLatest, openDb, type DbHandle } from '@server/platform/db';
import { startFedwiki, type Fedwiki } from '@server/test/fedwiki';
import { CHROMIUM, CHROMIUM_ARGS, SLOW_TEST_MS } from './harness';

const para = (id: string, text: string) => ({ type: 'paragraph', id, text });
const created = (title: string) => [{ type: 'create', item: { title, story: [] }, date: 1 }];

/** The handbook, as an import would bring it in. */
const handbook: WikiExport = {
  'how-we-work': {
    title: 'How we work',
    story: [para('w1', 'Next: [[Circles]]')],
    journal: created('How we work'),
  },
  circles: {
    title: 'Circles',
    story: [
      para('c1', 'Previous: [[How we work]]'),
      para('c2', 'Our circles: [[Tech circle]] and [[Product circle]].'),
      { type: 'graphviz', id: 'c3', text: 'DOT FROM preview-next-diagram' },
    ],
    journal: created('Circles'),
  },
  'tech-circle': {
    title: 'Tech circle',
    story: [para('t1', 'Previous: [[Circles]]')],
    journal: created('Tech circle'),
  },
  'product-circle': {
    title: 'Product circle',
    story: [para('p1', 'Previous: [[Tech circle]]')],
    journal: created('Product circle'),
  },
};

let dir = '';
let db: DbHandle | undefined;
let wiki: Fedwiki | undefined;
let browser: Browser | undefined;
let url = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Debian chromium is required (${CHROMIUM} missing)`);
  dir = mkdtempSync(join(tmpdir(), 'commonhall-fedwiki-diagram-'));
  db = await openDb({ dialect: 'sqlite', filename: join(dir, 'commonhall.sqlite') });
  await migrateToLatest(db.db);
  const repo = HandbookRepo.from(db);
  const report = await importExport(
    repo,
    new ManualClock(new Date('2026-12-01T00:00:00Z')),
    handbook,
  );
  expect(report.refused).toEqual([]);
  const exported = await exportAll(repo);

  wiki = await startFedwiki({
    pages: exported,
    dataDir: join(dir, 'wiki'),
    ready: async (u) =>
      (await fetch(`${u}/plugins/graphviz/graphviz.js`, { signal: AbortSignal.timeout(2000) })).ok,
  });
  url = wiki.url;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, SLOW_TEST_MS);

afterAll(async () => {
  await browser?.close();
  await wiki?.stop();
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an exported DOT FROM preview-next-diagram in a Federated Wiki site', () => {
  it(
    'is drawn by the real graphviz plugin in the fedwiki client',
    async () => {
      if (!browser) throw new Error('no browser');
      const context = await browser.newContext();
      const page = await context.newPage();
      const outside: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(url) && !request.url().startsWith('data:'))
          outside.push(request.url());
      });
      await page.goto(`${url}/view/circles`);
      const item = page.locator('.item.graphviz');
      await item.locator('svg').first().waitFor({ timeout: 60_000 });
      const labels = await item.locator('svg .node text').allTextContents();
      // The plugin breaks names at spaces: one text element per word.
      expect(labels).toEqual(expect.arrayContaining(['Circles', 'Tech', 'circle', 'Product']));
      expect(labels).toEqual(expect.arrayContaining(['How', 'we', 'work']));
      expect(await item.textContent()).not.toContain('Cannot read properties of null');
      expect(outside).toEqual([]);
      await context.close();
    },
    SLOW_TEST_MS,
  );
});
