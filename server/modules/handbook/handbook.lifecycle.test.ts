/**
 * Deleting pages, circles, moving pages across sections, and the diagram cache against writes made
 * by another process (the `commonhall handbook import` command).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PageView } from '@common/api/handbook';
import { testDialect } from '@server/test/test-app';
import { DiagramCache } from './diagram';
import { importFromSource } from './handbook.cli';
import { wireDiagrams } from './handbook.diagrams';
import {
  buildHandbookTestApp,
  member,
  steward,
  type HandbookTestApp,
} from './handbook.test-helpers';

let t: HandbookTestApp;
beforeEach(async () => {
  t = await buildHandbookTestApp();
});
afterEach(async () => {
  await t.close();
});

const api = '/api/v1/handbook';
const p = (id: string, text: string) => ({ id, type: 'paragraph', text });

async function send(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = steward,
) {
  const res = await t.app.inject({
    method,
    url: `${api}${url}`,
    headers,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}

async function create(title: string, story: unknown[] = []) {
  const r = await send('POST', '/pages', { title, story });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return (r.body as { page: PageView }).page;
}

const readPage = async (slug: string) =>
  (await send('GET', `/pages/${encodeURIComponent(slug)}`)) as {
    status: number;
    body: { page: PageView; error?: { code: string } };
  };

const sectionTree = async () =>
  (await send('GET', '/sections')).body as {
    sections: { slug: string; pages: { slug: string; depth: number }[] }[];
  };

describe(`deleting a page on ${testDialect()}`, () => {
  it('removes it with its aliases, search entry and keywords; links to it become missing', async () => {
    await create('Tide Pools', [p('a', 'Salt water and #marine life, see [[Harbour]].')]);
    await create('Harbour', [p('b', 'Boats; back to [[Tide Pools]].')]);
    // An old slug (after a rename) points at it too.
    expect((await send('POST', '/pages/tide-pools/rename', { title: 'Rock Pools' })).status).toBe(
      200,
    );
    expect((await readPage('tide-pools')).body.page.slug).toBe('rock-pools');

    const del = await send('DELETE', '/pages/tide-pools');
    expect(del.status, JSON.stringify(del.body)).toBe(200);
    expect(del.body).toEqual({ deleted: { slug: 'rock-pools', title: 'Rock Pools' } });

    for (const slug of ['rock-pools', 'tide-pools']) {
      const r = await readPage(slug);
      expect(r.status).toBe(404);
      expect(r.body.error?.code).toBe('page_not_found');
    }
    const search = await send('GET', '/search?q=marine');
    expect(search.body).toEqual({ results: [] });
    expect((await send('GET', '/keywords')).body).toEqual({ keywords: [] });
    // Harbour's backlinks and the link from Harbour.
    const harbour = (await readPage('harbour')).body.page;
    expect(harbour.backlinks).toEqual([]);
    expect(harbour.links).toEqual([{ title: 'Tide Pools', slug: 'tide-pools', exists: false }]);
    // The title is free again.
    expect((await create('Rock Pools')).slug).toBe('rock-pools');
  });

  it('keeps the deleted page whole with its journal ending in the deletion', async () => {
    await create('Lanterns', [p('a', 'Leave them lit.')]);
    await send('DELETE', '/pages/lanterns', undefined, member('Bea'));
    const kept = await t.handbook.service.repo.deletedPages();
    expect(kept.map((k) => k.title)).toEqual(['Lanterns']);
    const rows = await sql<{
      page: string;
      deletedBy: string;
    }>`select page, deleted_by from handbook_deleted_pages`.execute(t.db.db);
    const row = rows.rows[0] ?? { page: '{}', deletedBy: '' };
    const stored = JSON.parse(row.page) as {
      story: unknown[];
      journal: { type: string; author?: string }[];
    };
    expect(stored.story).toEqual([p('a', 'Leave them lit.')]);
    expect(stored.journal.map((j) => j.type)).toEqual(['create', 'remove']);
    expect(stored.journal[1]?.author).toBe('Bea');
    expect(row.deletedBy).toBe('acc-bea');
  });

  it('answers 404 page_not_found for a missing page, 401/403 by the edit policy', async () => {
    const missing = await send('DELETE', '/pages/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'page_not_found' } });
    await create('Kept');
    expect((await send('DELETE', '/pages/kept', undefined, {})).status).toBe(401);
    await send('PUT', '/settings', { read: 'everyone', edit: 'stewards', editCircles: [] });
    const member403 = await send('DELETE', '/pages/kept', undefined, member());
    expect(member403.status).toBe(403);
    expect((await readPage('kept')).status).toBe(200);
    // The built-in page cannot be deleted.
    expect((await send('DELETE', '/pages/preview-next-diagram')).status).toBe(403);
  });

  it('mends its section: a deleted head hands the section to its first page; children move up', async () => {
    for (const title of ['Head', 'One', 'Two', 'Three', 'Other']) await create(title);
    await send('PUT', '/sections', {
      sections: [
        {
          slug: 'head',
          pages: [{ slug: 'one' }, { slug: 'two', parent: 'one' }, { slug: 'three' }],
        },
        { slug: 'other', pages: [] },
      ],
    });
    expect((await send('DELETE', '/pages/one')).status).toBe(200);
    expect((await sectionTree()).sections).toEqual([
      {
        slug: 'head',
        title: 'Head',
        pages: [
          { slug: 'two', title: 'Two', depth: 1 },
          { slug: 'three', title: 'Three', depth: 1 },
        ],
      },
      { slug: 'other', title: 'Other', pages: [] },
    ]);
    expect((await send('DELETE', '/pages/head')).status).toBe(200);
    expect((await sectionTree()).sections).toEqual([
      { slug: 'two', title: 'Two', pages: [{ slug: 'three', title: 'Three', depth: 1 }] },
      { slug: 'other', title: 'Other', pages: [] },
    ]);
    expect((await readPage('three')).body.page.section?.previous).toEqual({
      slug: 'two',
      title: 'Two',
    });
  });

  it('redraws diagrams that showed the page', async () => {
    await create('Gone Soon', [p('a', 'Bye.')]);
    await create('Map', [
      p('m', 'See [[Gone Soon]].'),
      {
        id: 'g',
        type: 'graphviz',
        text: 'DOT digraph\nHERE NODE\nLINKS HERE -> NODE\n  HERE\n    LINKS HERE -> NODE',
      },
    ]);
    await send('PUT', '/pages/gone-soon/items/a', {
      item: p('a', 'Bye, [[Far Shore]].'),
      baseVersion: 1,
    });
    const before = (await readPage('map')).body.page.rendered.find((r) => r.id === 'g')?.html;
    expect(before).toContain('Far Shore');
    await send('DELETE', '/pages/gone-soon');
    const after = (await readPage('map')).body.page.rendered.find((r) => r.id === 'g')?.html;
    expect(after).toContain('Gone Soon');
    expect(after).not.toContain('Far Shore');
  });
});

describe(`restoring a deleted page on ${testDialect()}`, () => {
  it('brings it back with its journal, links finding it again; stewards only', async () => {
    await create('Lanterns', [p('a', 'Leave them lit. #night')]);
    await create('Quay', [p('q', 'See [[Lanterns]].')]);
    await send('DELETE', '/pages/lanterns', undefined, member('Bea'));
    const list = await send('GET', '/deleted-pages');
    expect(list.status).toBe(200);
    const [gone] = (list.body as { pages: { id: string; slug: string; title: string }[] }).pages;
    expect(gone).toMatchObject({ slug: 'lanterns', title: 'Lanterns' });
    expect((await send('GET', '/deleted-pages', undefined, member())).status).toBe(403);
    expect(
      (await send('POST', `/deleted-pages/${gone?.id}/restore`, undefined, member())).status,
    ).toBe(403);

    const back = await send('POST', `/deleted-pages/${gone?.id}/restore`);
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    const page = (back.body as { page: PageView }).page;
    expect(page.story).toEqual([p('a', 'Leave them lit. #night')]);
    expect(page.journal.map((j) => j.type)).toEqual(['create', 'remove', 'create']);
    expect(page.keywords).toEqual(['night']);
    expect((await readPage('quay')).body.page.links).toEqual([
      { title: 'Lanterns', slug: 'lanterns', exists: true },
    ]);
    expect((await send('GET', '/deleted-pages')).body).toEqual({ pages: [] });
    const again = await send('POST', `/deleted-pages/${gone?.id}/restore`);
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ error: { code: 'page_not_found' } });
  });

  const restoreOnly = async () => {
    const [gone] = ((await send('GET', '/deleted-pages')).body as { pages: { id: string }[] })
      .pages;
    const back = await send('POST', `/deleted-pages/${gone?.id}/restore`);
    expect(back.status, JSON.stringify(back.body)).toBe(200);
  };

  it('brings back every old address of a renamed page: they redirect and links find it', async () => {
    await create('Tide Pools', [p('a', 'Salt water.')]);
    await create('Harbour', [p('b', 'See [[Tide Pools]] and [[Rock Pools]].')]);
    await send('POST', '/pages/tide-pools/rename', { title: 'Rock Pools' });
    await send('POST', '/pages/rock-pools/rename', { title: 'Sea Pools' });
    await send('DELETE', '/pages/sea-pools');
    await restoreOnly();

    for (const old of ['tide-pools', 'rock-pools']) {
      const r = await readPage(old);
      expect(r.status, old).toBe(200);
      expect(r.body.page.slug).toBe('sea-pools');
      expect(r.body.page.redirectedFrom).toBe(old);
      // Federated Wiki's address of the old slug answers too.
      const json = await t.app.inject({ method: 'GET', url: `/${old}.json` });
      expect(json.statusCode, old).toBe(200);
    }
    expect((await readPage('harbour')).body.page.links).toEqual([
      { title: 'Tide Pools', slug: 'sea-pools', exists: true },
      { title: 'Rock Pools', slug: 'sea-pools', exists: true },
    ]);
    expect((await readPage('sea-pools')).body.page.backlinks).toEqual([
      { slug: 'harbour', title: 'Harbour' },
    ]);
    // They are aliases again: a new page cannot take them.
    expect((await send('POST', '/pages', { title: 'Tide Pools' })).status).toBe(409);
  });

  it('leaves an old address to the page that took it while it was deleted', async () => {
    await create('Tide Pools', [p('a', 'Salt water.')]);
    await send('POST', '/pages/tide-pools/rename', { title: 'Rock Pools' });
    await send('POST', '/pages/rock-pools/rename', { title: 'Sea Pools' });
    await send('DELETE', '/pages/sea-pools');
    await create('Tide Pools', [p('n', 'A new page.')]);
    await restoreOnly();
    expect((await readPage('tide-pools')).body.page.story).toEqual([p('n', 'A new page.')]);
    expect((await readPage('rock-pools')).body.page.slug).toBe('sea-pools');
  });

  it('keeps an imported Federated Wiki slug as an import alias', async () => {
    const page = await create('Café Société', [p('a', 'Coffee.')]);
    const repo = t.handbook.service.repo;
    await repo.addAlias('caf-socit', (await repo.findBySlug(page.slug))?.id ?? '', 'import');
    await send('DELETE', `/pages/${encodeURIComponent(page.slug)}`);
    await restoreOnly();
    const r = await readPage('caf-socit');
    expect(r.status).toBe(200);
    expect(r.body.page.slug).toBe(page.slug);
    const rows = await sql<{
      kind: string;
    }>`select kind from handbook_aliases where slug = ${'caf-socit'}`.execute(t.db.db);
    expect(rows.rows).toEqual([{ kind: 'import' }]);
  });

  it('finds the old slugs of a page deleted before aliases were kept in its renames', async () => {
    await create('Tide Pools', [p('a', 'Salt water.')]);
    await send('POST', '/pages/tide-pools/rename', { title: 'Rock Pools' });
    await send('DELETE', '/pages/rock-pools');
    // As a page deleted before the aliases column was kept.
    await sql`update handbook_deleted_pages set aliases = null`.execute(t.db.db);
    await restoreOnly();
    const r = await readPage('tide-pools');
    expect(r.status).toBe(200);
    expect(r.body.page.slug).toBe('rock-pools');
  });

  it('refuses to restore over a page that took its title since', async () => {
    await create('Lanterns');
    await send('DELETE', '/pages/lanterns');
    await create('Lanterns', [p('n', 'A new page.')]);
    const [gone] = ((await send('GET', '/deleted-pages')).body as { pages: { id: string }[] })
      .pages;
    const clash = await send('POST', `/deleted-pages/${gone?.id}/restore`);
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ error: { code: 'page_exists' } });
    expect((await readPage('lanterns')).body.page.story).toEqual([p('n', 'A new page.')]);
  });
});

describe(`circles on ${testDialect()}`, () => {
  it('lists, renames, refuses a taken name, deletes and leaves the edit policy', async () => {
    expect(
      (await send('PUT', '/circles/tech', { name: 'Tech', members: ['acc-bea'] })).status,
    ).toBe(200);
    expect((await send('PUT', '/circles/org', { name: 'Org', members: [] })).status).toBe(200);
    const taken = await send('PUT', '/circles/org', { name: 'Tech', members: [] });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ error: { code: 'circle_name_taken' } });
    expect((await send('GET', '/circles')).body).toEqual({
      circles: [
        { id: 'org', name: 'Org', members: [] },
        { id: 'tech', name: 'Tech', members: [{ id: 'acc-bea', name: null, email: null }] },
      ],
    });
    expect((await send('GET', '/circles', undefined, member())).status).toBe(403);

    const unknown = await send('PUT', '/settings', {
      read: 'everyone',
      edit: 'circles',
      editCircles: ['nope'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: { code: 'circle_not_found' } });
    await send('PUT', '/settings', {
      read: 'everyone',
      edit: 'circles',
      editCircles: ['tech', 'org'],
    });
    expect((await send('POST', '/pages', { title: 'By Bea' }, member('Bea'))).status).toBe(201);

    expect((await send('DELETE', '/circles/tech')).status).toBe(200);
    expect((await send('GET', '/settings')).body).toMatchObject({ editCircles: ['org'] });
    expect((await send('POST', '/pages', { title: 'Again' }, member('Bea'))).status).toBe(403);
    const gone = await send('DELETE', '/circles/tech');
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error: { code: 'circle_not_found' } });
    expect((await send('DELETE', '/circles/org', undefined, member())).status).toBe(403);
  });
});

describe(`sections on ${testDialect()}`, () => {
  it('moves a page from one section to another', async () => {
    for (const title of ['A', 'A1', 'A2', 'B', 'B1']) await create(title);
    await send('PUT', '/sections', {
      sections: [
        { slug: 'a', pages: [{ slug: 'a1' }, { slug: 'a2' }] },
        { slug: 'b', pages: [{ slug: 'b1' }] },
      ],
    });
    const moved = await send('PUT', '/sections', {
      sections: [
        { slug: 'a', pages: [{ slug: 'a1' }] },
        { slug: 'b', pages: [{ slug: 'a2' }, { slug: 'b1' }] },
      ],
    });
    expect(moved.status).toBe(200);
    expect((await readPage('a2')).body.page.section).toMatchObject({
      slug: 'b',
      previous: { slug: 'b', title: 'B' },
      next: { slug: 'b1', title: 'B1' },
    });
    expect((await readPage('a1')).body.page.section?.next).toBeNull();
  });
});

describe(`the diagram cache and another process on ${testDialect()}`, () => {
  it('draws what `commonhall handbook import` wrote, though the import never reached this cache', async () => {
    await create('Quay', [
      p('q', 'Go to [[Ferry]].'),
      {
        id: 'g',
        type: 'graphviz',
        text: 'DOT digraph\nHERE NODE\nLINKS HERE -> NODE\n  HERE\n    LINKS HERE -> NODE',
      },
    ]);
    const drawn = async () =>
      (await readPage('quay')).body.page.rendered.find((r) => r.id === 'g')?.html ?? '';
    expect(await drawn()).not.toContain('Island');
    // Cached now: a second drawing of the same item is served from memory.
    expect(await drawn()).not.toContain('Island');

    const dir = mkdtempSync(join(tmpdir(), 'commonhall-import-'));
    try {
      const file = join(dir, 'export.json');
      writeFileSync(
        file,
        JSON.stringify({ ferry: { title: 'Ferry', story: [p('f', 'Sails to [[Island]].')] } }),
      );
      const report = await importFromSource(t.db, file);
      expect(report.imported).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await drawn()).toContain('Island');
  });

  it('drops the cache on another process’s write only, not on its own', async () => {
    const cache = new DiagramCache();
    let clears = 0;
    const clear = cache.clear.bind(cache);
    cache.clear = () => {
      clears++;
      clear();
    };
    wireDiagrams(t.handbook.service, cache);
    await create('Quay', [{ id: 'g', type: 'graphviz', text: 'DOT digraph\nHERE NODE' }]);
    await readPage('quay');
    expect(cache.size).toBe(1);
    const first = clears;
    // This server's own write, unrelated to the diagram: the picture stays cached.
    await create('Elsewhere');
    await readPage('quay');
    expect(clears).toBe(first);
    expect(cache.size).toBe(1);
    // Another process writes: the generation moves without this server knowing why.
    await t.handbook.service.repo.bumpGeneration();
    await readPage('quay');
    expect(clears).toBe(first + 1);
  });
});
