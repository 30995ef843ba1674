/**
 * `[[Links]]` to titles with `&`, `'`, `"`, `<`, `>` and in any script, through the API: every
 * link of every starter handbook leads to its page, links in paragraph, markdown and html items
 * are drawn present and counted as backlinks and in the sitemap, search snippets show such titles
 * as written, and no link title injects markup.
 */
import { JSDOM } from 'jsdom';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handbookStarterLanguages, type PageView } from '@common/api/handbook';
import { testDialect } from '@server/test/test-app';
import { seedStarter, starters } from './handbook.starter';
import {
  buildHandbookTestApp,
  createPage,
  steward,
  type HandbookTestApp,
} from './handbook.test-helpers';
import { asciiSlug, slugify } from './handbook.text';

let t: HandbookTestApp;
beforeEach(async () => {
  t = await buildHandbookTestApp();
});
afterEach(async () => {
  await t.close();
});

const api = '/api/v1/handbook';

async function read(slug: string) {
  const res = await t.app.inject({
    method: 'GET',
    url: `${api}/pages/${encodeURIComponent(slug)}`,
    headers: steward,
  });
  return { status: res.statusCode, page: res.json<{ page: PageView }>().page };
}

/** The internal links drawn in a page's rendered items, parsed as a browser would. */
function drawnLinks(page: PageView) {
  const doc = new JSDOM(`<body>${page.rendered.map((r) => r.html).join('')}</body>`).window
    .document;
  return [...doc.querySelectorAll('a.internal')].map((a) => ({
    text: a.textContent,
    slug: a.getAttribute('data-slug') ?? '',
    href: a.getAttribute('href'),
    missing: a.classList.contains('missing'),
  }));
}

describe(`every link of the starter handbook on ${testDialect()}`, () => {
  it.each(handbookStarterLanguages)('leads to an existing page in %s', async (language) => {
    expect(await seedStarter(t.handbook.service.repo, t.clock, language)).toBeGreaterThan(0);
    const s = starters[language];
    const titles = [s.home, ...s.sections.flatMap((x) => [x.head, ...x.pages])].map((p) => p.title);
    let linksSeen = 0;
    for (const title of titles) {
      const { status, page } = await read(slugify(title));
      expect(status).toBe(200);
      expect(page.links.filter((l) => !l.exists)).toEqual([]);
      for (const link of drawnLinks(page)) {
        linksSeen++;
        expect(link, `${title} → ${link.text}`).toMatchObject({ missing: false });
        expect(link.href).toBe(`/handbook/${encodeURIComponent(link.slug)}`);
        // The address it points to is the page itself, not a redirect or "Page not found".
        const target = await read(link.slug);
        expect(target.status).toBe(200);
        expect(target.page.slug).toBe(link.slug);
        expect(target.page.title).toBe(link.text);
        expect(target.page.redirectedFrom).toBeUndefined();
      }
    }
    expect(linksSeen).toBeGreaterThan(10);
  });

  it('draws "Mission & vision" on the English Principles page as present', async () => {
    await seedStarter(t.handbook.service.repo, t.clock, 'en');
    const { page } = await read('principles');
    expect(drawnLinks(page)).toContainEqual({
      text: 'Mission & vision',
      slug: 'mission-vision',
      href: '/handbook/mission-vision',
      missing: false,
    });
  });
});

const hard = [
  'Mission & vision',
  'Charte d’accueil & l\'été "ouvert"',
  'a < b > c',
  'Αρχές & πρωτόκολλα',
  'قواعد "المجلس"',
  '原则 & 协议',
];

