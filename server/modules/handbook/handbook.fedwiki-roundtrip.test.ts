import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Item, PageView, WikiExport, WikiPage } from '@common/api/handbook';
import { listsPages, startFedwiki } from '@server/test/fedwiki';
import { testDialect } from '@server/test/test-app';
import { importFromSource } from './handbook.cli';
import { HandbookRepo } from './handbook.repo';
import {
  buildHandbookTestApp,
  createPage,
  steward,
  type HandbookTestApp,
} from './handbook.test-helpers';
import { asciiSlug } from './handbook.text';
import { exportHandbook, SECTIONS_FIELD } from './handbook.transfer';

/**
 * Round trips with the real Federated Wiki server (the `wiki` package): its pages folder in, our
 * import and export, its pages folder out, every page and link checked on the real server.
 */

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const DATA_PNG = `data:image/png;base64,${PNG.toString('base64')}`;
const UPLOAD = '/assets/plugins/image/0123456789abcdef0123456789abcdef.png';

interface Wiki {
  url: string;
  dir: string;
  stop: () => Promise<void>;
}
const wikis: Wiki[] = [];

/** A data folder with these pages (and image uploads) for a `wiki` server. */
function wikiFolder(pages: Record<string, unknown>, uploads: Record<string, Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'fedwiki-rt-'));
  mkdirSync(join(dir, 'pages'));
  mkdirSync(join(dir, 'assets', 'plugins', 'image'), { recursive: true });
  for (const [key, page] of Object.entries(pages))
    writeFileSync(join(dir, 'pages', key), JSON.stringify(page, null, 2));
  for (const [name, bytes] of Object.entries(uploads))
    writeFileSync(join(dir, 'assets', 'plugins', 'image', name), bytes);
  return dir;
}

