import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCodes, SIGNAL_LIMITS, shouldReconnect } from '@common/protocol';
import { installDefaults, type SpaceDefaultsDto, type SpacePublicDto } from '@common/api/spaces';
import { signJoinToken } from '@server/modules/spaces';
import {
  authHeaders,
  buildAuthTestApp,
  signUpAndLogIn,
  type TestSession,
} from '@server/test/accounts';
import { FakeMediaEngine } from '@server/test/fake-media';
import {
  createTestSpace,
  joinTicket,
  startMeetingTestApp,
  TestClient,
  type MeetingTestApp,
} from '@server/test/meeting-app';
import { testDialect } from '@server/test/test-app';

describe(`signalling over real sockets on ${testDialect()}`, () => {
  let t: MeetingTestApp;
  let owner: TestSession;
  let member: TestSession;
  const media = new FakeMediaEngine();

  beforeAll(async () => {
    t = await startMeetingTestApp({
      media,
      signalling: {
        resumeGraceMs: 400,
        limits: { joinTimeoutMs: 300, messagesPerSecond: 30, maxErrors: 40 },
      },
    });
    owner = await signUpAndLogIn(t.app, { name: 'Olga' });
    member = await signUpAndLogIn(t.app, { name: 'Max' });
  });
  afterAll(async () => {
    await t.close();
  });

  const guestJoin = async (slug: string, name: string) => {
    const ticket = await joinTicket(t.app, slug, { name });
    return TestClient.join(t.wsUrl, ticket.token);
  };

  describe('a meeting', () => {
    it('puts people in one meeting with a roster, events, chat with times, and attendance on the bus', async () => {
      const space = await createTestSpace(t.app, owner);
      const ownerTicket = await joinTicket(t.app, space.slug, { name: 'Olga' }, owner);
      expect(ownerTicket.role).toBe('moderator');
      const a = await TestClient.join(t.wsUrl, ownerTicket.token);
      expect(a.joined).toMatchObject({
        phase: 'waiting_for_moderator',
        self: { name: 'Olga', role: 'moderator', signedIn: true },
      });
      expect(a.joined.resumeToken.length).toBeGreaterThan(20);
      expect((await a.client.next('phase')).phase).toBe('meeting');
      await a.client.next('roster');

      const b = await guestJoin(space.slug, 'Gil');
      expect(b.joined.self).toMatchObject({ name: 'Gil', role: 'viewer', signedIn: false });
      const roster = await b.client.next('roster');
      expect(roster.participants.map((p) => p.name).sort()).toEqual(['Gil', 'Olga']);
      expect((await a.client.next('participant_joined')).participant.name).toBe('Gil');

      b.client.send({ type: 'chat', text: 'hello all' });
      const chat = await a.client.next('chat');
      expect(chat.message).toMatchObject({
        name: 'Gil',
        text: 'hello all',
        from: b.joined.self.id,
      });
      expect(Number.isNaN(Date.parse(chat.message.at))).toBe(false);

      const pub = await t.app.inject({ url: `/api/v1/spaces/${space.slug}/public` });
      expect(pub.json<SpacePublicDto>().live).toEqual({ participants: 2, locked: false });

      b.client.send({ type: 'leave' });
      expect((await b.client.closed).code).toBe(CloseCodes.normal);
      expect((await a.client.next('participant_left')).reason).toBe('left');
      const types = t.events
        .filter((e) => (e.payload as { spaceId?: string }).spaceId === space.id)
        .map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['participant.joined', 'participant.left']));
      const left = t.events.find(
        (e) => e.type === 'participant.left' && (e.payload as { name: string }).name === 'Gil',
      );
      const payload = left?.payload as {
        spaceId: string;
        reason: string;
        joinedAt: string;
        at: string;
      };
      expect(payload).toMatchObject({ spaceId: space.id, reason: 'left' });
      expect(Date.parse(payload.joinedAt)).toBeLessThanOrEqual(Date.parse(payload.at));
      a.client.close();
      await a.client.closed;
    });

    it("shows a member by their account's name whatever they send; a guest's name is free and marked as a guest", async () => {
      const space = await createTestSpace(t.app, owner, { settings: { lobby: 'off' } });
      const a = await TestClient.join(
        t.wsUrl,
        (await joinTicket(t.app, space.slug, { name: 'Olga' }, owner)).token,
      );
      await a.client.next('roster');
      // Max tries to pass for Olga: he is shown as Max, signed in.
      const maxTicket = await joinTicket(t.app, space.slug, { name: 'Olga' }, member);
      const max = await TestClient.join(t.wsUrl, maxTicket.token);
      expect(max.joined.self).toMatchObject({ name: 'Max', signedIn: true });
      expect((await a.client.next('participant_joined')).participant).toMatchObject({
        name: 'Max',
        signedIn: true,
      });
      // A guest may call themselves Olga, and everyone sees a guest.
      const guest = await guestJoin(space.slug, 'Olga');
      expect(guest.joined.self).toMatchObject({ name: 'Olga', signedIn: false });
      const roster = await guest.client.next('roster');
      expect(roster.participants.map((p) => [p.name, p.signedIn]).sort()).toEqual([
        ['Max', true],
        ['Olga', false],
        ['Olga', true],
      ]);
      for (const c of [guest.client, max.client, a.client]) {
        c.close();
        await c.closed;
      }
    });

    it('relays publish offers and answers and subscriber offers through the media engine', async () => {
      const space = await createTestSpace(t.app, owner);
      const a = await guestJoin(space.slug, 'Ana');
      await a.client.next('roster');
      a.client.send({
        type: 'publish',
        sdp: 'v=0 fake offer',
        sources: { '0': 'microphone', '1': 'camera' },
      });
      expect((await a.client.next('publish_answer')).sdp).toContain('answer-to:v=0 fake offer');
      const room = [...media.rooms.values()].find((r) => r.id.startsWith(space.id) && !r.closed);
      const peer = room?.peers.get(a.joined.self.id);
      expect(peer?.published[0]?.sources).toEqual({ '0': 'microphone', '1': 'camera' });
      peer?.events.onSubscriberOffer('v=0 sub offer');
      expect((await a.client.next('subscriber_offer')).sdp).toBe('v=0 sub offer');
      a.client.send({ type: 'subscriber_answer', sdp: 'v=0 sub answer' });
      await a.client.sync();
      expect(peer?.answers).toEqual(['v=0 sub answer']);
      a.client.close();
      await a.client.closed;
      await waitUntil(() => room?.closed === true);
    });

    it('names the peer connection that failed in media_failed, and offers again after a refused answer', async () => {
      const space = await createTestSpace(t.app, owner);
      const a = await guestJoin(space.slug, 'Ana');
      await a.client.next('roster');
      const peerOf = () => {
        const room = [...media.rooms.values()].find((r) => r.id.startsWith(space.id) && !r.closed);
        const peer = room?.peers.get(a.joined.self.id);
        if (room === undefined || peer === undefined) throw new Error('no media peer');
        return { room, peer };
      };
      const errors = () =>
        a.client.received.filter((m) => m.type === 'error' && m.code === 'media_failed');
      // A pong carries its ping's ref: a browser learns so that the answer sent before was taken.
      a.client.send({ type: 'ping', ref: 'after-answer' });
      expect((await a.client.next('pong')).ref).toBe('after-answer');

      // The publish offer refused: publish.
      peerOf().peer.failNext = true;
      a.client.send({ type: 'publish', sdp: 'v=0 bad offer', sources: {}, ref: 'pub' });
      expect(await a.client.next('error', (e) => e.ref === 'pub')).toMatchObject({
        code: 'media_failed',
        connection: 'publish',
      });

      // The answer to a subscriber offer refused: subscribe, and the same offer comes again (once)
      // for the fresh PC; its answer is taken.
      const { peer } = peerOf();
      const take = peer.acceptSubscriberAnswer.bind(peer);
      let refuse = 1;
      peer.acceptSubscriberAnswer = (sdp) => {
        if (refuse-- > 0) throw new Error('answer does not fit');
        take(sdp);
      };
      peer.events.onSubscriberOffer('v=0 sub offer 1');
      await a.client.next('subscriber_offer');
      a.client.send({ type: 'subscriber_answer', sdp: 'v=0 stale answer', ref: 'sub' });
      expect(await a.client.next('error', (e) => e.ref === 'sub')).toMatchObject({
        code: 'media_failed',
        connection: 'subscribe',
      });
      expect((await a.client.next('subscriber_offer')).sdp).toBe('v=0 sub offer 1');
      a.client.send({ type: 'subscriber_answer', sdp: 'v=0 fresh answer' });
      await a.client.sync();
      expect(peer.answers).toEqual(['v=0 fresh answer']);

      // Refused twice for one offer: the offer is not sent a third time.
      refuse = 2;
      peer.events.onSubscriberOffer('v=0 sub offer 2');
      await a.client.next('subscriber_offer');
      a.client.send({ type: 'subscriber_answer', sdp: 'v=0 answer 2a' });
      expect((await a.client.next('subscriber_offer')).sdp).toBe('v=0 sub offer 2');
      a.client.send({ type: 'subscriber_answer', sdp: 'v=0 answer 2b', ref: 'again' });
      expect(await a.client.next('error', (e) => e.ref === 'again')).toMatchObject({
        connection: 'subscribe',
      });
      await a.client.sync();
      // An answer the engine did not wait for ('invalid_state'): nothing to offer again either.
      peer.acceptSubscriberAnswer = () => {
        throw Object.assign(new Error('no offer awaits an answer'), { code: 'invalid_state' });
      };
      a.client.send({ type: 'subscriber_answer', sdp: 'v=0 extra answer', ref: 'extra' });
      expect(await a.client.next('error', (e) => e.ref === 'extra')).toMatchObject({
        connection: 'subscribe',
      });
      await a.client.sync();
      expect(a.client.received.filter((m) => m.type === 'subscriber_offer')).toHaveLength(4);

      // The engine drops the peer because its subscribe PC never connected: both connections are
      // gone; the subscribe one is named first, then publish (which brings a new peer).
      const before = errors().length;
      peer.events.onConnectionState?.('subscribe', 'failed');
      peerOf().room.removePeer(peer.id);
      peer.events.onClosed?.('connect_timeout');
      await a.client.sync();
      expect(
        errors()
          .slice(before)
          .map((e) => e.type === 'error' && e.connection),
      ).toEqual(['subscribe', 'publish']);
      a.client.send({ type: 'publish', sdp: 'v=0 offer again', sources: { '0': 'microphone' } });
      await a.client.next('publish_answer');
      // This time the publish PC never connected: publish only.
      const second = peerOf().peer;
      expect(second).not.toBe(peer);
      second.events.onConnectionState?.('publish', 'failed');
      peerOf().room.removePeer(second.id);
      second.events.onClosed?.('connect_timeout');
      await a.client.sync();
      expect(
        errors()
          .slice(before + 2)
          .map((e) => e.type === 'error' && e.connection),
      ).toEqual(['publish']);
      a.client.close();
      await a.client.closed;
    });

    it('restarts a subscription on resubscribe, at most once per interval, and refuses bad ones', async () => {
      const space = await createTestSpace(t.app, owner, { settings: { lobby: 'guests' } });
      const o = await TestClient.join(
        t.wsUrl,
        (await joinTicket(t.app, space.slug, { name: 'Olga' }, owner)).token,
      );
      await o.client.next('roster');
      // In the lobby there is no media to restart.
      const g = await guestJoin(space.slug, 'Gil');
      expect((await g.client.next('phase')).phase).toBe('lobby');
      g.client.send({ type: 'resubscribe', ref: 'lobby' });
      expect(await g.client.next('error', (e) => e.ref === 'lobby')).toMatchObject({
        code: 'out_of_order',
      });
      const peerOf = () => {
        const room = [...media.rooms.values()].find((r) => r.id.startsWith(space.id) && !r.closed);
        const peer = room?.peers.get(o.joined.self.id);
        if (peer === undefined) throw new Error('no media peer');
        return peer;
      };
      // Malformed: extra fields, a ref that is not a string.
      for (const frame of [
        { type: 'resubscribe', connection: 'subscribe' },
        { type: 'resubscribe', ref: 7 },
      ]) {
        o.client.ws.send(JSON.stringify(frame));
        expect((await o.client.next('error')).code).toBe('invalid_message');
      }
      expect(peerOf().resubscribes).toBe(0);

      // Taken: the engine replaces the subscription; its fresh offer is relayed as usual.
      o.client.send({ type: 'resubscribe', ref: 'first' });
      await o.client.sync();
      expect(peerOf().resubscribes).toBe(1);
      peerOf().events.onSubscriberOffer('v=0 fresh PC offer');
      expect((await o.client.next('subscriber_offer')).sdp).toBe('v=0 fresh PC offer');

      // Again at once, and just before the interval is over: rate_limited, nothing replaced.
      o.client.send({ type: 'resubscribe', ref: 'soon' });
      expect(await o.client.next('error', (e) => e.ref === 'soon')).toMatchObject({
        code: 'rate_limited',
      });
      t.clock.advance(SIGNAL_LIMITS.resubscribeIntervalMs - 1);
      o.client.send({ type: 'resubscribe', ref: 'still-soon' });
      expect(await o.client.next('error', (e) => e.ref === 'still-soon')).toMatchObject({
        code: 'rate_limited',
      });
      expect(peerOf().resubscribes).toBe(1);
      // A burst is refused message by message without closing the socket or touching the engine.
      for (let i = 0; i < 10; i++) o.client.send({ type: 'resubscribe', ref: `burst-${i}` });
      await o.client.sync();
      expect(
        o.client.received.filter(
          (m) => m.type === 'error' && m.code === 'rate_limited' && m.ref?.startsWith('burst-'),
        ),
      ).toHaveLength(10);
      expect(peerOf().resubscribes).toBe(1);

      // Once the interval is over: taken again.
      t.clock.advance(1);
      o.client.send({ type: 'resubscribe', ref: 'later' });
      await o.client.sync();
      expect(peerOf().resubscribes).toBe(2);
      expect(o.client.received.some((m) => m.type === 'error' && m.ref === 'later')).toBe(false);

      // Nothing to receive yet (no subscribe PC): nothing to do, no error.
      t.clock.advance(SIGNAL_LIMITS.resubscribeIntervalMs);
      peerOf().hasSubscription = false;
      o.client.send({ type: 'resubscribe', ref: 'none' });
      await o.client.sync();
      expect(o.client.received.some((m) => m.type === 'error' && m.ref === 'none')).toBe(false);

      // The engine lost the peer: media starts over (publish), with a fresh peer.
      t.clock.advance(SIGNAL_LIMITS.resubscribeIntervalMs);
      const lost = peerOf();
      lost.resubscribe = () => {
        throw Object.assign(new Error('peer is closed'), { code: 'closed' });
      };
      o.client.send({ type: 'resubscribe', ref: 'lost' });
      expect(await o.client.next('error', (e) => e.ref === 'lost')).toMatchObject({
        code: 'media_failed',
        connection: 'publish',
      });
      expect(lost.closed).toBe(true);
      o.client.send({ type: 'publish', sdp: 'v=0 again', sources: { '0': 'camera' } });
      await o.client.next('publish_answer');
      expect(peerOf()).not.toBe(lost);
      o.client.close();
      g.client.close();
      await Promise.all([o.client.closed, g.client.closed]);
    });

    it('applies settings the owner saves while the meeting runs (PATCH → live meeting)', async () => {
      const space = await createTestSpace(t.app, owner, { settings: { lobby: 'guests' } });
      const mod = await TestClient.join(
        t.wsUrl,
        (await joinTicket(t.app, space.slug, { name: 'Olga' }, owner)).token,
      );
      await mod.client.next('roster');
      const m = await TestClient.join(
        t.wsUrl,
        (await joinTicket(t.app, space.slug, { name: 'Max' }, member)).token,
      );
      await m.client.next('roster');
      const g = await guestJoin(space.slug, 'Gwen');
      expect((await g.client.next('phase')).phase).toBe('lobby');

      const res = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/spaces/${space.slug}`,
        headers: authHeaders(owner),
        payload: { settings: { lockCamera: true, lobby: 'off' } },
      });
      expect(res.statusCode).toBe(200);
      expect((await m.client.next('rules')).rules.lockCamera).toBe(true);
      expect((await m.client.next('participant_updated')).participant).toMatchObject({
        id: m.joined.self.id,
        camera: false,
      });
      // The lobby is off now: Gwen is let in by herself.
      expect((await g.client.next('rules')).rules.lockCamera).toBe(true);
      expect((await g.client.next('phase')).phase).toBe('meeting');
      m.client.send({ type: 'set_camera', on: true, ref: 'cam' });
      expect(await m.client.next('error')).toMatchObject({
        code: 'locked_by_moderator',
        ref: 'cam',
      });
      for (const c of [mod, m, g]) c.client.close();
      await Promise.all([mod, m, g].map((c) => c.client.closed));
    });

    it('keeps early arrivals waiting for a moderator, then lets them in by themselves', async () => {
      const space = await createTestSpace(t.app, owner, { settings: { anyoneCanStart: false } });
      const g = await guestJoin(space.slug, 'Early');
      expect(g.joined.phase).toBe('waiting_for_moderator');
      g.client.send({ type: 'chat', text: 'anyone?', ref: 'c1' });
      expect(await g.client.next('error')).toMatchObject({ code: 'out_of_order', ref: 'c1' });
      const mod = await TestClient.join(
        t.wsUrl,
        (await joinTicket(t.app, space.slug, { name: 'Olga' }, owner)).token,
      );
      expect((await g.client.next('phase')).phase).toBe('meeting');
      expect((await g.client.next('roster')).participants).toHaveLength(2);
      g.client.close();
      mod.client.close();
      await Promise.all([g.client.closed, mod.client.closed]);
    });

    it('holds guests in the lobby; a moderator sees their names and admits or denies', async () => {
      const space = await createTestSpace(t.app, owner, { settings: { lobby: 'guests' } });
      const mod = await TestClient.join(
        t.wsUrl,
        (await joinTicket(t.app, space.slug, { name: 'Olga' }, owner)).token,
      );
      await mod.client.next('roster');
      const m = await TestClient.join(
        t.wsUrl,
        (await joinTicket(t.app, space.slug, { name: 'Max' }, member)).token,
      );
      expect((await m.client.next('phase')).phase).toBe('meeting');
      const g1 = await guestJoin(space.slug, 'Guest Uno');
      expect((await g1.client.next('phase')).phase).toBe('lobby');
      const added = await mod.client.next('lobby_added');
      expect(added.entry).toMatchObject({ name: 'Guest Uno', signedIn: false });
      const g2 = await guestJoin(space.slug, 'Guest Dos');
      expect((await mod.client.next('lobby_added')).entry.name).toBe('Guest Dos');

      g1.client.send({ type: 'publish', sdp: 'v=0', sources: {} });
      expect((await g1.client.next('error')).code).toBe('out_of_order');
      m.client.send({ type: 'admit', participantId: g1.joined.self.id });
      expect((await m.client.next('error')).code).toBe('not_moderator');

      mod.client.send({ type: 'admit', participantId: g1.joined.self.id });
      expect((await g1.client.next('phase')).phase).toBe('meeting');
      expect((await mod.client.next('lobby_removed')).participantIds).toEqual([g1.joined.self.id]);
      expect((await m.client.next('participant_joined')).participant.name).toBe('Guest Uno');
      mod.client.send({ type: 'deny', participantId: g2.joined.self.id });
      expect((await g2.client.next('ended')).reason).toBe('denied');
      expect((await g2.client.closed).code).toBe(CloseCodes.denied);
      for (const c of [mod, m, g1]) c.client.close();
      await Promise.all([mod, m, g1].map((c) => c.client.closed));
    });

    it('lets a moderator mute someone (everyone sees it), lock, remove and end the meeting', async () => {
      const space = await createTestSpace(t.app, owner);
      const mod = await TestClient.join(
        t.wsUrl,
        (await joinTicket(t.app, space.slug, { name: 'Olga' }, owner)).token,
      );
      await mod.client.next('roster');
      const a = await guestJoin(space.slug, 'Ana');
      const b = await guestJoin(space.slug, 'Bea');
      await a.client.next('participant_joined');
      mod.client.send({ type: 'mute', participantId: a.joined.self.id });
      for (const c of [mod, a, b]) {
        const u = await c.client.next(
          'participant_updated',
          (x) => x.participant.id === a.joined.self.id,
        );
        expect(u.participant.microphone).toBe(false);
      }
      const room = [...media.rooms.values()].find((r) => r.id.startsWith(space.id) && !r.closed);
      expect(room?.peers.get(a.joined.self.id)?.forwarding.get('microphone')).toBe(false);

      b.client.send({ type: 'hand', raised: true });
      a.client.send({ type: 'hand', raised: true });
      expect((await mod.client.next('hands', (h) => h.queue.length === 2)).queue).toEqual([
        b.joined.self.id,
        a.joined.self.id,
      ]);

      mod.client.send({ type: 'lock', locked: true });
      expect((await a.client.next('meeting_updated')).locked).toBe(true);
      const lockedJoin = await t.app.inject({
        method: 'POST',
        url: `/api/v1/spaces/${space.slug}/join`,
        payload: { name: 'Late' },
      });
      expect(lockedJoin.statusCode).toBe(403);
      expect(lockedJoin.json()).toMatchObject({ error: { code: 'space_locked' } });
      const modAgain = await joinTicket(t.app, space.slug, { name: 'Olga 2' }, owner);
      expect(modAgain.role).toBe('moderator');

      mod.client.send({ type: 'remove', participantId: b.joined.self.id });
      expect((await b.client.next('ended')).reason).toBe('removed');
      expect((await b.client.closed).code).toBe(CloseCodes.removed);

      mod.client.send({ type: 'end_meeting' });
      expect((await a.client.next('ended')).reason).toBe('ended_by_moderator');
      expect((await a.client.closed).code).toBe(CloseCodes.meetingEnded);
      expect((await mod.client.closed).code).toBe(CloseCodes.meetingEnded);
    });

    it('refuses REST joins beyond the maximum participants with meeting_full', async () => {
      const space = await createTestSpace(t.app, owner, { settings: { maxParticipants: 2 } });
      const a = await guestJoin(space.slug, 'A');
      const b = await guestJoin(space.slug, 'B');
      const full = await t.app.inject({
        method: 'POST',
        url: `/api/v1/spaces/${space.slug}/join`,
        payload: { name: 'C' },
      });
      expect(full.statusCode).toBe(409);
      expect(full.json()).toMatchObject({ error: { code: 'meeting_full' } });
      a.client.close();
      b.client.close();
      await Promise.all([a.client.closed, b.client.closed]);
    });

    it('drops chat when the meeting ends, unless keep chat is on', async () => {
      for (const keepChat of [false, true]) {
        const space = await createTestSpace(t.app, owner, { settings: { keepChat } });
        const a = await guestJoin(space.slug, 'Ana');
        a.client.send({ type: 'chat', text: `kept? ${keepChat}` });
        await a.client.next('chat');
        a.client.send({ type: 'leave' });
        await a.client.closed;
        await waitUntil(() =>
          t.events.some(
            (e) =>
              e.type === 'meeting.ended' && (e.payload as { spaceId: string }).spaceId === space.id,
          ),
        );
        await new Promise((r) => setTimeout(r, 50));
        const b = await guestJoin(space.slug, 'Bea');
        const roster = await b.client.next('roster');
        expect(roster.chat.map((m) => m.text)).toEqual(keepChat ? ['kept? true'] : []);
        b.client.close();
        await b.client.closed;
      }
    });

    it('ends the meeting for everyone when its space is deleted', async () => {
      const space = await createTestSpace(t.app, owner);
      const a = await guestJoin(space.slug, 'Ana');
      await a.client.next('roster');
      const del = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/spaces/${space.slug}`,
        headers: authHeaders(owner),
      });
      expect(del.statusCode).toBe(204);
      expect((await a.client.next('ended')).reason).toBe('space_deleted');
      expect((await a.client.closed).code).toBe(CloseCodes.meetingEnded);
    });
    it('leaks no participant or media peer over 100 join/leave cycles on real sockets', async () => {
      const space = await createTestSpace(t.app, owner);
      for (let i = 0; i < 100; i++) {
        const c = await guestJoin(space.slug, `P${i}`);
        if (i % 2 === 0) c.client.send({ type: 'leave' });
        else c.client.close();
        await c.client.closed;
      }
      await waitUntil(() => media.stats().peers === 0);
      const pub = await t.app.inject({ url: `/api/v1/spaces/${space.slug}/public` });
      expect(pub.json<SpacePublicDto>().live).toBeNull();
    });
  });

  describe('reconnection', () => {
    it('keeps a dropped participant for the grace period; resume restores the same identity', async () => {
      const space = await createTestSpace(t.app, owner);
      const a = await guestJoin(space.slug, 'Ana');
      const b = await guestJoin(space.slug, 'Bea');
      await a.client.next('participant_joined');
      b.client.ws.terminate();
      const down = await a.client.next(
        'participant_updated',
        (u) => u.participant.id === b.joined.self.id,
      );
      expect(down.participant.connection).toBe('reconnecting');
      const again = await TestClient.open(t.wsUrl);
      again.send({ type: 'resume', resumeToken: b.joined.resumeToken });
      const joined = await again.next('joined');
      expect(joined.self.id).toBe(b.joined.self.id);
      expect(joined.phase).toBe('meeting');
      expect((await again.next('roster')).participants).toHaveLength(2);
      const up = await a.client.next(
        'participant_updated',
        (u) => u.participant.id === b.joined.self.id && u.participant.connection === 'connected',
      );
      expect(up.participant.name).toBe('Bea');
      await new Promise((r) => setTimeout(r, 600));
      await again.sync();
      expect(a.client.received.some((m) => m.type === 'participant_left')).toBe(false);
      a.client.close();
      again.close();
      await Promise.all([a.client.closed, again.closed]);
    });

    it('lets a participant whose page went away (1001) go at once, with no reconnecting place', async () => {
      const space = await createTestSpace(t.app, owner);
      const a = await guestJoin(space.slug, 'Ana');
      const b = await guestJoin(space.slug, 'Bea');
      await a.client.next('participant_joined');
      b.client.ws.close(CloseCodes.goingAway, 'page gone');
      const left = await a.client.next('participant_left');
      expect(left).toMatchObject({ participantId: b.joined.self.id, reason: 'left' });
      expect(
        a.client.received.some(
          (m) => m.type === 'participant_updated' && m.participant.connection === 'reconnecting',
        ),
      ).toBe(false);
      const again = await TestClient.open(t.wsUrl);
      again.send({ type: 'resume', resumeToken: b.joined.resumeToken });
      expect((await again.next('error')).code).toBe('resume_failed');
      a.client.close();
      await a.client.closed;
    });

    it('lets a participant go after the grace period, and then resume fails', async () => {
      const space = await createTestSpace(t.app, owner);
      const a = await guestJoin(space.slug, 'Ana');
      const b = await guestJoin(space.slug, 'Bea');
      b.client.ws.terminate();
      const left = await a.client.next('participant_left');
      expect(left).toMatchObject({ participantId: b.joined.self.id, reason: 'timeout' });
      const again = await TestClient.open(t.wsUrl);
      again.send({ type: 'resume', resumeToken: b.joined.resumeToken });
      expect((await again.next('error')).code).toBe('resume_failed');
      expect((await again.closed).code).toBe(CloseCodes.resumeFailed);
      a.client.close();
      await a.client.closed;
    });
  });

  describe('bad input', () => {
    it('answers every malformed message with an error code and keeps others undisturbed', async () => {
      const space = await createTestSpace(t.app, owner);
      const a = await guestJoin(space.slug, 'Ana');
      const bad = await guestJoin(space.slug, 'Mallory');
      await a.client.next('participant_joined');
      const cases: [string | Buffer, string][] = [
        ['{not json', 'invalid_json'],
        ['', 'invalid_json'],
        ['[1,2,3]', 'invalid_message'],
        ['"join"', 'invalid_message'],
        ['null', 'invalid_message'],
        [JSON.stringify({ no: 'type' }), 'unknown_type'],
        [JSON.stringify({ type: 'teleport' }), 'unknown_type'],
        [JSON.stringify({ type: 42 }), 'unknown_type'],
        [JSON.stringify({ type: 'chat', text: 42 }), 'invalid_message'],
        [JSON.stringify({ type: 'chat', text: '' }), 'invalid_message'],
        [
          JSON.stringify({ type: 'chat', text: 'x'.repeat(SIGNAL_LIMITS.maxChatLength + 1) }),
          'invalid_message',
        ],
        [JSON.stringify({ type: 'hand', raised: 'yes' }), 'invalid_message'],
        [JSON.stringify({ type: 'set_camera', on: true, extra: 1 }), 'invalid_message'],
        [
          JSON.stringify({ type: 'publish', sdp: 'v=0', sources: { '0': 'hologram' } }),
          'invalid_message',
        ],
        [JSON.stringify({ type: 'mute' }), 'invalid_message'],
        [JSON.stringify({ type: 'ping', ref: 'x'.repeat(65) }), 'invalid_message'],
        [
          JSON.stringify({ type: 'chat', text: 'x'.repeat(SIGNAL_LIMITS.maxMessageBytes) }),
          'message_too_large',
        ],
        [JSON.stringify({ type: 'join', token: 'again' }), 'out_of_order'],
        [JSON.stringify({ type: 'resume', resumeToken: 'again' }), 'out_of_order'],
        [JSON.stringify({ type: 'admit', participantId: a.joined.self.id }), 'not_moderator'],
        [Buffer.from([0xde, 0xad, 0xbe, 0xef]), 'invalid_message'],
      ];
      for (const [frame, code] of cases) {
        bad.client.ws.send(frame);
        const err = await bad.client.next('error');
        expect({ frame: String(frame).slice(0, 60), code: err.code }).toEqual({
          frame: String(frame).slice(0, 60),
          code,
        });
      }
      bad.client.send({ type: 'teleport', ref: 'r-7' });
      expect((await bad.client.next('error')).ref).toBe('r-7');
      // The others did not notice, and the meeting still works for both.
      await a.client.sync();
      expect(a.client.received.filter((m) => m.type === 'error')).toEqual([]);
      bad.client.send({ type: 'chat', text: 'sorry' });
      expect((await a.client.next('chat')).message.text).toBe('sorry');
      a.client.close();
      bad.client.close();
      await Promise.all([a.client.closed, bad.client.closed]);
    });

    it('answers binary frames with invalid_message', async () => {
      const c = await TestClient.open(t.wsUrl);
      c.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
      expect((await c.next('error')).code).toBe('invalid_message');
      c.close();
      await c.closed;
    });

    it('closes the socket on a frame above the hard limit (1009)', async () => {
      const c = await TestClient.open(t.wsUrl);
      c.send('x'.repeat(SIGNAL_LIMITS.maxFrameBytes + 10));
      expect((await c.closed).code).toBe(CloseCodes.messageTooBig);
    });

    it('refuses messages before join as out of order', async () => {
      const c = await TestClient.open(t.wsUrl);
      c.send({ type: 'chat', text: 'hi' });
      expect((await c.next('error')).code).toBe('out_of_order');
      c.send({ type: 'publish', sdp: 'v=0', sources: {} });
      expect((await c.next('error')).code).toBe('out_of_order');
      c.close();
      await c.closed;
    });

    it('closes a socket that sends too many bad messages (4005)', async () => {
      const c = await TestClient.open(t.wsUrl);
      for (let i = 0; i < 45; i++) c.send('nope');
      expect((await c.closed).code).toBe(CloseCodes.tooManyErrors);
    });

    it('closes a flooding socket (4006) without disturbing the meeting', async () => {
      const space = await createTestSpace(t.app, owner);
      const a = await guestJoin(space.slug, 'Ana');
      const f = await guestJoin(space.slug, 'Flood');
      for (let i = 0; i < 300; i++) f.client.send({ type: 'ping' });
      expect((await f.client.closed).code).toBe(CloseCodes.flood);
      await a.client.sync();
      a.client.close();
      await a.client.closed;
    });

    it('closes a socket that never joins (4001)', async () => {
      const c = await TestClient.open(t.wsUrl);
      expect((await c.closed).code).toBe(CloseCodes.joinTimeout);
    });

    it('refuses missing, forged, expired, replayed tokens and deleted spaces with named close codes', async () => {
      const space = await createTestSpace(t.app, owner);
      const tryJoin = async (message: object) => {
        const c = await TestClient.open(t.wsUrl);
        c.send(message);
        return c;
      };

      const missing = await tryJoin({ type: 'join' });
      expect((await missing.next('error')).code).toBe('invalid_message');
      missing.close();

      const forged = await tryJoin({ type: 'join', token: 'eyJ2IjoxfQ.AAAA' });
      expect((await forged.next('error')).code).toBe('token_invalid');
      expect((await forged.closed).code).toBe(CloseCodes.tokenInvalid);

      const otherSecret = signJoinToken(
        'a-different-secret-of-enough-length',
        { sid: space.id, role: 'moderator', name: 'Eve', aid: null },
        t.clock.now(),
      );
      const wrongKey = await tryJoin({ type: 'join', token: otherSecret.token });
      expect((await wrongKey.closed).code).toBe(CloseCodes.tokenInvalid);

      const ticket = await joinTicket(t.app, space.slug, { name: 'Slow' });
      t.clock.advance(61_000);
      const expired = await tryJoin({ type: 'join', token: ticket.token });
      expect((await expired.next('error')).code).toBe('token_expired');
      expect((await expired.closed).code).toBe(CloseCodes.tokenExpired);

      const once = await joinTicket(t.app, space.slug, { name: 'Once' });
      const first = await TestClient.join(t.wsUrl, once.token);
      const replay = await tryJoin({ type: 'join', token: once.token });
      expect((await replay.closed).code).toBe(CloseCodes.tokenInvalid);
      first.client.close();
      await first.client.closed;

      const doomed = await joinTicket(t.app, space.slug, { name: 'Doomed' });
      await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/spaces/${space.slug}`,
        headers: authHeaders(owner),
      });
      const deleted = await tryJoin({ type: 'join', token: doomed.token });
      expect((await deleted.next('error')).code).toBe('space_not_found');
      expect((await deleted.closed).code).toBe(CloseCodes.spaceNotFound);
    });
  });
});

describe(`site-wide defaults and running meetings on ${testDialect()}`, () => {
  it('pushes the new effective rules to every running meeting they change, and only those', async () => {
    const t = await startMeetingTestApp({ media: new FakeMediaEngine() });
    try {
      const steward = await signUpAndLogIn(t.app, { steward: true, name: 'Stew' });
      const owner = await signUpAndLogIn(t.app, { name: 'Olga' });
      const putDefaults = (body: SpaceDefaultsDto) =>
        t.app.inject({
          method: 'PUT',
          url: '/api/v1/admin/space-defaults',
          headers: authHeaders(steward),
          payload: body,
        });
      // Two spaces: one with nothing locked but chat, one whose own settings already lock cameras;
      // a third one whose meeting waits for a moderator.
      const open = await createTestSpace(t.app, owner, { settings: { lockChat: true } });
      const locked = await createTestSpace(t.app, owner, { settings: { lockCamera: true } });
      const waiting = await createTestSpace(t.app, owner, { settings: { anyoneCanStart: false } });
      const enter = async (slug: string, name: string) => {
        const c = await TestClient.join(t.wsUrl, (await joinTicket(t.app, slug, { name })).token);
        await c.client.next('roster');
        return c;
      };
      const mod = await TestClient.join(
        t.wsUrl,
        (await joinTicket(t.app, open.slug, { name: 'Olga' }, owner)).token,
      );
      await mod.client.next('roster');
      const g = await enter(open.slug, 'Gwen');
      expect(g.joined.self.camera).toBe(true);
      const h = await enter(locked.slug, 'Hal');
      const early = await TestClient.join(
        t.wsUrl,
        (await joinTicket(t.app, waiting.slug, { name: 'Early' })).token,
      );
      expect(early.joined.phase).toBe('waiting_for_moderator');

      // Cameras locked everywhere; chat never locked; anyone may start a meeting.
      const res = await putDefaults({
        ...installDefaults,
        lockCamera: { value: true, policy: 'always_on' },
        lockChat: { value: false, policy: 'off' },
        anyoneCanStart: { value: true, policy: 'always_on' },
      });
      expect(res.statusCode).toBe(200);

      // The running meeting follows at once: Gwen's camera goes off and stays locked, chat opens.
      expect((await g.client.next('rules')).rules).toMatchObject({
        lockCamera: true,
        lockChat: false,
      });
      expect((await mod.client.next('rules')).rules.lockCamera).toBe(true);
      expect(
        (await mod.client.next('participant_updated', (m) => m.participant.id === g.joined.self.id))
          .participant.camera,
      ).toBe(false);
      g.client.send({ type: 'set_camera', on: true, ref: 'cam' });
      expect(await g.client.next('error')).toMatchObject({
        code: 'locked_by_moderator',
        ref: 'cam',
      });
      g.client.send({ type: 'chat', text: 'now I may' });
      expect((await mod.client.next('chat')).message.text).toBe('now I may');
      // The waiting meeting opens by itself.
      expect((await early.client.next('rules')).rules.lockCamera).toBe(true);
      expect((await early.client.next('phase')).phase).toBe('meeting');
      // Hal's meeting already had these rules: nothing is pushed there.
      await h.client.sync();
      expect(h.client.received.filter((m) => m.type === 'rules')).toEqual([]);
      // And new arrivals get the rules in force.
      const late = await enter(open.slug, 'Lou');
      expect(late.joined.rules.lockCamera).toBe(true);
      expect(late.joined.self.camera).toBe(false);

      // Back to the install's defaults: the spaces' own choices apply again.
      expect((await putDefaults(installDefaults)).statusCode).toBe(200);
      expect((await g.client.next('rules')).rules).toMatchObject({
        lockCamera: false,
        lockChat: true,
      });
      await h.client.sync();
      expect(h.client.received.filter((m) => m.type === 'rules')).toEqual([]);
      for (const c of [mod, g, h, early, late]) c.client.close();
      await Promise.all([mod, g, h, early, late].map((c) => c.client.closed));
    } finally {
      await t.close();
    }
  });
});

describe(`a server stop on ${testDialect()}`, () => {
  it('closes every meeting socket with 1001 "going away", so clients come back by themselves', async () => {
    const t = await startMeetingTestApp({ media: new FakeMediaEngine() });
    try {
      const owner = await signUpAndLogIn(t.app, { name: 'Stella' });
      const space = await createTestSpace(t.app, owner, { settings: { anyoneCanStart: true } });
      const ticket = await joinTicket(t.app, space.slug, { name: 'Gus' });
      const a = await TestClient.join(t.wsUrl, ticket.token);
      await a.client.next('roster');
      await t.app.close();
      const closed = await a.client.closed;
      expect(closed.code).toBe(CloseCodes.goingAway);
      expect(shouldReconnect(closed.code)).toBe(true);
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});

describe('the app without a media engine for this test', () => {
  it('builds, injects and closes without binding media (buildAuthTestApp)', async () => {
    const t = await buildAuthTestApp();
    const res = await t.app.inject({ url: '/api/v1/spaces/nothing/public' });
    expect(res.json()).toMatchObject({ error: { code: 'space_not_found' } });
    await t.close();
  });
});

async function waitUntil(cond: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
