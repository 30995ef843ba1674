/**
 * `npm run bench:media [sizes…]`: for each meeting size, starts the engine in its own process
 * pinned to core 0 and the synthetic participants in another pinned to core 1, lets the meeting
 * warm up, then measures for a window: forwarded packets per CPU-second of the engine process
 * (utime+stime of all its threads from /proc), loss and p50/p99 one-way delay at the
 * subscribers, and the engine's RSS per participant. Prints a Markdown table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const SIZES = sizes.length > 0 ? sizes : [10, 25, 50];
const SPEAKERS = 5;
const LAST_N = 9;
const WARM_MS = 8000;
const MEASURE_MS = 10_000;
const TICK = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
}

function lines(child: ChildProcess, onLine: (l: string) => void): void {
  createInterface({ input: child.stdout! }).on('line', onLine);
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
}

interface Row {
  participants: number;
  forwardedPps: number;
  perCpuSecond: number;
  cpuPercent: number;
  loss: number;
  p50: number;
  p99: number;
  rssMb: number;
  rssPerParticipantMb: number;
  subscribersReceiving: number;
}

async function runOnce(participants: number): Promise<Row> {
  const server = spawn(
    'taskset',
    ['-c', '0', process.execPath, '--import', 'tsx', 'bench/media/server.ts', String(LAST_N)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const port = await new Promise<number>((resolve) =>
    lines(server, (l) => {
      if (l.startsWith('{')) resolve((JSON.parse(l) as { port: number }).port);
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
  const clients = spawn(
    'taskset',
    [
      '-c',
      '1',
      process.execPath,
      '--import',
      'tsx',
      'bench/media/clients.ts',
      String(port),
      String(participants),
      String(SPEAKERS),
      String(WARM_MS),
      String(MEASURE_MS),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // The clients' warm-up starts once all have joined; sample the engine over their window.
  const joinedAt = Date.now();
  let result: { loss: number; p50: number; p99: number; connectedSubscribers: number } | undefined;
  const done = new Promise<void>((resolve) =>
    lines(clients, (l) => {
      if (l.startsWith('{')) {
        result = JSON.parse(l) as typeof result;
        resolve();
      }
    }),
  );
  // Joining 50 peers takes a few seconds: wait until forwarding is steady, then measure.
  await new Promise((r) => setTimeout(r, WARM_MS));
  let s0 = await stats();
  let prev = s0.forwardedPackets;
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const s = await stats();
    if (s.forwardedPackets - prev > 0 && Date.now() - joinedAt > WARM_MS + 1000) break;
    prev = s.forwardedPackets;
  }
  s0 = await stats();
  const c0 = cpuTicks(server.pid!);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 5000));
  const s1 = await stats();
  const c1 = cpuTicks(server.pid!);
  const seconds = (performance.now() - t0) / 1000;
  await done;
  ws.close();
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  const forwarded = s1.forwardedPackets - s0.forwardedPackets;
  const cpuSeconds = (c1 - c0) / TICK;
  return {
    participants,
    forwardedPps: Math.round(forwarded / seconds),
    perCpuSecond: Math.round(forwarded / Math.max(cpuSeconds, 0.01)),
    cpuPercent: Math.round((100 * cpuSeconds) / seconds),
    loss: result!.loss,
    p50: result!.p50,
    p99: result!.p99,
    rssMb: s1.rss / 1e6,
    rssPerParticipantMb: s1.rss / 1e6 / participants,
    subscribersReceiving: result!.connectedSubscribers,
  };
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}`);
console.log(
  `engine on core 0, ${'clients'} on core 1; ${SPEAKERS} speakers, last-N ${LAST_N}, 30 fps video ≈ 500 kbit/s + 50 pps audio`,
);
console.log(
  '| participants | forwarded pps | forwarded per CPU-second | engine CPU | loss | p50 delay | p99 delay | engine RSS | RSS / participant | subscribers receiving |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const n of SIZES) {
  const r = await runOnce(n);
  console.log(
    `| ${r.participants} | ${r.forwardedPps} | ${r.perCpuSecond} | ${r.cpuPercent} % | ${(r.loss * 100).toFixed(2)} % | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.rssMb.toFixed(0)} MB | ${r.rssPerParticipantMb.toFixed(2)} MB | ${r.subscribersReceiving}/${r.participants} |`,
  );
}
