import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installDefaults, type SpaceDto, type SpacePublicDto } from '@common/api/spaces';
import { CloseCodes, shouldReconnect, type ServerMessage } from '@common/protocol';
import { createLogger } from '@server/platform/log';
import { Meeting, type MeetingConfig } from '@server/realtime/meeting/meeting';
import { authHeaders, signUpAndLogIn, type TestSession } from '@server/test/accounts';
import { FakeMediaEngine } from '@server/test/fake-media';
import {
  createTestSpace,
  joinTicket,
  startMeetingTestApp,
  TestClient,
  type MeetingTestApp,
} from '@server/test/meeting-app';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '@server/test/redis';
import { testDialect } from '@server/test/test-app';
import { RedisRouter } from './redis-router';

/** Two nodes of one hall (one database, one Redis prefix), each with its own media engine. */
async function startCluster() {
  const redis = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
  const routing = { ttlMs: 1000, heartbeatMs: 150, callTimeoutMs: 2000 };
  const signalling = { resumeGraceMs: 1500 };
  const media1 = new FakeMediaEngine();
  const media2 = new FakeMediaEngine();
  const n1 = await startMeetingTestApp({
    media: media1,
    signalling,
    redis: { ...redis, routing },
  });
  const n2 = await startMeetingTestApp({
    media: media2,
    signalling,
    redis: { ...redis, routing },
    nodeOf: n1,
  });
  return {
    n1,
    n2,
    media1,
    media2,
    prefix: redis.prefix,
    close: async () => {
      await n2.close();
      await n1.close();
    },
  };
}

type Cluster = Awaited<ReturnType<typeof startCluster>>;

const join = async (node: MeetingTestApp, slug: string, name: string, session?: TestSession) =>
  TestClient.join(node.wsUrl, (await joinTicket(node.app, slug, { name }, session)).token);

const live = async (node: MeetingTestApp, slug: string) =>
  (await node.app.inject({ url: `/api/v1/spaces/${slug}/public` })).json<SpacePublicDto>().live;

