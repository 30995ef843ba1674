/**
 * The authorization matrix: every route the app registers × who asks. Each route has an entry
 * saying, for an anonymous visitor, a member with no tie to the target, another member (who owns
 * things of the same kind, just not this one), the target's owner, a co-moderator of the target
 * space, and a steward, whether the request goes through ("ok": below 400), is refused (401 or
 * 403), is hidden (404: a space someone may not manage is not admitted to exist), or answers a
 * given status. Requests carry a valid body and, for
 * anonymous visitors too, a CSRF token, so what is checked is the decision, not the validation.
 *
 * A route the app registers without an entry here fails the test, and so does an entry for a route
 * that no longer exists: a new route cannot be added without saying who may use it.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvitationDto } from '@common/api/auth';
import { registeredRoutes } from '@server/http/route-list';
import {
  TEST_PASSWORD,
  authHeaders,
  buildAuthTestApp,
  guestSession,
  signUpAndLogIn,
  type TestSession,
} from '@server/test/accounts';
import type { TestApp } from '@server/test/test-app';

const who = ['anonymous', 'member', 'other', 'owner', 'comod', 'steward'] as const;
type Who = (typeof who)[number];
/** ok: < 400; deny: 401 or 403; hidden: 404; a number: exactly that status. */
type Outcome = 'ok' | 'deny' | 'hidden' | number;
type Expect = Record<Who, Outcome>;

const everyone: Expect = {
  anonymous: 'ok',
  member: 'ok',
  other: 'ok',
  owner: 'ok',
  comod: 'ok',
  steward: 'ok',
};
const signedIn: Expect = { ...everyone, anonymous: 'deny' };
const stewards: Expect = {
  anonymous: 'deny',
  member: 'deny',
  other: 'deny',
  owner: 'deny',
  comod: 'deny',
  steward: 'ok',
};

const nobody: Expect = { ...stewards, steward: 'deny' };

/** Everyone gets this status (the route's answer does not depend on who asks). */
const allAnswer = (status: number): Expect => ({
  anonymous: status,
  member: status,
  other: status,
  owner: status,
  comod: status,
  steward: status,
});

interface World {
  t: TestApp;
  sessions: Record<Who, TestSession & { anonymous?: true }>;
}

/** What one request of an entry sends; `fresh` makes what a destructive request uses up. */
interface Entry {
  expect: Expect;
  /** The path with placeholders filled, and the body. */
  request: (
    w: World,
    as: Who,
    s: TestSession,
  ) => Promise<{ url: string; payload?: unknown; contentType?: string }>;
}

/** An entry whose request is one fixed URL with no body. */
const fixed = (expect: Expect, url: string): Entry => ({ expect, request: async () => ({ url }) });

let world: World;
let n = 0;
const unique = (p: string) => `${p}-${++n}`;

