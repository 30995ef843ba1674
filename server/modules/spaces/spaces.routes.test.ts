import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  JoinTicketDto,
  SpaceDefaultsDto,
  SpaceDto,
  SpaceListsDto,
  SpacePublicDto,
} from '@common/api/spaces';
import { installDefaults } from '@common/api/spaces';
import {
  authHeaders,
  buildAuthTestApp,
  signUpAndLogIn,
  type TestSession,
} from '@server/test/accounts';
import type { TestApp } from '@server/test/test-app';
import { testDialect } from '@server/test/test-app';
import { verifyJoinToken } from './join-token';
import { slugify } from './slug';

describe(`spaces REST on ${testDialect()}`, () => {
  let t: TestApp;
  let steward: TestSession;
  let owner: TestSession;
  let coMod: TestSession;
  let other: TestSession;

  beforeAll(async () => {
    t = await buildAuthTestApp({ env: { TURN_SERVERS: 'turn:turn.example.org:3478' } });
    steward = await signUpAndLogIn(t.app, { steward: true, name: 'Stew' });
    owner = await signUpAndLogIn(t.app, { name: 'Olga Owner' });
    coMod = await signUpAndLogIn(t.app, { name: 'Cora Comod' });
    other = await signUpAndLogIn(t.app, { name: 'Otto Other' });
  });
  afterAll(async () => {
    await t.close();
  });

  const create = (s: TestSession, payload: object) =>
    t.app.inject({ method: 'POST', url: '/api/v1/spaces', headers: authHeaders(s), payload });
  const join = (slug: string, payload: object, s?: TestSession, remoteAddress = '10.0.0.1') =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/spaces/${encodeURIComponent(slug)}/join`,
      payload,
      remoteAddress,
      ...(s !== undefined ? { headers: authHeaders(s) } : {}),
    });

  it('makes Unicode-safe slugs', () => {
    expect(slugify('Réunion du Lundi!')).toBe('réunion-du-lundi');
    expect(slugify('会議室 A')).toBe('会議室-a');
    expect(slugify('  --  ')).toBe('');
    expect(slugify('Ｆｕｌｌｗｉｄｔｈ Ｎａｍｅ')).toBe('fullwidth-name');
  });

  it('refuses look-alike slugs that mix scripts (400 slug_mixed_script), one script of any kind is fine', async () => {
    const maker = await signUpAndLogIn(t.app); // their spaces stay out of the other tests' lists
    const lookAlike = 'p\u0430ypal'; // a Cyrillic а among Latin letters
    const refused = await create(maker, { name: 'Pay', slug: lookAlike });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: { code: 'slug_mixed_script' } });
    for (const fine of ['собрание', 'συνέλευση', '会議室-a', 'ミーティング-会議', 'réunion'])
      expect((await create(maker, { name: fine, slug: fine })).statusCode, fine).toBe(201);
    const mine = (await create(maker, { name: 'Mine' })).json<SpaceDto>().slug;
    const renamed = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/spaces/${encodeURIComponent(mine)}`,
      headers: authHeaders(maker),
      payload: { slug: 'gr\u03bfup' }, // a Greek ο
    });
    expect(renamed.json()).toMatchObject({ error: { code: 'slug_mixed_script' } });
    // A name that mixes scripts gets a plain suggested slug, not a look-alike one.
    expect((await create(maker, { name: lookAlike })).json<SpaceDto>().slug).toMatch(/^space/);
  });

  it('creates a space with a slug suggested from its name, and suggests a free one next', async () => {
    const res = await create(owner, {
      name: 'Réunion du Lundi',
      coModeratorIds: [coMod.account.id],
    });
    expect(res.statusCode).toBe(201);
    const space = res.json<SpaceDto>();
    expect(space.slug).toBe('réunion-du-lundi');
    expect(space.url).toBe(`${t.config.publicUrl}/s/r%C3%A9union-du-lundi`);
    expect(space.myRole).toBe('owner');
    expect(space.coModerators).toEqual([{ id: coMod.account.id, name: 'Cora Comod' }]);
    expect(space.settings).toMatchObject({
      viewerAccessCode: null,
      moderatorAccessCode: null,
      lobby: 'off',
      signInRequired: false,
      muteOnJoin: false,
    });
    const suggestion = await t.app.inject({
      url: `/api/v1/spaces/slug-suggestion?name=${encodeURIComponent('Réunion du lundi')}`,
      headers: authHeaders(owner),
    });
    expect(suggestion.json()).toEqual({ slug: 'réunion-du-lundi-2' });
    const taken = await create(other, { name: 'Other', slug: 'réunion-du-lundi' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ error: { code: 'slug_taken' } });
  });

  it('refuses bad input with stable codes', async () => {
    expect((await create(owner, { name: 'x', color: 'red' })).json()).toMatchObject({
      error: { code: 'validation_failed' },
    });
    expect((await create(owner, { name: 'x', slug: 'Not A Slug' })).statusCode).toBe(400);
    expect((await create(owner, { name: '' })).statusCode).toBe(400);
    const unknown = await create(owner, { name: 'x', coModeratorIds: ['nobody'] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ error: { code: 'account_not_found' } });
    const guest = await t.app.inject({
      method: 'POST',
      url: '/api/v1/spaces',
      payload: { name: 'x' },
    });
    expect(guest.statusCode).toBe(401);
  });

  it('shows codes to owners and co-moderators only, never on the public page', async () => {
    const res = await create(owner, {
      name: 'Secret Garden',
      coModeratorIds: [coMod.account.id],
      settings: { viewerAccessCode: 'tulip-42', moderatorAccessCode: 'rose-99' },
    });
    const slug = res.json<SpaceDto>().slug;
    const asCoMod = await t.app.inject({
      url: `/api/v1/spaces/${slug}`,
      headers: authHeaders(coMod),
    });
    expect(asCoMod.json<SpaceDto>()).toMatchObject({
      myRole: 'co_moderator',
      settings: { viewerAccessCode: 'tulip-42', moderatorAccessCode: 'rose-99' },
    });
    const asOther = await t.app.inject({
      url: `/api/v1/spaces/${slug}`,
      headers: authHeaders(other),
    });
    expect(asOther.statusCode).toBe(404);
    const pub = await t.app.inject({ url: `/api/v1/spaces/${slug}/public` });
    expect(pub.statusCode).toBe(200);
    expect(pub.json<SpacePublicDto>()).toMatchObject({
      name: 'Secret Garden',
      accessCodeRequired: true,
      moderatorCodeEnabled: true,
      viewerIsModerator: false,
      live: null,
    });
    expect(pub.body).not.toContain('tulip-42');
    expect(pub.body).not.toContain('rose-99');
    const pubAsOwner = await t.app.inject({
      url: `/api/v1/spaces/${slug}/public`,
      headers: authHeaders(owner),
    });
    expect(pubAsOwner.json<SpacePublicDto>().viewerIsModerator).toBe(true);
    expect(
      (await t.app.inject({ url: '/api/v1/spaces/no-such-space/public' })).json(),
    ).toMatchObject({
      error: { code: 'space_not_found' },
    });
  });

  it('lists my spaces and the spaces shared with me', async () => {
    const mine = (
      await t.app.inject({ url: '/api/v1/spaces', headers: authHeaders(owner) })
    ).json<SpaceListsDto>();
    expect(mine.mine.map((s) => s.name)).toEqual(['Réunion du Lundi', 'Secret Garden']);
    expect(mine.sharedWithMe).toEqual([]);
    const shared = (
      await t.app.inject({ url: '/api/v1/spaces', headers: authHeaders(coMod) })
    ).json<SpaceListsDto>();
    expect(shared.mine).toEqual([]);
    expect(shared.sharedWithMe.map((s) => [s.name, s.myRole])).toEqual([
      ['Réunion du Lundi', 'co_moderator'],
      ['Secret Garden', 'co_moderator'],
    ]);
    expect(JSON.stringify(shared)).not.toContain('tulip-42');
  });

  it('lets co-moderators edit settings but only the owner change the address or co-moderators', async () => {
    const slug = (
      await create(owner, { name: 'Workshop', coModeratorIds: [coMod.account.id] })
    ).json<SpaceDto>().slug;
    const patch = (s: TestSession, payload: object, at = slug) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/v1/spaces/${at}`,
        headers: authHeaders(s),
        payload,
      });
    const byCoMod = await patch(coMod, {
      description: 'Tuesdays',
      settings: { lobby: 'guests', muteOnJoin: true },
    });
    expect(byCoMod.statusCode).toBe(200);
    expect(byCoMod.json<SpaceDto>()).toMatchObject({
      description: 'Tuesdays',
      settings: { lobby: 'guests', muteOnJoin: true },
    });
    expect((await patch(coMod, { slug: 'mine-now' })).statusCode).toBe(403);
    expect((await patch(other, { name: 'Hijack' })).statusCode).toBe(404);
    const moved = await patch(owner, { slug: 'workshop-room', coModeratorIds: [] });
    expect(moved.json<SpaceDto>()).toMatchObject({ slug: 'workshop-room', coModerators: [] });
    expect((await patch(coMod, { name: 'x' }, 'workshop-room')).statusCode).toBe(404);
  });

  it('deletes a space (owner only); joining it then says space_not_found', async () => {
    const slug = (
      await create(owner, { name: 'Short Lived', coModeratorIds: [coMod.account.id] })
    ).json<SpaceDto>().slug;
    const del = (s: TestSession) =>
      t.app.inject({ method: 'DELETE', url: `/api/v1/spaces/${slug}`, headers: authHeaders(s) });
    expect((await del(coMod)).statusCode).toBe(403);
    expect((await del(owner)).statusCode).toBe(204);
    const j = await join(slug, { name: 'Late' });
    expect(j.statusCode).toBe(404);
    expect(j.json()).toMatchObject({ error: { code: 'space_not_found' } });
  });

  it('issues signed short-lived join tokens with roles from ownership and codes', async () => {
    const slug = (
      await create(owner, {
        name: 'Coded',
        coModeratorIds: [coMod.account.id],
        settings: { viewerAccessCode: 'open-sesame', moderatorAccessCode: 'chair-only' },
      })
    ).json<SpaceDto>().slug;
    const none = await join(slug, { name: 'Guest' });
    expect(none.statusCode).toBe(403);
    expect(none.json()).toMatchObject({
      error: { code: 'access_code_invalid', details: { required: true } },
    });
    const wrong = await join(slug, { name: 'Guest', accessCode: 'open-sesamE' });
    expect(wrong.json()).toMatchObject({ error: { code: 'access_code_invalid' } });

    const viewer = await join(slug, { name: 'Guest', accessCode: 'open-sesame' });
    expect(viewer.statusCode).toBe(200);
    const ticket = viewer.json<JoinTicketDto>();
    expect(ticket).toMatchObject({
      role: 'viewer',
      wsPath: '/ws',
      iceServers: [{ urls: 'turn:turn.example.org:3478' }],
    });
    const check = verifyJoinToken(t.config.sessionSecret, ticket.token, t.clock.now());
    expect(check).toMatchObject({ ok: true, claims: { role: 'viewer', name: 'Guest', aid: null } });
    expect(new Date(ticket.expiresAt).getTime() - t.clock.now().getTime()).toBe(60_000);
    expect(
      verifyJoinToken(
        t.config.sessionSecret,
        ticket.token,
        new Date(t.clock.now().getTime() + 61_000),
      ),
    ).toEqual({
      ok: false,
      reason: 'token_expired',
    });
    expect(
      verifyJoinToken('another-secret-another-secret-xx', ticket.token, t.clock.now()),
    ).toEqual({
      ok: false,
      reason: 'token_invalid',
    });

    expect(
      (await join(slug, { name: 'Chair', accessCode: 'chair-only' })).json<JoinTicketDto>().role,
    ).toBe('moderator');
    const asOwner = await join(slug, { name: 'Olga' }, owner);
    expect(asOwner.json<JoinTicketDto>().role).toBe('moderator');
    const claims = verifyJoinToken(
      t.config.sessionSecret,
      asOwner.json<JoinTicketDto>().token,
      t.clock.now(),
    );
    expect(claims).toMatchObject({ ok: true, claims: { aid: owner.account.id } });
    expect((await join(slug, { name: 'Cora' }, coMod)).json<JoinTicketDto>().role).toBe(
      'moderator',
    );
    expect((await join(slug, { name: '' })).statusCode).toBe(400);
  });

  it("carries a guest's key into the join token only as a hash bound to the space; members carry none", async () => {
    const slugA = (await create(owner, { name: 'Keyed one' })).json<SpaceDto>().slug;
    const slugB = (await create(owner, { name: 'Keyed two' })).json<SpaceDto>().slug;
    const key = 'Xw3v_9-kq2LmNoPqRsTuVwXyZ012345';
    const gkOf = async (slug: string, s?: TestSession, guestKey = key) => {
      const res = await join(slug, { name: 'Gus', guestKey }, s);
      expect(res.statusCode).toBe(200);
      const check = verifyJoinToken(
        t.config.sessionSecret,
        res.json<JoinTicketDto>().token,
        t.clock.now(),
      );
      if (!check.ok) throw new Error(check.reason);
      return check.claims.gk;
    };
    const inA = await gkOf(slugA);
    expect(inA).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(inA).not.toContain(key);
    expect(await gkOf(slugA)).toBe(inA);
    expect(await gkOf(slugB)).not.toBe(inA);
    expect(await gkOf(slugA, undefined, `${key}x`)).not.toBe(inA);
    expect(await gkOf(slugA, other)).toBeUndefined();
    for (const bad of ['short', 'a'.repeat(65), 'has spaces in it, quite a few', 42]) {
      const res = await join(slugA, { name: 'Gus', guestKey: bad });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });

  it('rate-limits wrong access codes per address (429 rate_limited), even for the right code after', async () => {
    const slug = (
      await create(owner, { name: 'Guarded', settings: { viewerAccessCode: 'right-code' } })
    ).json<SpaceDto>().slug;
    for (let i = 0; i < 10; i++) {
      expect(
        (await join(slug, { name: 'G', accessCode: `wrong-${i}` }, undefined, '10.9.9.9'))
          .statusCode,
      ).toBe(403);
    }
    const blocked = await join(
      slug,
      { name: 'G', accessCode: 'right-code' },
      undefined,
      '10.9.9.9',
    );
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(
      (await join(slug, { name: 'G', accessCode: 'right-code' }, undefined, '10.9.9.10'))
        .statusCode,
    ).toBe(200);
    t.clock.advance(11 * 60_000);
    expect(
      (await join(slug, { name: 'G', accessCode: 'right-code' }, undefined, '10.9.9.9')).statusCode,
    ).toBe(200);
  });

  it("counts an address's wrong codes per space: failing on one space does not lock another", async () => {
    const code = { viewerAccessCode: 'right-code' };
    const x = (await create(owner, { name: 'Guarded X', settings: code })).json<SpaceDto>().slug;
    const y = (await create(owner, { name: 'Guarded Y', settings: code })).json<SpaceDto>().slug;
    for (let i = 0; i < 10; i++)
      await join(x, { name: 'G', accessCode: `wrong-${i}` }, undefined, '10.8.8.8');
    expect(
      (await join(x, { name: 'G', accessCode: 'right-code' }, undefined, '10.8.8.8')).statusCode,
    ).toBe(429);
    expect(
      (await join(y, { name: 'G', accessCode: 'right-code' }, undefined, '10.8.8.8')).statusCode,
    ).toBe(200);
    t.clock.advance(11 * 60_000);
  });

  it('slows wrong codes per space across addresses without refusing the right code', async () => {
    const slug = (
      await create(owner, { name: 'Guarded Two', settings: { viewerAccessCode: 'right-code' } })
    ).json<SpaceDto>().slug;
    const guess = (address: string, accessCode: string) =>
      join(slug, { name: 'G', accessCode }, undefined, address);
    // 50 wrong codes from 5 addresses (the lockout of everyone).
    for (let i = 0; i < 50; i++) await guess(`10.1.0.${i % 5}`, `wrong-${i}`);
    // An address that has not failed here still gets in with the right code …
    expect((await guess('10.200.0.1', 'right-code')).statusCode).toBe(200);
    // … and one wrong try from a fresh address is answered; its next try waits (backoff).
    expect((await guess('10.200.0.2', 'wrong')).statusCode).toBe(403);
    const slowed = await guess('10.200.0.2', 'right-code');
    expect(slowed.statusCode).toBe(429);
    expect(slowed.json()).toMatchObject({
      error: { code: 'rate_limited', details: { retryAfterSeconds: 30 } },
    });
    // An attacking address (10 wrong codes) waits longer; the backoff passes on the clock.
    expect((await guess('10.1.0.0', 'right-code')).statusCode).toBe(429);
    t.clock.advance(31_000);
    expect((await guess('10.200.0.2', 'right-code')).statusCode).toBe(200);
    expect((await guess('10.1.0.0', 'right-code')).statusCode).toBe(429);
    t.clock.advance(11 * 60_000);
    expect((await guess('10.1.0.0', 'right-code')).statusCode).toBe(200);
  });

  it('requires sign-in when the space says so', async () => {
    const slug = (
      await create(owner, { name: 'Members Only', settings: { signInRequired: true } })
    ).json<SpaceDto>().slug;
    const guest = await join(slug, { name: 'Guest' });
    expect(guest.statusCode).toBe(401);
    expect(guest.json()).toMatchObject({ error: { code: 'sign_in_required' } });
    expect((await join(slug, { name: 'Otto' }, other)).statusCode).toBe(200);
  });

  it('lets stewards set site-wide defaults and policies that owners cannot override', async () => {
    const get = (s: TestSession) =>
      t.app.inject({ url: '/api/v1/admin/space-defaults', headers: authHeaders(s) });
    expect((await get(owner)).statusCode).toBe(403);
    expect((await get(steward)).json()).toEqual(installDefaults);
    const next: SpaceDefaultsDto = {
      ...installDefaults,
      lobby: { value: 'everyone_but_moderators', policy: 'always_on' },
      lockChat: { value: false, policy: 'off' },
      muteOnJoin: { value: true, policy: 'optional' },
    };
    const put = (s: TestSession, payload: object) =>
      t.app.inject({
        method: 'PUT',
        url: '/api/v1/admin/space-defaults',
        headers: authHeaders(s),
        payload,
      });
    expect((await put(owner, next)).statusCode).toBe(403);
    expect((await put(steward, { ...next, extra: 1 })).statusCode).toBe(400);
    expect((await put(steward, next)).json()).toEqual(next);

    const res = await create(owner, { name: 'Under Policy' });
    const space = res.json<SpaceDto>();
    expect(space.settings).toMatchObject({
      lobby: 'everyone_but_moderators',
      lockChat: false,
      muteOnJoin: true,
    });
    expect(space.lockedSettings.sort()).toEqual(['lobby', 'lockChat']);
    const refused = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/spaces/${space.slug}`,
      headers: authHeaders(owner),
      payload: { settings: { lockChat: true } },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      error: { code: 'setting_not_changeable', details: { setting: 'lockChat' } },
    });
    const allowed = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/spaces/${space.slug}`,
      headers: authHeaders(owner),
      payload: { settings: { muteOnJoin: false } },
    });
    expect(allowed.json<SpaceDto>().settings.muteOnJoin).toBe(false);
    // Policy applies to existing spaces too, on read.
    const older = await t.app.inject({
      url: '/api/v1/spaces/workshop-room',
      headers: authHeaders(owner),
    });
    expect(older.json<SpaceDto>().settings.lobby).toBe('everyone_but_moderators');
    await put(steward, installDefaults);
  });

  it('documents the routes in OpenAPI', async () => {
    const doc = (await t.app.inject({ url: '/api/v1/openapi.json' })).json<{
      paths: Record<string, unknown>;
    }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/spaces',
        '/api/v1/spaces/{slug}/join',
        '/api/v1/admin/space-defaults',
      ]),
    );
  });
});
