/**
 * `npm run bench:media [sizes…] [options]`: the media benchmark (docs/benchmarks.md, Media).
 *
 * 1. Meetings: for each size, the engine (bench/media/server.ts) alone in a process pinned to
 *    one core, and the synthetic participants (bench/media/clients.ts) split over several client
 *    processes. Everyone publishes video, the first five also audio (the others are muted),
 *    last-N 9. Measured over a window after a warm-up: forwarded packets per CPU-second of the
 *    engine process (utime+stime of all its threads from /proc); the SFU's own forwarding delay
 *    read off the wire (wire.ts: tcpdump on lo, each forwarded packet matched with its incoming
 *    one); loss and p50/p99 one-way delay at the subscribers (client JS to client JS, so it
 *    includes the client processes' own lateness); the kernel's UDP receive drops; the engine's
 *    RSS per participant, and what the clients cost in CPU.
 * 2. Janus: the same synthetic load (P publishing participants who also subscribe to each
 *    other, plus L receive-only ones; every stream forwarded, so last-N is set to P for our
 *    engine) through our engine and through Debian's Janus VideoRoom (bench/media/janus.ts),
 *    back to back in the same run, in rounds, Janus with its default threading and with
 *    `event_loops = 1`. Both are measured from their subscribers' side (packets received per
 *    second) over the SFU process's CPU.
 * 3. `--join`: join click → first remote frame in chromium (bench/media/join-latency.ts).
 *
 * Options: --procs N (client processes, default 4), --client-cores LIST (taskset list for the
 * clients, default "0,1": both cores), --client-sched idle|nice (default idle: the clients run under
 * SCHED_IDLE, so the engine keeps its core whenever it wants it; nice: at nice 10),
 * --engine-core N (default 0), --warm S, --measure S, --no-janus, --janus-only, --janus-shape PxL
 * (default 10x20), --rounds N (Janus comparison rounds, default 2), --join [--joins N],
 * --no-wire (no capture), --measure-every K (meetings: one subscriber in K times and counts
 * packets in JavaScript, the others receive without handing packets to JavaScript; needs the
 * capture, which shows every subscriber receive).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { startJanus, janusUnavailable } from './janus';
import { startWireCapture, wireUnavailable, type WireResult } from './wire';
import {
  cpuTicks,
  quantiles,
  TICKS_PER_SECOND,
  udpReceiveErrors,
  type ClientsConfig,
  type ClientsResult,
} from './stats';

const argv = process.argv.slice(2);
function option(name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}
const flag = (name: string) => argv.includes(name);
const optionNames = new Set([
  '--procs',
  '--client-cores',
  '--engine-core',
  '--warm',
  '--measure',
  '--janus-shape',
  '--rounds',
  '--joins',
  '--measure-every',
  '--client-sched',
]);
const sizes = argv
  .filter((a, i) => !a.startsWith('--') && !optionNames.has(argv[i - 1] ?? ''))
  .map(Number)
  .filter((n) => n > 0);

if (flag('--join')) {
  // In its own process: the server and the browser driver alone.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/media/join-latency.ts', ...argv.filter((a) => a !== '--join')],
    { stdio: 'inherit' },
  );
  process.exit(await new Promise<number>((r) => child.once('exit', (code) => r(code ?? 1))));
}

const SIZES = sizes.length > 0 ? sizes : [10, 25, 50];
const PROCS = Number(option('--procs') ?? 4);
const CLIENT_CORES = option('--client-cores') ?? '0,1';
const ENGINE_CORE = option('--engine-core') ?? '0';
/**
 * How the client processes yield to the SFU on a core they share. `idle` (default): SCHED_IDLE,
 * they run only when the SFU's threads do not want the core, as if the SFU had its core to
 * itself and the load came from elsewhere. `nice`: nice 10 (before 2026-11-27 05:30); its CPU
 * share is a weight, and several runnable client threads took the SFU's core from it for tens of
 * milliseconds at a time.
 */
const CLIENT_SCHED_NAME = option('--client-sched') ?? 'idle';
const CLIENT_SCHED = CLIENT_SCHED_NAME === 'nice' ? ['nice', '-n', '10'] : ['chrt', '--idle', '0'];
const WARM_MS = Number(option('--warm') ?? 8) * 1000;
const MEASURE_MS = Number(option('--measure') ?? 10) * 1000;
const ROUNDS = Number(option('--rounds') ?? 2);
const MEASURE_EVERY = Math.max(1, Number(option('--measure-every') ?? 1));
/** Our engine's glibc arena limit, as README "Operations" recommends for the server. */
const ENGINE_ARENAS = process.env.MALLOC_ARENA_MAX ?? '1';
const [JANUS_PUBS, JANUS_LISTENERS] = (option('--janus-shape') ?? '10x20')
  .split('x')
  .map(Number) as [number, number];
