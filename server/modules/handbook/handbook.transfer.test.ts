import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PageView, SitemapEntry, WikiExport, WikiPage } from '@common/api/handbook';
import { testDialect } from '@server/test/test-app';
import { importFromSource } from './handbook.cli';
import { sitemapLinks } from './handbook.interop';
import { HandbookRepo } from './handbook.repo';
import { starters, seedStarter } from './handbook.starter';
import { buildHandbookTestApp, steward, type HandbookTestApp } from './handbook.test-helpers';
import { asciiSlug, slugify } from './handbook.text';
import { exportAll, exportKeys, importExport } from './handbook.transfer';

let t: HandbookTestApp;
beforeEach(async () => {
  t = await buildHandbookTestApp();
});
afterEach(async () => {
  await t.close();
});

const repo = () => HandbookRepo.from(t.db);

/** A generated wiki with every item type, extra fields, journals and Unicode titles. */
export function generatedWiki(n = 12): WikiExport {
  const titles = [
    'Welcome Visitors',
    'Política econòmica',
    'Αρχές',
    'المبادئ',
    '行为准则',
    'Économie',
    'Grundsätze',
  ];
  for (let i = titles.length; i < n; i++) titles.push(`Page ${i}`);
  const out: WikiExport = {};
  titles.slice(0, n).forEach((title, i) => {
    const next = titles[(i + 1) % n] ?? '';
    const story = [
      {
        type: 'paragraph',
        id: `p${i}`,
        text: `Read [[${next}]] and [https://example.org/${i} example ${i}]. #tag${i % 3}`,
      },
      { type: 'markdown', id: `m${i}`, text: `# Heading ${i}\n\n- one\n- [[${title}]]` },
      { type: 'html', id: `h${i}`, text: `<p>Hello <strong>${i}</strong></p>` },
      { type: 'code', id: `c${i}`, text: `const x = ${i};\n<b>not html</b>` },
      {
        type: 'image',
        id: `i${i}`,
        text: `Caption ${i}`,
        url: `/api/v1/handbook/images/img${i}`,
        size: 'wide',
        width: 420,
      },
      { type: 'pagefold', id: `f${i}`, text: 'more' },
      {
        type: 'reference',
        id: `r${i}`,
        site: 'fed.wiki.org',
        slug: 'welcome-visitors',
        title: 'Welcome Visitors',
        text: 'The federation.',
      },
      { type: 'graphviz', id: `g${i}`, text: 'DOT digraph\n  HERE NODE\n    LINKS HERE -> NODE' },
      { type: 'calendar', id: `u${i}`, text: '2026 NOV 26 assembly', custom: { nested: [1, 2] } },
    ];
    const page: WikiPage = {
      title,
      story,
      journal: [
        { type: 'create', item: { title, story: [] }, date: 1_700_000_000_000 + i },
        ...story.map((item, k) => ({
          type: 'add',
          id: item.id,
          item,
          ...(k > 0 ? { after: story[k - 1]?.id } : {}),
          date: 1_700_000_001_000 + k,
        })),
        { type: 'fork', site: 'fed.wiki.org', date: 1_700_000_100_000 },
      ],
    };
    // Keyed as our export names pages: Federated Wiki's slug, or the slug in punycode when the
    // title has no ASCII letter.
    out[asciiSlug(title) || domainToASCII(slugify(title))] = page;
  });
  return out;
}

