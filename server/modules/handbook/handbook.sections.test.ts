import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PageView } from '@common/api/handbook';
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
const anonymous = {};

const place = (slug: string, section: string | null, headers: Record<string, string> = steward) =>
  t.app.inject({
    method: 'PUT',
    url: `${api}/pages/${encodeURIComponent(slug)}/section`,
    headers,
    payload: { section },
  });

const putSections = (sections: unknown, headers: Record<string, string> = steward) =>
  t.app.inject({ method: 'PUT', url: `${api}/sections`, headers, payload: { sections } });

async function tree() {
  const res = await t.app.inject({ url: `${api}/sections` });
  return res.json<{
    sections: { slug: string; pages: { slug: string; depth: number }[] }[];
  }>().sections;
}

const setPolicy = (edit: 'members' | 'stewards' | 'circles', editCircles: string[] = []) =>
  t.app.inject({
    method: 'PUT',
    url: `${api}/settings`,
    headers: steward,
    payload: { read: 'everyone', edit, editCircles },
  });

describe(`putting a page into a section on ${testDialect()}`, () => {
  it('appends a new page to a section, so it gets Previous/Next; null takes it out', async () => {
    for (const title of ['Principles', 'Mission', 'Values']) await createPage(t, title);
    expect(
      (await putSections([{ slug: 'principles', pages: [{ slug: 'mission' }] }])).statusCode,
    ).toBe(200);

    const res = await place('values', 'principles', member());
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ page: PageView }>().page.section).toMatchObject({
      slug: 'principles',
      previous: { slug: 'mission', title: 'Mission' },
      next: null,
    });
    expect(await tree()).toEqual([
      {
        slug: 'principles',
        title: 'Principles',
        pages: [
          { slug: 'mission', title: 'Mission', depth: 1 },
          { slug: 'values', title: 'Values', depth: 1 },
        ],
      },
    ]);

    // Again into the same section: it keeps its place.
    await place('mission', 'principles');
    expect((await tree())[0]?.pages.map((p) => p.slug)).toEqual(['mission', 'values']);

    const out = await place('values', null);
    expect(out.statusCode).toBe(200);
    expect(out.json<{ page: PageView }>().page.section).toBeNull();
    expect((await tree())[0]?.pages.map((p) => p.slug)).toEqual(['mission']);
  });

  it('moves a page to another section; its sub-pages stay behind under its parent', async () => {
    for (const title of ['A', 'A1', 'A2', 'A3', 'B', 'B1']) await createPage(t, title);
    await putSections([
      {
        slug: 'a',
        pages: [{ slug: 'a1' }, { slug: 'a2', parent: 'a1' }, { slug: 'a3', parent: 'a2' }],
      },
      { slug: 'b', pages: [{ slug: 'b1' }] },
    ]);
    expect((await place('a2', 'b')).statusCode).toBe(200);
    expect(await tree()).toEqual([
      {
        slug: 'a',
        title: 'A',
        pages: [
          { slug: 'a1', title: 'A1', depth: 1 },
          { slug: 'a3', title: 'A3', depth: 2 },
        ],
      },
      {
        slug: 'b',
        title: 'B',
        pages: [
          { slug: 'b1', title: 'B1', depth: 1 },
          { slug: 'a2', title: 'A2', depth: 1 },
        ],
      },
    ]);
  });

  it('finds a section by an old slug of its head, and refuses what cannot be', async () => {
    for (const title of ['Head', 'Other Head', 'Page']) await createPage(t, title);
    await putSections([
      { slug: 'head', pages: [] },
      { slug: 'other-head', pages: [] },
    ]);
    await t.app.inject({
      method: 'POST',
      url: `${api}/pages/head/rename`,
      headers: steward,
      payload: { title: 'Renamed Head' },
    });
    const viaAlias = await place('page', 'head');
    expect(viaAlias.statusCode, viaAlias.body).toBe(200);
    expect(viaAlias.json<{ page: PageView }>().page.section?.slug).toBe('renamed-head');

    const noPage = await place('nope', 'renamed-head');
    expect(noPage.statusCode).toBe(404);
    expect(noPage.json()).toMatchObject({ error: { code: 'page_not_found' } });
    // A page that heads no section is no section.
    const notASection = await place('renamed-head', 'page');
    expect(notASection.statusCode).toBe(404);
    expect(notASection.json()).toMatchObject({ error: { code: 'section_not_found' } });
    const head = await place('other-head', 'renamed-head');
    expect(head.statusCode).toBe(409);
    expect(head.json()).toMatchObject({
      error: { code: 'section_head', details: { slug: 'other-head' } },
    });
    // A head "into" its own section is already there.
    expect((await place('other-head', 'other-head')).statusCode).toBe(200);
    for (const payload of [{}, { section: '' }, { section: 3 }, { section: 'a', extra: 1 }]) {
      const bad = await t.app.inject({
        method: 'PUT',
        url: `${api}/pages/page/section`,
        headers: steward,
        payload,
      });
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
      expect(bad.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
    expect((await tree()).map((s) => s.pages.map((p) => p.slug))).toEqual([['page'], []]);
  });
});

