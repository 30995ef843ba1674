import { expect } from 'vitest';
import { installDefaults, type SpaceDto } from '@common/api/spaces';
import { authHeaders } from '@server/test/accounts';
import { describeFuzz, type FuzzContext } from '@server/test/fuzz';

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
    ['POST', '/api/v1/spaces/:slug/join', 'guest', { valid: { name: 'Gus', accessCode: 'abcd' } }],
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