describe(`handbook import and export on ${testDialect()}`, () => {
  it('import → export → import is lossless on a generated wiki with every item type', async () => {
    const wiki = generatedWiki();
    const report = await importExport(repo(), t.clock, wiki);
    expect(report).toEqual({ imported: Object.keys(wiki).length, refused: [], replacedStarter: 0 });
    const first = await exportAll(repo());
    expect(first).toEqual(wiki);

    // Into an emptied handbook again (one database at a time: see the report on Postgres schemas).
    for (const p of await repo().listAll()) await repo().deletePage(p.id);
    const r2 = await importExport(repo(), t.clock, JSON.parse(JSON.stringify(first)), {
      replace: true,
    });
    expect(r2.refused).toEqual([]);
    expect(await exportAll(repo())).toEqual(first);
    // Imported pages work like any other: backlinks, links, unknown items kept as unsupported.
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/handbook/pages/${encodeURIComponent('αρχές')}`,
    });
    const page = res.json<{ page: PageView }>().page;
    expect(page.backlinks).toEqual([{ slug: 'política-econòmica', title: 'Política econòmica' }]);
    expect(page.rendered.find((r) => r.id.startsWith('u'))?.supported).toBe(false);
  });

  it('keeps Federated Wiki ASCII slugs resolving after import', async () => {
    const report = await importExport(repo(), t.clock, {
      'politica-economica': {
        title: 'Política econòmica',
        story: [{ type: 'paragraph', id: 'a', text: 'x' }],
        journal: [],
      },
    });
    expect(report.imported).toBe(1);
    const viaAscii = await t.app.inject({
      method: 'GET',
      url: '/api/v1/handbook/pages/politica-economica',
    });
    expect(viaAscii.json()).toMatchObject({
      page: { slug: 'política-econòmica', redirectedFrom: 'politica-economica' },
    });
    const fw = await t.app.inject({ method: 'GET', url: '/politica-economica.json' });
    expect(fw.json()).toMatchObject({ title: 'Política econòmica' });
  });

  it('renames item ids no URL can name ("." "..", %2e forms), keeping the items and their history', async () => {
    const a = { type: 'paragraph', id: '..', text: 'two dots' };
    const b = { type: 'paragraph', id: '.', text: 'one dot' };
    const c = { type: 'markdown', id: '%2e%2E', text: 'encoded dots' };
    const d = { type: 'paragraph', id: 'ok', text: 'plain' };
    const report = await importExport(repo(), t.clock, {
      dots: {
        title: 'Dots',
        story: [c, b, { ...a, text: 'two dots, edited' }, d],
        journal: [
          { type: 'create', item: { title: 'Dots', story: [a] }, date: 1 },
          { type: 'add', id: '.', item: b, after: '..', date: 2 },
          { type: 'add', id: '%2e%2E', item: c, after: '.', date: 3 },
          { type: 'add', id: 'ok', item: d, after: '%2e%2E', date: 4 },
          { type: 'edit', id: '..', item: { ...a, text: 'two dots, edited' }, date: 5 },
          { type: 'move', order: ['%2e%2E', '.', '..', 'ok'], date: 6 },
          { type: 'add', id: '.%2e', item: { type: 'paragraph', id: '.%2e', text: 'x' }, date: 7 },
          { type: 'remove', id: '.%2e', date: 8 },
        ],
      },
    });
    expect(report.refused).toEqual([]);
    expect(report.imported).toBe(1);
    const renamed = new Map((report.renamedItems ?? []).map((r) => [r.from, r.to]));
    expect([...renamed.keys()].sort()).toEqual(['%2e%2E', '.', '.%2e', '..']);
    for (const [, to] of renamed) expect(to).toMatch(/^[0-9a-f]{16}$/);
    const { page } = (
      await t.app.inject({ method: 'GET', url: '/api/v1/handbook/pages/dots' })
    ).json<{ page: PageView }>();
    expect(page.story).toEqual([
      { ...c, id: renamed.get('%2e%2E') },
      { ...b, id: renamed.get('.') },
      { ...a, id: renamed.get('..'), text: 'two dots, edited' },
      d,
    ]);
    // The journal names the new ids wherever it named the old ones: each version replays.
    const version = async (i: number) =>
      (
        await t.app.inject({ method: 'GET', url: `/api/v1/handbook/pages/dots/versions/${i}` })
      ).json<{ story: { id: string }[] }>().story;
    expect((await version(5)).map((i) => i.id)).toEqual(page.story.map((i) => i.id));
    expect((await version(7)).map((i) => i.id)).toEqual(page.story.map((i) => i.id));
    expect((await version(6)).map((i) => i.id)).toContain(renamed.get('.%2e'));
    // And the app's item URLs reach them.
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/handbook/pages/dots/items/${renamed.get('..') ?? ''}`,
      headers: steward,
    });
    expect(removed.statusCode, removed.body).toBe(200);
  });

  it('imports nothing from malformed JSON and names each refused page with its reason', async () => {
    const wiki: Record<string, unknown> = { ...generatedWiki(3) };
    wiki['no-title'] = { story: [] };
    wiki['bad-story'] = { title: 'Bad story', story: 'nope' };
    wiki['bad-item'] = { title: 'Bad item', story: [{ type: 'paragraph' }] };
    wiki['too-big'] = {
      title: 'Too big',
      story: Array.from({ length: 7 }, (_, i) => ({
        id: `x${i}`,
        type: 'paragraph',
        text: 'x'.repeat(90_000),
      })),
    };
    wiki.dup = { title: 'welcome visitors', story: [] };
    const report = await importExport(repo(), t.clock, wiki);
    expect(report.imported).toBe(0);
    expect(report.refused.map((r) => r.page)).toEqual([
      'no-title',
      'bad-story',
      'bad-item',
      'too-big',
      'dup',
    ]);
    expect(report.refused[0]?.reason).toMatch(/^title: /);
    expect(report.refused[2]?.reason).toMatch(/^story\.0\.id: /);
    expect(report.refused[3]?.reason).toContain('512 KiB');
    expect(report.refused[4]?.reason).toContain('welcome-visitors');
    expect(await repo().count()).toBe(0);
    expect((await importExport(repo(), t.clock, [1, 2])).refused).toEqual([
      { page: '(file)', reason: 'an export must be a JSON object keyed by slug' },
    ]);
  });

  it('refuses pages that exist unless asked to replace them, all or nothing', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/handbook/pages',
      headers: steward,
      payload: { title: 'Welcome Visitors' },
    });
    const wiki = generatedWiki(3);
    const report = await importExport(repo(), t.clock, wiki);
    expect(report.refused).toEqual([
      {
        page: 'welcome-visitors',
        reason: 'a page with the slug welcome-visitors already exists (use --replace)',
      },
    ]);
    expect(await repo().count()).toBe(1);
    const replaced = await importExport(repo(), t.clock, wiki, { replace: true });
    expect(replaced.imported).toBe(3);
    expect(await exportAll(repo())).toEqual(wiki);
  });
});

