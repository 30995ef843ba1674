/**
 * Synthetic participants in one process: each publishes Opus-like audio (50 pps with the
 * audio-level extension; muted participants send nothing) and VP8-like video (30 fps, about
 * 500 kbit/s, VP8 payload descriptor, a keyframe every 2 s and on PLI) and subscribes to
 * everything the SFU forwards. Every payload carries its send time; the subscribers measure
 * one-way delay and loss (gaps in each forwarded track's sequence numbers).
 */
import WebSocket from 'ws';
import { ClientPeer } from '../../server/realtime/sfu/testing/client-peer';

const [, , port, countArg, speakersArg, warmArg, measureArg] = process.argv;
const count = Number(countArg);
const speakers = Number(speakersArg);
const warmMs = Number(warmArg);
const measureMs = Number(measureArg);
const now = () => performance.timeOrigin + performance.now();

let measuring = false;
const delays: number[] = [];
/** Per subscriber+track: packets received and the sequence range seen during the window. */
const windows = new Map<string, { first: number; last: number; count: number }>();

function onRtp(sub: string, trackId: string, p: Buffer): void {
  if (!measuring || p.length < 21) return;
  // Payload offset by hand (no allocation): CSRCs and the one-byte extension block if present.
  let off = 12 + (p[0]! & 0x0f) * 4;
  if (p[0]! & 0x10) off += 4 + p.readUInt16BE(off + 2) * 4;
  // Video payload: 1-byte VP8 descriptor, then the send time; audio: the send time first.
  if (trackId.endsWith(':camera')) off += 1;
  if (off + 8 > p.length) return;
  delays.push(now() - p.readDoubleLE(off));
  const seq = p.readUInt16BE(2);
  const key = `${sub}>${trackId}`;
  const w = windows.get(key);
  if (w === undefined) windows.set(key, { first: seq, last: seq, count: 1 });
  else {
    w.count++;
    if (((seq - w.last) & 0xffff) < 0x8000) w.last = seq;
  }
}

const ws = new WebSocket(`ws://127.0.0.1:${port}`);
await new Promise((r) => ws.once('open', r));
const clients = new Map<string, ClientPeer>();
const pending = new Map<string, (m: { sdp?: string }) => void>();
ws.on('message', (raw) => {
  const m = JSON.parse((raw as Buffer).toString()) as {
    type: string;
    peerId: string;
    sdp?: string;
    message?: string;
  };
  if (m.type === 'joined' || m.type === 'subAccepted') pending.get(`${m.type}:${m.peerId}`)?.(m);
  else if (m.type === 'subOffer') {
    const c = clients.get(m.peerId)!;
    void c.answerSubscriberOffer(m.sdp!).then(async (answer) => {
      const accepted = new Promise((r) => pending.set(`subAccepted:${m.peerId}`, r));
      ws.send(JSON.stringify({ type: 'subAnswer', peerId: m.peerId, sdp: answer }));
      await accepted;
      c.startSubscriberIce();
    });
  } else if (m.type === 'error') console.error('server error', m.message);
});

const frameTimers: NodeJS.Timeout[] = [];
for (let i = 0; i < count; i++) {
  const id = `p${i}`;
  const c = new ClientPeer({ name: id, lean: true, onRtp: (trackId, p) => onRtp(id, trackId, p) });
  clients.set(id, c);
  const offer = await c.publishOffer();
  const joined = new Promise<{ sdp?: string }>((r) => pending.set(`joined:${id}`, r));
  ws.send(JSON.stringify({ type: 'join', peerId: id, sdp: offer.sdp, sources: offer.sources }));
  c.acceptPublishAnswer((await joined).sdp!);
}

// Media: 30 fps video, two ~1040-byte packets per frame (about 500 kbit/s), a keyframe of eight
// packets every 2 s or after a PLI; speakers send audio at 50 pps, the muted send none.
const peers = [...clients.values()];
let frame = 0;
const plisSeen = new Map<ClientPeer, number>();
frameTimers.push(
  setInterval(() => {
    frame++;
    for (const c of peers) {
      const pli = c.feedback.plis !== (plisSeen.get(c) ?? 0);
      plisSeen.set(c, c.feedback.plis);
      const key = frame % 60 === 0 || pli;
      const n = key ? 8 : 2;
      for (let k = 0; k < n; k++) {
        const payload = Buffer.alloc(1040);
        payload[0] = k === 0 ? 0x10 : 0x00; // VP8 descriptor: S bit on the first packet of a frame
        payload.writeDoubleLE(now(), 1);
        payload[9] = key ? 0x00 : 0x01; // VP8 frame tag: P bit (0 = keyframe)
        c.sendVideo(payload, k === n - 1);
      }
    }
  }, 1000 / 30),
);
frameTimers.push(
  setInterval(() => {
    for (let i = 0; i < speakers && i < peers.length; i++) {
      const payload = Buffer.alloc(120);
      payload.writeDoubleLE(now(), 0);
      peers[i]!.sendAudio(30, payload);
    }
  }, 20),
);

await new Promise((r) => setTimeout(r, warmMs));
measuring = true;
await new Promise((r) => setTimeout(r, measureMs));
measuring = false;
for (const t of frameTimers) clearInterval(t);

let received = 0;
let expected = 0;
for (const w of windows.values()) {
  received += w.count; // retransmissions could count twice; the SFU sends none without NACKs
  expected += ((w.last - w.first) & 0xffff) + 1;
}
delays.sort((a, b) => a - b);
const q = (f: number) => delays[Math.min(delays.length - 1, Math.floor(delays.length * f))] ?? NaN;
process.stdout.write(
  `${JSON.stringify({
    received: delays.length,
    tracks: windows.size,
    loss: expected > 0 ? 1 - received / expected : 0,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    connectedSubscribers: new Set([...windows.keys()].map((k) => k.split('>')[0])).size,
  })}\n`,
);
for (const c of peers) c.close();
ws.close();
setTimeout(() => process.exit(0), 200);
