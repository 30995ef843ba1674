/**
 * A refused subscriber answer in chromium: the server says `media_failed` for the subscribe
 * connection and offers again; the browser takes that offer on a fresh subscribe PC and goes on
 * publishing on the PC it had (no new publish offer), and everyone still decodes everyone.
 */
import { describe, expect, it } from 'vitest';
import {
  createMediaEngine,
  MediaEngineError,
  type MediaEngine,
  type MediaPeer,
  type MediaRoom,
} from '@server/realtime/sfu';
import { expectVideoRising, useMeetingHall, waitUntil } from './meeting-helpers';

/** Publish offers each peer made, and the peers whose first subscriber answer was refused. */
const publishes = new Map<string, number>();
const refused = new Set<string>();

/** The real engine, except that every peer's first subscriber answer is refused as a bad SDP. */
function refusingFirstAnswers(engine: MediaEngine): MediaEngine {
  const wrapPeer = (peer: MediaPeer): MediaPeer => ({
    id: peer.id,
    publish: (sdp, sources) => {
      publishes.set(peer.id, (publishes.get(peer.id) ?? 0) + 1);
      return peer.publish(sdp, sources);
    },
    acceptSubscriberAnswer: (sdp) => {
      if (!refused.has(peer.id)) {
        refused.add(peer.id);
        throw new MediaEngineError('invalid_sdp', 'refused on purpose by the test');
      }
      peer.acceptSubscriberAnswer(sdp);
    },
    resubscribe: () => peer.resubscribe(),
    setForwarding: (source, on) => peer.setForwarding(source, on),
    requestKeyframe: (source) => peer.requestKeyframe(source),
    close: () => peer.close(),
  });
  const wrapRoom = (room: MediaRoom): MediaRoom => ({
    id: room.id,
    addPeer: (peerId, events) => wrapPeer(room.addPeer(peerId, events)),
    removePeer: (peerId) => room.removePeer(peerId),
    peerCount: () => room.peerCount(),
    close: () => room.close(),
  });
  return {
    get port() {
      return engine.port;
    },
    room: (roomId, events) => wrapRoom(engine.room(roomId, events)),
    findRoom: (roomId) => {
      const room = engine.findRoom(roomId);
      return room === undefined ? undefined : wrapRoom(room);
    },
    stats: () => engine.stats(),
    close: () => engine.close(),
  };
}

const hall = useMeetingHall({
  media: async () =>
    refusingFirstAnswers(await createMediaEngine({ port: 0, bindAddress: '127.0.0.1' })),
});

describe('a subscribe connection that fails', () => {
  it('starts over on its own; publishing goes on untouched', async () => {
    const {
      host: ana,
      hostId: anaId,
      guests: [ben],
      guestIds: [benId],
    } = await hall.openMeeting({
      owner: 'Ana Host',
      space: { name: 'Refusals' },
      guests: ['Ben Guest'],
    });

    // Each had an answer refused, and each decodes the other on a fresh subscribe PC.
    await expectVideoRising(ben, anaId);
    await expectVideoRising(ana, benId);
    expect([...refused].sort()).toEqual([anaId, benId].sort());
    for (const page of [ana, ben]) {
      expect(await page.evaluate(() => window.commonhallMedia?.lastError() ?? '')).toMatch(
        /^media_failed/,
      );
    }
    // A publish restart would come 2 s after the error: none comes, each published once.
    await new Promise((r) => setTimeout(r, 3000));
    await waitUntil('both still connected', async () => {
      const states = await Promise.all(
        [ana, ben].map((p) => p.evaluate(() => window.commonhallMedia?.connectionStates())),
      );
      return states.every((s) => s?.publish === 'connected' && s.subscribe === 'connected');
    });
    expect(Object.fromEntries(publishes)).toEqual({ [anaId]: 1, [benId]: 1 });
  });
});
