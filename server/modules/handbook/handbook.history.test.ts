import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  HANDBOOK_JOURNAL_SERVED_MAX_ACTIONS,
  HANDBOOK_JOURNAL_SERVED_MAX_BYTES,
  HANDBOOK_PAGE_MAX_BYTES,
  type JournalAction,
  type PageView,
  type WikiExport,
  type WikiPage,
} from '@common/api/handbook';
import { HANDBOOK_PAGE_MAX_LINKS } from '@common/limits';
import { testDialect } from '@server/test/test-app';
import { replay } from './handbook.journal';
import { HandbookRepo } from './handbook.repo';
import {
  buildHandbookTestApp,
  createPage,
  steward,
  type HandbookTestApp,
} from './handbook.test-helpers';
import { exportAll, importExport } from './handbook.transfer';

let t: HandbookTestApp;
beforeEach(async () => {
  t = await buildHandbookTestApp();
});
afterEach(async () => {
  await t.close();
});

const api = '/api/v1/handbook';
const repo = () => HandbookRepo.from(t.db);

const create = (title: string, story: unknown[] = []) => createPage(t, title, story);

const unsafe = /<script|onerror|javascript:/i;
const evil = '<p>Hi<script>alert(1)</script><img src="x" onerror="alert(2)"></p>';

/** Everything a reader or another wiki can get of a page's history, as one string. */
async function served(slug: string): Promise<string> {
  const out: string[] = [];
  const page = await t.app.inject({ method: 'GET', url: `${api}/pages/${slug}` });
  expect(page.statusCode, page.body).toBe(200);
  out.push(page.body);
  const wiki = await t.app.inject({ method: 'GET', url: `/${slug}.json` });
  expect(wiki.statusCode, wiki.body).toBe(200);
  out.push(wiki.body);
  const version = page.json<{ page: PageView }>().page.version;
  for (let i = 0; i < version; i++) {
    const v = await t.app.inject({ method: 'GET', url: `${api}/pages/${slug}/versions/${i}` });
    expect(v.statusCode, v.body).toBe(200);
    out.push(v.body);
  }
  out.push(JSON.stringify(await exportAll(repo())));
  return out.join('\n');
}

describe(`journal sanitising on ${testDialect()}`, () => {
  it('keeps no raw HTML in the journal of an edit, and serves none', async () => {
    await create('Risky', [{ id: 'h0', type: 'html', text: evil }]);
    const add = await t.app.inject({
      method: 'POST',
      url: `${api}/pages/risky/items`,
      headers: steward,
      payload: { item: { id: 'h1', type: 'html', text: evil }, after: null },
    });
    expect(add.statusCode, add.body).toBe(200);
    const edit = await t.app.inject({
      method: 'PUT',
      url: `${api}/pages/risky/items/h1`,
      headers: steward,
      payload: { item: { id: 'h1', type: 'html', text: `${evil} again` }, baseVersion: 2 },
    });
    expect(edit.statusCode, edit.body).toBe(200);
    const stored = await repo().findBySlug('risky');
    expect(JSON.stringify(stored?.journal)).not.toMatch(unsafe);
    expect(JSON.stringify(stored?.journal)).toContain('Hi');
    expect(await served('risky')).not.toMatch(unsafe);
  });

  it('serves an imported journal sanitised while keeping the source text stored', async () => {
    const wiki: WikiExport = {
      imported: {
        title: 'Imported',
        story: [{ id: 'a', type: 'html', text: '<p>Now</p>' }],
        journal: [
          {
            type: 'create',
            item: { title: 'Imported', story: [{ id: 'a', type: 'html', text: evil }] },
            date: 1,
          },
          { type: 'edit', id: 'a', item: { id: 'a', type: 'html', text: evil }, date: 2 },
          { type: 'edit', id: 'a', item: { id: 'a', type: 'html', text: '<p>Now</p>' }, date: 3 },
        ],
      },
    };
    const report = await importExport(repo(), t.clock, wiki);
    expect(report.refused).toEqual([]);
    await t.app.inject({
      method: 'PUT',
      url: `${api}/settings`,
      headers: steward,
      payload: { read: 'everyone', edit: 'members', editCircles: [] },
    });
    const stored = await repo().findBySlug('imported');
    expect(JSON.stringify(stored?.journal)).toContain('<script>');
    expect(await served('imported')).not.toMatch(unsafe);
  });
});

/** A story linking to `n` distinct pages (L0 … Ln-1), in items of at most 90,000 characters. */
function linking(
  n: number,
  word = (i: number) => `[[L${i}]]`,
): { id: string; type: string; text: string }[] {
  const items: { id: string; type: string; text: string }[] = [];
  let text = '';
  for (let i = 0; i < n; i++) {
    const next = `${word(i)} `;
    if (text.length + next.length > 90_000) {
      items.push({ id: `p${items.length}`, type: 'paragraph', text });
      text = '';
    }
    text += next;
  }
  if (text !== '') items.push({ id: `p${items.length}`, type: 'paragraph', text });
  return items;
}

