/**
 * The handbook in the whole app: the starter handbook's language (HANDBOOK_STARTER_LANGUAGE, then
 * the first steward's language on the setup page) and circles naming their members' accounts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CircleView, PageView } from '@common/api/handbook';
import {
  authHeaders,
  buildAuthTestApp,
  guestSession,
  signUpAndLogIn,
  TEST_PASSWORD,
} from '@server/test/accounts';
import { testDialect, type TestApp } from '@server/test/test-app';
import { handbookStarterLanguages } from '@common/api/handbook';
import { HandbookRepo } from './handbook.repo';
import { reseedStarter, seedStarter } from './handbook.starter';
import { buildHandbookTestApp } from './handbook.test-helpers';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function setUp(app: TestApp, locale?: string) {
  const guest = await guestSession(app.app);
  const res = await app.app.inject({
    method: 'POST',
    url: '/api/v1/setup',
    headers: authHeaders(guest),
    payload: {
      email: 'first@example.test',
      name: 'First Steward',
      password: TEST_PASSWORD,
      ...(locale === undefined ? {} : { locale }),
    },
  });
  expect(res.statusCode, res.body).toBe(201);
}

async function homeTitle(app: TestApp): Promise<string[]> {
  const res = await app.app.inject({ method: 'GET', url: '/api/v1/handbook/sections' });
  return res.json<{ sections: { title: string }[] }>().sections.map((s) => s.title);
}

describe(`the starter handbook's language on ${testDialect()}`, () => {
  it('is seeded in HANDBOOK_STARTER_LANGUAGE', async () => {
    t = await buildAuthTestApp({ env: { HANDBOOK_STARTER_LANGUAGE: 'es' } });
    expect((await homeTitle(t))[0]).toBe('Principios');
  });

  it('follows the first steward’s language while the starter is untouched', async () => {
    t = await buildAuthTestApp();
    expect((await homeTitle(t))[0]).toBe('Principles');
    await setUp(t, 'es');
    expect((await homeTitle(t))[0]).toBe('Principios');
    const pages = await t.app.inject({ method: 'GET', url: '/api/v1/handbook/pages' });
    const titles = pages.json<{ pages: { title: string }[] }>().pages.map((p) => p.title);
    expect(titles).toContain('Inicio');
    expect(titles).not.toContain('Home');
    expect(titles).toHaveLength(12);
  });

  it('follows any shipped language, and ignores one no starter is written in', async () => {
    t = await buildAuthTestApp();
    const repo = HandbookRepo.from(t.db);
    expect(await reseedStarter(repo, t.clock, 'xx')).toBe(0);
    expect((await homeTitle(t))[0]).toBe('Principles');
    await setUp(t, 'de');
    expect((await homeTitle(t))[0]).toBe('Grundsätze');
    // Once re-seeded, the starter is not replaced again by another language.
    expect(await reseedStarter(repo, t.clock, 'de')).toBe(0);
  });

  it('is re-seeded once when several nodes hear setup.completed at the same time', async () => {
    t = await buildAuthTestApp();
    const repo = HandbookRepo.from(t.db);
    const written = await Promise.all([1, 2, 3].map(() => reseedStarter(repo, t!.clock, 'fr')));
    expect(written.filter((n) => n > 0)).toHaveLength(1);
    const pages = await t.app.inject({ method: 'GET', url: '/api/v1/handbook/pages' });
    expect(pages.json<{ pages: unknown[] }>().pages).toHaveLength(12);
  });

  it('stays when someone already changed the starter', async () => {
    t = await buildAuthTestApp();
    const home = (await t.app.inject({ method: 'GET', url: '/api/v1/handbook/pages/home' })).json<{
      page: PageView;
    }>().page;
    // Editing is open to members before any steward exists; a member signs up and edits.
    const bea = await signUpAndLogIn(t.app, { name: 'Bea' });
    const edit = await t.app.inject({
      method: 'POST',
      url: '/api/v1/handbook/pages/home/items',
      headers: authHeaders(bea),
      payload: {
        item: { id: 'ours', type: 'paragraph', text: 'Our own words.' },
        baseVersion: home.version,
      },
    });
    expect(edit.statusCode, edit.body).toBe(200);
    await setUp(t, 'es');
    expect((await homeTitle(t))[0]).toBe('Principles');
  });
});

describe(`starter handbooks on ${testDialect()}`, () => {
  it('exist in every shipped language, every link of every page leading to a page', async () => {
    for (const language of handbookStarterLanguages) {
      const h = await buildHandbookTestApp();
      try {
        const repo = HandbookRepo.from(h.db);
        expect(await seedStarter(repo, h.clock, language)).toBe(12);
        const sections = (
          await h.app.inject({ method: 'GET', url: '/api/v1/handbook/sections' })
        ).json<{ sections: { pages: unknown[] }[] }>().sections;
        expect(sections.map((s) => s.pages.length)).toEqual([4, 0, 0, 0, 0, 0, 0]);
        for (const page of await repo.listAll()) {
          const view = (
            await h.app.inject({
              method: 'GET',
              url: `/api/v1/handbook/pages/${encodeURIComponent(page.slug)}`,
            })
          ).json<{ page: PageView }>().page;
          const missing = view.links.filter((l) => !l.exists).map((l) => l.title);
          expect(missing, `${language}: ${page.title}`).toEqual([]);
        }
      } finally {
        await h.close();
      }
    }
  });
});

describe(`circles in the whole app on ${testDialect()}`, () => {
  it('name their members and refuse ids that are no account', async () => {
    t = await buildAuthTestApp({ env: { HANDBOOK_STARTER: 'off' } });
    const ada = await signUpAndLogIn(t.app, { steward: true, name: 'Ada' });
    const bea = await signUpAndLogIn(t.app, { name: 'Bea', email: 'bea@example.test' });
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/handbook/circles/tech',
      headers: authHeaders(ada),
      payload: { name: 'Tech', members: [bea.account.id] },
    });
    expect(put.statusCode, put.body).toBe(200);
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/handbook/circles',
      headers: authHeaders(ada),
    });
    expect(list.json<{ circles: CircleView[] }>().circles).toEqual([
      {
        id: 'tech',
        name: 'Tech',
        members: [{ id: bea.account.id, name: 'Bea', email: 'bea@example.test' }],
      },
    ]);
    const bad = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/handbook/circles/tech',
      headers: authHeaders(ada),
      payload: { name: 'Tech', members: ['no-such-account'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });
});
