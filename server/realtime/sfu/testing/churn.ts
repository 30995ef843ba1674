/**
 * Join/leave churn against a fresh media engine, in a process of its own so that memory is
 * measured from a cold start, with the allocator settings the parent chose
 * (server/realtime/sfu/media-engine.leak.test.ts spawns it with MALLOC_ARENA_MAX=1).
 *
 *   node --import tsx server/realtime/sfu/testing/churn.ts <warm-up cycles> <cycles>
 *
 * Each cycle: a peer joins, publishes (Opus + VP8), is answered, and leaves at once. Prints one
 * JSON line per sample: after the warm-up (cycle 0 of the count) and every 100 cycles after it,
 * each taken after full garbage collections: `{ cycle, rss, youngGeneration, peers,
 * peerConnections, rooms, roomPeers }` (bytes; youngGeneration is V8's new space as committed).
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createMediaEngine } from '../index';
import { ClientPeer } from './client-peer';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const warmUp = Number(process.argv[2] ?? '100');
const cycles = Number(process.argv[3] ?? '1000');

function youngGeneration(): { size: number; committed: number } {
  const s = getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  return { size: s?.space_size ?? 0, committed: s?.physical_space_size ?? 0 };
}

/**
 * Runs short-lived allocations through all of V8's young generation. A fresh process has
 * touched only part of it, and the rest becomes resident as the program allocates, whatever it
 * allocates for (measured over the 1,000 cycles after a 100-cycle warm-up, with nothing retained:
 * +0.5 to +2.3 MB in this process, +6.4 MB in a vitest worker, whose young generation is larger).
 * The start of the measurement is a process whose young generation is in use, as a server's is
 * within seconds.
 */
function fillYoungGeneration(): void {
  let sink = 0;
  const bytes = 4 * youngGeneration().size;
  for (let done = 0; done < bytes; done += 8 * 1024) sink += new Array<number>(1024).fill(1).length;
  if (sink < 0) throw new Error('unreachable');
}

/** Collects garbage a few times, letting finalizers and native closes run in between. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
}

const engine = await createMediaEngine({ port: 0, bindAddress: '127.0.0.1' });
const client = new ClientPeer({ name: 'template' });
const offer = await client.publishOffer();
const room = engine.room('churn');

let n = 0;
async function cycle(): Promise<void> {
  // Leaves as soon as its publish is answered: the case in which node-datachannel used to keep
  // every track it was still delivering.
  const id = `p${n++}`;
  const peer = room.addPeer(id, { onSubscriberOffer: () => undefined });
  await peer.publish(offer.sdp, offer.sources);
  room.removePeer(id);
}

async function sample(at: number): Promise<void> {
  await settle();
  const s = engine.stats();
  process.stdout.write(
    `${JSON.stringify({
      cycle: at,
      rss: process.memoryUsage().rss,
      youngGeneration: youngGeneration().committed,
      peers: s.peers,
      peerConnections: s.peerConnections,
      rooms: s.rooms,
      roomPeers: room.peerCount(),
    })}\n`,
  );
}

for (let i = 0; i < warmUp; i++) await cycle();
fillYoungGeneration();
await sample(0);
for (let i = 1; i <= cycles; i++) {
  await cycle();
  if (i % 100 === 0 || i === cycles) await sample(i);
}
client.close();
await engine.close();
process.exit(0);
