/**
 * One process of synthetic participants (the benchmark runs several, see run.ts). Each
 * publishing participant sends VP8-like video (30 fps, two ~1,040-byte packets per frame, about
 * 500 kbit/s; a keyframe of eight packets every 2 s and on every PLI/FIR) and, if it is one of
 * the speakers, Opus-sized audio at 50 pps with the audio-level extension (muted participants
 * send no audio at all); every participant subscribes to whatever the SFU forwards. Every payload
 * carries its send time, so subscribers measure one-way delay, and loss from gaps in each
 * forwarded track's sequence numbers.
 *
 * The SFU under test is our engine (bench/media/server.ts, over its WebSocket) or Janus's
 * VideoRoom (over the Janus HTTP API with long-polling). The payloads look like VP8 to Janus,
 * which inspects them: a payload descriptor, a frame tag, and a keyframe start code with a
 * 640×480 size on keyframes.
 *
 * Driven by run.ts over stdin, one command per line, answering one JSON line on stdout each:
 *   publish            → {"event":"published","feeds":{participantId: janusFeedId}}
 *   subscribe <feeds>  → {"event":"subscribed"} (Janus: subscribe to every feed but one's own)
 *   measure            → starts the measurement window (no answer)
 *   stop               → {"event":"result", …} and exit
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { ClientPeer } from '../../server/realtime/sfu/testing/client-peer';
import { bucketOf, type ClientsConfig, type ClientsResult } from './stats';

const AUDIO_MARK = 0xaa;
const VIDEO_TIME_OFFSET = 11; // descriptor (1) + frame tag (3) + start code (3) + size (4)

const config = JSON.parse(process.argv[2]!) as ClientsConfig;
const now = () => performance.timeOrigin + performance.now();
const out = (m: object) => process.stdout.write(`${JSON.stringify(m)}\n`);

let measuring = false;
const histogram = new Map<number, number>();
/** Per subscriber+track: the distinct sequence numbers received and their range in the window. */
const windows = new Map<string, { first: number; last: number; seen: Set<number> }>();

function onRtp(sub: string, trackId: string, p: Buffer): void {
  if (!measuring || p.length < 21) return;
  // Payload offset by hand (no allocation): CSRCs, then the extension block if present.
  let off = 12 + (p[0]! & 0x0f) * 4;
  if (p[0]! & 0x10) off += 4 + p.readUInt16BE(off + 2) * 4;
  off += p[off] === AUDIO_MARK ? 1 : VIDEO_TIME_OFFSET;
  if (off + 8 > p.length) return;
  const b = bucketOf(now() - p.readDoubleLE(off));
  histogram.set(b, (histogram.get(b) ?? 0) + 1);
  const seq = p.readUInt16BE(2);
  const key = `${sub}>${trackId}`;
  const w = windows.get(key);
  if (w === undefined) windows.set(key, { first: seq, last: seq, seen: new Set([seq]) });
  else {
    w.seen.add(seq); // distinct: a retransmission that also arrived in time counts once
    if (((seq - w.last) & 0xffff) < 0x8000) w.last = seq;
    // A packet older than the first one seen (a retransmission, reordering) widens the range, or
    // it would count as received but never as expected (negative loss).
    else if (((w.first - seq) & 0xffff) < 0x8000) w.first = seq;
  }
}