describe(`links per page on ${testDialect()}`, () => {
  it.each([9000, 17000])('refuses a page of %i links with too_many_links', async (n) => {
    const res = await t.app.inject({
      method: 'POST',
      url: `${api}/pages`,
      headers: steward,
      payload: { title: 'Many', story: linking(n) },
    });
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json()).toMatchObject({
      error: { code: 'too_many_links', details: { links: n, limit: HANDBOOK_PAGE_MAX_LINKS } },
    });
    // An edit that brings a page over the bound is refused the same way.
    await create('Few', linking(10));
    const add = await t.app.inject({
      method: 'POST',
      url: `${api}/pages/few/items`,
      headers: steward,
      payload: { item: { id: 'more', type: 'paragraph', text: linking(n)[0]?.text }, after: null },
    });
    // (its one item of 90,000 characters holds over 8,000 links)
    expect(add.statusCode, add.body).toBe(413);
    expect(add.json()).toMatchObject({ error: { code: 'too_many_links' } });
    // An import is refused with the reason, and nothing is written.
    const report = await importExport(repo(), t.clock, {
      many: { title: 'Many', story: linking(n) },
    });
    expect(report.imported).toBe(0);
    expect(report.refused[0]?.reason).toMatch(/links to \d+ pages; a page may link to at most/);
  });

  it('saves a page at the bound and views it with a few queries, not several per link', async () => {
    await create('L1');
    await create('Somewhere', [{ id: 'x', type: 'paragraph', text: 'x' }]);
    await t.app.inject({
      method: 'POST',
      url: `${api}/pages/somewhere/rename`,
      headers: steward,
      payload: { title: 'L2' },
    });
    // L2 is now the page's slug; its old slug is an alias. L3 is linked through that alias.
    const story = linking(HANDBOOK_PAGE_MAX_LINKS, (i) =>
      i === 3 ? '[[Somewhere]]' : `[[L${i}]]`,
    );
    await create('At the bound', story);
    const repoOf = t.handbook.service.repo;
    const bySlug = vi.spyOn(repoOf, 'findBySlug');
    const byAlias = vi.spyOn(repoOf, 'findByAlias');
    const res = await t.app.inject({ method: 'GET', url: `${api}/pages/at-the-bound` });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json<{ page: PageView }>().page;
    expect(page.links).toHaveLength(HANDBOOK_PAGE_MAX_LINKS);
    expect(page.links.slice(0, 5)).toEqual([
      { title: 'L0', slug: 'l0', exists: false },
      { title: 'L1', slug: 'l1', exists: true },
      { title: 'L2', slug: 'l2', exists: true },
      { title: 'Somewhere', slug: 'l2', exists: true },
      { title: 'L4', slug: 'l4', exists: false },
    ]);
    expect(bySlug.mock.calls.length + byAlias.mock.calls.length).toBeLessThan(10);
    const saved = await repoOf.findBySlug('at-the-bound');
    expect(await repoOf.linksOf(saved?.id ?? '')).toHaveLength(HANDBOOK_PAGE_MAX_LINKS);
  });

  it('saves a page whose index rows bind more values than one statement may', async () => {
    // 33,000 keywords are 66,000 bound values: over SQLite's 32,766 and PostgreSQL's 65,535.
    const story = linking(33_000, (i) => `#k${i}`);
    await create('Tagged', story);
    expect(await repo().keywordIndex()).toHaveLength(33_000);
  });
});

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const bound = HANDBOOK_PAGE_MAX_BYTES + HANDBOOK_JOURNAL_SERVED_MAX_BYTES;

async function editText(slug: string, id: string, text: string, baseVersion: number) {
  return t.app.inject({
    method: 'PUT',
    url: `${api}/pages/${slug}/items/${id}`,
    headers: steward,
    payload: { item: { id, type: 'paragraph', text }, baseVersion },
  });
}