/**
 * Who may do what with sections: anonymous, a member, another member, the page's owner (its
 * creator) and a steward, under each edit policy. Putting a page into a section follows the edit
 * policy (it is editing the handbook); setting the whole tree (create, rename by order, reorder,
 * delete sections) is stewards' alone.
 */
describe(`the sections authorization matrix on ${testDialect()}`, () => {
  const actors = {
    anonymous,
    member: member('Bea'),
    another: member('Cai'),
    owner: member('Owen'),
    steward,
  } as const;
  type Who = keyof typeof actors;
  const expectations: {
    policy: 'members' | 'stewards' | 'circles';
    place: Record<Who, number>;
    tree: Record<Who, number>;
  }[] = [
    {
      policy: 'members',
      place: { anonymous: 401, member: 200, another: 200, owner: 200, steward: 200 },
      tree: { anonymous: 401, member: 403, another: 403, owner: 403, steward: 200 },
    },
    {
      policy: 'stewards',
      place: { anonymous: 401, member: 403, another: 403, owner: 403, steward: 200 },
      tree: { anonymous: 401, member: 403, another: 403, owner: 403, steward: 200 },
    },
    {
      // Bea is in the circle; Cai and the owner are not.
      policy: 'circles',
      place: { anonymous: 401, member: 200, another: 403, owner: 403, steward: 200 },
      tree: { anonymous: 401, member: 403, another: 403, owner: 403, steward: 200 },
    },
  ];

  it.each(expectations)('under the $policy edit policy', async ({ policy, place: p, tree: s }) => {
    await createPage(t, 'Section Head');
    await createPage(t, 'Owned', [], actors.owner);
    await putSections([{ slug: 'section-head', pages: [] }]);
    await t.app.inject({
      method: 'PUT',
      url: `${api}/circles/tech`,
      headers: steward,
      payload: { name: 'Tech', members: ['acc-bea'] },
    });
    expect((await setPolicy(policy, policy === 'circles' ? ['tech'] : [])).statusCode).toBe(200);

    const got: Record<string, { place: number; tree: number }> = {};
    for (const [who, headers] of Object.entries(actors)) {
      const placed = await place('owned', 'section-head', headers);
      // Undo as a steward so the next actor meets the same state.
      if (placed.statusCode === 200) await place('owned', null);
      const set = await putSections(
        [{ slug: 'section-head', pages: [{ slug: 'owned' }] }],
        headers,
      );
      if (set.statusCode === 200) await putSections([{ slug: 'section-head', pages: [] }]);
      got[who] = { place: placed.statusCode, tree: set.statusCode };
    }
    const want = Object.fromEntries(
      (Object.keys(actors) as Who[]).map((w) => [w, { place: p[w], tree: s[w] }]),
    );
    expect(got).toEqual(want);
    // Nobody refused changed anything.
    expect((await tree())[0]?.pages).toEqual([]);
  });
});