describe(`two nodes sharing Redis (RedisRouter) on ${testDialect()}`, () => {
  let c: Cluster;
  let owner: TestSession;
  let steward: TestSession;
  let space: SpaceDto;

  beforeAll(async () => {
    c = await startCluster();
    steward = await signUpAndLogIn(c.n1.app, { name: 'Stew', steward: true });
    owner = await signUpAndLogIn(c.n1.app, { name: 'Olga' });
  });
  afterAll(async () => {
    await c.close();
  });

  it('puts participants joining through either node in one meeting, hosted on one node', async () => {
    space = await createTestSpace(c.n1.app, owner);
    const a = await join(c.n1, space.slug, 'Olga', owner);
    await a.client.next('roster');
    const b = await join(c.n2, space.slug, 'Gil');
    expect(b.joined.self).toMatchObject({ name: 'Gil', role: 'viewer' });
    expect((await b.client.next('phase')).phase).toBe('meeting');
    const roster = await b.client.next('roster');
    expect(roster.participants.map((p) => p.name).sort()).toEqual(['Gil', 'Olga']);
    expect((await a.client.next('participant_joined')).participant.name).toBe('Gil');

    // One meeting, on the node of the first join: its media engine holds both peers.
    expect(c.media1.stats()).toMatchObject({ rooms: 1, peers: 2 });
    expect(c.media2.stats()).toMatchObject({ rooms: 0, peers: 0 });

    // Chat crosses both ways.
    b.client.send({ type: 'chat', text: 'from node 2' });
    expect((await a.client.next('chat')).message).toMatchObject({
      text: 'from node 2',
      from: b.joined.self.id,
    });
    a.client.send({ type: 'chat', text: 'from node 1' });
    expect(
      (await b.client.next('chat', (m) => m.message.text === 'from node 1')).message.from,
    ).toBe(a.joined.self.id);

    // Media signalling goes to the hosting node's engine.
    b.client.send({ type: 'publish', sdp: 'v=0 relayed offer', sources: { '0': 'microphone' } });
    expect((await b.client.next('publish_answer')).sdp).toContain('answer-to:v=0 relayed offer');

    // Either node tells the live status.
    expect(await live(c.n1, space.slug)).toEqual({ participants: 2, locked: false });
    expect(await live(c.n2, space.slug)).toEqual({ participants: 2, locked: false });

    // Moderator actions cross: mute and lock from node 1 reach the participant on node 2.
    a.client.send({ type: 'mute', participantId: b.joined.self.id });
    const muted = await b.client.next(
      'participant_updated',
      (u) => u.participant.id === b.joined.self.id,
    );
    expect(muted.participant.microphone).toBe(false);
    a.client.send({ type: 'lock', locked: true });
    expect((await b.client.next('meeting_updated')).locked).toBe(true);
    expect(await live(c.n2, space.slug)).toEqual({ participants: 2, locked: true });
    const lockedJoin = await c.n2.app.inject({
      method: 'POST',
      url: `/api/v1/spaces/${space.slug}/join`,
      payload: { name: 'Late' },
    });
    expect(lockedJoin.json()).toMatchObject({ error: { code: 'space_locked' } });
    a.client.send({ type: 'lock', locked: false });
    await b.client.next('meeting_updated', (m) => !m.locked);

    // A moderator on node 2 removes someone on node 1.
    const mod2 = await join(c.n2, space.slug, 'Olga 2', owner);
    const d = await join(c.n1, space.slug, 'Dan');
    await mod2.client.next('participant_joined', (p) => p.participant.name === 'Dan');
    mod2.client.send({ type: 'remove', participantId: d.joined.self.id });
    expect((await d.client.next('ended')).reason).toBe('removed');
    expect((await d.client.closed).code).toBe(CloseCodes.removed);

    // Leaving through the relay.
    b.client.send({ type: 'leave' });
    expect((await b.client.closed).code).toBe(CloseCodes.normal);
    expect(
      (await a.client.next('participant_left', (l) => l.participantId === b.joined.self.id)).reason,
    ).toBe('left');
    expect(await live(c.n2, space.slug)).toEqual({ participants: 2, locked: false });
    for (const x of [a, mod2]) x.client.close();
    await Promise.all([a.client.closed, mod2.client.closed]);
  });

  it('answers bad input through the relay with the same error codes as locally', async () => {
    const s = await createTestSpace(c.n1.app, owner);
    const a = await join(c.n1, s.slug, 'Ana');
    const here = await join(c.n1, s.slug, 'Local Mallory');
    const there = await join(c.n2, s.slug, 'Relayed Mallory');
    await a.client.next('participant_joined', (p) => p.participant.name === 'Relayed Mallory');
    const frames = [
      '{not json',
      JSON.stringify({ type: 'teleport' }),
      JSON.stringify({ type: 'chat', text: '' }),
      JSON.stringify({ type: 'join', token: 'again' }),
      JSON.stringify({ type: 'admit', participantId: a.joined.self.id }),
      JSON.stringify({ type: 'mute', participantId: a.joined.self.id }),
      JSON.stringify({ type: 'end_meeting' }),
      JSON.stringify({ type: 'set_role', participantId: a.joined.self.id, role: 'moderator' }),
    ];
    const codes = async (x: { client: TestClient }) => {
      const out: string[] = [];
      for (const f of frames) {
        x.client.ws.send(f);
        out.push((await x.client.next('error')).code);
      }
      return out;
    };
    const local = await codes(here);
    expect(local).toContain('not_moderator');
    expect(await codes(there)).toEqual(local);
    for (const x of [a, here, there]) x.client.close();
    await Promise.all([a.client.closed, here.client.closed, there.client.closed]);
  });

  it('lets a join token open one socket, whichever node it reaches', async () => {
    const s = await createTestSpace(c.n1.app, owner);
    const ticket = await joinTicket(c.n1.app, s.slug, { name: 'Once' });
    const first = await TestClient.join(c.n1.wsUrl, ticket.token);
    const replay = await TestClient.open(c.n2.wsUrl);
    replay.send({ type: 'join', token: ticket.token });
    expect((await replay.next('error')).code).toBe('token_invalid');
    expect((await replay.closed).code).toBe(CloseCodes.tokenInvalid);
    first.client.close();
    await first.client.closed;
  });

  it('resumes through any node, keeping the participant', async () => {
    const s = await createTestSpace(c.n2.app, owner);
    const a = await join(c.n2, s.slug, 'Ana'); // hosted on node 2
    const b = await join(c.n1, s.slug, 'Bea'); // relayed from node 1
    await a.client.next('participant_joined');
    b.client.ws.terminate();
    await a.client.next(
      'participant_updated',
      (u) => u.participant.id === b.joined.self.id && u.participant.connection === 'reconnecting',
    );
    // Back through the hosting node itself…
    const onHost = await TestClient.open(c.n2.wsUrl);
    onHost.send({ type: 'resume', resumeToken: b.joined.resumeToken });
    expect((await onHost.next('joined')).self.id).toBe(b.joined.self.id);
    // …then the hosting node's own participant drops and comes back through node 1.
    a.client.ws.terminate();
    const relayed = await TestClient.open(c.n1.wsUrl);
    relayed.send({ type: 'resume', resumeToken: a.joined.resumeToken });
    const joined = await relayed.next('joined');
    expect(joined).toMatchObject({ self: { id: a.joined.self.id }, phase: 'meeting' });
    expect((await relayed.next('roster')).participants).toHaveLength(2);
    onHost.send({ type: 'chat', text: 'welcome back' });
    expect((await relayed.next('chat')).message.text).toBe('welcome back');
    const bad = await TestClient.open(c.n1.wsUrl);
    bad.send({ type: 'resume', resumeToken: 'not-a-token' });
    expect((await bad.next('error')).code).toBe('resume_failed');
    expect((await bad.closed).code).toBe(CloseCodes.resumeFailed);
    expect(c.media2.stats().rooms).toBeGreaterThanOrEqual(1);
    onHost.close();
    relayed.close();
    await Promise.all([onHost.closed, relayed.closed]);
  });

  it('applies saved settings, steward defaults and deletion to a meeting hosted on the other node', async () => {
    const s = await createTestSpace(c.n1.app, owner);
    const a = await join(c.n1, s.slug, 'Ana');
    await a.client.next('roster');
    // Saved through node 2.
    const saved = await c.n2.app.inject({
      method: 'PATCH',
      url: `/api/v1/spaces/${s.slug}`,
      headers: authHeaders(owner),
      payload: { settings: { lockChat: true } },
    });
    expect(saved.statusCode).toBe(200);
    expect((await a.client.next('rules', (r) => r.rules.lockChat)).rules.lockChat).toBe(true);
    // The site's defaults, through node 2: it finds the meeting among the live ones of both nodes.
    const put = await c.n2.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/space-defaults',
      headers: authHeaders(steward),
      payload: { ...installDefaults, muteOnJoin: { value: true, policy: 'always_on' } },
    });
    expect(put.statusCode).toBe(200);
    expect((await a.client.next('rules', (r) => r.rules.muteOnJoin)).rules.muteOnJoin).toBe(true);
    // Deleted through node 2: the meeting on node 1 ends for everyone.
    const deleted = await c.n2.app.inject({
      method: 'DELETE',
      url: `/api/v1/spaces/${s.slug}`,
      headers: authHeaders(owner),
    });
    expect(deleted.statusCode).toBe(204);
    expect((await a.client.closed).code).toBe(CloseCodes.meetingEnded);
  });
});