async function history(slug: string, query = '') {
  const res = await t.app.inject({ method: 'GET', url: `${api}/pages/${slug}/history${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ total: number; history: { index: number; type: string }[] }>();
}

async function versionText(slug: string, index: number) {
  const res = await t.app.inject({ method: 'GET', url: `${api}/pages/${slug}/versions/${index}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ story: { text?: string }[] }>().story[0]?.text;
}

describe(`bounded journals on ${testDialect()}`, () => {
  it('serves a bounded journal after 60 edits of a 99 KB paragraph, and keeps every version', async () => {
    const big = (n: number) => `${String(n).padStart(4, '0')} ${'x'.repeat(99_000)}`;
    await create('Heavy', [{ id: 'a', type: 'paragraph', text: big(0) }]);
    for (let n = 1; n <= 60; n++) {
      const res = await editText('heavy', 'a', big(n), n);
      expect(res.statusCode, res.body).toBe(200);
    }
    await t.app.inject({
      method: 'PUT',
      url: `${api}/settings`,
      headers: steward,
      payload: { read: 'everyone', edit: 'members', editCircles: [] },
    });
    const wiki = await t.app.inject({ method: 'GET', url: '/heavy.json' });
    expect(wiki.statusCode).toBe(200);
    expect(bytes(wiki.body)).toBeLessThan(bound);
    const page = wiki.json<WikiPage>();
    // Still a Federated Wiki journal: a create first, and it replays to the story.
    expect(page.journal?.[0]?.type).toBe('create');
    expect(typeof page.journal?.[0]?.compacted).toBe('number');
    const journal = page.journal ?? [];
    expect(replay(journal, journal.length - 1, page.title).story).toEqual(page.story);
    const view = await t.app.inject({ method: 'GET', url: `${api}/pages/heavy` });
    expect(bytes(view.body)).toBeLessThan(bound + 2 * HANDBOOK_PAGE_MAX_BYTES);
    expect(view.json<{ page: PageView }>().page.version).toBe(61);
    const stored = await repo().findStoredJson('heavy');
    expect(bytes(stored?.journal ?? '')).toBeLessThan(bound);
    // The whole history: listed, each version readable, and exported.
    const h = await history('heavy');
    expect(h.total).toBe(61);
    expect(h.history.map((e) => e.index)).toEqual([...Array(61).keys()]);
    for (const n of [0, 1, 30, 59, 60]) expect(await versionText('heavy', n)).toBe(big(n));
    expect((await history('heavy', '?before=30&limit=10')).history.map((e) => e.index)).toEqual([
      20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
    ]);
    const exported = await exportAll(repo());
    expect(exported.heavy?.journal).toHaveLength(61);
    // An edit based on an old version is still a conflict, one based on the newest is not.
    expect((await editText('heavy', 'a', 'stale', 5)).statusCode).toBe(409);
    expect((await editText('heavy', 'a', 'fresh', 61)).statusCode).toBe(200);
    // A restore of an old version goes back to it.
    const restore = await t.app.inject({
      method: 'POST',
      url: `${api}/pages/heavy/restore`,
      headers: steward,
      payload: { journalIndex: 7 },
    });
    expect(restore.statusCode, restore.body).toBe(200);
    expect(restore.json<{ page: PageView }>().page.story[0]?.text).toBe(big(7));
  });

  it('keeps at most the bound of actions in the served journal after many small edits', async () => {
    await create('Busy', [{ id: 'a', type: 'paragraph', text: 'v0' }]);
    for (let n = 1; n <= HANDBOOK_JOURNAL_SERVED_MAX_ACTIONS + 30; n++)
      expect((await editText('busy', 'a', `v${n}`, n)).statusCode).toBe(200);
    const page = (await repo().findBySlug('busy'))!;
    expect(page.journal).toHaveLength(HANDBOOK_JOURNAL_SERVED_MAX_ACTIONS + 1);
    expect(page.journal[0]).toMatchObject({ type: 'create', compacted: 31 });
    expect(replay(page.journal, page.journal.length - 1, page.title).story).toEqual(page.story);
    expect(await versionText('busy', 3)).toBe('v3');
  });

  it('imports a long journal whole and serves it bounded; a deleted page keeps its history', async () => {
    const journal: JournalAction[] = [
      {
        type: 'create',
        item: { title: 'Long', story: [{ id: 'a', type: 'paragraph', text: 't0' }] },
      },
    ];
    for (let n = 1; n < 300; n++)
      journal.push({ type: 'edit', id: 'a', item: { id: 'a', type: 'paragraph', text: `t${n}` } });
    const wiki: WikiExport = {
      long: { title: 'Long', story: [{ id: 'a', type: 'paragraph', text: 't299' }], journal },
    };
    expect((await importExport(repo(), t.clock, wiki)).imported).toBe(1);
    const page = (await repo().findBySlug('long'))!;
    expect(page.journal.length).toBeLessThanOrEqual(HANDBOOK_JOURNAL_SERVED_MAX_ACTIONS + 1);
    expect(replay(page.journal, page.journal.length - 1, page.title).story).toEqual(page.story);
    expect((await history('long')).total).toBe(300);
    expect(await versionText('long', 42)).toBe('t42');
    expect((await exportAll(repo())).long?.journal).toEqual(journal);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `${api}/pages/long`,
      headers: steward,
    });
    expect(del.statusCode, del.body).toBe(200);
    const [gone] = await repo().deletedPages();
    const back = await t.app.inject({
      method: 'POST',
      url: `${api}/deleted-pages/${gone?.id ?? ''}/restore`,
      headers: steward,
    });
    expect(back.statusCode, back.body).toBe(200);
    const h = await history('long');
    expect(h.total).toBe(302);
    expect(h.history.slice(-2).map((e) => e.type)).toEqual(['remove', 'create']);
    expect(await versionText('long', 42)).toBe('t42');
  });
});
