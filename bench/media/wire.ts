/**
 * The SFU's own forwarding delay, read off the wire: tcpdump captures the first bytes of every
 * UDP packet to and from the SFU's media port on the loopback interface, with kernel
 * timestamps, and each packet the SFU sends is matched with the packet it came from by its RTP
 * SSRC and sequence number (SRTP leaves the RTP header in the clear, and our engine forwards it
 * unchanged). A packet's delay is the time from the publisher's packet reaching the SFU's socket
 * to the SFU's copy leaving for one subscriber: the SFU's receive queue, SRTP decryption, the
 * forwarding code and SRTP encryption, for every copy — and nothing of the clients' own delays,
 * which the subscribers' one-way measurement includes.
 *
 * Needs tcpdump (Debian package `tcpdump`) and the right to capture (root). Only for an SFU that
 * keeps SSRCs and sequence numbers (ours); Janus rewrites both for each subscriber.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bucketOf, quantiles } from './stats';

export interface WireResult {
  /** Forwarded RTP packets matched with their incoming packet. */
  matched: number;
  /** Forwarded RTP packets whose incoming packet was not in the capture (window edges). */
  unmatched: number;
  p50: number;
  p99: number;
  max: number;
  /** Packets the kernel dropped from the capture (tcpdump's own count). */
  droppedByKernel: number;
  /**
   * Destinations (client ports) the SFU sent forwarded RTP to, and of those, how many got at
   * least half the median destination's count: every subscriber connection has its own port.
   */
  destinations: number;
  receivers: number;
}

export interface WireCapture {
  stop: () => Promise<WireResult>;
}

/** Why the wire capture cannot run here, or undefined when it can. */
export function wireUnavailable(): string | undefined {
  const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  if (r.error !== undefined) return 'tcpdump is not installed (apt-get install -y tcpdump)';
  if (process.getuid?.() !== 0) return 'capturing on the loopback interface needs root';
  return undefined;
}

const SNAPLEN = 60; // Ethernet 14 + IPv4 20 + UDP 8 + the 12-byte RTP header, and a little more

/**
 * Starts capturing UDP to and from `port` on lo. Resolves once tcpdump is listening. `cores`
 * is a taskset list; the capture runs at nice 10, like the clients, and the kernel stamps each
 * packet as it passes the interface, so a capture process that runs late changes no delay.
 */
export async function startWireCapture(port: number, cores: string): Promise<WireCapture> {
  const dir = mkdtempSync(join(tmpdir(), 'commonhall-wire-'));
  const file = join(dir, 'capture.pcap');
  const child: ChildProcess = spawn(
    'nice',
    [
      '-n',
      '10',
      'taskset',
      '-c',
      cores,
      'tcpdump',
      '-i',
      'lo',
      '-n',
      '-s',
      String(SNAPLEN),
      '-B',
      String(256 * 1024), // KiB: a large kernel buffer, so a late tcpdump drops nothing
      '-w',
      file,
      'udp',
      'port',
      String(port),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const started = await new Promise<boolean>((resolve) => {
    const t = setInterval(() => {
      if (stderr.includes('listening on')) {
        clearInterval(t);
        resolve(true);
      }
    }, 20);
    child.once('exit', () => {
      clearInterval(t);
      resolve(false);
    });
  });
  if (!started) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`tcpdump did not start: ${stderr.trim()}`);
  }
  return {
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await exited;
      const dropped = /(\d+) packets? dropped by kernel/.exec(stderr);
      try {
        return { ...analyse(readFileSync(file), port), droppedByKernel: Number(dropped?.[1] ?? 0) };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Reads a pcap file (Ethernet link type, as Linux's lo has) and matches forwarded packets. */
export function analyse(pcap: Buffer, port: number): Omit<WireResult, 'droppedByKernel'> {
  const magic = pcap.readUInt32LE(0);
  const nano = magic === 0xa1b23c4d;
  if (magic !== 0xa1b2c3d4 && !nano) throw new Error('not a little-endian pcap file');
  if (pcap.readUInt32LE(20) !== 1) throw new Error('expected an Ethernet capture (lo)');
  const fraction = nano ? 1e-6 : 1e-3; // sub-second field → ms
  const arrived = new Map<number, number>(); // ssrc·65536 + seq → ms
  const histogram: Record<number, number> = {};
  const perDestination = new Map<number, number>();
  let matched = 0;
  let unmatched = 0;
  let max = 0;
  for (let off = 24; off + 16 <= pcap.length;) {
    const ms = pcap.readUInt32LE(off) * 1000 + pcap.readUInt32LE(off + 4) * fraction;
    const captured = pcap.readUInt32LE(off + 8);
    const frame = off + 16;
    off = frame + captured;
    if (captured < 14 + 20 + 8 + 12) continue;
    if (pcap.readUInt16BE(frame + 12) !== 0x0800) continue; // IPv4 only: the bench binds 127.0.0.1
    const ip = frame + 14;
    const udp = ip + (pcap[ip]! & 0x0f) * 4;
    if (pcap[ip + 9] !== 17 || udp + 8 + 12 > frame + captured) continue;
    const rtp = udp + 8;
    const b0 = pcap[rtp]!;
    const b1 = pcap[rtp + 1]!;
    if (b0 < 128 || b0 > 191 || (b1 >= 192 && b1 <= 223)) continue; // STUN, DTLS or RTCP
    const key = pcap.readUInt32BE(rtp + 8) * 65536 + pcap.readUInt16BE(rtp + 2);
    if (pcap.readUInt16BE(udp + 2) === port) {
      if (!arrived.has(key)) arrived.set(key, ms); // a retransmission keeps the first arrival
    } else if (pcap.readUInt16BE(udp) === port) {
      const to = pcap.readUInt16BE(udp + 2);
      perDestination.set(to, (perDestination.get(to) ?? 0) + 1);
      const t = arrived.get(key);
      if (t === undefined) {
        unmatched++;
        continue;
      }
      const d = ms - t;
      matched++;
      if (d > max) max = d;
      const b = bucketOf(d);
      histogram[b] = (histogram[b] ?? 0) + 1;
    }
  }
  const [p50, p99] = quantiles([histogram], [0.5, 0.99]);
  const counts = [...perDestination.values()].sort((a, b) => a - b);
  const median = counts[Math.floor(counts.length / 2)] ?? 0;
  return {
    matched,
    unmatched,
    p50: p50 ?? NaN,
    p99: p99 ?? NaN,
    max,
    destinations: counts.length,
    receivers: counts.filter((c) => c >= median / 2).length,
  };
}