describe(`a hosting node leaving the cluster on ${testDialect()}`, () => {
  let c: Cluster;
  const raw = new Redis(TEST_REDIS_URL);
  afterEach(async () => {
    await c.close();
  });
  afterAll(() => {
    raw.disconnect();
  });

  it('closing: everyone, relayed or not, is told to come back; the meeting moves to a live node', async () => {
    c = await startCluster();
    const owner = await signUpAndLogIn(c.n1.app, { name: 'Olga' });
    const s = await createTestSpace(c.n1.app, owner);
    const a = await join(c.n2, s.slug, 'Ana'); // node 2 hosts
    const b = await join(c.n1, s.slug, 'Bea'); // relayed from node 1
    await a.client.next('participant_joined');
    expect(await raw.get(`${c.prefix}meeting:${s.id}`)).not.toBeNull();

    await c.n2.stop();
    const [ca, cb] = await Promise.all([a.client.closed, b.client.closed]);
    expect(ca.code).toBe(CloseCodes.goingAway);
    expect(cb.code).toBe(CloseCodes.goingAway);
    expect(shouldReconnect(cb.code)).toBe(true);
    expect(await raw.get(`${c.prefix}meeting:${s.id}`)).toBeNull();
    expect(await live(c.n1, s.slug)).toBeNull();

    // Coming back through node 1 starts the meeting there.
    const again = await join(c.n1, s.slug, 'Bea');
    expect((await again.client.next('phase')).phase).toBe('meeting');
    expect(c.media1.stats()).toMatchObject({ rooms: 1, peers: 1 });
    expect(await live(c.n1, s.slug)).toEqual({ participants: 1, locked: false });
    again.client.close();
    await again.client.closed;
  });
});