const clients = new Map<string, ClientPeer>();
for (const p of config.participants) {
  clients.set(
    p.id,
    new ClientPeer({
      name: p.id,
      lean: true,
      audio: p.publish,
      video: p.publish,
      receiveInJs: p.measure,
      ...(p.measure ? { onRtp: (trackId: string, buf: Buffer) => onRtp(p.id, trackId, buf) } : {}),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Signalling: our engine (bench/media/server.ts)

async function engineSignalling(): Promise<{
  publish: () => Promise<Record<string, number>>;
  subscribe: (feeds: Record<string, number>) => Promise<void>;
}> {
  const ws = new WebSocket(config.url);
  await new Promise((r) => ws.once('open', r));
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
      // The engine renegotiates (and replaces closed subscribe PCs) while the others leave.
      if (shuttingDown) return;
      const c = clients.get(m.peerId)!;
      void c
        .answerSubscriberOffer(m.sdp!)
        .then(async (answer) => {
          const accepted = new Promise((r) => pending.set(`subAccepted:${m.peerId}`, r));
          ws.send(JSON.stringify({ type: 'subAnswer', peerId: m.peerId, sdp: answer }));
          await accepted;
          c.startSubscriberIce();
        })
        .catch((e: unknown) => {
          if (!shuttingDown) console.error('subscriber offer failed', e);
        });
    } else if (m.type === 'error') console.error('server error', m.message);
  });
  return {
    publish: async () => {
      for (const p of config.participants) {
        const c = clients.get(p.id)!;
        const joined = new Promise<{ sdp?: string }>((r) => pending.set(`joined:${p.id}`, r));
        if (p.publish) {
          const offer = await c.publishOffer();
          ws.send(
            JSON.stringify({ type: 'join', peerId: p.id, sdp: offer.sdp, sources: offer.sources }),
          );
          c.acceptPublishAnswer((await joined).sdp!);
        } else {
          ws.send(JSON.stringify({ type: 'join', peerId: p.id }));
          await joined;
        }
      }
      return {};
    },
    // The engine offers subscriptions by itself as publishers arrive.
    subscribe: async () => undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Signalling: Janus VideoRoom over the HTTP API (one session per process, long-poll for events)

interface JanusMsg {
  janus: string;
  transaction?: string;
  sender?: number;
  data?: { id: number };
  error?: { code: number; reason: string };
  plugindata?: {
    data: Record<string, unknown> & { videoroom?: string; id?: number; error?: string };
  };
  jsep?: { type: string; sdp: string };
}

async function janusSignalling(): Promise<{
  publish: () => Promise<Record<string, number>>;
  subscribe: (feeds: Record<string, number>) => Promise<void>;
}> {
  let tx = 0;
  const waiting = new Map<string, (m: JanusMsg) => void>();
  const post = async (path: string, body: object): Promise<JanusMsg> => {
    const transaction = `t${process.pid}-${tx++}`;
    const res = await fetch(`${config.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, transaction }),
    });
    const m = (await res.json()) as JanusMsg;
    if (m.janus === 'error') throw new Error(`janus: ${JSON.stringify(m.error)}`);
    return { ...m, transaction };
  };
  const session = (await post('', { janus: 'create' })).data!.id;
  let polling = true;
  void (async () => {
    while (polling) {
      try {
        const res = await fetch(`${config.url}/${session}?maxev=50`);
        const got = (await res.json()) as JanusMsg | JanusMsg[];
        for (const m of Array.isArray(got) ? got : [got]) {
          if (m.transaction !== undefined && m.janus === 'event') waiting.get(m.transaction)?.(m);
        }
      } catch (e) {
        if (!polling || shuttingDown) return;
        console.error('janus long-poll failed, giving up:', (e as Error).message);
        process.exit(1);
      }
    }
  })();
  process.once('beforeExit', () => (polling = false));
  /** A plugin message; resolves with the asynchronous event that answers it. */
  const message = async (handle: number, body: object, jsep?: object): Promise<JanusMsg> => {
    const transaction = `t${process.pid}-${tx++}`;
    const event = new Promise<JanusMsg>((r) => waiting.set(transaction, r));
    const res = await fetch(`${config.url}/${session}/${handle}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ janus: 'message', body, transaction, ...(jsep ? { jsep } : {}) }),
    });
    const ack = (await res.json()) as JanusMsg;
    if (ack.janus === 'error') throw new Error(`janus: ${JSON.stringify(ack.error)}`);
    // A synchronous answer comes back at once (with plugindata); otherwise wait for the event.
    const m = ack.janus === 'success' ? ack : await event;
    waiting.delete(transaction);
    const err = m.plugindata?.data.error;
    if (err !== undefined) throw new Error(`videoroom: ${String(err)}`);
    return m;
  };
  const attach = async () =>
    (await post(`/${session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data!.id;
  const trickleDone = (handle: number) =>
    post(`/${session}/${handle}`, { janus: 'trickle', candidate: { completed: true } });

  return {
    publish: async () => {
      const feeds: Record<string, number> = {};
      for (const p of config.participants) {
        if (!p.publish) continue;
        const c = clients.get(p.id)!;
        const handle = await attach();
        // The offer without our candidates (as a browser's mDNS names would be): Janus then
        // learns our address from our own checks, which start once we hold its answer. Given
        // our candidates, Janus starts DTLS before we know its fingerprint and libdatachannel
        // fails that handshake (the publisher never connects; its feed is "No such feed").
        const { sdp } = await c.publishOffer();
        const m = await message(
          handle,
          { request: 'joinandconfigure', room: config.room, ptype: 'publisher', display: p.id },
          { type: 'offer', sdp },
        );
        feeds[p.id] = m.plugindata!.data.id!;
        c.acceptPublishAnswer(m.jsep!.sdp);
        await trickleDone(handle);
      }
      return feeds;
    },
    subscribe: async (feeds) => {
      for (const p of config.participants) {
        const c = clients.get(p.id)!;
        const streams = Object.entries(feeds)
          .filter(([id]) => id !== p.id)
          .map(([, feed]) => ({ feed }));
        const handle = await attach();
        const m = await message(handle, {
          request: 'join',
          room: config.room,
          ptype: 'subscriber',
          streams,
        });
        const answer = await c.answerSubscriberOffer(m.jsep!.sdp);
        await message(handle, { request: 'start' }, { type: 'answer', sdp: answer });
        c.startSubscriberIce();
        await trickleDone(handle);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Media

function videoPayload(firstOfFrame: boolean, key: boolean): Buffer {
  const p = Buffer.alloc(1040);
  p[0] = firstOfFrame ? 0x10 : 0x00; // VP8 payload descriptor: S bit on a frame's first packet
  // VP8 frame tag (RFC 6386 §9.1): P bit 0 on keyframes, show_frame, a first-partition size.
  p[1] = (key ? 0x00 : 0x01) | 0x10;
  p[2] = 0x02;
  p[3] = 0x00;
  p.set([0x9d, 0x01, 0x2a], 4); // keyframe start code
  p.writeUInt16LE(640, 7);
  p.writeUInt16LE(480, 9);
  p.writeDoubleLE(now(), VIDEO_TIME_OFFSET);
  return p;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timers: NodeJS.Timeout[] = [];
let shuttingDown = false;
let sendLate = 0;
function startMedia(): void {
  const publishers = config.participants.filter((p) => p.publish).map((p) => clients.get(p.id)!);
  const speakers = config.participants.filter((p) => p.speaker).map((p) => clients.get(p.id)!);
  let frame = 0;
  const plisSeen = new Map<ClientPeer, number>();
  let lastTick = performance.now();
  timers.push(
    setInterval(() => {
      const t = performance.now();
      if (t - lastTick > 50) sendLate++; // this process could not keep the 33 ms frame clock
      lastTick = t;
      frame++;
      for (const c of publishers) {
        const pli = c.feedback.plis !== (plisSeen.get(c) ?? 0);
        plisSeen.set(c, c.feedback.plis);
        const key = frame % 60 === 0 || pli;
        const n = key ? 8 : 2;
        for (let k = 0; k < n; k++) c.sendVideo(videoPayload(k === 0, key), k === n - 1);
      }
    }, 1000 / 30),
  );
  timers.push(
    setInterval(() => {
      for (const c of speakers) {
        const payload = Buffer.alloc(120);
        payload[0] = AUDIO_MARK;
        payload.writeDoubleLE(now(), 1);
        c.sendAudio(30, payload);
      }
    }, 20),
  );
}

// ---------------------------------------------------------------------------------------------

const signalling = config.target === 'engine' ? await engineSignalling() : await janusSignalling();
const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  const [cmd, arg] = [line.split(' ', 1)[0], line.slice(line.indexOf(' ') + 1)];
  if (cmd === 'publish') {
    const feeds = await signalling.publish();
    // Janus offers a feed for subscription only once its publisher's connection is up.
    const publishers = config.participants.filter((p) => p.publish).map((p) => clients.get(p.id)!);
    for (let i = 0; i < 300 && !publishers.every((c) => c.publishing()); i++) await sleep(50);
    startMedia();
    out({ event: 'published', feeds });
  } else if (cmd === 'subscribe') {
    await signalling.subscribe(JSON.parse(arg) as Record<string, number>);
    out({ event: 'subscribed' });
  } else if (cmd === 'measure') {
    measuring = true;
  } else if (cmd === 'stop') {
    measuring = false;
    shuttingDown = true;
    for (const t of timers) clearInterval(t);
    let expected = 0;
    let count = 0;
    for (const w of windows.values()) {
      count += w.seen.size;
      expected += ((w.last - w.first) & 0xffff) + 1;
    }
    const result: ClientsResult = {
      event: 'result',
      received: count,
      expected,
      tracks: windows.size,
      subscribersReceiving: [...new Set([...windows.keys()].map((k) => k.split('>')[0]!))],
      histogram: Object.fromEntries(histogram),
      sendLate,
    };
    out(result);
    for (const c of clients.values()) c.close();
    setTimeout(() => process.exit(0), 300);
    break;
  }
}