async function getJson<T>(url: string): Promise<{ status: number; body: T | undefined }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let body: T | undefined;
  try {
    body = JSON.parse(text) as T;
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

/** Starts the real `wiki` server on a data folder; resolves once it lists `pages` page files. */
async function startWiki(dir: string, pages: number): Promise<Wiki> {
  const started = await startFedwiki({ dataDir: dir, ready: listsPages(pages, 'slugs.json') });
  const wiki: Wiki = { url: started.url, dir, stop: started.stop };
  wikis.push(wiki);
  return wiki;
}

/** The real server's sitemap once it lists `n` pages (it is rebuilt after start-up). */
async function fullSitemap(wiki: Wiki, n: number): Promise<{ slug: string; title: string }[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await getJson<{ slug: string; title: string }[]>(`${wiki.url}/system/sitemap.json`);
    if (s.body !== undefined && s.body.length === n) return s.body;
    if (Date.now() > deadline) throw new Error(`the sitemap never listed ${n} pages`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Every `[[link]]` of a story as the Federated Wiki client computes its slug. */
function fedwikiLinks(story: readonly Item[]): string[] {
  const out: string[] = [];
  for (const item of story)
    if (typeof item.text === 'string')
      for (const m of item.text.matchAll(/\[\[([^\]]+)\]\]/g)) out.push(asciiSlug(m[1] ?? ''));
  return out;
}

/** Writes an export's entries into a fresh `wiki` data folder, starts it, checks every page. */
async function serveExport(exported: WikiExport): Promise<Wiki> {
  const keys = Object.keys(exported);
  const wiki = await startWiki(wikiFolder(exported), keys.length);
  for (const key of keys) {
    const got = await getJson<WikiPage>(`${wiki.url}/${key}.json`);
    expect(got.status, key).toBe(200);
    expect(got.body?.title, key).toBe(exported[key]?.title);
  }
  // Every link of every page resolves on the real server.
  for (const [key, page] of Object.entries(exported)) {
    for (const slug of fedwikiLinks(page.story)) {
      const got = await fetch(`${wiki.url}/${slug}.json`, { signal: AbortSignal.timeout(5000) });
      expect(got.status, `${key} → ${slug}`).toBe(200);
    }
  }
  return wiki;
}

const journalOf = (title: string, story: unknown[]) => [
  { type: 'create', item: { title, story }, date: 1_700_000_000_000 },
];
const page = (title: string, story: Item[]) => ({ title, story, journal: journalOf(title, story) });

/** Ten Federated Wiki pages: Unicode and `&` titles, images, html, video, reference, graphviz. */
const source: Record<string, ReturnType<typeof page>> = {
  'welcome-visitors': page('Welcome Visitors', [
    {
      type: 'paragraph',
      id: 'w1',
      text: 'Start at [[Política econòmica]], [[Mission & vision]] or [[Café société]].',
    },
    { type: 'image', id: 'w2', url: UPLOAD, text: 'Our logo, see [[Assemblies & deliberations]]' },
    { type: 'image', id: 'w3', url: DATA_PNG, text: 'A dot' },
    {
      type: 'html',
      id: 'w4',
      text: '<p onclick="steal()">Hello <b>there</b><script>alert(1)</script> findme</p>',
    },
    { type: 'video', id: 'w5', text: 'YOUTUBE dQw4w9WgXcQ\nA talk about [[Commoning]]' },
    {
      type: 'reference',
      id: 'w6',
      site: 'fed.wiki.org',
      slug: 'how-to-wiki',
      title: 'How To Wiki',
      text: 'The federation’s guide.',
    },
    { type: 'calendar', id: 'w7', text: '2026 NOV 26 assembly' },
  ]),
  'poltica-econmica': page('Política econòmica', [
    { type: 'paragraph', id: 'p1', text: 'Salari just. Back to [[Welcome Visitors]].' },
  ]),
  'mission--vision': page('Mission & vision', [
    { type: 'paragraph', id: 'm1', text: 'Ours. See [[Principles & protocols]].' },
  ]),
  'principles--protocols': page('Principles & protocols', [
    { type: 'paragraph', id: 'r1', text: 'How we work.' },
  ]),
  'caf-socit': page('Café société', [{ type: 'paragraph', id: 'c1', text: 'Un café.' }]),
  'assemblies--deliberations': page('Assemblies & deliberations', [
    { type: 'paragraph', id: 'a1', text: 'We decide together.' },
  ]),
  commoning: page('Commoning', [{ type: 'markdown', id: 'k1', text: '# Commoning\nShared.' }]),
  'how-to-wiki': page('How To Wiki', [{ type: 'paragraph', id: 'h1', text: 'Local copy.' }]),
  'link-map': page('Link map', [
    { type: 'graphviz', id: 'g1', text: 'DOT digraph\n  HERE NODE\n    LINKS HERE -> NODE' },
  ]),
  'link-map-again': page('Link map again', [
    { type: 'graphviz', id: 'g2', text: 'DOT FROM link-map' },
  ]),
};

afterAll(async () => {
  for (const w of wikis) {
    await w.stop();
    rmSync(w.dir, { recursive: true, force: true });
  }
}, 60_000);

let t: HandbookTestApp;
beforeEach(async () => {
  t = await buildHandbookTestApp();
});
afterEach(async () => {
  await t.close();
});

const api = '/api/v1/handbook';
const view = async (slug: string) =>
  (await t.app.inject({ method: 'GET', url: `${api}/pages/${encodeURIComponent(slug)}` })).json<{
    page: PageView;
  }>().page;

describe(`Federated Wiki → Commonhall → Federated Wiki with the real wiki server on ${testDialect()}`, () => {
  it('imports every page (slugs.json as well as the sitemap), its images and its html as they were; exports every page at its original slug', async () => {
    const wiki = await startWiki(
      wikiFolder(source, { [UPLOAD.split('/').pop() ?? '']: PNG }),
      Object.keys(source).length,
    );
    await fullSitemap(wiki, Object.keys(source).length);
    // A page file written after start-up: slugs.json lists it, the server's sitemap does not yet.
    const late = page('Late page', [{ type: 'paragraph', id: 'l1', text: 'Written late.' }]);
    writeFileSync(join(wiki.dir, 'pages', 'late-page'), JSON.stringify(late));
    const sitemap = await getJson<unknown[]>(`${wiki.url}/system/sitemap.json`);
    expect(sitemap.body).toHaveLength(Object.keys(source).length);
    const all = { ...source, 'late-page': late };

    const report = await importFromSource(t.db, wiki.url, {
      clock: t.clock,
      allowPrivate: true,
      dataDir: t.config.dataDir,
    });
    expect(report).toEqual({
      imported: 11,
      refused: [],
      replacedStarter: 0,
      sourcePages: 11,
      images: 2,
    });

    // Images: both now in our store, served by us.
    const welcome = await view('welcome-visitors');
    const urls = welcome.story.filter((i) => i.type === 'image').map((i) => String(i.url));
    expect(urls).toHaveLength(2);
    for (const url of urls) {
      expect(url).toMatch(/^\/api\/v1\/handbook\/images\//);
      const img = await t.app.inject({ method: 'GET', url });
      expect(img.statusCode).toBe(200);
      expect(img.headers['content-type']).toBe('image/png');
      expect(img.rawPayload.equals(PNG)).toBe(true);
    }

    // html: stored as the source had it; sanitised wherever it is drawn or served.
    const stored = await HandbookRepo.from(t.db).findBySlug('welcome-visitors');
    expect(stored?.story.find((i) => i.id === 'w4')?.text).toBe(
      source['welcome-visitors']?.story[3]?.text,
    );
    const served: string[] = [
      JSON.stringify(welcome.story),
      JSON.stringify(welcome.rendered),
      JSON.stringify(welcome.journal),
      (await t.app.inject({ method: 'GET', url: '/welcome-visitors.json' })).body,
      (await t.app.inject({ method: 'GET', url: `${api}/pages/welcome-visitors/versions/0` })).body,
      (await t.app.inject({ method: 'GET', url: `${api}/search?q=findme` })).body,
      JSON.stringify((await exportHandbook(HandbookRepo.from(t.db))).pages['welcome-visitors']),
    ];
    for (const body of served) {
      expect(body).not.toMatch(/onclick|<script|alert/);
    }
    expect(served[1]).toContain('<b>there</b>');
    expect(served[5]).toContain('findme');
    // What a script held is not searchable.
    const alert = (await t.app.inject({ method: 'GET', url: `${api}/search?q=alert` })).json<{
      results: unknown[];
    }>();
    expect(alert.results).toEqual([]);

    // Links in an image caption, a video caption and a reference item count (backlinks).
    expect((await view('assemblies-deliberations')).backlinks).toEqual([
      { slug: 'welcome-visitors', title: 'Welcome Visitors' },
    ]);
    expect((await view('commoning')).backlinks.map((b) => b.slug)).toContain('welcome-visitors');
    expect((await view('how-to-wiki')).backlinks.map((b) => b.slug)).toEqual(['welcome-visitors']);
    const ourSitemap = (await t.app.inject({ method: 'GET', url: '/system/sitemap.json' })).json<
      { slug: string; links?: Record<string, string> }[]
    >();
    const links = Object.keys(ourSitemap.find((e) => e.slug === 'welcome-visitors')?.links ?? {});
    expect(links.some((l) => l.startsWith('assemblies'))).toBe(true);
    expect(links.some((l) => l === 'how-to-wiki')).toBe(true);

    // Video as a link (no third-party frame), reference as a card, other types by their text.
    const rendered = new Map(welcome.rendered.map((r) => [r.id, r]));
    expect(rendered.get('w5')?.html).toContain(
      'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"',
    );
    expect(rendered.get('w5')?.html).not.toContain('iframe');
    expect(rendered.get('w5')?.html).toContain('class="internal"');
    expect(rendered.get('w6')?.html).toContain('href="http://fed.wiki.org/how-to-wiki.html"');
    expect(rendered.get('w6')?.html).toContain('reference-card');
    expect(rendered.get('w7')).toMatchObject({ supported: false });
    expect(rendered.get('w7')?.html).toContain('2026 NOV 26 assembly');
    // The diagram drawn from another page's markup.
    const again = await view('link-map-again');
    expect(again.rendered[0]?.html).toContain('<svg');

    // Out again, into a fresh wiki server: every page at its original slug, every link resolves.
    const { pages, renamed } = await exportHandbook(HandbookRepo.from(t.db), {
      dataDir: t.config.dataDir,
    });
    expect(renamed).toEqual([]);
    expect(Object.keys(pages).sort()).toEqual(Object.keys(all).sort());
    const back = await serveExport(pages);
    const images = (await getJson<WikiPage>(`${back.url}/welcome-visitors.json`)).body?.story
      .filter((i) => i.type === 'image')
      .map((i) => i.url);
    expect(images).toEqual([DATA_PNG, DATA_PNG]);
    const gv = (await getJson<WikiPage>(`${back.url}/link-map-again.json`)).body?.story[0];
    expect(gv?.text).toBe('DOT FROM link-map');
  }, 240_000);
});

describe(`Commonhall → export → a fresh wiki server on ${testDialect()}`, () => {
  it('serves every page at its key there, resolves every link, ignores the sections page; sections come back on import', async () => {
    const up = await t.app.inject({
      method: 'POST',
      url: `${api}/images`,
      headers: { ...steward, 'content-type': 'image/png' },
      payload: PNG,
    });
    expect(up.statusCode, up.body).toBe(201);
    const uploaded = up.json<{ url: string }>().url;
    await createPage(t, 'Principles & protocols', [
      { type: 'paragraph', id: 'a', text: 'Read [[Café société]] and [[Política econòmica]].' },
      { type: 'image', id: 'b', url: uploaded, text: 'An upload, see [[Mission & vision]]' },
      { type: 'image', id: 'c', url: DATA_PNG, text: 'A data image' },
      { type: 'html', id: 'd', text: '<p>Some <em>html</em></p>' },
    ]);
    await createPage(t, 'Café société', [{ type: 'paragraph', id: 'a', text: 'Un café.' }]);
    await createPage(t, 'Política econòmica', [
      { type: 'graphviz', id: 'g', text: 'DOT FROM mission-vision' },
    ]);
    await createPage(t, 'Mission & vision', [
      { type: 'graphviz', id: 'g', text: 'DOT digraph\n  HERE NODE\n    LINKS HERE -> NODE' },
    ]);
    const put = await t.app.inject({
      method: 'PUT',
      url: `${api}/sections`,
      headers: steward,
      payload: {
        sections: [
          {
            slug: 'principles-protocols',
            pages: [{ slug: 'mission-vision' }, { slug: 'café-société', parent: 'mission-vision' }],
          },
          { slug: 'política-econòmica', pages: [] },
        ],
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    const sectionsBefore = (
      await t.app.inject({ method: 'GET', url: `${api}/sections` })
    ).json<unknown>();

    const { pages, renamed } = await exportHandbook(HandbookRepo.from(t.db), {
      dataDir: t.config.dataDir,
    });
    expect(renamed).toEqual([]);
    expect(Object.keys(pages).sort()).toEqual([
      'caf-socit',
      'commonhall-sections',
      'mission--vision',
      'poltica-econmica',
      'principles--protocols',
    ]);
    const wiki = await serveExport(pages);
    // The real server treats the sections page as one more page: its sitemap lists every page.
    const sitemap = await fullSitemap(wiki, 5);
    expect(sitemap.map((e) => e.title).sort()).toEqual([
      'Café société',
      'Commonhall sections',
      'Mission & vision',
      'Política econòmica',
      'Principles & protocols',
    ]);
    const principles = (await getJson<WikiPage>(`${wiki.url}/principles--protocols.json`)).body;
    expect(principles?.story.filter((i) => i.type === 'image').map((i) => i.url)).toEqual([
      DATA_PNG,
      DATA_PNG,
    ]);

    // Back from the wiki server into a fresh handbook: the same pages, the same sections.
    const t2 = await buildHandbookTestApp();
    try {
      const report = await importFromSource(t2.db, wiki.url, {
        clock: t2.clock,
        allowPrivate: true,
        dataDir: t2.config.dataDir,
      });
      expect(report).toMatchObject({ imported: 4, refused: [], sourcePages: 5, sections: 2 });
      const sectionsAfter = (
        await t2.app.inject({ method: 'GET', url: `${api}/sections` })
      ).json<unknown>();
      expect(sectionsAfter).toEqual(sectionsBefore);
      const page2 = (
        await t2.app.inject({ method: 'GET', url: `${api}/pages/café-société` })
      ).json<{ page: PageView }>().page;
      expect(page2.section?.previous?.slug).toBe('mission-vision');
      expect(pages['commonhall-sections']?.[SECTIONS_FIELD]).toBeDefined();
    } finally {
      await t2.close();
    }
  }, 240_000);
});
