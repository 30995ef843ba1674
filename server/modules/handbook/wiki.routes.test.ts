import MiniSearch from 'minisearch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { SitemapEntry, WikiPage } from '@common/api/handbook';
import { testDialect } from '@server/test/test-app';
import { isFederationPath } from './wiki.routes';
import { federationKeys, indexText, sitemapLinks } from './handbook.interop';
import {
  buildHandbookTestApp,
  createPage,
  steward,
  type HandbookTestApp,
} from './handbook.test-helpers';

const p = (id: string, text: string) => ({ id, type: 'paragraph', text });
let t: HandbookTestApp;

beforeEach(async () => {
  t = await buildHandbookTestApp();
});
afterEach(async () => {
  await t.close();
});

/** A GET as a Federated Wiki client in another origin sends it (with a cookie it should ignore). */
const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'GET',
    url,
    headers: { origin: 'http://fedwiki.example', cookie: 'sid=whatever', ...headers },
  });

function expectOpenCors(res: LightMyRequestResponse) {
  expect(res.headers['access-control-allow-origin']).toBe('*');
  expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD');
  expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
  expect(res.headers['set-cookie']).toBeUndefined();
}

async function membersOnly() {
  const res = await t.app.inject({
    method: 'PUT',
    url: '/api/v1/handbook/settings',
    headers: steward,
    payload: { read: 'members', edit: 'members', editCircles: [] },
  });
  expect(res.statusCode, res.body).toBe(200);
}

