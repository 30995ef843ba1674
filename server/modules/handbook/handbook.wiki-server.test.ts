import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageView } from '@common/api/handbook';
import { freePort, listsPages, startFedwiki, type Fedwiki } from '@server/test/fedwiki';
import { testDialect } from '@server/test/test-app';
import { importFromSource } from './handbook.cli';
import { HandbookRepo } from './handbook.repo';
import { buildHandbookTestApp, type HandbookTestApp } from './handbook.test-helpers';
import { exportAll } from './handbook.transfer';

const seeded = {
  'welcome-visitors': {
    title: 'Welcome Visitors',
    story: [
      { type: 'paragraph', id: 'a1', text: 'Start at [[Commoning]] or [[Política econòmica]].' },
      { type: 'graphviz', id: 'g1', text: 'DOT digraph\n  HERE NODE\n    LINKS HERE -> NODE' },
      { type: 'video', id: 'v1', text: 'YOUTUBE abc' },
    ],
    journal: [
      { type: 'create', item: { title: 'Welcome Visitors', story: [] }, date: 1_600_000_000_000 },
      {
        type: 'add',
        id: 'a1',
        item: { type: 'paragraph', id: 'a1', text: 'Start.' },
        date: 1_600_000_001_000,
      },
    ],
  },
  commoning: {
    title: 'Commoning',
    story: [{ type: 'markdown', id: 'm1', text: '# Commoning\nBack to [[Welcome Visitors]].' }],
    journal: [{ type: 'create', item: { title: 'Commoning', story: [] }, date: 1_600_000_002_000 }],
  },
  // Federated Wiki's ASCII slug of a Catalan title.
  'poltica-econmica': {
    title: 'Política econòmica',
    story: [{ type: 'paragraph', id: 'p1', text: 'Salari just.' }],
    journal: [
      { type: 'create', item: { title: 'Política econòmica', story: [] }, date: 1_600_000_003_000 },
    ],
  },
};

let wiki: Fedwiki | undefined;
let url = '';
let t: HandbookTestApp;

beforeAll(async () => {
  wiki = await startFedwiki({ pages: seeded, ready: listsPages(Object.keys(seeded).length) });
  url = wiki.url;
  t = await buildHandbookTestApp();
}, 120_000);

afterAll(async () => {
  await wiki?.stop();
  await t?.close();
});

describe(`import from a running Federated Wiki site on ${testDialect()}`, () => {
  it('reads the sitemap, then each page, keeping journals, items and ASCII slugs', async () => {
    const seen: number[] = [];
    const report = await importFromSource(t.db, url, {
      clock: t.clock,
      progress: (done) => seen.push(done),
      // The test's wiki runs on loopback.
      allowPrivate: true,
    });
    expect(report).toEqual({ imported: 3, refused: [], replacedStarter: 0, sourcePages: 3 });
    expect(seen).toEqual([1, 2, 3]);
    const exported = await exportAll(HandbookRepo.from(t.db));
    // Named by the keys the source served them at.
    expect(Object.keys(exported).sort()).toEqual([
      'commoning',
      'poltica-econmica',
      'welcome-visitors',
    ]);
    expect(exported['welcome-visitors']?.journal).toEqual(seeded['welcome-visitors'].journal);
    expect(exported['welcome-visitors']?.story.map((i) => i.type)).toEqual([
      'paragraph',
      'graphviz',
      'video',
    ]);
    const viaAscii = await t.app.inject({
      method: 'GET',
      url: '/api/v1/handbook/pages/poltica-econmica',
    });
    expect(viaAscii.json<{ page: PageView }>().page.title).toBe('Política econòmica');
    const welcome = (
      await t.app.inject({ method: 'GET', url: '/api/v1/handbook/pages/welcome-visitors' })
    ).json<{ page: PageView }>().page;
    expect(welcome.links.every((l) => l.exists)).toBe(true);

    // Importing the same site again refuses every page: nothing changes.
    const again = await importFromSource(t.db, url, { clock: t.clock, allowPrivate: true });
    expect(again.imported).toBe(0);
    expect(again.refused).toHaveLength(3);
  }, 60_000);

  it('reports an unreachable site and imports nothing', async () => {
    const port = await freePort();
    const report = await importFromSource(t.db, `http://127.0.0.1:${port}`, {
      clock: t.clock,
      allowPrivate: true,
    });
    expect(report.imported).toBe(0);
    expect(report.refused[0]?.page).toBe('(sitemap)');
  });

  it('refuses a site on this host’s own networks unless allowPrivate (--allow-private)', async () => {
    const report = await importFromSource(t.db, url, { clock: t.clock });
    expect(report.imported).toBe(0);
    expect(report.refused).toHaveLength(1);
    expect(report.refused[0]?.page).toBe('(sitemap)');
    expect(report.refused[0]?.reason).toContain('127.0.0.1');
    expect(report.refused[0]?.reason).toContain('--allow-private');
  });
});