async function call(
  w: World,
  as: Who,
  method: string,
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  const s = w.sessions[as];
  return w.t.app.inject({
    method: method as 'GET',
    url,
    headers: authHeaders(s),
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
}

async function must(
  res: Promise<LightMyRequestResponse>,
  status: number,
): Promise<LightMyRequestResponse> {
  const r = await res;
  if (r.statusCode !== status) throw new Error(`fixture: ${r.statusCode} ${r.body}`);
  return r;
}

/** A space owned by the owner with the co-moderator, made anew (slug returned). */
async function space(w: World): Promise<string> {
  const slug = unique('matrix-room');
  await must(
    call(w, 'owner', 'POST', '/api/v1/spaces', {
      name: 'Matrix room',
      slug,
      coModeratorIds: [w.sessions.comod.account.id],
    }),
    201,
  );
  return slug;
}

/** A handbook page made anew by the owner, with item `a1` (slug returned). */
async function page(w: World): Promise<string> {
  const res = await must(
    call(w, 'owner', 'POST', '/api/v1/handbook/pages', {
      title: unique('Matrix page'),
      story: [{ type: 'paragraph', id: 'a1', text: 'One [[Old Title]].' }],
    }),
    201,
  );
  return res.json<{ page: { slug: string } }>().page.slug;
}

async function deletedPage(w: World): Promise<string> {
  const slug = await page(w);
  await must(call(w, 'owner', 'DELETE', `/api/v1/handbook/pages/${slug}`), 200);
  const list = await must(call(w, 'steward', 'GET', '/api/v1/handbook/deleted-pages'), 200);
  const items = list.json<{ pages: { id: string; slug: string }[] }>().pages;
  const found = items.find((d) => d.slug === slug);
  if (found === undefined) throw new Error('fixture: deleted page not listed');
  return found.id;
}

async function invitation(w: World): Promise<InvitationDto> {
  const res = await must(call(w, 'steward', 'POST', '/api/v1/admin/invitations', {}), 201);
  return res.json<InvitationDto>();
}

const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

const entries: Record<string, Entry> = {
  'GET /healthz': { expect: everyone, request: async () => ({ url: '/healthz' }) },
  'GET /readyz': { expect: everyone, request: async () => ({ url: '/readyz' }) },
  // From loopback without METRICS_TOKEN, as inject is: a local scrape.
  'GET /metrics': { expect: everyone, request: async () => ({ url: '/metrics' }) },
  'GET /api/v1/openapi.json': fixed(everyone, '/api/v1/openapi.json'),
  'GET /ws': {
    // Without an upgrade there is no route to answer (404 for everyone); who may open a socket is
    // the join token's business, tested with real sockets in server/realtime/signal.
    expect: allAnswer(404),
    request: async () => ({ url: '/ws' }),
  },

  // --- auth ---
  'GET /api/v1/session': { expect: everyone, request: async () => ({ url: '/api/v1/session' }) },
  'POST /api/v1/session': {
    expect: everyone,
    // Logging in replaces the session it came with: each actor uses a throwaway one of its own.
    request: async (_w, _as, s) => ({
      url: '/api/v1/session',
      payload: { email: s.account.email, password: TEST_PASSWORD },
    }),
  },
  'DELETE /api/v1/session': {
    expect: everyone,
    // Logging out ends the session: each actor logs out a fresh one of its own.
    request: async () => ({ url: '/api/v1/session' }),
  },
  'POST /api/v1/setup': {
    // Setup is over once the first steward exists: 409 for everyone, signed in or not.
    expect: allAnswer(409),
    request: async () => ({
      url: '/api/v1/setup',
      payload: { email: `${unique('late')}@example.test`, name: 'Late', password: TEST_PASSWORD },
    }),
  },
  'POST /api/v1/accounts': {
    expect: everyone,
    request: async () => ({
      url: '/api/v1/accounts',
      payload: { email: `${unique('new')}@example.test`, name: 'New', password: TEST_PASSWORD },
    }),
  },
  'GET /api/v1/me': { expect: signedIn, request: async () => ({ url: '/api/v1/me' }) },
  'PATCH /api/v1/me': {
    expect: signedIn,
    request: async () => ({ url: '/api/v1/me', payload: { locale: 'en' } }),
  },
  'POST /api/v1/me/password': {
    expect: signedIn,
    request: async () => ({
      url: '/api/v1/me/password',
      payload: { currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD },
    }),
  },
  'POST /api/v1/me/email': {
    expect: signedIn,
    request: async () => ({
      url: '/api/v1/me/email',
      payload: { currentPassword: TEST_PASSWORD, email: `${unique('moved')}@example.test` },
    }),
  },
  'DELETE /api/v1/me': {
    expect: signedIn,
    request: async () => ({ url: '/api/v1/me', payload: { password: TEST_PASSWORD } }),
  },
  'POST /api/v1/password-resets': {
    expect: everyone,
    request: async (w) => ({
      url: '/api/v1/password-resets',
      payload: { email: w.sessions.member.account.email },
    }),
  },
  'POST /api/v1/password-resets/confirm': {
    // An unknown token: refused the same for everyone (the token is the authority).
    expect: allAnswer(400),
    request: async () => ({
      url: '/api/v1/password-resets/confirm',
      payload: { token: 'not-a-token', password: TEST_PASSWORD },
    }),
  },
  'GET /api/v1/password-resets/:token': fixed(everyone, '/api/v1/password-resets/not-a-token'),
  'GET /api/v1/invitations/:token': {
    expect: everyone,
    request: async (w) => {
      const token = new URL((await invitation(w)).url).searchParams.get('invitation') ?? '';
      return { url: `/api/v1/invitations/${token}` };
    },
  },
  'GET /api/v1/members': fixed(signedIn, '/api/v1/members?q=us'),
  'GET /api/v1/admin/accounts': fixed(stewards, '/api/v1/admin/accounts'),
  'PATCH /api/v1/admin/accounts/:id': {
    expect: stewards,
    request: async (w) => ({
      url: `/api/v1/admin/accounts/${w.sessions.other.account.id}`,
      payload: { status: 'active' },
    }),
  },
  'GET /api/v1/admin/registration': fixed(stewards, '/api/v1/admin/registration'),
  'PUT /api/v1/admin/registration': {
    expect: stewards,
    request: async () => ({ url: '/api/v1/admin/registration', payload: { mode: 'open' } }),
  },
  'GET /api/v1/admin/invitations': fixed(stewards, '/api/v1/admin/invitations'),
  'POST /api/v1/admin/invitations': {
    expect: stewards,
    request: async () => ({ url: '/api/v1/admin/invitations', payload: {} }),
  },
  'DELETE /api/v1/admin/invitations/:id': {
    expect: stewards,
    request: async (w) => ({ url: `/api/v1/admin/invitations/${(await invitation(w)).id}` }),
  },

  // --- spaces ---
  'GET /api/v1/spaces': { expect: signedIn, request: async () => ({ url: '/api/v1/spaces' }) },
  'POST /api/v1/spaces': {
    expect: signedIn,
    request: async () => ({
      url: '/api/v1/spaces',
      payload: { name: 'Another room', slug: unique('room') },
    }),
  },
  'GET /api/v1/spaces/slug-suggestion': fixed(
    signedIn,
    '/api/v1/spaces/slug-suggestion?name=Matrix',
  ),
  'GET /api/v1/spaces/:slug': {
    expect: {
      anonymous: 'deny',
      member: 'hidden',
      other: 'hidden',
      owner: 'ok',
      comod: 'ok',
      steward: 'ok',
    },
    request: async (w) => ({ url: `/api/v1/spaces/${await space(w)}` }),
  },
  'PATCH /api/v1/spaces/:slug': {
    expect: {
      anonymous: 'deny',
      member: 'hidden',
      other: 'hidden',
      owner: 'ok',
      comod: 'ok',
      steward: 'ok',
    },
    request: async (w) => ({
      url: `/api/v1/spaces/${await space(w)}`,
      payload: { description: 'Changed' },
    }),
  },
  'DELETE /api/v1/spaces/:slug': {
    expect: {
      anonymous: 'deny',
      member: 'hidden',
      other: 'hidden',
      owner: 'ok',
      comod: 'deny',
      steward: 'ok',
    },
    request: async (w) => ({ url: `/api/v1/spaces/${await space(w)}` }),
  },
  'GET /api/v1/spaces/:slug/public': {
    expect: everyone,
    request: async (w) => ({ url: `/api/v1/spaces/${await space(w)}/public` }),
  },
  'POST /api/v1/spaces/:slug/join': {
    expect: everyone,
    request: async (w) => ({
      url: `/api/v1/spaces/${await space(w)}/join`,
      payload: { name: 'Visitor' },
    }),
  },
  'GET /api/v1/admin/space-defaults': fixed(stewards, '/api/v1/admin/space-defaults'),
  'PUT /api/v1/admin/space-defaults': {
    expect: stewards,
    request: async (w) => ({
      url: '/api/v1/admin/space-defaults',
      payload: (await must(call(w, 'steward', 'GET', '/api/v1/admin/space-defaults'), 200)).json(),
    }),
  },

  // --- handbook (default settings: everyone reads, members edit, stewards administer) ---
  'GET /api/v1/handbook/pages': fixed(everyone, '/api/v1/handbook/pages'),
  'POST /api/v1/handbook/pages': {
    expect: signedIn,
    request: async () => ({
      url: '/api/v1/handbook/pages',
      payload: { title: unique('New page') },
    }),
  },
  'GET /api/v1/handbook/pages/:slug': {
    expect: everyone,
    request: async (w) => ({ url: `/api/v1/handbook/pages/${await page(w)}` }),
  },
  'DELETE /api/v1/handbook/pages/:slug': {
    expect: signedIn,
    request: async (w) => ({ url: `/api/v1/handbook/pages/${await page(w)}` }),
  },
  'GET /api/v1/handbook/deleted-pages': fixed(stewards, '/api/v1/handbook/deleted-pages'),
  'POST /api/v1/handbook/deleted-pages/:id/restore': {
    expect: stewards,
    request: async (w) => ({
      url: `/api/v1/handbook/deleted-pages/${await deletedPage(w)}/restore`,
    }),
  },
  'POST /api/v1/handbook/pages/:slug/items': {
    expect: signedIn,
    request: async (w) => ({
      url: `/api/v1/handbook/pages/${await page(w)}/items`,
      payload: { item: { type: 'paragraph', id: 'b1', text: 'Two.' } },
    }),
  },
  'PUT /api/v1/handbook/pages/:slug/items/:id': {
    expect: signedIn,
    request: async (w) => {
      const slug = await page(w);
      const view = (
        await must(call(w, 'owner', 'GET', `/api/v1/handbook/pages/${slug}`), 200)
      ).json<{ page: { version: number } }>().page;
      return {
        url: `/api/v1/handbook/pages/${slug}/items/a1`,
        payload: {
          item: { type: 'paragraph', id: 'a1', text: 'Changed.' },
          baseVersion: view.version,
        },
      };
    },
  },
  'DELETE /api/v1/handbook/pages/:slug/items/:id': {
    expect: signedIn,
    request: async (w) => ({ url: `/api/v1/handbook/pages/${await page(w)}/items/a1` }),
  },
  'PUT /api/v1/handbook/pages/:slug/order': {
    expect: signedIn,
    request: async (w) => ({
      url: `/api/v1/handbook/pages/${await page(w)}/order`,
      payload: { order: ['a1'] },
    }),
  },
  'PUT /api/v1/handbook/pages/:slug/section': {
    expect: signedIn,
    request: async (w) => ({
      url: `/api/v1/handbook/pages/${await page(w)}/section`,
      payload: { section: null },
    }),
  },
  'POST /api/v1/handbook/pages/:slug/rename': {
    expect: signedIn,
    request: async (w) => ({
      url: `/api/v1/handbook/pages/${await page(w)}/rename`,
      payload: { title: unique('Renamed page') },
    }),
  },
  'POST /api/v1/handbook/pages/:slug/update-links': {
    expect: signedIn,
    request: async (w) => ({
      url: `/api/v1/handbook/pages/${await page(w)}/update-links`,
      payload: { from: 'Old Title' },
    }),
  },
  'GET /api/v1/handbook/pages/:slug/history': {
    expect: everyone,
    request: async (w) => ({ url: `/api/v1/handbook/pages/${await page(w)}/history` }),
  },
  'GET /api/v1/handbook/pages/:slug/versions/:index': {
    expect: everyone,
    request: async (w) => ({ url: `/api/v1/handbook/pages/${await page(w)}/versions/0` }),
  },
  'POST /api/v1/handbook/pages/:slug/restore': {
    expect: signedIn,
    request: async (w) => ({
      url: `/api/v1/handbook/pages/${await page(w)}/restore`,
      payload: { journalIndex: 0 },
    }),
  },
  'GET /api/v1/handbook/pages/:slug/diagram': {
    expect: everyone,
    request: async (w) => ({ url: `/api/v1/handbook/pages/${await page(w)}/diagram` }),
  },
  'GET /api/v1/handbook/search': fixed(everyone, '/api/v1/handbook/search?q=matrix'),
  'GET /api/v1/handbook/keywords': fixed(everyone, '/api/v1/handbook/keywords'),
  'GET /api/v1/handbook/sections': fixed(everyone, '/api/v1/handbook/sections'),
  'PUT /api/v1/handbook/sections': {
    expect: stewards,
    request: async (w) => {
      const current = (
        await must(call(w, 'steward', 'GET', '/api/v1/handbook/sections'), 200)
      ).json<{
        sections: { slug: string; pages: { slug: string; parent: string | null }[] }[];
      }>();
      return {
        url: '/api/v1/handbook/sections',
        payload: {
          sections: current.sections.map((s) => ({
            slug: s.slug,
            pages: s.pages.map((p) => ({ slug: p.slug, parent: p.parent })),
          })),
        },
      };
    },
  },
  'GET /api/v1/handbook/settings': fixed(everyone, '/api/v1/handbook/settings'),
  'PUT /api/v1/handbook/settings': {
    expect: stewards,
    request: async () => ({
      url: '/api/v1/handbook/settings',
      payload: { read: 'everyone', edit: 'members', editCircles: [] },
    }),
  },
  'GET /api/v1/handbook/circles': fixed(stewards, '/api/v1/handbook/circles'),
  'PUT /api/v1/handbook/circles/:id': {
    expect: stewards,
    request: async () => ({
      url: `/api/v1/handbook/circles/${unique('circle')}`,
      payload: { name: unique('Circle'), members: [] },
    }),
  },
  'DELETE /api/v1/handbook/circles/:id': {
    expect: stewards,
    request: async (w) => {
      const id = unique('doomed');
      await must(
        call(w, 'steward', 'PUT', `/api/v1/handbook/circles/${id}`, {
          name: unique('Doomed'),
          members: [],
        }),
        200,
      );
      return { url: `/api/v1/handbook/circles/${id}` };
    },
  },
  'POST /api/v1/handbook/images': {
    expect: signedIn,
    request: async () => ({ url: '/api/v1/handbook/images', payload: png }),
  },
  'GET /api/v1/handbook/images/:id': {
    expect: everyone,
    request: async (w) => {
      const res = await w.t.app.inject({
        method: 'POST',
        url: '/api/v1/handbook/images',
        headers: { ...authHeaders(w.sessions.owner), 'content-type': 'image/png' },
        payload: png,
      });
      if (res.statusCode !== 201) throw new Error(`fixture image: ${res.statusCode} ${res.body}`);
      return { url: res.json<{ url: string }>().url };
    },
  },
  // Import and export (stewards): one import at a time, so each request waits for the last job.
  'POST /api/v1/handbook/import/file': {
    expect: stewards,
    request: async (w) => {
      await importsIdle(w);
      return {
        url: '/api/v1/handbook/import/file',
        payload: Buffer.from('{}'),
        contentType: 'application/json',
      };
    },
  },
  'POST /api/v1/handbook/import/site': {
    // The steward's request passes the policy and is refused for its address (a loopback site).
    expect: { ...stewards, steward: 400 },
    request: async (w) => {
      await importsIdle(w);
      return {
        url: '/api/v1/handbook/import/site',
        payload: { url: 'http://127.0.0.1:9/', replace: false },
      };
    },
  },
  'GET /api/v1/handbook/import/jobs/:id': {
    expect: stewards,
    request: async (w) => {
      await importsIdle(w);
      const res = await must(
        w.t.app.inject({
          method: 'POST',
          url: '/api/v1/handbook/import/file',
          headers: { ...authHeaders(w.sessions.steward), 'content-type': 'application/json' },
          payload: Buffer.from('{}'),
        }),
        202,
      );
      lastJob = res.json<{ job: { id: string } }>().job.id;
      return { url: `/api/v1/handbook/import/jobs/${lastJob}` };
    },
  },
  'GET /api/v1/handbook/export': fixed(stewards, '/api/v1/handbook/export'),
  // Federated Wiki's routes: public, read-only, no session read (members-only variant below).
  'GET /favicon.png': { expect: everyone, request: async () => ({ url: '/favicon.png' }) },
  'GET /system/site-index.json': fixed(everyone, '/system/site-index.json'),
  'GET /system/slugs.json': fixed(everyone, '/system/slugs.json'),
  'GET /system/export.json': fixed(everyone, '/system/export.json'),
  'GET /system/plugins.json': fixed(everyone, '/system/plugins.json'),
  'GET /system/*': {
    expect: allAnswer(404),
    request: async () => ({ url: '/system/anything.json' }),
  },
  'GET /:slug.html': {
    expect: everyone,
    request: async (w) => ({ url: `/${await page(w)}.html` }),
  },
  'GET /view': { expect: everyone, request: async () => ({ url: '/view' }) },
  'GET /view/*': { expect: everyone, request: async (w) => ({ url: `/view/${await page(w)}` }) },
  'GET /system/sitemap.json': fixed(everyone, '/system/sitemap.json'),
  'GET /:slug.json': {
    expect: everyone,
    request: async (w) => ({ url: `/${await page(w)}.json` }),
  },
};

let lastJob: string | undefined;
/** Waits (a bounded number of turns) until the last import job the matrix started has finished. */
async function importsIdle(w: World): Promise<void> {
  for (let i = 0; i < 200 && lastJob !== undefined; i++) {
    const res = await call(w, 'steward', 'GET', `/api/v1/handbook/import/jobs/${lastJob}`);
    if (res.json<{ job: { status: string } }>().job.status !== 'running') return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

function judge(outcome: Outcome, status: number): boolean {
  if (status >= 500) return false;
  if (outcome === 'ok') return status < 400;
  if (outcome === 'deny') return status === 401 || status === 403;
  if (outcome === 'hidden') return status === 404;
  return status === outcome;
}

/** A session of this kind that a request may use up (log out, delete itself). */
async function throwaway(w: World, as: Who): Promise<TestSession> {
  if (as === 'anonymous')
    return { ...(await guestSession(w.t.app)), account: w.sessions.member.account };
  return signUpAndLogIn(w.t.app, { steward: as === 'steward', name: `Throwaway ${as}` });
}
const usesUpSession = new Set([
  'POST /api/v1/session',
  'POST /api/v1/accounts',
  'POST /api/v1/setup',
  'DELETE /api/v1/session',
  'DELETE /api/v1/me',
  'POST /api/v1/me/email',
]);

beforeAll(async () => {
  const t = await buildAuthTestApp();
  const steward = await signUpAndLogIn(t.app, { steward: true, name: 'Steward' });
  const owner = await signUpAndLogIn(t.app, { name: 'Owner' });
  const member = await signUpAndLogIn(t.app, { name: 'Member' });
  const other = await signUpAndLogIn(t.app, { name: 'Other' });
  const comod = await signUpAndLogIn(t.app, { name: 'Comod' });
  const anonymous = {
    ...(await guestSession(t.app)),
    account: member.account,
    anonymous: true as const,
  };
  world = { t, sessions: { anonymous, member, other, owner, comod, steward } };
  // The other member owns a space and a page of their own.
  await must(
    call(world, 'other', 'POST', '/api/v1/spaces', { name: 'Other room', slug: 'other-room' }),
    201,
  );
  await must(call(world, 'other', 'POST', '/api/v1/handbook/pages', { title: 'Other page' }), 201);
});
afterAll(async () => world.t.close());

function runEntries(list: Record<string, Entry>): void {
  for (const [key, entry] of Object.entries(list)) {
    it(key, async () => {
      const [method] = key.split(' ') as [string];
      const wrong: string[] = [];
      for (const as of who) {
        const s = usesUpSession.has(key) ? await throwaway(world, as) : world.sessions[as];
        const { url, payload, contentType } = await entry.request(world, as, s);
        let res: LightMyRequestResponse;
        if (usesUpSession.has(key)) {
          res = await world.t.app.inject({
            method: method as 'GET',
            url,
            headers: authHeaders(s),
            ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
          });
        } else if (Buffer.isBuffer(payload)) {
          res = await world.t.app.inject({
            method: method as 'POST',
            url,
            headers: {
              ...authHeaders(world.sessions[as]),
              'content-type': contentType ?? 'image/png',
            },
            payload,
          });
        } else {
          res = await call(world, as, method, url, payload);
        }
        if (res.statusCode === 202 && key.includes('/import/'))
          lastJob = res.json<{ job: { id: string } }>().job.id;
        if (!judge(entry.expect[as], res.statusCode))
          wrong.push(
            `${as}: expected ${String(entry.expect[as])}, got ${res.statusCode} ${res.body.slice(0, 160)}`,
          );
      }
      expect(wrong).toEqual([]);
    });
  }
}

describe('authorization matrix', () => {
  it('has an entry for every route the app registers, and none for a route it does not', () => {
    const routes = registeredRoutes(world.t.app).map((r) => `${r.method} ${r.url}`);
    expect(routes.length).toBeGreaterThan(50);
    expect(routes.filter((r) => !(r in entries))).toEqual([]);
    expect(Object.keys(entries).filter((k) => !routes.includes(k))).toEqual([]);
  });

  runEntries(entries);
});

const handbookReads = Object.entries(entries).filter(
  ([key, e]) =>
    key.startsWith('GET ') &&
    (key.includes('/handbook/') || key.startsWith('GET /system/') || key === 'GET /:slug.json') &&
    e.expect.anonymous === 'ok',
);

describe('authorization matrix, members-only handbook', () => {
  beforeAll(async () => {
    await must(
      call(world, 'steward', 'PUT', '/api/v1/handbook/settings', {
        read: 'members',
        edit: 'members',
        editCircles: [],
      }),
      200,
    );
  });
  // Everything anonymous visitors could read is refused them now; members still read. The
  // federation routes are not published at all (a fedwiki client has no session). The settings
  // stay readable: the app reads them to say why a page is closed.
  const federation = (key: string) => !key.includes('/api/');
  runEntries(
    Object.fromEntries(
      handbookReads
        .filter(([key]) => key !== 'GET /api/v1/handbook/settings')
        .map(([key, e]) => [
          key,
          { ...e, expect: federation(key) ? nobody : { ...e.expect, anonymous: 'deny' as const } },
        ]),
    ),
  );
});
