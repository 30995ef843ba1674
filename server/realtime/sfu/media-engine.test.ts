import { createSocket } from 'node:dgram';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PeerConnection } from 'node-datachannel';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMediaEngine,
  type DropCandidate,
  type MediaEngine,
  type MediaPeer,
  type MediaRoom,
} from './index';
import { ClientPeer, stunTrap, waitFor, withCandidates } from './testing/client-peer';

const engines: MediaEngine[] = [];
const clients: ClientPeer[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const e of engines.splice(0)) await e.close();
});

async function engineWith(
  extra: {
    testDropPacket?: (p: DropCandidate) => boolean;
    connectTimeoutMs?: number;
    lastN?: number;
    candidateNetworks?: string[];
    testOnPeerConnection?: (name: string, pc: PeerConnection) => void;
  } = {},
) {
  const e = await createMediaEngine({ port: 0, bindAddress: '127.0.0.1', ...extra });
  engines.push(e);
  return e;
}

/** Joins a client to a room: publishes (optionally) and wires its subscriber side. */
async function join(room: MediaRoom, name: string, publish = true) {
  const client = new ClientPeer({ name });
  clients.push(client);
  const caps: number[] = [];
  const states: string[] = [];
  const offers: string[] = [];
  let answering = Promise.resolve();
  const peer: MediaPeer = room.addPeer(name, {
    onSubscriberOffer(sdp) {
      offers.push(sdp);
      answering = answering.then(async () => {
        const answer = await client.answerSubscriberOffer(sdp);
        peer.acceptSubscriberAnswer(answer);
        client.startSubscriberIce();
      });
    },
    onBitrateCap: (b) => caps.push(b),
    onConnectionState: (pc, s) => states.push(`${pc}:${s}`),
  });
  if (publish) {
    const offer = await client.publishOffer();
    const answer = await peer.publish(offer.sdp, offer.sources);
    client.acceptPublishAnswer(answer);
    await waitFor(() => client.publishing(), `${name} publishing`);
  }
  return { client, peer, caps, states, offers };
}

/** The ICE username fragment of an SDP. */
const ufragOf = (sdp: string | undefined) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1];

/** A full garbage collection (V8's gc, exposed at run time for this test file). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Sends a few packets on both tracks every 10 ms until `cond` holds. */
async function pumpUntil(pubs: ClientPeer[], cond: () => boolean, what: string): Promise<void> {
  const t = setInterval(() => {
    for (const p of pubs) {
      p.sendVideo();
      p.sendAudio(30);
    }
  }, 10);
  try {
    await waitFor(cond, what);
  } finally {
    clearInterval(t);
  }
}

