import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaults, type SpaceDto } from '@common/api/spaces';
import {
  authHeaders,
  buildAuthTestApp,
  signUpAndLogIn,
  type TestSession,
} from '@server/test/accounts';
import { describeFuzz, type FuzzContext } from '@server/test/fuzz';
import { testDialect, type TestApp } from '@server/test/test-app';

const ROOM = 'fuzz-room';
const DOOMED = 'fuzz-doomed';

const createSpace = (ctx: Pick<FuzzContext, 't' | 'member'>, slug: string) =>
  ctx.t.app.inject({
    method: 'POST',
    url: '/api/v1/spaces',
    headers: authHeaders(ctx.member),
    payload: { name: slug, slug },
  });

describeFuzz('fuzzing the spaces API', {
  runs: 200,
  fields: [
    'name',
    'slug',
    'description',
    'coModeratorIds',
    'settings',
    'viewerAccessCode',
    'moderatorAccessCode',
    'accessCode',
    'lobby',
    'signInRequired',
    'anyoneCanStart',
    'everyoneJoinsAsModerator',
    'muteOnJoin',
    'maxParticipants',
    'lockCamera',
    'lockMicrophone',
    'lockChat',
    'lockScreenShare',
    'keepChat',
    'value',
    'policy',
  ],
  fixtures: async (ctx) => {
    for (const slug of [ROOM, DOOMED]) {
      const res = await createSpace(ctx, slug);
      if (res.statusCode !== 201) throw new Error(`fixture ${slug}: ${res.body}`);
    }
    return { slug: ROOM, doomed: DOOMED };
  },
  bodies: [
    [
      'POST',
      '/api/v1/spaces',
      'member',
      {
        valid: {
          name: 'Fuzz space',
          slug: 'fuzz-new',
          description: 'A room',
          coModeratorIds: [],
          settings: { lobby: 'guests', viewerAccessCode: 'abcd', maxParticipants: 10 },
        },
      },
    ],
    [
      'PATCH',
      '/api/v1/spaces/:slug',
      'member',
      {
        valid: {
          name: 'Fuzz room',
          description: 'Still a room',
          settings: { muteOnJoin: true, moderatorAccessCode: 'wxyz', lobby: 'off' },
        },
        // A valid new slug moves the space: move it back so the next bodies reach it.
        restore: async ({ t, member }, res) => {
          const { slug } = res.json<SpaceDto>();
          if (slug === ROOM) return;
          await t.app.inject({
            method: 'PATCH',
            url: `/api/v1/spaces/${encodeURIComponent(slug)}`,
            headers: authHeaders(member),
            payload: { slug: ROOM },
          });
        },
      },
    ],
    [
      'POST',
      '/api/v1/spaces/:slug/join',
      'guest',
      { valid: { name: 'Gus', accessCode: 'abcd', guestKey: 'Xw3v_9-kq2LmNoPqRsTuVwXyZ0' } },
    ],
    ['POST', '/api/v1/spaces/:slug/join', 'member', { valid: { name: 'Mo' } }],
    [
      'DELETE',
      '/api/v1/spaces/:doomed',
      'member',
      { ignoresBody: true, restore: async (ctx) => void (await createSpace(ctx, DOOMED)) },
    ],
    ['PUT', '/api/v1/admin/space-defaults', 'steward', { valid: installDefaults }],
  ],
  params: [
    ['GET', '/api/v1/spaces/:slug', 'member'],
    ['GET', '/api/v1/spaces/:slug/public', 'guest'],
    ['DELETE', '/api/v1/spaces/:slug', 'member'],
  ],
  queries: [['GET', '/api/v1/spaces/slug-suggestion', 'member', { name: 'Fuzz room' }]],
  rawPaths: [
    ['/api/v1/spaces/:slug', 'member'],
    ['/api/v1/spaces/:slug/public', 'guest'],
  ],
  afterwards: async ({ t, member }) => {
    const room = await t.app.inject({
      url: `/api/v1/spaces/${ROOM}`,
      headers: authHeaders(member),
    });
    expect(room.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  },
});

// Regressions the fuzzing above found: each of these was a 500 on PostgreSQL (U+0000 in a
// text column or a WHERE) or Fastify's own error body without our code.
describe(`spaces refuse what the fuzzer found, on ${testDialect()}`, () => {
  let t: TestApp;
  let owner: TestSession;
  beforeAll(async () => {
    t = await buildAuthTestApp();
    await signUpAndLogIn(t.app, { steward: true });
    owner = await signUpAndLogIn(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/spaces',
      headers: authHeaders(owner),
      payload: { name: 'Room', slug: 'room' },
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const send = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: authHeaders(owner),
      ...(payload === undefined ? {} : { payload }),
    });

  it.each([
    ['POST', '/api/v1/spaces', { name: 'a\u0000b' }],
    ['POST', '/api/v1/spaces', { name: 'Ok', description: 'd\u0000' }],
    ['POST', '/api/v1/spaces', { name: 'Ok', settings: { viewerAccessCode: 'ab\u0000cd' } }],
    ['POST', '/api/v1/spaces', { name: 'Ok', coModeratorIds: ['x\u0000'] }],
    ['PATCH', '/api/v1/spaces/room', { name: 'a\u0000b' }],
    ['POST', '/api/v1/spaces/room/join', { name: 'a\u0000b' }],
    ['GET', '/api/v1/spaces/%00', undefined],
    ['GET', '/api/v1/spaces/%00/public', undefined],
    ['DELETE', '/api/v1/spaces/%00', undefined],
    ['POST', '/api/v1/spaces/%00/join', { name: 'Gus' }],
  ] as const)('%s %s with a NUL is 400 validation_failed', async (method, url, payload) => {
    const res = await send(method, url, payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('answers a slug with broken percent-encoding or over 500 characters with a code', async () => {
    const bad = await send('GET', '/api/v1/spaces/%/public');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'validation_failed' } });
    const long = await send('DELETE', `/api/v1/spaces/${'a'.repeat(600)}`);
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ error: { code: 'validation_failed' } });
    // The space is still there.
    expect((await send('GET', '/api/v1/spaces/room')).statusCode).toBe(200);
  });
});
