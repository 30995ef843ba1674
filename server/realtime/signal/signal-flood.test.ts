import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCodes, SIGNAL_LIMITS, type ServerMessage } from '@common/protocol';
import type { SpacePublicDto } from '@common/api/spaces';
import { defaultFloodLimits } from '@server/platform/limits';
import { authHeaders, signUpAndLogIn, type TestSession } from '@server/test/accounts';
import { FakeMediaEngine } from '@server/test/fake-media';
import {
  createTestSpace,
  joinTicket,
  startMeetingTestApp,
  TestClient,
  type MeetingTestApp,
} from '@server/test/meeting-app';
import { testDialect } from '@server/test/test-app';

/** A loopback address of its own for bot `i` (Linux answers on all of 127.0.0.0/8). */
const botAddress = (i: number) => `127.0.${10 + Math.floor(i / 250)}.${1 + (i % 250)}`;

describe(`meeting flood limits on real sockets on ${testDialect()}`, () => {
  let t: MeetingTestApp;
  let owner: TestSession;
  let member: TestSession;

  beforeAll(async () => {
    // The real limits (other tests raise them); the manual clock never refills a bucket here.
    t = await startMeetingTestApp({
      media: new FakeMediaEngine(),
      floodLimits: defaultFloodLimits,
    });
    owner = await signUpAndLogIn(t.app, { name: 'Olga' });
    member = await signUpAndLogIn(t.app, { name: 'Max' });
  });
  afterAll(async () => {
    await t.close();
  });

  const requestTicket = (slug: string, name: string, address: string, session?: TestSession) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/spaces/${encodeURIComponent(slug)}/join`,
      payload: { name },
      remoteAddress: address,
      ...(session !== undefined ? { headers: authHeaders(session) } : {}),
    });

  it('throttles one address: join tickets answer 429 rate_limited, extra sockets close with 4014', async () => {
    const space = await createTestSpace(t.app, owner, { settings: { lobby: 'guests' } });
    const codes: number[] = [];
    for (let i = 0; i < 400; i++) {
      const res = await requestTicket(space.slug, `Bot ${i}`, '127.0.9.1');
      codes.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(res.json<{ error: { code: string } }>().error.code).toBe('rate_limited');
      }
    }
    expect(codes.filter((c) => c === 200)).toHaveLength(
      SIGNAL_LIMITS.joinTicketsPerAddressPerMinute,
    );
    expect(codes.filter((c) => c === 429)).toHaveLength(
      400 - SIGNAL_LIMITS.joinTicketsPerAddressPerMinute,
    );
    // Another address (a member's) is not held by it; the throttled one gets in after a minute.
    expect((await requestTicket(space.slug, 'Max', '127.0.9.2', member)).statusCode).toBe(200);
    t.clock.advance(60_000);
    expect((await requestTicket(space.slug, 'Bot again', '127.0.9.1')).statusCode).toBe(200);

    // Sockets open at once from one address: the one above the limit is refused.
    const open: TestClient[] = [];
    for (let i = 0; i < SIGNAL_LIMITS.socketsPerAddress; i++) {
      open.push(await TestClient.open(t.wsUrl, { localAddress: '127.0.9.3' }));
    }
    const extra = await TestClient.open(t.wsUrl, { localAddress: '127.0.9.3' });
    expect((await extra.next('error')).code).toBe('rate_limited');
    expect((await extra.closed).code).toBe(CloseCodes.rateLimited);
    // The others are untouched: they still answer.
    open[0]?.send({ type: 'ping' });
    expect((await open[0]?.next('error'))?.code).toBe('out_of_order');
    for (const c of open) c.close();
    await Promise.all(open.map((c) => c.closed));

    // Sockets opened per minute from one address, one at a time.
    let accepted = 0;
    for (let i = 0; i <= SIGNAL_LIMITS.socketOpensPerAddressPerMinute; i++) {
      const c = await TestClient.open(t.wsUrl, { localAddress: '127.0.9.4' });
      c.send({ type: 'ping' });
      const first = await Promise.race([c.next('error'), c.closed.then(() => undefined)]);
      if (first?.code === 'out_of_order') accepted += 1;
      else expect(first?.code).toBe('rate_limited');
      c.close();
      await c.closed;
    }
    expect(accepted).toBe(SIGNAL_LIMITS.socketOpensPerAddressPerMinute);
  });

  it('400 bots from 400 addresses fill a bounded lobby, not the meeting: a member and an admitted guest still join, the moderator gets deltas', async () => {
    const space = await createTestSpace(t.app, owner, {
      settings: { lobby: 'guests', maxParticipants: 3 },
    });
    const mod = await TestClient.join(
      t.wsUrl,
      (await joinTicket(t.app, space.slug, { name: 'Olga' }, owner)).token,
    );
    await mod.client.next('roster');

    const outcome = new Map<string, number>();
    const count = (k: string) => outcome.set(k, (outcome.get(k) ?? 0) + 1);
    const inLobby: { client: TestClient; id: string }[] = [];
    const bot = async (i: number) => {
      const address = botAddress(i);
      const res = await requestTicket(space.slug, `Bot ${i}`, address);
      if (res.statusCode !== 200) {
        count(`http ${res.statusCode} ${res.json<{ error: { code: string } }>().error.code}`);
        return;
      }
      const { token } = res.json<{ token: string }>();
      const { client, joined } = await TestClient.join(t.wsUrl, token, { localAddress: address });
      expect(joined.phase).toBe('waiting_for_moderator');
      const phase = await client.next('phase');
      count(`ws ${phase.phase}`);
      inLobby.push({ client, id: joined.self.id });
    };
    for (let i = 0; i < 400; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, k) => bot(i + k)));
    }
    // The lobby holds its bound; the rest were refused with named codes, never let in.
    const guestTickets = SIGNAL_LIMITS.guestJoinTicketsPerSpacePerMinute;
    expect(Object.fromEntries(outcome)).toEqual({
      'ws lobby': SIGNAL_LIMITS.maxLobby,
      'http 409 lobby_full': guestTickets - SIGNAL_LIMITS.maxLobby,
      'http 429 rate_limited': 400 - guestTickets,
    });

    // The moderator learnt of each arrival once: deltas, no whole lists, bytes linear in the lobby.
    await mod.client.sync();
    const lobbyMessages = mod.client.received.filter((m) => m.type.startsWith('lobby'));
    const kinds = (type: ServerMessage['type']) => lobbyMessages.filter((m) => m.type === type);
    expect(kinds('lobby_added')).toHaveLength(SIGNAL_LIMITS.maxLobby);
    expect(kinds('lobby')).toHaveLength(0);
    const bytes = lobbyMessages.reduce((n, m) => n + JSON.stringify(m).length, 0);
    expect(bytes).toBeLessThan(SIGNAL_LIMITS.maxLobby * 200);

    // A member walks past the lobby into the meeting, which the lobby does not fill.
    const max = await TestClient.join(
      t.wsUrl,
      (await joinTicket(t.app, space.slug, { name: 'Max' }, member)).token,
    );
    expect((await max.client.next('phase')).phase).toBe('meeting');

    // A guest the moderator admits gets in; the meeting is then full (3), so the next waits.
    const first = inLobby[0];
    const second = inLobby[1];
    if (first === undefined || second === undefined) throw new Error('no bots in the lobby');
    mod.client.send({ type: 'admit', participantId: first.id });
    expect((await first.client.next('phase')).phase).toBe('meeting');
    expect((await mod.client.next('lobby_removed')).participantIds).toEqual([first.id]);
    mod.client.send({ type: 'admit', participantId: second.id, ref: 'admit-2' });
    expect((await mod.client.next('error', (e) => e.ref === 'admit-2')).code).toBe('meeting_full');
    const pub = await t.app.inject({ url: `/api/v1/spaces/${space.slug}/public` });
    expect(pub.json<SpacePublicDto>().live).toEqual({ participants: 3, locked: false });

    for (const c of [...inLobby.map((b) => b.client), max.client, mod.client]) c.close();
    await Promise.all(
      [...inLobby.map((b) => b.client), max.client, mod.client].map((c) => c.closed),
    );
  });
});