describe(`starter handbook on ${testDialect()}`, () => {
  it('is seeded once into an empty handbook, in sections, and never overwritten', async () => {
    const n = await seedStarter(repo(), t.clock, 'es');
    expect(n).toBe(12);
    const home = await t.app.inject({ method: 'GET', url: '/api/v1/handbook/pages/inicio' });
    expect(home.json<{ page: PageView }>().page.links.every((l) => l.exists)).toBe(true);
    const mission = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/handbook/pages/${encodeURIComponent('misión-y-visión')}`,
      })
    ).json<{ page: PageView }>().page;
    expect(mission.section).toMatchObject({
      slug: 'principios',
      previous: { slug: 'principios' },
      next: { slug: 'espacios' },
    });
    // Edit one page, seed again: nothing changes.
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/handbook/pages/inicio/items/${home.json<{ page: PageView }>().page.story[0]?.id}`,
      headers: steward,
      payload: { item: { id: 'x', type: 'paragraph', text: 'Ours now.' }, baseVersion: 1 },
    });
    expect(await seedStarter(repo(), t.clock, 'en')).toBe(0);
    for (const p of await repo().listAll()) await repo().deletePage(p.id);
    expect(await seedStarter(repo(), t.clock, 'en')).toBe(0);
    expect(await repo().count()).toBe(0);
  });

  it('has English and Spanish templates for the same sections', () => {
    expect(starters.en.sections.map((s) => s.pages.length)).toEqual(
      starters.es.sections.map((s) => s.pages.length),
    );
    expect(starters.en.sections.map((s) => s.head.title)).toEqual([
      'Principles',
      'Political economy',
      'Social relations',
      'Assemblies & deliberations',
      'Keywords',
      'Constitution',
      'Code of practice',
    ]);
  });

  it('gives way to an imported handbook', async () => {
    await seedStarter(repo(), t.clock, 'en');
    const report = await importExport(repo(), t.clock, generatedWiki(3));
    expect(report).toMatchObject({ imported: 3, replacedStarter: 12 });
    expect(await repo().count()).toBe(3);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/handbook/sections' })).json(),
    ).toEqual({ sections: [] });
  });
});