const SPEAKERS = 5;
const LAST_N = 9;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function lines(child: ChildProcess, onLine: (l: string) => void): void {
  createInterface({ input: child.stdout! }).on('line', onLine);
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
}

// ---------------------------------------------------------------------------------------------

interface Sfu {
  name: string;
  pid: number;
  clientsConfig: Omit<ClientsConfig, 'participants'>;
  /** The SFU's own forwarded-packet counter, when it has one. */
  forwarded?: () => Promise<number>;
  /** The media port, for an SFU whose forwarding delay can be read off the wire (ours). */
  mediaPort?: number;
  rss: () => Promise<number>;
  stop: () => Promise<void>;
}

async function startEngine(lastN: number): Promise<Sfu> {
  const server = spawn(
    'taskset',
    [
      '-c',
      ENGINE_CORE,
      process.execPath,
      '--import',
      'tsx',
      'bench/media/server.ts',
      String(lastN),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MALLOC_ARENA_MAX: ENGINE_ARENAS } },
  );
  const { port, mediaPort } = await new Promise<{ port: number; mediaPort: number }>((resolve) =>
    lines(server, (l) => {
      if (l.startsWith('{')) resolve(JSON.parse(l) as { port: number; mediaPort: number });
    }),
  );
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((r) => ws.once('open', r));
  const stats = () =>
    new Promise<{ forwardedPackets: number; rss: number }>((resolve) => {
      ws.once('message', (raw) => {
        const m = JSON.parse((raw as Buffer).toString()) as {
          stats: { forwardedPackets: number };
          rss: number;
        };
        resolve({ forwardedPackets: m.stats.forwardedPackets, rss: m.rss });
      });
      ws.send(JSON.stringify({ type: 'stats' }));
    });
  return {
    name: `ours (last-N ${lastN})`,
    pid: server.pid!,
    mediaPort,
    clientsConfig: { target: 'engine', url: `ws://127.0.0.1:${port}` },
    forwarded: async () => (await stats()).forwardedPackets,
    rss: async () => (await stats()).rss,
    stop: async () => {
      ws.close();
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    },
  };
}

