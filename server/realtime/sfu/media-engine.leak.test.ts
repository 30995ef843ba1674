import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { createMediaEngine, type MediaEngine } from './index';
import { ClientPeer } from './testing/client-peer';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settle(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage().rss;
}

let engine: MediaEngine | undefined;
let client: ClientPeer | undefined;
afterAll(async () => {
  client?.close();
  await engine?.close();
});

describe('media engine teardown', () => {
  it(
    'leaks no peer connections, and memory is back within 5 % after 1,000 join/leave cycles',
    { timeout: 120_000 },
    async () => {
      engine = await createMediaEngine({ port: 0, bindAddress: '127.0.0.1' });
      client = new ClientPeer({ name: 'template' });
      const offer = await client.publishOffer();
      const room = engine.room('churn');
      // Each cycle leaves as soon as its publish is answered: the case in which node-datachannel
      // used to keep every track it was still delivering (about 24 kB a cycle).
      const cycle = async (i: number) => {
        const peer = room.addPeer(`p${i}`, { onSubscriberOffer: () => undefined });
        await peer.publish(offer.sdp, offer.sources);
        expect(engine!.stats().peerConnections).toBe(1);
        room.removePeer(`p${i}`);
      };
      // Warm-up: glibc's per-thread arenas (libdatachannel's threads) keep growing, ever more
      // slowly, for the first few thousand peer connections of a process, leak or not
      // (measured: +5 % over cycles 300-1,300, +0-1 % per 1,000 after 3,000). "The start" here is
      // an engine that has already served 2,000 joins, as a running server has.
      for (let i = 0; i < 2000; i++) await cycle(i);
      const before = await settle();
      for (let i = 2000; i < 3000; i++) await cycle(i);
      const after = await settle();
      expect(engine.stats()).toMatchObject({ rooms: 1, peers: 0, peerConnections: 0 });
      expect(room.peerCount()).toBe(0);
      expect(after / before).toBeLessThan(1.05);
    },
  );
});