describe(`Federated Wiki routes on ${testDialect()}`, () => {
  it('serves page JSON with evaluated graphviz, and a sitemap', async () => {
    const plainPage = {
      title: 'Plain Page',
      story: [{ id: 'a1', type: 'paragraph', text: 'Read [[Welcome Visitors]] — «ναι».' }],
      journal: [
        { type: 'create', item: { title: 'Plain Page', story: [] }, date: 1_700_000_000_000 },
      ],
    };
    await importExport(repo(), t.clock, { ...generatedWiki(3), 'plain-page': plainPage });
    // A page without a diagram is served as stored: exactly what was imported.
    const plain = await t.app.inject({ method: 'GET', url: '/plain-page.json' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toMatch(/^application\/json/);
    expect(plain.headers['access-control-allow-origin']).toBe('*');
    expect(plain.json()).toEqual(plainPage);
    const res = await t.app.inject({ method: 'GET', url: '/welcome-visitors.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const page = res.json<WikiPage>();
    const g = page.story.find((i) => i.type === 'graphviz');
    expect(g?.dot).toContain('"Welcome Visitors" -> "Política econòmica"');
    expect(g?.svg).toContain('<svg');
    expect(page.journal?.length).toBe(11);
    const sitemap = (await t.app.inject({ method: 'GET', url: '/system/sitemap.json' })).json<
      SitemapEntry[]
    >();
    // Named by Federated Wiki's slugs of the titles; a Greek title, which gives none, by its
    // slug in punycode (the export's key too).
    expect(sitemap.map((e) => e.slug)).toEqual([
      'plain-page',
      'poltica-econmica',
      'welcome-visitors',
      'xn--ixah2cfx',
    ]);
    expect(sitemap.find((e) => e.slug === 'welcome-visitors')).toEqual({
      slug: 'welcome-visitors',
      title: 'Welcome Visitors',
      // The last edit's date, as Federated Wiki's sitemap gives it: the journal's closing fork is
      // not an edit.
      date: 1_700_000_001_008,
      synopsis: 'Read Política econòmica and example 0. #tag0',
      links: { 'poltica-econmica': 'p0', 'welcome-visitors': 'm0' },
    });
    expect((await t.app.inject({ method: 'GET', url: '/nope.json' })).statusCode).toBe(404);
  });
});

describe(`page names that are Object.prototype's own, on ${testDialect()}`, () => {
  const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

  it('links to them in the sitemap like to any page', async () => {
    const story = [
      { id: 'a', type: 'paragraph', text: names.map((n) => `[[${n}]]`).join(' ') },
      { id: 'b', type: 'paragraph', text: '[[constructor]] again, [[Other]]' },
    ];
    // As a function, with slugs made to be exactly those names…
    expect(
      sitemapLinks([
        { id: 'x', type: 'paragraph', text: '[[constructor]] [[toString]]' },
        { id: 'y', type: 'paragraph', text: '[[constructor]]' },
      ]),
    ).toEqual({ constructor: 'x', tostring: 'x' });
    expect(Object.keys(sitemapLinks(story))).toEqual([
      'constructor',
      'proto',
      'tostring',
      'hasownproperty',
      'valueof',
      'other',
    ]);
    // …and served.
    for (const title of ['Linker', ...names]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/handbook/pages',
        headers: steward,
        payload: { title, story: title === 'Linker' ? story : [] },
      });
      expect(res.statusCode, `${title}: ${res.body}`).toBe(201);
    }
    const sitemap = (await t.app.inject({ method: 'GET', url: '/system/sitemap.json' })).json<
      SitemapEntry[]
    >();
    expect(sitemap.find((e) => e.slug === 'linker')?.links).toEqual({
      constructor: 'a',
      proto: 'a',
      tostring: 'a',
      hasownproperty: 'a',
      valueof: 'a',
      other: 'b',
    });
    expect(sitemap.map((e) => e.slug).sort()).toEqual(
      ['linker', 'constructor', 'proto', 'tostring', 'hasownproperty', 'valueof'].sort(),
    );
  });

  it('imports page files named after them from a folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'commonhall-proto-'));
    try {
      for (const n of names) {
        const page = { title: `Page ${n}`, story: [{ id: 'a', type: 'paragraph', text: n }] };
        writeFileSync(join(dir, `${n}.json`), JSON.stringify(page));
      }
      const report = await importFromSource(t.db, dir);
      expect(report.refused).toEqual([]);
      expect(report.imported).toBe(names.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The Federated Wiki slug (the file name) stays an alias, "__proto__" included.
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/handbook/pages/__proto__' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ page: { slug: 'page-proto' } });
  });
});

describe(`export keys and what an import copies, on ${testDialect()}`, () => {
  it('names pages by Federated Wiki slugs; a shared or empty one is given another key and reported', () => {
    const at = (n: number) => `2026-01-0${n}T00:00:00.000Z`;
    const { keys, renamed } = exportKeys([
      { id: '1', slug: 'c', title: 'C', createdAt: at(1), aliases: [] },
      { id: '2', slug: 'c-2', title: 'C++', createdAt: at(2), aliases: [] },
      { id: '3', slug: 'c-3', title: 'C#', createdAt: at(3), aliases: ['c-sharp'] },
      { id: '4', slug: 'αρχές', title: 'Αρχές', createdAt: at(4), aliases: [] },
      { id: '5', slug: 'café', title: 'Café', createdAt: at(5), aliases: [] },
    ]);
    expect(Object.fromEntries(keys)).toEqual({
      '1': 'c',
      '2': 'c-2',
      '3': 'c-sharp',
      '4': 'xn--ixah2cfx',
      '5': 'caf',
    });
    expect(renamed.map((r) => [r.title, r.key, r.reason])).toEqual([
      ['C++', 'c-2', 'shared'],
      ['C#', 'c-sharp', 'shared'],
      ['Αρχές', 'xn--ixah2cfx', 'no-ascii-letters'],
    ]);
  });

  it('carries sections through our own export → import', async () => {
    for (const title of ['Principles', 'Mission', 'Spaces', 'Economy'])
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/handbook/pages',
        headers: steward,
        payload: { title },
      });
    const sections = [
      { slug: 'principles', pages: [{ slug: 'mission' }, { slug: 'spaces', parent: 'mission' }] },
      { slug: 'economy', pages: [] },
    ];
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/handbook/sections',
      headers: steward,
      payload: { sections },
    });
    expect(put.statusCode, put.body).toBe(200);
    const before = (
      await t.app.inject({ method: 'GET', url: '/api/v1/handbook/sections' })
    ).json<unknown>();
    const exported = await exportAll(repo());
    expect(Object.keys(exported)).toContain('commonhall-sections');
    await repo().replaceSections([]);
    for (const p of await repo().listAll()) await repo().deletePage(p.id);
    const report = await importExport(repo(), t.clock, JSON.parse(JSON.stringify(exported)));
    expect(report).toMatchObject({ imported: 4, refused: [], sections: 2 });
    const after = (
      await t.app.inject({ method: 'GET', url: '/api/v1/handbook/sections' })
    ).json<unknown>();
    expect(after).toEqual(before);
    expect(await repo().findBySlug('commonhall-sections')).toBeUndefined();
  });

  it('refuses a page whose data: image is not an image, and leaves an upload it cannot reach', async () => {
    const fake = {
      'a-page': {
        title: 'A page',
        story: [{ type: 'image', id: 'i', url: 'data:image/png;base64,aGVsbG8=', text: 'x' }],
      },
    };
    const refused = await importExport(repo(), t.clock, fake, { dataDir: t.config.dataDir });
    expect(refused.imported).toBe(0);
    expect(refused.refused[0]?.page).toBe('a-page');
    expect(refused.refused[0]?.reason).toContain('PNG, JPEG, GIF or WebP');

    const upload = {
      'a-page': {
        title: 'A page',
        story: [{ type: 'image', id: 'i', url: '/assets/plugins/image/x.png', text: 'x' }],
      },
    };
    const left = await importExport(repo(), t.clock, upload, { dataDir: t.config.dataDir });
    expect(left.imported).toBe(1);
    expect(left.imagesLeft).toEqual([
      { page: 'a-page', url: '/assets/plugins/image/x.png', reason: expect.any(String) as string },
    ]);
  });
});