describe(`Federated Wiki routes as a neighbour, on ${testDialect()}`, () => {
  it('serves the hall’s icon as a real PNG at /favicon.png, CORS-open, members-only or not', async () => {
    for (const round of ['public', 'members-only']) {
      if (round === 'members-only') await membersOnly();
      const res = await get('/favicon.png');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expectOpenCors(res);
      const png = res.rawPayload;
      expect(png.subarray(0, 8)).toEqual(
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      );
      // IHDR: 32 × 32.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([32, 32]);
    }
  });

  it('answers a non-ASCII title at Federated Wiki’s slug, keys the sitemap and its links so', async () => {
    await createPage(t, 'Café société', [p('c1', 'Les coopératives du quartier.')]);
    await createPage(t, 'Mission & vision', [p('m1', 'Why we meet.')]);
    await createPage(t, 'Welcome', [
      p('w1', 'Read [[Café société]] and [[Mission & vision]].'),
      { id: 'r1', type: 'reference', site: 'fed.wiki', slug: 'elsewhere', title: 'Elsewhere' },
      {
        id: 'h1',
        type: 'html',
        text: 'Also <b>[[Mission & vision]]</b>, [[Welcome]] and [[Αρχές]].',
      },
    ]);
    const byKey = await get('/caf-socit.json');
    expect(byKey.statusCode, byKey.body).toBe(200);
    expect(byKey.headers['content-type']).toMatch(/^application\/json/);
    expectOpenCors(byKey);
    expect(byKey.json<WikiPage>().title).toBe('Café société');
    // Our own Unicode slug and slug rule keep answering.
    expect((await get(`/${encodeURIComponent('café-société')}.json`)).json<WikiPage>().title).toBe(
      'Café société',
    );
    expect((await get('/mission--vision.json')).json<WikiPage>().title).toBe('Mission & vision');
    expect((await get('/mission-vision.json')).json<WikiPage>().title).toBe('Mission & vision');

    const sitemap = await get('/system/sitemap.json');
    expectOpenCors(sitemap);
    const entries = sitemap.json<SitemapEntry[]>();
    expect(entries.map((e) => e.slug)).toEqual(['caf-socit', 'mission--vision', 'welcome']);
    expect(entries.find((e) => e.slug === 'welcome')?.links).toEqual({
      'caf-socit': 'w1',
      'mission--vision': 'w1',
      elsewhere: 'r1',
      // The html item's `[[Mission &amp; vision]]` (stored sanitised) names the same page: the
      // paragraph's key came first.
      welcome: 'h1',
    });
    // A page without links has no `links`, as Federated Wiki writes it.
    expect(entries.find((e) => e.slug === 'caf-socit')).not.toHaveProperty('links');
    const slugs = await get('/system/slugs.json');
    expectOpenCors(slugs);
    expect(slugs.json()).toEqual(['caf-socit', 'mission--vision', 'welcome']);
    const exported = await get('/system/export.json');
    expectOpenCors(exported);
    const pages = exported.json<Record<string, WikiPage>>();
    expect(Object.keys(pages)).toEqual(['caf-socit', 'mission--vision', 'welcome']);
    expect(pages['caf-socit']?.story).toEqual([p('c1', 'Les coopératives du quartier.')]);
    const plugins = await get('/system/plugins.json');
    expectOpenCors(plugins);
    expect(plugins.json()).toEqual([]);
  });

  it('gives pages whose Federated Wiki slugs collide one key each, the oldest the plain one', async () => {
    const first = await createPage(t, 'Taller ñ', [p('a', 'First.')]);
    t.clock.advance(1000);
    await createPage(t, 'Taller ü', [p('b', 'Second.')]);
    t.clock.advance(1000);
    const greek = await createPage(t, 'Αρχές', [p('c', 'Greek.')]);
    const entries = (await get('/system/sitemap.json')).json<SitemapEntry[]>();
    const keyOf = (title: string) => entries.find((e) => e.title === title)?.slug ?? '';
    expect(keyOf('Taller ñ')).toBe('taller-');
    // The export's keys (exportKeys): a shared key numbered, a Greek slug in punycode.
    expect(keyOf('Taller ü')).toBe('taller--2');
    expect(keyOf('Αρχές')).toBe('xn--ixah2cfx');
    for (const e of entries) {
      const res = await get(`/${e.slug}.json`);
      expect(res.statusCode).toBe(200);
      expect(res.json<WikiPage>().title).toBe(e.title);
    }
    // A newer page with the same key does not move the older pages' keys.
    await createPage(t, 'Taller ç', [p('d', 'Third.')]);
    const again = (await get('/system/sitemap.json')).json<SitemapEntry[]>();
    expect(again.find((e) => e.title === 'Taller ü')?.slug).toBe(keyOf('Taller ü'));
    expect(again.find((e) => e.title === 'Αρχές')?.slug).toBe(keyOf('Αρχές'));
    expect(first.slug).toBe('taller-ñ');
    expect(greek.slug).toBe('αρχές');
  });

  it('sends Last-Modified on the sitemap and the site index, and 304 to If-Modified-Since', async () => {
    await createPage(t, 'First', [p('a', 'One.')]);
    for (const url of ['/system/sitemap.json', '/system/site-index.json']) {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      expectOpenCors(res);
      const lastModified = res.headers['last-modified'] as string;
      expect(lastModified).toBe(new Date('2026-11-26T12:00:00Z').toUTCString());
      const same = await get(url, { 'if-modified-since': lastModified });
      expect(same.statusCode).toBe(304);
      expect(same.body).toBe('');
      expectOpenCors(same);
      const older = await get(url, {
        'if-modified-since': new Date('2026-11-26T11:59:59Z').toUTCString(),
      });
      expect(older.statusCode).toBe(200);
      expect((await get(url, { 'if-modified-since': 'not a date' })).statusCode).toBe(200);
    }
    // A write moves it on; so does a deletion.
    t.clock.advance(60_000);
    await createPage(t, 'Second', [p('b', 'Two.')]);
    const after = await get('/system/sitemap.json');
    expect(after.headers['last-modified']).toBe(new Date('2026-11-26T12:01:00Z').toUTCString());
    t.clock.advance(60_000);
    const del = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/handbook/pages/second',
      headers: steward,
    });
    expect(del.statusCode, del.body).toBeLessThan(300);
    const gone = await get('/system/sitemap.json', {
      'if-modified-since': after.headers['last-modified'] as string,
    });
    expect(gone.statusCode).toBe(200);
    expect(gone.json<SitemapEntry[]>().map((e) => e.slug)).toEqual(['first']);
  });

  it('serves a site index Federated Wiki’s client loads and searches by content words, kept current', async () => {
    const page = await createPage(t, 'Café société', [
      p('a', 'We keep a [[Ledger]] of *contributions* at https://example.org/path.'),
      { id: 'v', type: 'video', text: 'YOUTUBE abc\nTalk about solidarity.' },
    ]);
    const load = async () => {
      const res = await get('/system/site-index.json');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expectOpenCors(res);
      // Exactly how the client reads it (a text, loaded with the fields it names).
      return MiniSearch.loadJSON(res.body, { fields: ['title', 'content'] });
    };
    const search = (index: MiniSearch, q: string): string[] =>
      index.search(q, { prefix: true, combineWith: 'AND' }).map((r) => String(r.id));
    let index = await load();
    expect(search(index, 'contributions')).toEqual(['caf-socit']);
    expect(search(index, 'solidarity')).toEqual(['caf-socit']);
    expect(search(index, 'ledger')).toEqual(['caf-socit']);
    expect(search(index, 'example.org')).toEqual(['caf-socit']);
    expect(search(index, 'youtube')).toEqual([]);
    // An edit shows in the next index.
    const edit = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/handbook/pages/${encodeURIComponent('café-société')}/items/a`,
      headers: steward,
      payload: { item: p('a', 'Now about reciprocity.'), baseVersion: page.version },
    });
    expect(edit.statusCode, edit.body).toBe(200);
    index = await load();
    expect(search(index, 'reciprocity')).toEqual(['caf-socit']);
    expect(search(index, 'contributions')).toEqual([]);
  });

  it('keeps a members-only handbook off every federation route', async () => {
    await createPage(t, 'Secret', [p('a', 'Hidden words.')]);
    await membersOnly();
    for (const url of [
      '/secret.json',
      '/system/sitemap.json',
      '/system/site-index.json',
      '/system/slugs.json',
      '/system/export.json',
      '/system/plugins.json',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(403);
      expect(res.json()).toMatchObject({ error: { code: 'handbook_members_only' } });
      expectOpenCors(res);
    }
    // Its redirects name no page: the key goes on as it came.
    expect((await get('/secret.html')).headers.location).toBe('/handbook/secret');
  });

  it('answers other federation-looking paths with a JSON 404', async () => {
    for (const url of ['/system/anything', '/system/nothing.json', '/system/a/b']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toMatchObject({ error: { code: 'route_not_found' } });
      expectOpenCors(res);
    }
    const missing = await get('/no-such-page.json');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'page_not_found' } });
    expectOpenCors(missing);
    for (const path of [
      '/favicon.png',
      '/a/b.json',
      '/system/x',
      '/plugins/graphviz/graphviz.js',
      '/assets/x.js',
      '/theme/style.css',
      '/remote/site/x.json',
      '/sitemap.xml',
    ])
      expect(isFederationPath(path), path).toBe(true);
    for (const path of ['/', '/handbook/café', '/handbook/x', '/spaces', '/assetsx'])
      expect(isFederationPath(path), path).toBe(false);
  });

  it('redirects /<key>.html and /view/<key>[/…] to the page’s view', async () => {
    await createPage(t, 'Café société', [p('a', 'x')]);
    await createPage(t, 'Welcome', [p('b', 'y')]);
    const cafe = `/handbook/${encodeURIComponent('café-société')}`;
    const cases: [string, string][] = [
      ['/caf-socit.html', cafe],
      ['/welcome.html', '/handbook/welcome'],
      ['/view/caf-socit', cafe],
      ['/view/welcome/view/caf-socit', cafe],
      ['/view/caf-socit/fed.wiki.org/other-page', cafe],
      ['/view/welcome_rev2', '/handbook/welcome'],
      ['/view/no-such-page', '/handbook/no-such-page'],
      ['/view/', '/handbook'],
      ['/view', '/handbook'],
    ];
    for (const [from, to] of cases) {
      const res = await get(from);
      expect(res.statusCode, from).toBe(302);
      expect(res.headers.location, from).toBe(to);
    }
  });
});

describe(`who asks makes no difference on the federation routes, on ${testDialect()}`, () => {
  const routes = [
    '/favicon.png',
    '/open.json',
    '/system/sitemap.json',
    '/system/site-index.json',
    '/system/slugs.json',
    '/system/export.json',
    '/system/plugins.json',
    '/open.html',
  ];
  // Anonymous, a member, another member, the page's author, a steward: one answer for all, since
  // these routes read no session (a browser shares them with any origin, without credentials).
  const askers: Record<string, string>[] = [
    {},
    { 'x-test-actor': 'member:Bea' },
    { 'x-test-actor': 'member:Cy' },
    { 'x-test-actor': 'member:Dee' },
    steward,
  ];
  it('answers anonymous, members, the author and stewards alike, public or members-only', async () => {
    await createPage(t, 'Open', [p('a', 'Words.')], { 'x-test-actor': 'member:Dee' });
    for (const round of ['public', 'members-only']) {
      if (round === 'members-only') await membersOnly();
      for (const url of routes) {
        const answers = [];
        for (const headers of askers) {
          const res = await get(url, headers);
          // A redirect is a navigation, not a read: it needs no CORS.
          if (!url.endsWith('.html')) expectOpenCors(res);
          answers.push({ status: res.statusCode, body: res.body, location: res.headers.location });
        }
        expect(new Set(answers.map((a) => JSON.stringify(a))).size, `${round} ${url}`).toBe(1);
        const status = answers[0]?.status;
        if (url === '/favicon.png') expect(status).toBe(200);
        else if (url.endsWith('.html')) expect(status).toBe(302);
        else expect(status, `${round} ${url}`).toBe(round === 'public' ? 200 : 403);
      }
    }
  });
});

describe('the Federated Wiki keys and texts', () => {
  it('links by Federated Wiki’s slug in any item, and reference slugs', () => {
    expect(
      sitemapLinks([
        { id: 'x', type: 'paragraph', text: '[[Café société]] [[constructor]] [[Αρχές]]' },
        { id: 'y', type: 'markdown', text: '[[ Spaced ]]' },
        { id: 'z', type: 'reference', site: 's', slug: 'there', text: '' },
      ]),
    ).toEqual({ 'caf-socit': 'x', constructor: 'x', '-spaced-': 'y', there: 'z' });
  });

  it('never gives two pages one key, nor a key Federated Wiki cannot route', () => {
    const at = '2026-01-01T00:00:00Z';
    const keys = federationKeys([
      { id: 'b', slug: 'caf-2', title: 'Caf', createdAt: '2026-01-02T00:00:00Z', aliases: [] },
      { id: 'a', slug: 'caf', title: 'Café', createdAt: at, aliases: [] },
      { id: 'c', slug: 'αρχές', title: 'Αρχές', createdAt: at, aliases: [] },
      { id: 'd', slug: 'x', title: '   ', createdAt: at, aliases: [] },
      {
        id: 'e',
        slug: 'αρχές-πρωτόκολλα',
        title: 'Αρχές & πρωτόκολλα',
        createdAt: at,
        aliases: [],
      },
    ]);
    expect(keys.get('a')).toBe('caf');
    const all = [...keys.values()];
    expect(new Set(all).size).toBe(5);
    for (const k of all) expect(k).toMatch(/^[a-z0-9-]+$/);
  });

  it('indexes text items and the prose of media items, not their markup', () => {
    expect(
      indexText([
        { id: 'a', type: 'paragraph', text: 'See [[Other Page]] <b>bold</b>.' },
        { id: 'b', type: 'audio', text: 'https://x.org/a.mp3\nWords here' },
        { id: 'c', type: 'graphviz', text: 'DOT digraph' },
      ])
        .split(/\s+/)
        .filter(Boolean),
    ).toEqual(['See', 'Other', 'Page', 'bold', 'Words', 'here']);
  });
});
