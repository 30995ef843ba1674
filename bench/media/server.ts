/**
 * The engine under test, alone in its process: a WebSocket on 127.0.0.1 carries the signalling
 * the benchmark's client process needs (publish offer/answer, subscriber offer/answer) and stats.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { createMediaEngine, type MediaPeer } from '../../server/realtime/sfu/index';

const lastN = Number(process.argv[2] ?? 9);

if (process.env.BENCH_DIAG === '1') {
  // Once a second on stderr: how late the event loop ran (1 ms resolution) and V8's collections
  // (kind: 1 scavenge, 4 mark-compact, 8 incremental marking), to tell stalls of the forwarding
  // loop from garbage collection apart.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let gcs: { kind: number; ms: number }[] = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: unknown })[])
      gcs.push({ kind: (e.detail as { kind: number }).kind, ms: e.duration });
  }).observe({ entryTypes: ['gc'] });
  setInterval(() => {
    const pauses = gcs.map((g) => `${g.kind}:${g.ms.toFixed(1)}`).join(' ');
    process.stderr.write(
      `engine loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms; gc ${pauses}\n`,
    );
    loop.reset();
    gcs = [];
  }, 1000).unref();
}
const engine = await createMediaEngine({ port: 0, bindAddress: '127.0.0.1', lastN });
const room = engine.room('bench');
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
const peers = new Map<string, MediaPeer>();

type Msg =
  | {
      type: 'join';
      peerId: string;
      sdp?: string;
      sources?: Record<string, 'microphone' | 'camera'>;
    }
  | { type: 'subAnswer'; peerId: string; sdp: string }
  | { type: 'stats' };

wss.on('connection', (ws: WebSocket) => {
  const send = (m: object) => ws.send(JSON.stringify(m));
  ws.on('message', (raw) => {
    const m = JSON.parse((raw as Buffer).toString()) as Msg;
    void (async () => {
      if (m.type === 'join') {
        const peer = room.addPeer(m.peerId, {
          onSubscriberOffer: (sdp) => send({ type: 'subOffer', peerId: m.peerId, sdp }),
        });
        peers.set(m.peerId, peer);
        const answer = m.sdp !== undefined ? await peer.publish(m.sdp, m.sources ?? {}) : undefined;
        send({ type: 'joined', peerId: m.peerId, sdp: answer });
      } else if (m.type === 'subAnswer') {
        peers.get(m.peerId)?.acceptSubscriberAnswer(m.sdp);
        send({ type: 'subAccepted', peerId: m.peerId });
      } else if (m.type === 'stats') {
        send({
          type: 'stats',
          stats: engine.stats(),
          pid: process.pid,
          rss: process.memoryUsage().rss,
        });
      }
    })().catch((e: unknown) => send({ type: 'error', message: String(e) }));
  });
});
wss.on('listening', () => {
  const addr = wss.address();
  process.stdout.write(
    `${JSON.stringify({ ready: true, port: typeof addr === 'object' && addr !== null ? addr.port : 0, mediaPort: engine.port })}\n`,
  );
});
process.on('SIGTERM', () => {
  void engine.close().then(() => process.exit(0));
});