describe(`links to titles with & ' " < > on ${testDialect()}`, () => {
  it('in paragraph, markdown and html items: present, backlinked and in the sitemap', async () => {
    for (const title of hard)
      await createPage(t, title, [{ id: 'a', type: 'paragraph', text: 'x' }]);
    const story = hard.flatMap((title, i) => [
      { id: `p${i}`, type: 'paragraph', text: `Paragraph: [[${title}]].` },
      { id: `m${i}`, type: 'markdown', text: `**Markdown**: [[${title}]].` },
      // Sent raw; the server stores html items sanitised (& → &amp;).
      { id: `h${i}`, type: 'html', text: `<p><i>Html</i>: [[${title}]]</p>` },
    ]);
    const linker = await createPage(t, 'Linker', story);
    expect(linker.links).toEqual(
      hard.map((title) => ({ title, slug: slugify(title), exists: true })),
    );
    const drawn = drawnLinks(linker);
    expect(drawn).toHaveLength(hard.length * 3);
    expect(drawn.filter((l) => l.missing)).toEqual([]);
    expect(drawn.map((l) => l.text)).toEqual(hard.flatMap((title) => [title, title, title]));

    for (const title of hard) {
      const { page } = await read(slugify(title));
      expect(page.backlinks).toEqual([{ slug: 'linker', title: 'Linker' }]);
    }
    const sitemap = (await t.app.inject({ method: 'GET', url: '/system/sitemap.json' })).json<
      { slug: string; links?: Record<string, string> }[]
    >();
    const entry = sitemap.find((e) => e.slug === 'linker');
    // Keyed as Federated Wiki slugs the titles, the keys its client looks backlinks up by.
    expect(Object.keys(entry?.links ?? {}).sort()).toEqual(
      [...new Set(hard.map(asciiSlug))].filter((k) => k !== '').sort(),
    );
  });

  it('search snippets show a linked title as written', async () => {
    await createPage(t, 'Reading', [
      { id: 'a', type: 'paragraph', text: 'Read [[Mission & vision]] and [[Règles d’or]].' },
    ]);
    await createPage(t, 'Markup', [
      { id: 'b', type: 'html', text: '<p>About [[Principles & protocols]] here</p>' },
    ]);
    const search = async (q: string) =>
      (
        await t.app.inject({ method: 'GET', url: `${api}/search?q=${encodeURIComponent(q)}` })
      ).json<{ results: { slug: string; snippet: string }[] }>().results;
    const text = (html: string) =>
      new JSDOM(`<body>${html}</body>`).window.document.body.textContent;
    const [reading] = await search('vision');
    expect(text(reading?.snippet ?? '')).toBe('Read Mission & vision and Règles d’or.');
    const [markup] = await search('protocols');
    expect(text(markup?.snippet ?? '')).toBe('About Principles & protocols here');
  });

  it('a rename updates links to a title with & in paragraph, markdown and html items', async () => {
    await createPage(t, 'Mission & vision');
    await createPage(t, 'Linker', [
      { id: 'p', type: 'paragraph', text: 'See [[Mission & vision]].' },
      { id: 'm', type: 'markdown', text: 'See [[Mission & vision]].' },
      { id: 'h', type: 'html', text: '<p>See [[Mission &amp; vision]].</p>' },
    ]);
    const post = (url: string, payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: `${api}${url}`, headers: steward, payload });
    expect(
      (await post('/pages/mission-vision/rename', { title: 'Purpose & path' })).statusCode,
    ).toBe(200);
    const updated = await post('/pages/purpose-path/update-links', { from: 'Mission & vision' });
    expect(updated.json()).toEqual({ updated: ['linker'] });
    const { page } = await read('linker');
    expect(page.story.map((i) => i.text)).toEqual([
      'See [[Purpose & path]].',
      'See [[Purpose & path]].',
      '<p>See [[Purpose &amp; path]].</p>',
    ]);
    expect(page.links).toEqual([{ title: 'Purpose & path', slug: 'purpose-path', exists: true }]);
  });

  it('no link title injects markup', async () => {
    const attacks = ['<img src=x onerror=alert(1)>', 'a" onmouseover="x'];
    const story = attacks.flatMap((a, i) => [
      { id: `p${i}`, type: 'paragraph', text: `[[${a}]]` },
      { id: `m${i}`, type: 'markdown', text: `[[${a}]]` },
      { id: `h${i}`, type: 'html', text: `[[${a}]]` },
    ]);
    const page = await createPage(t, 'Attack', story);
    const doc = new JSDOM(`<body>${page.rendered.map((r) => r.html).join('')}</body>`).window
      .document;
    for (const el of doc.body.querySelectorAll('*'))
      for (const attr of el.getAttributeNames()) expect(attr).not.toMatch(/^on/);
    // The paragraph and markdown links show the titles as text.
    expect(drawnLinks(page).map((l) => l.text)).toEqual(
      expect.arrayContaining(['<img src=x onerror=alert(1)>', 'a" onmouseover="x']),
    );
    expect(doc.body.querySelectorAll('a[onmouseover], img[onerror]')).toHaveLength(0);
  });
});
