/**
 * Commonhall as a Federated Wiki neighbour, in chromium with the real Federated Wiki client served
 * by the real `wiki` server: the client reaches our site (its /favicon.png probe), shows our pages
 * as remote pages, finds them by content words in its neighbourhood search (our site index), forks
 * one into its own site, and follows a link to a Unicode-titled page by Federated Wiki's slug.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, signUpAndLogIn } from '@server/test/accounts';
import { SLOW_TEST_MS, startHall, type Hall } from './harness';
import { startFedwiki, type Fedwiki } from '@server/test/fedwiki';

/** Where the screenshot of the remote page is written (open it to see what a fedwiki reader sees). */
const shotDir = process.env.COMMONHALL_SHOTS ?? tmpdir();
let hall: Hall;
let fedwiki: Fedwiki | undefined;
let hallHost = '';

const p = (id: string, text: string) => ({ id, type: 'paragraph', text });

beforeAll(async () => {
  hall = await startHall({ HANDBOOK_STARTER: 'off' });
  hallHost = new URL(hall.baseUrl).host;
  const steward = await signUpAndLogIn(hall.app, { steward: true });
  const pages: [string, unknown[]][] = [
    [
      'Café société',
      [
        p('c1', 'How the neighbourhood café is run.'),
        // Only in a second paragraph: no title and no synopsis (what a sitemap carries) has it.
        p('c2', 'Each evening the kitchen practises mutualisation of leftovers.'),
      ],
    ],
    [
      'Assemblies & deliberations',
      [
        p('a1', 'We decide together.'),
        p('a2', 'Proposals follow mutualisation principles, see [[Café société]].'),
      ],
    ],
    [
      'Welcome to the hall',
      [p('w1', 'Start with [[Café société]] or [[Assemblies & deliberations]].')],
    ],
  ];
  for (const [title, story] of pages) {
    const res = await hall.app.inject({
      method: 'POST',
      url: '/api/v1/handbook/pages',
      headers: authHeaders(steward),
      payload: { title, story },
    });
    if (res.statusCode !== 201) throw new Error(`${title}: ${res.statusCode} ${res.body}`);
  }
  fedwiki = await startFedwiki({
    pages: {
      'welcome-visitors': {
        title: 'Welcome Visitors',
        story: [p('v1', 'The fedwiki side.')],
        journal: [{ type: 'create', item: { title: 'Welcome Visitors', story: [] }, date: 1 }],
      },
    },
  });
}, SLOW_TEST_MS);

afterAll(async () => {
  await fedwiki?.stop();
  await hall?.close();
}, 60_000);

/** The fedwiki client with its own welcome page and then `slug` of our site in the lineup. */
async function openRemote(slug: string): Promise<Page> {
  const page = await hall.newPage();
  await page.goto(`${fedwiki?.url ?? ''}/view/welcome-visitors/${hallHost}/${slug}`);
  return page;
}

/** The lineup page (a `.page` element) with this title in its heading. */
const lineupPage = (page: Page, title: string) =>
  page.locator('.page').filter({ has: page.locator('h1', { hasText: title }) });

