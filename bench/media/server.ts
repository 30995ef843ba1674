/**
 * The engine under test, alone in its process: a WebSocket on 127.0.0.1 carries the signalling
 * the benchmark's client process needs (publish offer/answer, subscriber offer/answer) and stats.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { createMediaEngine, type MediaPeer } from '../../server/realtime/sfu/index';

const lastN = Number(process.argv[2] ?? 9);
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
