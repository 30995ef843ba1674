/**
 * A subscribe connection that breaks after it had connected, in chromium: when the server's side
 * vanishes without the engine noticing, the browser sees its subscribe PC go `disconnected` or
 * `failed` and asks for a fresh subscription (`resubscribe`); when the engine sees its side
 * break, it replaces it by itself. Either way video resumes on a fresh PC and publishing goes on.
 */
import type { PeerConnection } from 'node-datachannel';
import { describe, expect, it } from 'vitest';
import { createMediaEngine, type MediaEngine } from '@server/realtime/sfu';
import { framesFrom, useMeetingHall, waitUntil, expectVideoRising } from './meeting-helpers';

/** The engine's peer connections by name (`sub:<participantId>`: the latest subscribe PC). */
const pcs = new Map<string, PeerConnection>();
let engine: MediaEngine | undefined;

const hall = useMeetingHall({
  media: async () => {
    engine = await createMediaEngine({
      port: 0,
      bindAddress: '127.0.0.1',
      testOnPeerConnection: (name, pc) => pcs.set(name, pc),
    });
    return engine;
  },
});

/** Subscribe PCs the engine replaced so far (its own counter, beyond the contract's stats). */
const replaced = (): number =>
  (engine?.stats() as { subscriptionsReplaced?: number } | undefined)?.subscriptionsReplaced ?? 0;

describe('a subscribe connection that breaks after connecting', () => {
  it('is restarted at the browser’s request when only the browser notices, and video resumes', async () => {
    const {
      host: ana,
      hostId: anaId,
      guests: [ben],
      guestIds: [benId],
    } = await hall.openMeeting({
      owner: 'Ana Host',
      space: { name: 'Broken links' },
      guests: ['Ben Guest'],
    });
    await expectVideoRising(ben, anaId);
    const before = replaced();
    const broken = pcs.get(`sub:${benId}`)!;
    // The engine's side goes silent and the engine is not told (its state callback is taken
    // away first), as when packets stop getting through: only ben's browser can notice.
    broken.onStateChange(() => undefined);
    broken.close();
    await waitUntil(
      'ben’s browser asked for a fresh subscription',
      async () => pcs.get(`sub:${benId}`) !== broken,
      45_000,
    );
    expect(replaced()).toBe(before + 1);
    await expectVideoRising(ben, anaId);
    await waitUntil('ben’s fresh subscribe PC connected', async () => {
      const s = await ben.evaluate(() => window.commonhallMedia?.connectionStates());
      return s?.subscribe === 'connected' && s.publish === 'connected';
    });
    // Ben's publishing went on untouched: ana still decodes him, with no media_failed anywhere.
    await expectVideoRising(ana, benId);
    for (const page of [ana, ben]) {
      expect(await page.evaluate(() => window.commonhallMedia?.lastError() ?? '')).not.toMatch(
        /media_failed/,
      );
    }
  });

  it('is replaced by the engine itself when it sees its side break, and video resumes', async () => {
    const {
      host: cleo,
      hostId: cleoId,
      guests: [dan],
      guestIds: [danId],
    } = await hall.openMeeting({
      owner: 'Cleo Host',
      space: { name: 'Broken server side' },
      guests: ['Dan Guest'],
    });
    await expectVideoRising(dan, cleoId);
    const before = replaced();
    const broken = pcs.get(`sub:${danId}`)!;
    broken.close();
    // At once: the browser would ask only after its PC was `disconnected` for 4 s.
    await waitUntil(
      'the engine replaced dan’s subscribe PC by itself',
      async () => pcs.get(`sub:${danId}`) !== broken,
      3000,
    );
    expect(replaced()).toBe(before + 1);
    await expectVideoRising(dan, cleoId);
    expect(await framesFrom(cleo, danId)).toBeGreaterThan(0);
  });
});
