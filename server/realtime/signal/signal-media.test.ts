import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAndLogIn, type TestSession } from '@server/test/accounts';
import {
  ClientPeer,
  stunTrap,
  waitFor,
  withCandidates,
} from '@server/realtime/sfu/testing/client-peer';
import {
  createTestSpace,
  joinTicket,
  startMeetingTestApp,
  TestClient,
  type MeetingTestApp,
} from '@server/test/meeting-app';
import { testDialect } from '@server/test/test-app';

/**
 * The real media engine as app.ts wires it (from config.media: port 0, 127.0.0.1), driven only
 * through signalling: a node-datachannel client publishes, another subscribes and receives RTP.
 */
describe(`signalling with the real media engine on ${testDialect()}`, () => {
  let t: MeetingTestApp;
  let owner: TestSession;
  const peers: ClientPeer[] = [];

  beforeAll(async () => {
    t = await startMeetingTestApp({ env: { MEDIA_PORT: '0', MEDIA_BIND_ADDRESS: '127.0.0.1' } });
    owner = await signUpAndLogIn(t.app, { name: 'Olga' });
  });
  afterAll(async () => {
    for (const p of peers) p.close();
    await t.close();
  });

  /** A participant whose media goes through the SFU, answering subscriber offers as a browser would. */
  async function participant(slug: string, name: string) {
    const { client, joined } = await TestClient.join(
      t.wsUrl,
      (await joinTicket(t.app, slug, { name })).token,
    );
    const peer = new ClientPeer({ name });
    peers.push(peer);
    let answering = Promise.resolve();
    const answerOffers = async () => {
      for (;;) {
        const offer = await client.next('subscriber_offer').catch(() => undefined);
        if (offer === undefined) return;
        answering = answering.then(async () => {
          client.send({
            type: 'subscriber_answer',
            sdp: await peer.answerSubscriberOffer(offer.sdp),
          });
          // The pong comes after the server applied the answer; only then may ICE start.
          await client.sync();
          peer.startSubscriberIce();
        });
      }
    };
    void answerOffers();
    return { client, joined, peer };
  }

  it('carries one participant’s audio and video to another through the SFU', async () => {
    const space = await createTestSpace(t.app, owner);
    const a = await participant(space.slug, 'ana');
    const b = await participant(space.slug, 'bea');
    const offer = await a.peer.publishOffer();
    a.client.send({ type: 'publish', sdp: offer.sdp, sources: offer.sources });
    a.peer.acceptPublishAnswer((await a.client.next('publish_answer')).sdp);
    await waitFor(() => a.peer.publishing(), 'ana publishing', 20_000);
    const pump = setInterval(() => {
      a.peer.sendVideo();
      a.peer.sendAudio(30);
    }, 10);
    try {
      await waitFor(
        () =>
          [...b.peer.received.values()].filter((r) => r.trackId.startsWith(a.joined.self.id))
            .length === 2,
        'bea receiving both of ana’s tracks',
        20_000,
      );
    } finally {
      clearInterval(pump);
    }
    const tracks = [...b.peer.received.keys()].sort();
    expect(tracks).toEqual([`${a.joined.self.id}:camera`, `${a.joined.self.id}:microphone`]);

    // A bad offer is refused with a code, and the meeting goes on.
    a.client.send({ type: 'publish', sdp: 'v=0 nonsense', sources: {}, ref: 'bad' });
    expect(await a.client.next('error', (e) => e.ref === 'bad')).toMatchObject({
      code: 'media_failed',
    });
    // Labels that do not fit the m-lines' kinds would escape a mute and the locks: refused.
    a.client.send({
      type: 'publish',
      sdp: offer.sdp,
      sources: { a: 'camera', v: 'microphone' },
      ref: 'mislabelled',
    });
    expect(await a.client.next('error', (e) => e.ref === 'mislabelled')).toMatchObject({
      code: 'invalid_sources',
    });
    await b.client.sync();

    a.client.close();
    b.client.close();
    await Promise.all([a.client.closed, b.client.closed]);
  });

  it('takes ICE candidates only on the participant’s own (signalling) address', async () => {
    // The guest signals from 127.0.0.1; 127.0.0.2 stands for another host.
    const other = await stunTrap('127.0.0.2');
    const own = await stunTrap('127.0.0.1');
    try {
      const space = await createTestSpace(t.app, owner);
      const a = await participant(space.slug, 'ana');
      const offer = await a.peer.publishOffer();
      // The other host has the higher priority: it would be checked first, and as often.
      const sdp = withCandidates(offer.sdp, [
        other.candidate(2130706431),
        own.candidate(2130706175),
      ]);
      a.client.send({ type: 'publish', sdp, sources: offer.sources });
      await a.client.next('publish_answer');
      await waitFor(() => own.requests() >= 3, 'checks to ana’s own address', 20_000);
      expect(other.requests()).toBe(0);
      a.client.close();
      await a.client.closed;
    } finally {
      await other.close();
      await own.close();
    }
  });

  it('still brings media to later guests after others left as soon as they saw each other', async () => {
    const space = await createTestSpace(t.app, owner);
    const a = await participant(space.slug, 'ana');
    const offer = await a.peer.publishOffer();
    a.client.send({ type: 'publish', sdp: offer.sdp, sources: offer.sources });
    a.peer.acceptPublishAnswer((await a.client.next('publish_answer')).sdp);
    await waitFor(() => a.peer.publishing(), 'ana publishing', 20_000);
    const pump = setInterval(() => {
      a.peer.sendVideo();
      a.peer.sendAudio(30);
    }, 10);
    try {
      for (const name of ['bea', 'cai']) {
        // Each joins, publishes, sees ana and is seen by her, and leaves at once.
        const quick = await participant(space.slug, name);
        const o = await quick.peer.publishOffer();
        quick.client.send({ type: 'publish', sdp: o.sdp, sources: o.sources });
        quick.peer.acceptPublishAnswer((await quick.client.next('publish_answer')).sdp);
        await waitFor(() => quick.peer.publishing(), `${name} publishing`, 20_000);
        const own = setInterval(() => quick.peer.sendVideo(), 10);
        try {
          await waitFor(
            () =>
              [...a.peer.received.values()].some((r) =>
                r.trackId.startsWith(quick.joined.self.id),
              ) &&
              [...quick.peer.received.values()].some((r) => r.trackId.startsWith(a.joined.self.id)),
            `ana and ${name} seeing each other`,
            20_000,
          );
        } finally {
          clearInterval(own);
        }
        quick.client.close();
        await quick.client.closed;
      }
      const d = await participant(space.slug, 'dan');
      await waitFor(
        () =>
          [...d.peer.received.values()].filter((r) => r.trackId.startsWith(a.joined.self.id))
            .length === 2,
        'dan receiving both of ana’s tracks',
        20_000,
      );
      d.client.close();
    } finally {
      clearInterval(pump);
    }
    a.client.close();
  });

  it('brings media back on a fresh subscribe PC after resubscribe', async () => {
    const space = await createTestSpace(t.app, owner);
    const a = await participant(space.slug, 'ana');
    const b = await participant(space.slug, 'bea');
    const offer = await a.peer.publishOffer();
    a.client.send({ type: 'publish', sdp: offer.sdp, sources: offer.sources });
    a.peer.acceptPublishAnswer((await a.client.next('publish_answer')).sdp);
    await waitFor(() => a.peer.publishing(), 'ana publishing', 20_000);
    const cam = () => b.peer.received.get(`${a.joined.self.id}:camera`)?.packets ?? 0;
    const pump = setInterval(() => {
      a.peer.sendVideo();
      a.peer.sendAudio(30);
    }, 10);
    try {
      await waitFor(() => cam() > 3, 'bea receiving ana', 20_000);
      const offers = b.client.received.filter((m) => m.type === 'subscriber_offer').length;
      // Bea's subscribe PC broke (a browser closes it when it goes `failed`): she asks afresh.
      b.peer.closeSubscriber();
      const before = cam();
      b.client.send({ type: 'resubscribe', ref: 'again' });
      await waitFor(
        () => b.client.received.filter((m) => m.type === 'subscriber_offer').length > offers,
        'the fresh PC’s offer',
        20_000,
      );
      await waitFor(() => cam() > before + 5, 'bea receiving ana again', 20_000);
      expect(b.client.received.some((m) => m.type === 'error')).toBe(false);
      // Asked again at once: refused, and the media keeps flowing.
      b.client.send({ type: 'resubscribe', ref: 'too-soon' });
      expect(await b.client.next('error', (e) => e.ref === 'too-soon')).toMatchObject({
        code: 'rate_limited',
      });
      const now = cam();
      await waitFor(() => cam() > now + 5, 'bea still receiving ana', 20_000);
    } finally {
      clearInterval(pump);
    }
    a.client.close();
    b.client.close();
    await Promise.all([a.client.closed, b.client.closed]);
  });
});
