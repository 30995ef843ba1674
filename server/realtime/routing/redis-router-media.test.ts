import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAndLogIn, type TestSession } from '@server/test/accounts';
import { ClientPeer, waitFor } from '@server/realtime/sfu/testing/client-peer';
import {
  createTestSpace,
  joinTicket,
  startMeetingTestApp,
  TestClient,
  type MeetingTestApp,
} from '@server/test/meeting-app';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '@server/test/redis';
import { testDialect } from '@server/test/test-app';

/**
 * Two nodes sharing Redis, each with its own real media engine (port 0 on 127.0.0.1): media
 * needs nothing of the router; the hosting node's engine answers with its own ICE candidates.
 */
describe(`media across two nodes on ${testDialect()}`, () => {
  let n1: MeetingTestApp;
  let n2: MeetingTestApp;
  let owner: TestSession;
  const peers: ClientPeer[] = [];

  beforeAll(async () => {
    const redis = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
    const env = { MEDIA_PORT: '0', MEDIA_BIND_ADDRESS: '127.0.0.1' };
    n1 = await startMeetingTestApp({ env, redis });
    n2 = await startMeetingTestApp({ env, redis, nodeOf: n1 });
    owner = await signUpAndLogIn(n1.app, { name: 'Olga' });
  });
  afterAll(async () => {
    for (const p of peers) p.close();
    await n2.close();
    await n1.close();
  });

  async function participant(node: MeetingTestApp, slug: string, name: string) {
    const { client, joined } = await TestClient.join(
      node.wsUrl,
      (await joinTicket(node.app, slug, { name })).token,
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
          await client.sync();
          peer.startSubscriberIce();
        });
      }
    };
    void answerOffers();
    return { client, joined, peer };
  }

  it('carries audio and video between participants on different nodes, both ways', async () => {
    const space = await createTestSpace(n1.app, owner);
    const a = await participant(n1, space.slug, 'ana'); // node 1 hosts
    const b = await participant(n2, space.slug, 'bea'); // relayed from node 2
    for (const x of [a, b]) {
      const offer = await x.peer.publishOffer();
      x.client.send({ type: 'publish', sdp: offer.sdp, sources: offer.sources });
      x.peer.acceptPublishAnswer((await x.client.next('publish_answer')).sdp);
      await waitFor(() => x.peer.publishing(), `${x.joined.self.name} publishing`, 20_000);
    }
    const pump = setInterval(() => {
      for (const x of [a, b]) {
        x.peer.sendVideo();
        x.peer.sendAudio(30);
      }
    }, 10);
    const tracksOf = (x: typeof a, from: typeof a) =>
      [...x.peer.received.values()].filter((r) => r.trackId.startsWith(from.joined.self.id)).length;
    try {
      await waitFor(() => tracksOf(b, a) === 2, 'bea receiving ana', 20_000);
      await waitFor(() => tracksOf(a, b) === 2, 'ana receiving bea', 20_000);
    } finally {
      clearInterval(pump);
    }
    expect([...b.peer.received.keys()].sort()).toEqual([
      `${a.joined.self.id}:camera`,
      `${a.joined.self.id}:microphone`,
    ]);
    a.client.close();
    b.client.close();
    await Promise.all([a.client.closed, b.client.closed]);
  });
});
