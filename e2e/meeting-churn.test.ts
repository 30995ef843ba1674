/**
 * A long meeting in chromium: people who come and go leave dead m-lines in everyone's subscriber
 * connection; the SFU replaces such a connection with a fresh one (new ICE and DTLS) that carries
 * only the live tracks, and the browser takes it over without the people who stayed noticing
 * more than a moment's gap. The engine here replaces after 2 dead m-lines instead of 16.
 */
import { describe, expect, it } from 'vitest';
import { createMediaEngine, type MediaEngine } from '@server/realtime/sfu';
import {
  expectAudioRising,
  expectVideoRising,
  inMeeting,
  useMeetingHall,
  waitUntil,
} from './meeting-helpers';

let engine: MediaEngine;
const hall = useMeetingHall({
  media: async () =>
    (engine = await createMediaEngine({ port: 0, bindAddress: '127.0.0.1', maxDeadMlines: 2 })),
});

const replaced = () => (engine.stats() as { subscriptionsReplaced?: number }).subscriptionsReplaced;

describe('media in a meeting people come and go from', () => {
  it('keeps forwarding after the SFU replaces subscriber connections full of departed tracks', async () => {
    const {
      space,
      host: ada,
      hostId: adaId,
      guests: [bea],
      guestIds: [beaId],
    } = await hall.openMeeting({
      owner: 'Ada Stays',
      space: { name: 'Open house' },
      guests: ['Bea Stays'],
    });
    await expectVideoRising(bea, adaId);

    // Two visitors in turn: each leaves a dead microphone and camera m-line behind in Ada's and
    // Bea's subscriber connections; after the second, dead (4) outnumber live (2).
    for (const name of ['Cy Visits', 'Dee Visits']) {
      const visitor = await hall.join(space.slug, name);
      const visitorId = await inMeeting(visitor);
      await expectVideoRising(ada, visitorId);
      await visitor.getByRole('button', { name: 'Leave meeting' }).click();
      await waitUntil('the visitor gone', async () => (await ada.locator('.tile').count()) === 2);
    }
    await waitUntil('subscriber connections replaced', async () => (replaced() ?? 0) >= 2);

    // The two who stayed still decode each other's video and hear each other, on fresh connections.
    await expectVideoRising(bea, adaId);
    await expectVideoRising(ada, beaId);
    await expectAudioRising(bea, adaId);
    await expectAudioRising(ada, beaId);
    expect(await ada.locator('.tile').count()).toBe(2);
    expect(await bea.locator('.tile').count()).toBe(2);
  });
});