describe('media engine over node-datachannel peers on 127.0.0.1', () => {
  it('forwards a publisher to a subscriber with msid <peerId>:<source>, and asks for a keyframe on open', async () => {
    const engine = await engineWith();
    expect(engine.port).toBeGreaterThan(0);
    const room = engine.room('r1');
    const alice = await join(room, 'alice');
    const bob = await join(room, 'bob', false);
    await pumpUntil(
      [alice.client],
      () =>
        (bob.client.received.get('alice:camera')?.packets ?? 0) > 5 &&
        (bob.client.received.get('alice:microphone')?.packets ?? 0) > 5,
      'bob receiving alice',
    );
    const cam = bob.client.received.get('alice:camera')!;
    expect([...cam.ssrcs]).toEqual([alice.client.videoSsrc]);
    expect([...bob.client.received.get('alice:microphone')!.ssrcs]).toEqual([
      alice.client.audioSsrc,
    ]);
    // The late joiner's video track opened: the engine asked alice for a keyframe.
    await waitFor(() => alice.client.feedback.plis > 0, 'PLI at alice');
    expect(engine.stats()).toMatchObject({ rooms: 1, peers: 2, peerConnections: 2 });
    expect(engine.stats().forwardedPackets).toBeGreaterThan(10);
    // Every PC on the one UDP port.
    expect(alice.client.pubPc.getSelectedCandidatePair()?.remote.port).toBe(engine.port);
    expect(bob.client.subPc?.getSelectedCandidatePair()?.remote.port).toBe(engine.port);
    expect(alice.caps.length).toBeGreaterThan(0);
  });

  it('renegotiates when a second publisher joins, and a subscriber PLI reaches the publisher', async () => {
    const engine = await engineWith();
    const room = engine.room('r2');
    const alice = await join(room, 'alice');
    const bob = await join(room, 'bob');
    const carol = await join(room, 'carol');
    const pubs = [alice.client, bob.client, carol.client];
    await pumpUntil(
      pubs,
      () =>
        ['bob', 'carol'].every(
          (p) => (alice.client.received.get(`${p}:camera`)?.packets ?? 0) > 3,
        ) &&
        ['alice', 'carol'].every(
          (p) => (bob.client.received.get(`${p}:camera`)?.packets ?? 0) > 3,
        ) &&
        ['alice', 'bob'].every(
          (p) => (carol.client.received.get(`${p}:microphone`)?.packets ?? 0) > 3,
        ),
      'everyone receiving everyone',
    );
    expect(alice.client.received.has('alice:camera')).toBe(false);
    const before = carol.client.feedback.plis;
    await new Promise((r) => setTimeout(r, 350)); // past the keyframe rate limit
    expect(bob.client.sendPli('carol:camera', carol.client.videoSsrc)).toBe(true);
    await waitFor(() => carol.client.feedback.plis > before, 'PLI forwarded to carol');
    expect(alice.caps.at(-1)).toBeLessThanOrEqual(alice.caps[0]!);
  });

  it('recovers a packet lost on the publisher leg (SFU NACKs the publisher) and on the subscriber leg (history)', async () => {
    // Which sequence numbers to drop is decided once video flows; each is dropped once.
    let pubTarget = -1;
    let subTarget = -1;
    let pubDropped = false;
    let subDropped = false;
    const engine = await engineWith({
      testDropPacket: (p) => {
        if (p.source !== 'camera') return false;
        if (p.leg === 'publish' && p.sequenceNumber === pubTarget && !pubDropped)
          return (pubDropped = true);
        if (p.leg === 'subscribe' && p.sequenceNumber === subTarget && !subDropped)
          return (subDropped = true);
        return false;
      },
    });
    const room = engine.room('r3');
    const alice = await join(room, 'alice');
    const bob = await join(room, 'bob', false);
    const cam = () => bob.client.received.get('alice:camera');
    await pumpUntil([alice.client], () => (cam()?.packets ?? 0) > 0, 'bob video');
    const first = Math.max(...cam()!.seqs) + 1;
    pubTarget = (first + 20) & 0xffff;
    subTarget = (first + 30) & 0xffff;
    const last = (first + 40) & 0xffff;
    const t = setInterval(() => alice.client.sendVideo(), 10);
    try {
      await waitFor(() => cam()!.seqs.has(last), 'the last packet at bob');
      // Publisher leg: the SFU saw the gap, NACKed alice, and forwarded the RTX retransmission.
      expect(pubDropped).toBe(true);
      await waitFor(() => cam()!.seqs.has(pubTarget), 'publisher-leg packet recovered');
      expect(alice.client.feedback.nackedSeqs).toContain(pubTarget);
      // Subscriber leg: the packet never reached bob until bob NACKs it; the SFU answers from history.
      expect(subDropped).toBe(true);
      expect(cam()!.seqs.has(subTarget)).toBe(false);
      expect(bob.client.sendNack('alice:camera', alice.client.videoSsrc, [subTarget])).toBe(true);
      await waitFor(() => cam()!.seqs.has(subTarget), 'subscriber-leg packet retransmitted');
    } finally {
      clearInterval(t);
    }
    const s = engine.stats();
    expect(s.droppedPackets).toBe(2);
    expect(s.nacksSent).toBeGreaterThanOrEqual(1);
    expect(s.recoveredPackets).toBeGreaterThanOrEqual(1);
    expect(s.nacksReceived).toBeGreaterThanOrEqual(1);
    expect(s.retransmittedPackets).toBeGreaterThanOrEqual(1);
    for (let i = 0; i <= 40; i++) expect(cam()!.seqs.has((first + i) & 0xffff)).toBe(true);
  });

  it('stops forwarding a source a moderator turned off and resumes it with a keyframe request', async () => {
    const engine = await engineWith();
    const room = engine.room('r4');
    const alice = await join(room, 'alice');
    const bob = await join(room, 'bob', false);
    await pumpUntil(
      [alice.client],
      () => (bob.client.received.get('alice:camera')?.packets ?? 0) > 3,
      'video',
    );
    alice.peer.setForwarding('camera', false);
    const cam = () => bob.client.received.get('alice:camera')!.packets;
    const mic = () => bob.client.received.get('alice:microphone')?.packets ?? 0;
    await new Promise((r) => setTimeout(r, 50)); // packets in flight
    const camBefore = cam();
    const micBefore = mic();
    await pumpUntil([alice.client], () => mic() > micBefore + 10, 'audio still flowing');
    expect(cam()).toBe(camBefore);
    const plis = alice.client.feedback.plis;
    alice.peer.setForwarding('camera', true);
    await pumpUntil([alice.client], () => cam() > camBefore + 3, 'video resumed');
    await waitFor(() => alice.client.feedback.plis > plis, 'keyframe request on resume');
  });

  it('refuses a publish whose labels do not fit the m-lines, so a mute holds whatever was offered', async () => {
    const engine = await engineWith();
    const room = engine.room('r4b');
    const bob = await join(room, 'bob', false);
    const client = new ClientPeer({ name: 'alice' });
    clients.push(client);
    const peer = room.addPeer('alice', { onSubscriberOffer: () => undefined });
    const offer = await client.publishOffer();
    // The Opus m-line labelled camera (a microphone mute or lock would miss it), and the VP8
    // m-line labelled microphone (it would escape the camera lock and last-N).
    for (const sources of [
      { a: 'camera', v: 'camera' },
      { a: 'microphone', v: 'microphone' },
      { a: 'screen', v: 'camera' },
    ] as const) {
      await expect(peer.publish(offer.sdp, sources)).rejects.toMatchObject({
        code: 'invalid_sources',
      });
    }
    expect(bob.offers).toHaveLength(0);
    // The honest labels are taken on the same peer, and the moderator's mute stops the audio.
    client.acceptPublishAnswer(await peer.publish(offer.sdp, offer.sources));
    await waitFor(() => client.publishing(), 'alice publishing');
    const mic = () => bob.client.received.get('alice:microphone')?.packets ?? 0;
    const cam = () => bob.client.received.get('alice:camera')?.packets ?? 0;
    await pumpUntil([client], () => mic() > 3 && cam() > 3, 'bob receiving alice');
    peer.setForwarding('microphone', false);
    await new Promise((r) => setTimeout(r, 50)); // packets in flight
    const micBefore = mic();
    const camBefore = cam();
    await pumpUntil([client], () => cam() > camBefore + 10, 'video still flowing');
    expect(mic()).toBe(micBefore);
  });

  it('forwards only the last N cameras and offers a camera only once it is chosen', async () => {
    const engine = await engineWith({ lastN: 1 });
    const room = engine.room('r-lastn');
    const alice = await join(room, 'alice');
    const bob = await join(room, 'bob');
    const carol = await join(room, 'carol', false);
    const cam = (who: string) => carol.client.received.get(`${who}:camera`)?.packets ?? 0;
    const mic = (who: string) => carol.client.received.get(`${who}:microphone`)?.packets ?? 0;
    const offered = (who: string) =>
      carol.offers.some((o) => o.includes(`msid:${who} ${who}:camera`));
    // Nobody has spoken: the first camera in join order is the one.
    await pumpUntil(
      [alice.client, bob.client],
      () => cam('alice') > 3 && mic('bob') > 3,
      'carol receiving alice camera and bob microphone',
    );
    expect(cam('bob')).toBe(0);
    expect(offered('alice')).toBe(true);
    expect(offered('bob')).toBe(false); // no track, no m-line, for a camera never forwarded
    // Bob speaks, alice is silent: bob's camera is offered and forwarded, alice's stops.
    const t = setInterval(() => {
      alice.client.sendVideo();
      alice.client.sendAudio(127);
      bob.client.sendVideo();
      bob.client.sendAudio(20);
    }, 10);
    try {
      await waitFor(() => offered('bob') && cam('bob') > 3, 'bob camera offered and forwarded');
      await new Promise((r) => setTimeout(r, 100)); // packets in flight
      const aliceBefore = cam('alice');
      const bobBefore = cam('bob');
      await waitFor(() => cam('bob') > bobBefore + 10, 'bob camera flowing');
      expect(cam('alice')).toBe(aliceBefore);
    } finally {
      clearInterval(t);
    }
  });

  it('offers a microphone on its first packet and delivers the packets sent before the track opened', async () => {
    const engine = await engineWith();
    const room = engine.room('r-mic');
    const alice = await join(room, 'alice');
    const bob = await join(room, 'bob', false);
    const offered = () => bob.offers.some((o) => o.includes('msid:alice alice:microphone'));
    const t = setInterval(() => alice.client.sendVideo(), 10);
    try {
      await waitFor(
        () => (bob.client.received.get('alice:camera')?.packets ?? 0) > 3,
        'bob receiving alice camera',
      );
    } finally {
      clearInterval(t);
    }
    expect(offered()).toBe(false); // a silent microphone: no track for it at bob
    const sent: number[] = [];
    for (let i = 0; i < 5; i++) {
      sent.push(alice.client.sendAudio(30));
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor(
      () => bob.client.received.get('alice:microphone')?.seqs.size === sent.length,
      'bob receiving the first five audio packets',
    );
    expect(offered()).toBe(true);
    expect([...bob.client.received.get('alice:microphone')!.seqs].sort()).toEqual([...sent].sort());
  });

  it('removes a peer whose ICE never completes and tells signalling', async () => {
    const engine = await engineWith({ connectTimeoutMs: 1000 });
    const room = engine.room('r5');
    const client = new ClientPeer({ name: 'ghost' });
    clients.push(client);
    const closed: string[] = [];
    const peer = room.addPeer('ghost', {
      onSubscriberOffer: () => undefined,
      onClosed: (r) => closed.push(r),
    });
    const offer = await client.publishOffer();
    await peer.publish(offer.sdp, offer.sources); // the answer is never applied: ICE cannot complete
    expect(engine.stats().peerConnections).toBe(1);
    await waitFor(() => closed.length > 0, 'connect timeout', 5000);
    expect(closed).toEqual(['connect_timeout']);
    expect(engine.stats()).toMatchObject({ peers: 0, peerConnections: 0 });
  });

  it('refuses to start on a UDP port another socket holds, and holds its own port from the start', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    try {
      const port = taken.address().port;
      const refused = createMediaEngine({ port, bindAddress: '127.0.0.1' });
      await expect(refused).rejects.toMatchObject({ code: 'port_unavailable' });
      await expect(refused).rejects.toThrow(new RegExp(`UDP port ${port} .*MEDIA_PORT`));
    } finally {
      await new Promise<void>((resolve) => taken.close(resolve));
    }
    // A running engine without any peer yet holds its port: a second one there is refused.
    const first = await engineWith();
    await expect(
      createMediaEngine({ port: first.port, bindAddress: '127.0.0.1' }),
    ).rejects.toMatchObject({ code: 'port_unavailable' });
  });

  it('sends STUN checks only to candidates on the participant’s signalling address or an announced network', async () => {
    // 127.0.0.2 stands for another host; the participant signals from 127.0.0.1.
    const other = await stunTrap('127.0.0.2');
    const own = await stunTrap('127.0.0.1');
    try {
      const engine = await engineWith();
      const client = new ClientPeer({ name: 'mallory' });
      clients.push(client);
      const peer = engine
        .room('r-ice')
        .addPeer(
          'mallory',
          { onSubscriberOffer: () => undefined },
          { signallingAddress: '127.0.0.1' },
        );
      const offer = await client.publishOffer();
      // The other host has the higher priority: it would be checked first, and as often.
      const sdp = withCandidates(offer.sdp, [
        other.candidate(2130706431),
        own.candidate(2130706175),
      ]);
      await peer.publish(sdp, offer.sources);
      await waitFor(() => own.requests() >= 3, 'checks to the participant’s own address');
      expect(other.requests()).toBe(0);
      peer.close();

      // A network announced in the engine's options is taken from anyone.
      const lan = await engineWith({ candidateNetworks: ['127.0.0.2/32'] });
      const guest = new ClientPeer({ name: 'guest' });
      clients.push(guest);
      const lanPeer = lan.room('r-lan').addPeer('guest', { onSubscriberOffer: () => undefined });
      const lanOffer = await guest.publishOffer();
      await lanPeer.publish(
        withCandidates(lanOffer.sdp, [other.candidate(2130706431)]),
        lanOffer.sources,
      );
      await waitFor(() => other.requests() > 0, 'checks to the announced network');
    } finally {
      await other.close();
      await own.close();
    }
  });

  it('takes only the allowed candidates of a subscriber answer too', async () => {
    const other = await stunTrap('127.0.0.2');
    const own = await stunTrap('127.0.0.1');
    try {
      const engine = await engineWith();
      const room = engine.room('r-ice-sub');
      await join(room, 'alice');
      const client = new ClientPeer({ name: 'mallory' });
      clients.push(client);
      let answered = false;
      const peer: MediaPeer = room.addPeer(
        'mallory',
        {
          onSubscriberOffer(sdp) {
            if (answered) return;
            answered = true;
            // Our own ICE never starts: the engine's checks go to the candidates we name only.
            void client.answerSubscriberOffer(sdp).then((answer) => {
              peer.acceptSubscriberAnswer(
                withCandidates(answer, [other.candidate(2130706431), own.candidate(2130706175)]),
              );
            });
          },
        },
        { signallingAddress: '127.0.0.1' },
      );
      await waitFor(() => own.requests() >= 3, 'checks to the participant’s own address');
      expect(other.requests()).toBe(0);
    } finally {
      await other.close();
      await own.close();
    }
  });

  it('rejects malformed SDP and answers out of order without disturbing the room', async () => {
    const engine = await engineWith();
    const room = engine.room('r6');
    const peer = room.addPeer('x', { onSubscriberOffer: () => undefined });
    await expect(peer.publish('hello', {})).rejects.toMatchObject({ code: 'invalid_sdp' });
    await expect(peer.publish('v=0\r\n', {})).rejects.toMatchObject({ code: 'invalid_sdp' });
    const client = new ClientPeer({ name: 'x' });
    clients.push(client);
    const offer = await client.publishOffer();
    await expect(
      peer.publish(offer.sdp, { a: 'microphone', v: 'banana' as 'camera' }),
    ).rejects.toMatchObject({ code: 'invalid_sources' });
    expect(() => peer.acceptSubscriberAnswer('v=0\r\n')).toThrow(
      expect.objectContaining({ code: 'invalid_state' }),
    );
    const answer = await peer.publish(offer.sdp, offer.sources);
    expect(answer).toContain('a=recvonly');
    room.removePeer('x');
    expect(engine.stats()).toMatchObject({ peers: 0, peerConnections: 0 });
  });
  it('takes a late answer to a subscribe PC dropped when its last track left, and offers afresh', async () => {
    const engine = await engineWith();
    const room = engine.room('late-answer');
    const client = new ClientPeer({ name: 'alice' });
    clients.push(client);
    const offers: string[] = [];
    // Answered by hand until cara joins, then as they come (her microphone comes on its own
    // offer, at its first packet).
    let auto = false;
    let answering = Promise.resolve();
    const alice = room.addPeer('alice', {
      onSubscriberOffer: (sdp) => {
        offers.push(sdp);
        if (!auto) return;
        answering = answering.then(async () => {
          alice.acceptSubscriberAnswer(await client.answerSubscriberOffer(sdp));
          client.startSubscriberIce();
        });
      },
    });
    await join(room, 'bob');
    await waitFor(() => offers.length > 0, 'alice offered bob’s tracks');
    const late = await client.answerSubscriberOffer(offers[0] ?? '');
    // Bob leaves before alice's answer arrives: her subscribe PC loses its last track.
    room.removePeer('bob');
    expect(() => alice.acceptSubscriberAnswer(late)).not.toThrow();
    auto = true;
    const cara = await join(room, 'cara');
    await waitFor(() => offers.length > 1, 'a fresh offer for cara’s tracks');
    await pumpUntil(
      [cara.client],
      () => [...client.received.values()].filter((r) => r.trackId.startsWith('cara')).length === 2,
      'alice receiving both of cara’s tracks',
    );
  });
  it('replaces a subscriber PC whose departed publishers left too many dead m-lines, and keeps forwarding', async () => {
    const engine = await engineWith();
    const room = engine.room('r-churn');
    const alice = await join(room, 'alice');
    const bob = await join(room, 'bob', false);
    await pumpUntil(
      [alice.client],
      () => (bob.client.received.get('alice:camera')?.packets ?? 0) > 3,
      'bob receiving alice',
    );
    // Twelve guests come and go: each leaves two dead m-lines (microphone, camera) in bob's PC.
    for (let i = 0; i < 12; i++) {
      const guest = await join(room, `guest${i}`);
      // A microphone is offered from its first packet.
      await pumpUntil(
        [guest.client],
        () => bob.offers.some((o) => o.includes(`msid:guest${i} guest${i}:microphone`)),
        `bob offered guest${i}`,
      );
      room.removePeer(`guest${i}`);
      guest.client.close();
    }
    const mlines = (sdp: string) => sdp.split('\r\nm=').length - 1;
    const ufrag = (sdp: string) => /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
    // Without replacement the last offer would carry 2 + 24 m-lines; with it, never more than
    // alice's 2, one guest's 2 and 16 dead ones.
    const live = (sdp: string) => sdp.split('\r\nm=').filter((m) => / [1-9]\d* UDP/.test(m)).length;
    await waitFor(
      () => bob.offers.at(-1)!.includes('guest11:camera') && live(bob.offers.at(-1)!) === 2,
      'the offer without guest11',
    );
    expect(Math.max(...bob.offers.map(mlines))).toBeLessThanOrEqual(20);
    expect(new Set(bob.offers.map(ufrag)).size).toBe(2);
    // Bob's fresh PC still gets alice's media.
    const before = bob.client.received.get('alice:camera')!.packets;
    await pumpUntil(
      [alice.client],
      () => bob.client.received.get('alice:camera')!.packets > before + 5,
      'bob receiving alice on the fresh PC',
    );
    // alice's publish PC and bob's one subscribe PC (the replaced one is closed).
    expect(engine.stats()).toMatchObject({
      peers: 2,
      peerConnections: 2,
      subscriptionsReplaced: 1,
    });
  });

  it('replaces a connected subscribe PC on request (the browser’s broke), and media flows on the fresh one', async () => {
    const engine = await engineWith();
    const room = engine.room('r-resub');
    const alice = await join(room, 'alice');
    const bob = await join(room, 'bob', false);
    const cam = () => bob.client.received.get('alice:camera')?.packets ?? 0;
    const mic = () => bob.client.received.get('alice:microphone')?.packets ?? 0;
    await pumpUntil([alice.client], () => cam() > 3 && mic() > 3, 'bob receiving alice');
    await waitFor(() => bob.states.includes('subscribe:connected'), 'bob’s subscribe PC connected');
    const offers = bob.offers.length;
    // Bob's side of the subscription is gone (as a browser closes a failed PC): nothing arrives.
    bob.client.closeSubscriber();
    const camBefore = cam();
    const micBefore = mic();
    await pumpUntil([alice.client], () => engine.stats().forwardedPackets > 0, 'a few packets');
    expect(bob.peer.resubscribe()).toBe(true);
    await waitFor(() => bob.offers.length > offers, 'the fresh PC’s offer');
    const fresh = bob.offers.at(-1)!;
    expect(ufragOf(fresh)).not.toBe(ufragOf(bob.offers[offers - 1]));
    expect(fresh).toContain('msid:alice alice:camera');
    expect(fresh).toContain('msid:alice alice:microphone');
    await pumpUntil(
      [alice.client],
      () => cam() > camBefore + 5 && mic() > micBefore + 5,
      'bob receiving alice on the fresh PC',
    );
    expect(engine.stats()).toMatchObject({
      peers: 2,
      peerConnections: 2,
      subscriptionsReplaced: 1,
    });
    // A peer with nothing to receive has no subscribe PC to replace.
    const solo = engine
      .room('r-resub-solo')
      .addPeer('solo', { onSubscriberOffer: () => undefined });
    expect(solo.resubscribe()).toBe(false);
    solo.close();
    expect(() => solo.resubscribe()).toThrow(expect.objectContaining({ code: 'closed' }));
  });

  it('replaces its own subscribe PC that breaks after connecting, and media flows again', async () => {
    const pcs = new Map<string, PeerConnection>();
    const engine = await engineWith({ testOnPeerConnection: (name, pc) => pcs.set(name, pc) });
    const room = engine.room('r-broken');
    const alice = await join(room, 'alice');
    const bob = await join(room, 'bob', false);
    const cam = () => bob.client.received.get('alice:camera')?.packets ?? 0;
    await pumpUntil([alice.client], () => cam() > 3, 'bob receiving alice');
    await waitFor(() => bob.states.includes('subscribe:connected'), 'bob’s subscribe PC connected');
    const offers = bob.offers.length;
    // The engine's side breaks on its own (as ICE consent or DTLS failing would, only sooner).
    pcs.get('sub:bob')!.close();
    await waitFor(() => bob.offers.length > offers, 'a fresh offer without being asked');
    expect(ufragOf(bob.offers.at(-1))).not.toBe(ufragOf(bob.offers[offers - 1]));
    expect(bob.states).toContain('subscribe:closed');
    const before = cam();
    await pumpUntil([alice.client], () => cam() > before + 5, 'bob receiving alice again');
    expect(engine.stats()).toMatchObject({ peerConnections: 2, subscriptionsReplaced: 1 });
    // The engine closing a PC itself is no breakage: leaving replaces nothing.
    room.removePeer('bob');
    await new Promise((r) => setTimeout(r, 100));
    expect(engine.stats()).toMatchObject({ peerConnections: 1, subscriptionsReplaced: 1 });
  });

  it('lets go of a replaced subscribe PC at once (its connect timeout does not hold it)', async () => {
    const refs = new Map<string, WeakRef<PeerConnection>>();
    const engine = await engineWith({
      testOnPeerConnection: (name, pc) => refs.set(name, new WeakRef(pc)),
    });
    const room = engine.room('r-timer');
    await join(room, 'alice');
    // Bob's PC connected before it is replaced; carol's never does (her offers go unanswered).
    const bob = await join(room, 'bob', false);
    await waitFor(() => bob.states.includes('subscribe:connected'), 'bob’s subscribe PC connected');
    const carolOffers: string[] = [];
    const carol = room.addPeer('carol', { onSubscriberOffer: (sdp) => carolOffers.push(sdp) });
    await waitFor(() => carolOffers.length > 0, 'carol’s offer');
    const connected = refs.get('sub:bob')!;
    const unconnected = refs.get('sub:carol')!;
    expect(bob.peer.resubscribe()).toBe(true);
    expect(carol.resubscribe()).toBe(true);
    expect(refs.get('sub:bob')).not.toBe(connected);
    expect(refs.get('sub:carol')).not.toBe(unconnected);
    // node-datachannel lets go of a closed PC's callbacks once its 'closed' state was delivered
    // (on the event loop); from then on only a pending timer of ours (20 s) could hold it.
    await waitFor(
      () => {
        collectGarbage();
        return connected.deref() === undefined && unconnected.deref() === undefined;
      },
      'the replaced PCs collected',
      3000,
    );
  });
});
