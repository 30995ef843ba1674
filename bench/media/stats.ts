import { readFileSync } from 'node:fs';

/** Shapes and helpers shared by the media benchmark's driver (run.ts) and client processes. */

export interface ClientsConfig {
  target: 'engine' | 'janus';
  /** engine: ws://127.0.0.1:PORT; janus: http://127.0.0.1:PORT/janus */
  url: string;
  /** Janus room number. */
  room?: number;
  /** measure: this participant's subscriber times and counts every packet in JavaScript. */
  participants: { id: string; publish: boolean; speaker: boolean; measure: boolean }[];
}

export interface ClientsResult {
  event: 'result';
  /** Packets received in the window over all subscriber tracks, and the sequence span expected. */
  received: number;
  expected: number;
  tracks: number;
  subscribersReceiving: string[];
  /** Delay histogram: bucket → count (see bucketOf). */
  histogram: Record<number, number>;
  /** Frame-clock ticks this process ran more than 50 ms apart (it could not keep up sending). */
  sendLate: number;
}

/** 0.05 ms buckets below 100 ms, then 1 ms buckets up to 20 s. */
export function bucketOf(ms: number): number {
  if (ms < 0) return 0;
  if (ms < 100) return Math.floor(ms * 20);
  return 2000 + Math.min(Math.floor(ms - 100), 20_000);
}

/** The upper edge of a bucket, in ms. */
export function bucketMs(b: number): number {
  return b < 2000 ? (b + 1) / 20 : b - 2000 + 101;
}

/** Quantiles of merged histograms. */
export function quantiles(histograms: Record<number, number>[], qs: number[]): number[] {
  const merged = new Map<number, number>();
  for (const h of histograms)
    for (const [b, n] of Object.entries(h)) merged.set(Number(b), (merged.get(Number(b)) ?? 0) + n);
  const buckets = [...merged.entries()].sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((s, [, n]) => s + n, 0);
  return qs.map((q) => {
    let seen = 0;
    for (const [b, n] of buckets) {
      seen += n;
      if (seen >= q * total) return bucketMs(b);
    }
    return NaN;
  });
}

/** utime + stime of all a process's threads, in clock ticks (USER_HZ = 100 on Linux). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
}

export const TICKS_PER_SECOND = 100;

/**
 * The kernel's UDP receive errors, machine-wide (/proc/net/snmp: InErrors, which includes
 * RcvbufErrors): a datagram dropped because a socket's buffer was full — a receiver that ran late
 * — counts here, whichever process it was for.
 */
export function udpReceiveErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  return Number(values[names.indexOf('InErrors')]);
}