/** VmRSS from /proc/PID/status, in bytes. */
function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function startJanusSfu(eventLoops: number): Promise<Sfu> {
  const j = await startJanus({ eventLoops, cores: ENGINE_CORE });
  const post = async (path: string, body: object) =>
    (await (
      await fetch(`${j.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, transaction: String(Math.random()) }),
      })
    ).json()) as { data?: { id: number }; plugindata?: { data: Record<string, unknown> } };
  const session = (await post('', { janus: 'create' })).data!.id;
  const handle = (await post(`/${session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' }))
    .data!.id;
  const room = 4242;
  const created = await post(`/${session}/${handle}`, {
    janus: 'message',
    body: {
      request: 'create',
      room,
      publishers: 200,
      bitrate: 0,
      fir_freq: 0,
      videocodec: 'vp8',
      audiocodec: 'opus',
      audiolevel_ext: true,
    },
  });
  if (created.plugindata?.data.videoroom !== 'created')
    throw new Error(`Janus room: ${JSON.stringify(created)}`);
  return {
    name: `Janus (${eventLoops > 0 ? `event_loops = ${eventLoops}` : 'default threading'})`,
    pid: j.pid,
    clientsConfig: { target: 'janus', url: j.url, room },
    rss: () => Promise.resolve(rssOf(j.pid)),
    stop: j.stop,
  };
}

// ---------------------------------------------------------------------------------------------

interface Load {
  publishers: number;
  listeners: number;
}

interface Measured {
  sfu: string;
  participants: number;
  /** Packets the subscribers received per second (what the SFU forwarded and delivered). */
  receivedPps: number;
  /** The SFU's own forwarded-packet counter per second, if it has one. */
  forwardedPps: number | undefined;
  sfuCpu: number; // fraction of one core
  clientsCpu: number; // fraction of one core, all client processes together
  loss: number;
  p50: number;
  p99: number;
  rss: number;
  /**
   * Subscribers that received: on the wire, destinations that got at least half the median
   * destination's forwarded packets; without the capture, subscribers that counted any packet.
   */
  subscribersReceiving: number;
  subscribers: number;
  /** Subscribers that timed and counted packets (loss and one-way delay are theirs). */
  measured: number;
  /** Datagrams the kernel dropped at full receive buffers during the window, machine-wide. */
  udpDrops: number;
  sendLate: number;
  /** The SFU's forwarding delay read off the wire (ours only; see wire.ts). */
  wire: WireResult | undefined;
}

const WIRE_WHY_NOT = flag('--no-wire') ? 'turned off with --no-wire' : wireUnavailable();
if (MEASURE_EVERY > 1 && WIRE_WHY_NOT !== undefined) {
  console.error(
    `--measure-every needs the wire capture (to see every subscriber receive): ${WIRE_WHY_NOT}`,
  );
  process.exit(2);
}

/**
 * Every participant's subscriber receives everything; with `measureEvery` k > 1, one in k hands
 * each packet to JavaScript to time it and count it (one-way delay and loss come from those), and
 * the others leave their packets inside libdatachannel (measured: this saves the client processes
 * little CPU; their cost is libdatachannel's receive path). Whether a subscriber receives is
 * judged for all alike on the wire (wire.ts), or from the packets counted without the capture.
 */
async function runLoad(sfu: Sfu, load: Load, measureEvery = 1): Promise<Measured> {
  const total = load.publishers + load.listeners;
  const parts: ClientsConfig['participants'][] = Array.from({ length: PROCS }, () => []);
  for (let i = 0; i < total; i++) {
    parts[i % PROCS]!.push({
      id: `p${i}`,
      publish: i < load.publishers,
      speaker: i < Math.min(SPEAKERS, load.publishers),
      measure: i % measureEvery === 0,
    });
  }
  const procs = parts
    .filter((p) => p.length > 0)
    .map((participants) => {
      const config: ClientsConfig = { ...sfu.clientsConfig, participants };
      const child = spawn(
        CLIENT_SCHED[0]!,
        [
          ...CLIENT_SCHED.slice(1),
          'taskset',
          '-c',
          CLIENT_CORES,
          process.execPath,
          '--import',
          'tsx',
          'bench/media/clients.ts',
          JSON.stringify(config),
        ],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      const replies: ((m: Record<string, unknown>) => void)[] = [];
      lines(child, (l) => {
        if (l.startsWith('{')) replies.shift()?.(JSON.parse(l) as Record<string, unknown>);
      });
      const ask = (cmd: string) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          replies.push(resolve);
          child.once('exit', (code) =>
            reject(new Error(`client process exited (${code}) on ${cmd.split(' ')[0]}`)),
          );
          child.stdin.write(`${cmd}\n`);
        });
      return { child, ask, tell: (cmd: string) => child.stdin.write(`${cmd}\n`) };
    });
  const published = await Promise.all(procs.map((p) => p.ask('publish')));
  const feeds = Object.assign(
    {},
    ...published.map((m) => m.feeds as Record<string, number>),
  ) as Record<string, number>;
  await Promise.all(procs.map((p) => p.ask(`subscribe ${JSON.stringify(feeds)}`)));
  await sleep(WARM_MS);

  const capture =
    sfu.mediaPort !== undefined && WIRE_WHY_NOT === undefined
      ? await startWireCapture(sfu.mediaPort, CLIENT_CORES)
      : undefined;
  for (const p of procs) p.tell('measure');
  const f0 = await sfu.forwarded?.();
  const u0 = udpReceiveErrors();
  const c0 = cpuTicks(sfu.pid);
  const k0 = procs.map((p) => cpuTicks(p.child.pid!));
  const t0 = performance.now();
  await sleep(MEASURE_MS);
  const c1 = cpuTicks(sfu.pid);
  const k1 = procs.map((p) => cpuTicks(p.child.pid!));
  const f1 = await sfu.forwarded?.();
  const u1 = udpReceiveErrors();
  const seconds = (performance.now() - t0) / 1000;
  const wire = await capture?.stop();
  const results = (await Promise.all(
    procs.map((p) => p.ask('stop')),
  )) as unknown as ClientsResult[];
  const rss = await sfu.rss();
  const received = results.reduce((s, r) => s + r.received, 0);
  const expected = results.reduce((s, r) => s + r.expected, 0);
  const [p50, p99] = quantiles(
    results.map((r) => r.histogram),
    [0.5, 0.99],
  );
  const subscribers = load.listeners + load.publishers;
  return {
    sfu: sfu.name,
    participants: total,
    receivedPps: received / seconds,
    forwardedPps: f0 !== undefined && f1 !== undefined ? (f1 - f0) / seconds : undefined,
    sfuCpu: (c1 - c0) / TICKS_PER_SECOND / seconds,
    clientsCpu: k1.reduce((s, k, i) => s + k - k0[i]!, 0) / TICKS_PER_SECOND / seconds,
    loss: expected > 0 ? 1 - received / expected : 0,
    p50: p50!,
    p99: p99!,
    rss,
    subscribersReceiving:
      wire?.receivers ?? results.reduce((s, r) => s + r.subscribersReceiving.length, 0),
    udpDrops: u1 - u0,
    measured: Math.ceil(total / measureEvery),
    subscribers,
    sendLate: results.reduce((s, r) => s + r.sendLate, 0),
    wire,
  };
}

const pct = (x: number) => `${Math.round(x * 100)} %`;
const ms = (x: number) => `${x.toFixed(1)} ms`;

console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}; load average at start ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  `SFU on core ${ENGINE_CORE} (ours with MALLOC_ARENA_MAX=${ENGINE_ARENAS}); ${PROCS} client processes on cores ${CLIENT_CORES} (${CLIENT_SCHED_NAME === 'nice' ? 'nice 10' : 'SCHED_IDLE'}); warm-up ${WARM_MS / 1000} s, window ${MEASURE_MS / 1000} s`,
);

if (!flag('--janus-only')) {
  console.log(
    `\nMeetings: everyone's camera on (30 fps, ≈ 500 kbit/s), ${SPEAKERS} speakers with audio (50 pps), the others muted, last-N ${LAST_N}\n`,
  );
  console.log(
    '| participants | forwarded pps | forwarded per CPU-second | engine CPU | loss | SFU delay p50 / p99 / max (wire) | one-way p50 | one-way p99 | engine RSS | RSS / participant | clients CPU | subscribers receiving | subscribers measuring | UDP drops | late client ticks |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const wireNotes: string[] = [];
  for (const n of SIZES) {
    const sfu = await startEngine(LAST_N);
    const r = await runLoad(sfu, { publishers: n, listeners: 0 }, MEASURE_EVERY);
    await sfu.stop();
    const fwd = r.forwardedPps ?? r.receivedPps;
    const w = r.wire;
    if (w !== undefined && (w.droppedByKernel > 0 || w.unmatched > w.matched / 100))
      wireNotes.push(
        `${n}: the capture lost ${w.droppedByKernel} packets; ${w.unmatched} forwarded packets unmatched, ${w.matched} matched`,
      );
    console.log(
      `| ${n} | ${Math.round(fwd)} | ${Math.round(fwd / Math.max(r.sfuCpu, 0.001))} | ${pct(r.sfuCpu)} | ${(r.loss * 100).toFixed(2)} % | ${w === undefined ? 'n/a' : `${ms(w.p50)} / ${ms(w.p99)} / ${ms(w.max)}`} | ${ms(r.p50)} | ${ms(r.p99)} | ${(r.rss / 1e6).toFixed(0)} MB | ${(r.rss / 1e6 / n).toFixed(2)} MB | ${pct(r.clientsCpu)} | ${r.subscribersReceiving}/${r.subscribers} | ${r.measured} | ${r.udpDrops} | ${r.sendLate} |`,
    );
  }
  if (WIRE_WHY_NOT !== undefined)
    console.log(`\nSFU delay on the wire not measured: ${WIRE_WHY_NOT}`);
  for (const note of wireNotes) console.log(`\nWire capture at ${note}`);
}

if (!flag('--no-janus')) {
  const why = janusUnavailable();
  if (why !== undefined) {
    console.log(`\nJanus comparison not run: ${why}`);
  } else {
    const load = { publishers: JANUS_PUBS, listeners: JANUS_LISTENERS };
    console.log(
      `\nSame load through our engine and Janus VideoRoom: ${load.publishers} publishing participants (${Math.min(SPEAKERS, load.publishers)} with audio) who subscribe to each other, plus ${load.listeners} receive-only; every stream forwarded (our last-N = ${load.publishers}). Packets are counted at the subscribers.\n`,
    );
    console.log(
      '| round | SFU | received pps | SFU CPU | received per SFU CPU-second | loss | p50 delay | p99 delay | SFU RSS | clients CPU | subscribers receiving |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    const perCpu = new Map<string, number[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const start of [
        () => startEngine(load.publishers),
        () => startJanusSfu(0),
        () => startJanusSfu(1),
      ]) {
        const sfu = await start();
        let r: Measured;
        try {
          r = await runLoad(sfu, load);
        } finally {
          await sfu.stop();
        }
        const per = r.receivedPps / Math.max(r.sfuCpu, 0.001);
        perCpu.set(sfu.name, [...(perCpu.get(sfu.name) ?? []), per]);
        console.log(
          `| ${round} | ${sfu.name} | ${Math.round(r.receivedPps)} | ${pct(r.sfuCpu)} | ${Math.round(per)} | ${(r.loss * 100).toFixed(2)} % | ${ms(r.p50)} | ${ms(r.p99)} | ${(r.rss / 1e6).toFixed(0)} MB | ${pct(r.clientsCpu)} | ${r.subscribersReceiving}/${r.subscribers} |`,
        );
      }
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const [ours, ...janus] = [...perCpu.entries()];
    console.log('');
    for (const [name, xs] of janus) {
      console.log(
        `Ours / ${name}, received packets per SFU CPU-second (mean of ${xs.length} rounds): **${(mean(ours![1]) / mean(xs)).toFixed(2)}×** (${Math.round(mean(ours![1]))} vs ${Math.round(mean(xs))})`,
      );
    }
  }
}
console.log(
  `\nload average at end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
