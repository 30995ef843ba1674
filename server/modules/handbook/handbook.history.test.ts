import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PageView, WikiExport } from '@common/api/handbook';
import { testDialect } from '@server/test/test-app';
import { HandbookRepo } from './handbook.repo';
import { buildHandbookTestApp, steward, type HandbookTestApp } from './handbook.test-helpers';
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

async function create(title: string, story: unknown[] = []) {
  const res = await t.app.inject({
    method: 'POST',
    url: `${api}/pages`,
    headers: steward,
    payload: { title, story },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ page: PageView }>().page;
}

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