describe('Commonhall seen from a Federated Wiki site, in chromium', () => {
  it(
    'shows a Commonhall page as a remote page',
    async () => {
      const page = await openRemote('caf-socit');
      const remote = lineupPage(page, 'Café société');
      await remote.waitFor({ timeout: 30_000 });
      await expect(remote.getAttribute('data-site')).resolves.toBe(hallHost);
      await expect(remote.locator('.story').innerText()).resolves.toContain(
        'mutualisation of leftovers',
      );
      await page.screenshot({ path: join(shotDir, 'fedwiki-remote-page.png') });
      // Its flag is our icon, fetched from our site.
      await expect(remote.locator('h1 img').getAttribute('src')).resolves.toContain(
        `${hallHost}/favicon.png`,
      );
      await page.context().close();
    },
    SLOW_TEST_MS,
  );

  it(
    'finds Commonhall pages in the neighbourhood search by a word only their text has',
    async () => {
      const page = await hall.newPage();
      const indexLoaded = page.waitForResponse(
        (r) => r.url().startsWith(hall.baseUrl) && r.url().endsWith('/system/site-index.json'),
        { timeout: 60_000 },
      );
      await page.goto(
        `${fedwiki?.url ?? ''}/view/welcome-visitors/${hallHost}/welcome-to-the-hall`,
      );
      expect((await indexLoaded).status()).toBe(200);
      // The client loads the index once its text has arrived.
      await page.waitForFunction(
        (site) => {
          const w = (
            window as unknown as { wiki: { neighborhood: Record<string, { siteIndex?: unknown }> } }
          ).wiki;
          return w.neighborhood[site]?.siteIndex !== undefined;
        },
        hallHost,
        { timeout: 30_000 },
      );
      await page.locator('input.search').fill('mutualisation');
      await page.locator('input.search').press('Enter');
      const results = lineupPage(page, "Search for 'mutualisation'");
      await results.waitFor({ timeout: 30_000 });
      const text = await results.locator('.story').innerText();
      expect(text).toContain('Café société');
      expect(text).toContain('Assemblies & deliberations');
      expect(text).not.toContain('Welcome to the hall');
      await page.context().close();
    },
    SLOW_TEST_MS,
  );

  it(
    'forks a Commonhall page into the Federated Wiki site, its journal naming our site',
    async () => {
      const page = await openRemote('assemblies--deliberations');
      const remote = lineupPage(page, 'Assemblies & deliberations');
      await remote.waitFor({ timeout: 30_000 });
      // Editing is off until the reader turns it on ("wiki ✔︎" in the footer); then the page shows
      // its journal and the fork button.
      if (!(await page.locator('.editEnable').isVisible()))
        await page.locator('footer span', { hasText: 'wiki' }).first().click();
      await remote.locator('.fork-page').click();
      const url = `${fedwiki?.url ?? ''}/assemblies--deliberations.json`;
      let forked:
        { title: string; story: unknown[]; journal: { type: string; site?: string }[] } | undefined;
      const deadline = Date.now() + 30_000;
      while (forked === undefined && Date.now() < deadline) {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
        if (res?.ok === true) forked = (await res.json()) as typeof forked;
        else await new Promise((r) => setTimeout(r, 250));
      }
      expect(forked?.title).toBe('Assemblies & deliberations');
      expect(forked?.story).toHaveLength(2);
      expect(forked?.journal.at(-1)).toMatchObject({ type: 'fork', site: hallHost });
      await page.context().close();
    },
    SLOW_TEST_MS,
  );

  it(
    'follows a link in a Commonhall page to a Unicode-titled page',
    async () => {
      const page = await openRemote('welcome-to-the-hall');
      const welcome = lineupPage(page, 'Welcome to the hall');
      await welcome.waitFor({ timeout: 30_000 });
      // Once our sitemap is in the client's neighbourhood, pages drawn show their backlinks.
      await page.waitForFunction(
        (site) => {
          const w = (
            window as unknown as { wiki: { neighborhood: Record<string, { sitemap?: unknown }> } }
          ).wiki;
          return w.neighborhood[site]?.sitemap !== undefined;
        },
        hallHost,
        { timeout: 30_000 },
      );
      const link = welcome.locator('a.internal', { hasText: 'Café société' });
      await expect(link.getAttribute('data-page-name')).resolves.toBe('caf-socit');
      await link.click();
      const cafe = lineupPage(page, 'Café société');
      await cafe.waitFor({ timeout: 30_000 });
      // Fetched from our site: a remote page under our site's name.
      await expect(cafe.getAttribute('class')).resolves.toContain('remote');
      await expect(cafe.locator('h1').getAttribute('title')).resolves.toBe(hallHost);
      await expect(cafe.locator('.story').innerText()).resolves.toContain('neighbourhood café');
      // Backlinks by Federated Wiki's slugs: both pages that link to it ("2 pages link here", the
      // list folded), from our sitemap.
      const backlinks = (await cafe.locator('.backlinks').textContent()) ?? '';
      expect(backlinks).toContain('Welcome to the hall');
      expect(backlinks).toContain('Assemblies & deliberations');
      await page.context().close();
    },
    SLOW_TEST_MS,
  );

  it('answers federation-looking paths with JSON, never the app’s page', async () => {
    const icon = await fetch(`${hall.baseUrl}/favicon.png`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/png');
    expect(icon.headers.get('access-control-allow-origin')).toBe('*');
    for (const path of [
      '/system/anything',
      '/system/',
      '/a/b.json',
      '/plugins/graphviz/graphviz.js',
      '/assets/no-such-file.js',
      '/theme/style.css',
      '/sitemap.xml',
    ]) {
      const res = await fetch(`${hall.baseUrl}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'route_not_found',
      );
    }
    // The app's own pages are still the app.
    const app = await fetch(`${hall.baseUrl}/handbook/x`);
    expect(app.headers.get('content-type')).toMatch(/^text\/html/);
    const view = await fetch(`${hall.baseUrl}/view/caf-socit`, { redirect: 'manual' });
    expect(view.status).toBe(302);
    expect(view.headers.get('location')).toBe(`/handbook/${encodeURIComponent('café-société')}`);
  });
});
