import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PageView, SearchResult } from '@common/api/handbook';
import { testDialect } from '@server/test/test-app';
import {
  buildHandbookTestApp,
  createPage,
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

const create = (title: string, story: unknown[] = []) => createPage(t, title, story);
async function read(slug: string) {
  const res = await t.app.inject({
    method: 'GET',
    url: `${api}/pages/${encodeURIComponent(slug)}`,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ page: PageView }>().page;
}
async function search(q: string) {
  const res = await t.app.inject({
    method: 'GET',
    url: `${api}/search?q=${encodeURIComponent(q)}`,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ results: SearchResult[] }>().results;
}

describe(`handbook search on ${testDialect()}`, () => {
  beforeEach(async () => {
    await create('Mission and vision', [p('a', 'We provide online meeting spaces as a commons.')]);
    await create('Política econòmica', [
      p('a', 'La cooperativa paga un salari just i publica la comptabilitat.'),
    ]);
    await create('Relaciones sociales', [
      p('a', 'La participación de las socias es voluntaria y abierta.'),
    ]);
    await create('Économie politique', [
      p('a', 'Nous partageons les coûts et les décisions entre coopérateurs.'),
    ]);
    await create('Grundsätze', [
      p('a', 'Die Genossenschaft gehört ihren Mitgliedern; Entscheidungen treffen wir gemeinsam.'),
    ]);
  });

  it('finds words in English, Spanish, Catalan, French and German, accents or not', async () => {
    expect((await search('commons')).map((r) => r.slug)).toEqual(['mission-and-vision']);
    expect((await search('participacion')).map((r) => r.slug)).toEqual(['relaciones-sociales']);
    expect((await search('participación')).map((r) => r.slug)).toEqual(['relaciones-sociales']);
    expect((await search('econòmica')).map((r) => r.slug)).toEqual(['política-econòmica']);
    expect((await search('salari just')).map((r) => r.slug)).toEqual(['política-econòmica']);
    expect((await search('couts decisions')).map((r) => r.slug)).toEqual(['économie-politique']);
    expect((await search('Mitglieder')).map((r) => r.slug)).toEqual(['grundsätze']);
    expect((await search('grundsatze')).map((r) => r.slug)).toEqual(['grundsätze']);
    expect(await search('nothing-like-this')).toEqual([]);
    expect(await search('  "*) ')).toEqual([]);
  });

  it('returns escaped snippets with the matches marked', async () => {
    await create('Risky <b>', [
      p('a', 'Before <script>x</script> a < b & the Coöperative word after.'),
    ]);
    const [hit] = await search('cooperative');
    expect(hit?.slug).toBe('risky-b');
    expect(hit?.snippet).toContain('<mark>Coöperative</mark>');
    expect(hit?.snippet).toContain('a &#60; b &#38; the');
    expect(hit?.snippet).not.toContain('<script>');
    const [es] = await search('participacion');
    expect(es?.snippet).toContain('<mark>participación</mark>');
  });

  it('follows edits and renames', async () => {
    const page = await read('mission-and-vision');
    await t.app.inject({
      method: 'PUT',
      url: `${api}/pages/mission-and-vision/items/a`,
      headers: steward,
      payload: { item: p('a', 'Solidarity first.'), baseVersion: page.version },
    });
    expect(await search('commons')).toEqual([]);
    expect((await search('solidarity')).map((r) => r.slug)).toEqual(['mission-and-vision']);
  });
});

describe(`handbook sections, keywords and backlinks on ${testDialect()}`, () => {
  it('orders pages in sections with Previous, Next and contents; stewards reorder', async () => {
    for (const title of ['Principles', 'Mission', 'Spaces', 'Commoning', 'Economy', 'Budget'])
      await create(title);
    const put = (sections: unknown, headers = steward) =>
      t.app.inject({ method: 'PUT', url: `${api}/sections`, headers, payload: { sections } });
    const res = await put([
      {
        slug: 'principles',
        pages: [{ slug: 'mission' }, { slug: 'spaces' }, { slug: 'commoning', parent: 'spaces' }],
      },
      { slug: 'economy', pages: [{ slug: 'budget' }] },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    const spaces = await read('spaces');
    expect(spaces.section).toEqual({
      slug: 'principles',
      title: 'Principles',
      previous: { slug: 'mission', title: 'Mission' },
      next: { slug: 'commoning', title: 'Commoning' },
      contents: [
        { slug: 'principles', title: 'Principles', depth: 0 },
        { slug: 'mission', title: 'Mission', depth: 1 },
        { slug: 'spaces', title: 'Spaces', depth: 1 },
        { slug: 'commoning', title: 'Commoning', depth: 2 },
      ],
    });
    expect((await read('principles')).section?.previous).toBeNull();
    expect((await read('budget')).section).toMatchObject({
      slug: 'economy',
      previous: { slug: 'economy' },
      next: null,
    });

    expect(
      (await put([{ slug: 'principles', pages: [{ slug: 'spaces' }] }], member())).statusCode,
    ).toBe(403);
    const bad = await put([{ slug: 'principles', pages: [{ slug: 'nope' }] }]);
    expect(bad.json()).toMatchObject({ error: { code: 'section_invalid' } });
    const twice = await put([{ slug: 'principles', pages: [{ slug: 'principles' }] }]);
    expect(twice.json()).toMatchObject({ error: { code: 'section_invalid' } });

    await put([{ slug: 'principles', pages: [{ slug: 'commoning' }, { slug: 'mission' }] }]);
    expect((await read('mission')).section).toMatchObject({
      previous: { slug: 'commoning' },
      next: null,
    });
    expect((await read('spaces')).section).toBeNull();
    const tree = await t.app.inject({ method: 'GET', url: `${api}/sections` });
    expect(tree.json()).toEqual({
      sections: [
        {
          slug: 'principles',
          title: 'Principles',
          pages: [
            { slug: 'commoning', title: 'Commoning', depth: 1 },
            { slug: 'mission', title: 'Mission', depth: 1 },
          ],
        },
      ],
    });
  });

  it('indexes #keywords', async () => {
    await create('Consent', [p('a', 'How we decide: #decisions #Assemblies.')]);
    await create('Votes', [
      p('a', '#decisions by vote'),
      { id: 'h', type: 'html', text: '<p style="color:#fff">#nottag</p>' },
    ]);
    const res = await t.app.inject({ method: 'GET', url: `${api}/keywords` });
    expect(res.json()).toEqual({
      keywords: [
        { keyword: 'assemblies', pages: [{ slug: 'consent', title: 'Consent' }] },
        {
          keyword: 'decisions',
          pages: [
            { slug: 'consent', title: 'Consent' },
            { slug: 'votes', title: 'Votes' },
          ],
        },
      ],
    });
    expect((await read('consent')).keywords).toEqual(['assemblies', 'decisions']);
  });
});

describe(`handbook diagrams on ${testDialect()}`, () => {
  it('draws a page neighbourhood with the previous page, links two levels deep, and refreshes on change', async () => {
    await create('Start');
    await create('Hub', [p('a', 'See [[Alpha]] and [[Missing One]].')]);
    await create('Alpha', [p('a', 'Then [[Beta]].')]);
    await create('Beta', [p('a', 'And [[Gamma]].')]);
    await t.app.inject({
      method: 'PUT',
      url: `${api}/sections`,
      headers: steward,
      payload: { sections: [{ slug: 'start', pages: [{ slug: 'hub' }] }] },
    });
    const res = await t.app.inject({ method: 'GET', url: `${api}/pages/hub/diagram` });
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json<{ dot: string; svg: string; truncated: boolean }>();
    expect(d.dot).toContain('"Start" -> "Hub"');
    expect(d.dot).toContain('"Hub" -> "Alpha"');
    expect(d.dot).toContain('"Hub" -> "Missing One"');
    expect(d.dot).toContain('"Alpha" -> "Beta"');
    expect(d.dot).not.toContain('"Beta" -> "Gamma"');
    expect(d.svg).toContain('<svg');
    expect(d.svg).toContain('Alpha');
    expect(d.truncated).toBe(false);

    const alpha = await read('alpha');
    await t.app.inject({
      method: 'PUT',
      url: `${api}/pages/alpha/items/a`,
      headers: steward,
      payload: { item: p('a', 'Now [[Delta]].'), baseVersion: alpha.version },
    });
    const again = (await t.app.inject({ method: 'GET', url: `${api}/pages/hub/diagram` })).json<{
      dot: string;
    }>();
    expect(again.dot).toContain('"Alpha" -> "Delta"');
    expect(again.dot).not.toContain('"Alpha" -> "Beta"');
  });

  it('shows graphviz items inline, FROM the built-in page, and the built-in page itself', async () => {
    await create('Other');
    await create('Inline', [
      p('a', 'Link to [[Other]].'),
      { id: 'g', type: 'graphviz', text: 'DOT FROM preview-next-diagram' },
    ]);
    const page = await read('inline');
    expect(page.rendered[1]?.html).toContain('<svg');
    expect(page.rendered[1]?.html).toContain('Other');
    const built = await read('preview-next-diagram');
    expect(built.builtIn).toBe(true);
    expect(built.story[1]?.type).toBe('graphviz');
    expect(built.canEdit).toBe(false);
    // The handbook's own page of that name replaces the built-in one.
    await create('Preview Next Diagram', [
      { id: 'g', type: 'graphviz', text: 'DOT digraph\n  HERE NODE' },
    ]);
    expect((await read('preview-next-diagram')).builtIn).toBe(false);
    const mine = (await t.app.inject({ method: 'GET', url: `${api}/pages/inline/diagram` })).json<{
      dot: string;
    }>();
    expect(mine.dot).not.toContain('Other');
  });

  it('shows the Graphviz error for DOT that does not lay out', async () => {
    await create('Broken', [{ id: 'g', type: 'graphviz', text: 'digraph { a -> }' }]);
    const page = await read('broken');
    expect(page.rendered[0]?.html).toContain('diagram-error');
  });
});
