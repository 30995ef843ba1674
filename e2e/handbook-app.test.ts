/**
 * The handbook's day-one fixes in the browser: the history shows what a change did, word by word;
 * the front page has one search box, its Home page first and no big empty cards; "Item added."
 * is not left behind after Done; stewards import and export from the app (members may not).
 * Screenshots of the history diff, the front page and the import page, at desktop and 390 px.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, signUpAndLogIn, type TestSession } from '@server/test/accounts';
import type { PageView, WikiExport } from '@common/api/handbook';
import { startHall, type Hall } from './harness';

const shotDir = process.env.COMMONHALL_SHOTS ?? tmpdir();

let hall: Hall;
let ada: TestSession;
let bea: TestSession;

async function pageAs(who: TestSession, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await hall.newPage({ colorScheme });
  const [name = '', value = ''] = who.cookie.split(/=(.*)/s);
  await page.context().addCookies([{ name, value, url: hall.baseUrl }]);
  return page;
}

async function api<T>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  const res = await hall.app.inject({
    method,
    url: `/api/v1/handbook${url}`,
    headers: authHeaders(ada),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json<T>();
}

/** Desktop and phone screenshots of the page as it is. */
async function shoot(page: Page, name: string) {
  await page.screenshot({ path: join(shotDir, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shotDir, `${name}-390.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
}

beforeAll(async () => {
  hall = await startHall();
  ada = await signUpAndLogIn(hall.app, { steward: true, name: 'Ada Lovelace' });
  bea = await signUpAndLogIn(hall.app, { name: 'Bea Brown' });
});

afterAll(async () => {
  await hall?.close();
});

describe('the handbook app', () => {
  it('shows the Home page first, one search box, and sections without pages on one line', async () => {
    // The starter handbook: Home outside every section. One section with no pages of its own.
    await api('POST', '/pages', { title: 'Lighthouse', story: [] });
    const tree = await api<{ sections: { slug: string; pages: { slug: string }[] }[] }>(
      'GET',
      '/sections',
    );
    await api('PUT', '/sections', {
      sections: [
        ...tree.sections.map((s) => ({
          slug: s.slug,
          pages: s.pages.map((p) => ({ slug: p.slug })),
        })),
        { slug: 'lighthouse', pages: [] },
      ],
    });
    const page = await pageAs(bea);
    await page.goto('/handbook');
    await page.getByRole('heading', { level: 2, name: 'Principles' }).waitFor();

    expect(await page.getByRole('search').count()).toBe(1);
    const start = page.getByRole('link', { name: /Start here/ });
    await expect.poll(() => start.textContent()).toContain('Home');
    // Not under "Other pages", and before every section.
    expect(await page.locator('.hb-others a', { hasText: /^Home$/ }).count()).toBe(0);
    const [startTop, firstCardTop] = await Promise.all([
      start.boundingBox(),
      page.locator('.hb-section-card').first().boundingBox(),
    ]);
    expect(startTop !== null && firstCardTop !== null && startTop.y < firstCardTop.y).toBe(true);

    // The empty section is a link on the compact line, not a card.
    expect(await page.locator('.hb-section-card', { hasText: 'Lighthouse' }).count()).toBe(0);
    const bare = page.getByRole('region', { name: 'More sections' });
    await bare.getByRole('link', { name: 'Lighthouse' }).waitFor();

    await page.getByRole('searchbox', { name: 'Search the handbook' }).fill('principles');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/handbook\/-\/search\?q=principles/);
    await page.goBack();
    await start.waitFor();
    await shoot(page, 'handbook-home');
  });

  it('shows what a change did, word by word, marked for screen readers too', async () => {
    const { page: created } = await api<{ page: PageView }>('POST', '/pages', {
      title: 'Harbour Rules',
      story: [
        { id: 'h1', type: 'paragraph', text: 'Boats keep clear of the marsh at low tide.' },
        { id: 'h2', type: 'paragraph', text: 'Moor at the north quay.' },
      ],
    });
    await api('PUT', '/pages/harbour-rules/items/h1', {
      item: {
        id: 'h1',
        type: 'paragraph',
        text: 'Boats stay clear of the salt marsh at low tide.',
      },
      baseVersion: created.version,
    });
    const page = await pageAs(bea);
    await page.goto('/handbook/harbour-rules/history');
    const diff = page.getByRole('region', { name: 'What changed' });
    await diff.waitFor();
    // The newest change is chosen at once: one item edited, two words swapped, one inserted.
    await expect
      .poll(() => diff.locator('ins').allTextContents())
      .toEqual(['[inserted: stay]', '[inserted: salt ]']);
    expect(await diff.locator('del').allTextContents()).toEqual(['[deleted: keep]']);
    expect(await diff.getByText('Item changed · Paragraph').count()).toBe(1);
    const decoration = await diff
      .locator('del')
      .first()
      .evaluate((el) => getComputedStyle(el).textDecorationLine);
    expect(decoration).toContain('line-through');

    // The first version: every item added.
    await page.getByRole('button', { name: /^Created/ }).click();
    await diff.getByText('The first version of the page.').waitFor();
    expect(await diff.getByText('Item added · Paragraph').count()).toBe(2);
    await page.getByRole('button', { name: /^Item edited/ }).click();
    await diff.locator('del').first().waitFor();
    await shoot(page, 'handbook-history-diff');
  });

  it('clears "Item added." when editing is done', async () => {
    const page = await pageAs(ada);
    await page.goto('/handbook/harbour-rules');
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Add an item', exact: true }).click();
    await page.getByRole('combobox', { name: 'Text' }).fill('Leave the lanterns lit.');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const status = page.locator('.hb-article > p[role="status"]');
    await expect.poll(() => status.textContent()).toBe('Item added.');
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => status.textContent()).toBe('');
  });

  it('lets a steward import a file, see its progress and report, and download the export', async () => {
    const page = await pageAs(ada);
    await page.goto('/handbook/-/settings');
    await page.getByRole('link', { name: 'Import and export' }).click();
    await page.getByRole('heading', { level: 1, name: 'Import and export' }).waitFor();

    const wiki: WikiExport = {
      'tide-pools': {
        title: 'Tide Pools',
        story: [{ type: 'paragraph', id: 't1', text: 'See [[Harbour Rules]].' }],
        journal: [],
      },
      'salt-marsh': { title: 'Salt Marsh', story: [], journal: [] },
    };
    // Hold the first status poll, so the progress the page shows meanwhile can be looked at.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/v1/handbook/import/jobs/*', async (route) => {
      await held;
      await route.continue();
    });
    await page.getByLabel(/Export file/).setInputFiles({
      name: 'wiki.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(wiki)),
    });
    await page.getByRole('button', { name: 'Import file' }).click();
    await page.getByRole('progressbar', { name: 'Import progress' }).waitFor();
    expect(await page.getByRole('button', { name: 'Import site' }).isDisabled()).toBe(true);
    await shoot(page, 'handbook-import-progress');
    release();
    await page.getByText('Imported 2 pages.').waitFor();
    await page.unroute('**/api/v1/handbook/import/jobs/*');

    // The same file again: both pages exist, so nothing is written and the report says why.
    await page.getByRole('button', { name: 'Import file' }).click();
    await page.getByText('Nothing was imported: 2 pages were refused.').waitFor();
    const rows = page.getByRole('table', { name: 'Report' }).getByRole('row');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(1).textContent()).toMatch(/tide-pools.*already exists/);

    // A file that is not JSON gets the command line's refusal.
    await page.getByLabel(/Export file/).setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"tide'),
    });
    await page.getByRole('button', { name: 'Import file' }).click();
    await page.getByText('Nothing was imported: 1 page was refused.').waitFor();
    await page.getByRole('cell', { name: /not valid JSON/ }).waitFor();
    await shoot(page, 'handbook-import-report');

    // A site on the server's own network is refused.
    await page.getByLabel('Site address').fill('http://127.0.0.1:9/');
    await page.getByRole('button', { name: 'Import site' }).click();
    await page.getByText(/only public sites can be imported/).waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download export' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^handbook-\d{4}-\d{2}-\d{2}\.json$/);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    const data = JSON.parse(await readFile(path, 'utf8')) as WikiExport;
    expect(Object.values(data).map((p) => p.title)).toEqual(
      expect.arrayContaining(['Tide Pools', 'Salt Marsh', 'Harbour Rules']),
    );
  });

  it('tells a member the import page is for stewards', async () => {
    const page = await pageAs(bea);
    await page.goto('/handbook/-/transfer');
    await page.getByText('Only stewards can import and export the handbook').waitFor();
    expect(await page.getByRole('button', { name: 'Import file' }).count()).toBe(0);
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe violations on the new views (${scheme})`, async () => {
      const page = await pageAs(ada, scheme);
      const found: string[] = [];
      const check = async (where: string) => {
        const r = await new AxeBuilder({ page }).analyze();
        for (const v of r.violations)
          if (v.impact === 'serious' || v.impact === 'critical')
            found.push(`${where} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      };
      await page.goto('/handbook');
      await page.getByRole('link', { name: /Start here/ }).waitFor();
      await check('home');
      await page.goto('/handbook/harbour-rules/history');
      await page.getByRole('region', { name: 'What changed' }).waitFor();
      await check('history');
      await page
        .getByRole('button', { name: /^Item edited/ })
        .first()
        .click();
      await page.locator('.hb-diff del').first().waitFor();
      await check('history diff');
      await page.goto('/handbook/-/transfer');
      await page.getByLabel(/Export file/).setInputFiles({
        name: 'broken.json',
        mimeType: 'application/json',
        buffer: Buffer.from('[1]'),
      });
      await page.getByRole('button', { name: 'Import file' }).click();
      await page.getByRole('table', { name: 'Report' }).waitFor();
      await check('import report');
      expect(found).toEqual([]);
    });
  }
});