describe('RedisRouter on its own: relaying, and nodes that die or lose a placement', () => {
  const config = (spaceId: string): MeetingConfig => ({
    spaceId,
    slug: spaceId,
    name: spaceId,
    lobby: 'off',
    anyoneCanStart: true,
    muteOnJoin: false,
    maxParticipants: null,
    lockCamera: false,
    lockMicrophone: false,
    lockChat: false,
    lockScreenShare: false,
    keepChat: false,
    keptChat: [],
  });
  const opened: { router: RedisRouter; pub: Redis; sub: Redis }[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((o) => o.router.close()));
  });

  async function node(prefix: string) {
    const pub = new Redis(TEST_REDIS_URL);
    const sub = new Redis(TEST_REDIS_URL);
    const engine = new FakeMediaEngine();
    let n = 0;
    const router = new RedisRouter(
      (c, onEnded) =>
        new Meeting(c, {
          mediaRoom: (ev) => engine.room(`${c.spaceId}:${++n}`, ev),
          now: () => new Date(),
          newId: () => `${prefix}id${++n}`,
          newSecret: () => `${prefix}secret${++n}`,
          resumeGraceMs: 300,
          hooks: { ended: onEnded },
        }),
      { pub, sub, prefix, log: createLogger('silent'), ttlMs: 600, heartbeatMs: 100 },
    );
    opened.push({ router, pub, sub });
    return { router, pub, sub, engine };
  }
  const link = () => {
    const sent: ServerMessage[] = [];
    let closed: ((code: number) => void) | undefined;
    const closedWith = new Promise<number>((resolve) => (closed = resolve));
    return {
      sent,
      closedWith,
      send: (m: ServerMessage) => void sent.push(m),
      close: (code: number) => closed?.(code),
    };
  };
  const viewer = (name: string) => ({ name, role: 'viewer' as const, accountId: null });

  it('leaks nothing over 200 relayed join/leave cycles', async () => {
    const prefix = uniqueRedisPrefix();
    const host = await node(prefix);
    const edge = await node(prefix);
    const stay = await host.router.startParticipantSignal(config('s0'), viewer('Host'), link());
    if (!stay.ok) throw new Error('refused');
    for (let i = 0; i < 200; i++) {
      const r = await edge.router.startParticipantSignal(config('s0'), viewer(`P${i}`), link());
      if (!r.ok) throw new Error('refused');
      r.signal.receive({ type: 'chat', text: 'hi' });
      if (i % 2 === 0) r.signal.receive({ type: 'leave' });
      else r.signal.disconnected();
    }
    await expect.poll(() => host.router.stats().participants, { timeout: 5000 }).toBe(1);
    expect(host.router.stats().meetings).toBe(1);
    expect(host.engine.stats()).toMatchObject({ rooms: 1, peers: 1 });
    expect(edge.router.relayStats()).toEqual({ relayed: 0, hosted: 0, pending: 0 });
    expect(host.router.relayStats()).toEqual({ relayed: 0, hosted: 0, pending: 0 });
  });

  it('a guest back through another node with the same key replaces their own ghost at once', async () => {
    const prefix = uniqueRedisPrefix();
    const host = await node(prefix);
    const edge = await node(prefix);
    const hostLink = link();
    const stay = await host.router.startParticipantSignal(config('sg'), viewer('Host'), hostLink);
    if (!stay.ok) throw new Error('refused');
    const guest = { ...viewer('Gus'), guestKey: 'key-of-gus' };
    const first = await edge.router.startParticipantSignal(config('sg'), guest, link());
    if (!first.ok) throw new Error('refused');
    const stranger = { ...viewer('Gus'), guestKey: 'key-of-another' };
    const other = await edge.router.startParticipantSignal(config('sg'), stranger, link());
    if (!other.ok) throw new Error('refused');
    // Gus's network goes (no close frame): his place waits for a resume, and so does the other's.
    first.signal.disconnected();
    other.signal.disconnected();
    await expect
      .poll(() => hostLink.sent.filter((m) => m.type === 'participant_updated').length)
      .toBe(2);
    const again = await host.router.startParticipantSignal(config('sg'), guest, link());
    if (!again.ok) throw new Error('refused');
    const left = hostLink.sent.flatMap((m) =>
      m.type === 'participant_left' ? [m.participantId] : [],
    );
    expect(left).toEqual([first.signal.participantId]);
    expect(host.router.stats()).toEqual({ meetings: 1, participants: 3 });
  });

  it('hands a relayed participant’s signalling address to the hosting node’s engine, on connect and on resume', async () => {
    const prefix = uniqueRedisPrefix();
    const host = await node(prefix);
    const edge = await node(prefix);
    const stay = await host.router.startParticipantSignal(config('sa'), viewer('Host'), link());
    if (!stay.ok) throw new Error('refused');
    const peerOf = (id: string) => [...host.engine.rooms.values()][0]?.peers.get(id);
    const first = { ...link(), address: '198.51.100.7' };
    const r = await edge.router.startParticipantSignal(config('sa'), viewer('Rita'), first);
    if (!r.ok) throw new Error('refused');
    expect(peerOf(r.signal.participantId)?.options).toEqual({ signallingAddress: '198.51.100.7' });
    const joined = first.sent.find((m) => m.type === 'joined');
    if (joined?.type !== 'joined') throw new Error('no joined');
    r.signal.disconnected();
    const again = { ...link(), address: '203.0.113.5' };
    const resumed = await edge.router.resumeParticipantSignal(joined.resumeToken, again);
    if (!resumed.ok) throw new Error('not resumed');
    expect(peerOf(r.signal.participantId)?.options).toEqual({ signallingAddress: '203.0.113.5' });
  });

  it('the relaying node closes its sockets with 1001 and the meeting can start on a live node', async () => {
    const prefix = uniqueRedisPrefix();
    const host = await node(prefix);
    const edge = await node(prefix);
    const a = await host.router.startParticipantSignal(config('s1'), viewer('A'), link());
    const bLink = link();
    const b = await edge.router.startParticipantSignal(config('s1'), viewer('B'), bLink);
    expect(a.ok && b.ok).toBe(true);
    expect(host.router.stats()).toEqual({ meetings: 1, participants: 2 });
    expect(await edge.router.status('s1')).toEqual({ participants: 2, lobby: 0, locked: false });

    // The host's process is gone: no heartbeat, no subscription, nothing released.
    host.pub.disconnect();
    host.sub.disconnect();
    expect(await bLink.closedWith).toBe(CloseCodes.goingAway);

    // Its placement expired; a join through the live node starts the meeting there.
    const c = await edge.router.startParticipantSignal(config('s1'), viewer('C'), link());
    expect(c.ok).toBe(true);
    expect(edge.router.stats()).toEqual({ meetings: 1, participants: 1 });
    expect(edge.engine.stats()).toMatchObject({ rooms: 1, peers: 1 });
  });

  it('the hosting node lets the participants relayed by a dead node go after their grace', async () => {
    const prefix = uniqueRedisPrefix();
    const host = await node(prefix);
    const edge = await node(prefix);
    const aLink = link();
    await host.router.startParticipantSignal(config('s2'), viewer('A'), aLink);
    const b = await edge.router.startParticipantSignal(config('s2'), viewer('B'), link());
    if (!b.ok) throw new Error('refused');
    expect(host.router.stats().participants).toBe(2);
    edge.pub.disconnect();
    edge.sub.disconnect();
    await expect
      .poll(() => aLink.sent.some((m) => m.type === 'participant_left'), { timeout: 5000 })
      .toBe(true);
    expect(host.router.stats().participants).toBe(1);
  });

  it('a node that lost its placement to another ends its copy of the meeting with 1001', async () => {
    const prefix = uniqueRedisPrefix();
    const first = await node(prefix);
    const second = await node(prefix);
    const aLink = link();
    await first.router.startParticipantSignal(config('s3'), viewer('A'), aLink);
    // Redis lost sight of the first node for longer than the expiry; the second took the space.
    await first.pub.set(`${prefix}meeting:s3`, second.router.nodeId);
    expect(await aLink.closedWith).toBe(CloseCodes.goingAway);
    expect(first.router.stats()).toEqual({ meetings: 0, participants: 0 });
    expect(await first.pub.get(`${prefix}meeting:s3`)).toBe(second.router.nodeId);
  });
});
