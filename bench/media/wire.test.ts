import { describe, expect, it } from 'vitest';
import { analyse } from './wire';

const SFU = 40000;

/** One captured frame: Ethernet + IPv4 + UDP + the first bytes of the payload. */
function frame(ms: number, from: number, to: number, payload: Buffer): Buffer {
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip[9] = 17;
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(from, 0);
  udp.writeUInt16BE(to, 2);
  const data = Buffer.concat([eth, ip, udp, payload]).subarray(0, 60);
  const header = Buffer.alloc(16);
  header.writeUInt32LE(Math.floor(ms / 1000), 0);
  header.writeUInt32LE(Math.round((ms % 1000) * 1000), 4); // microseconds
  header.writeUInt32LE(data.length, 8);
  header.writeUInt32LE(1000, 12);
  return Buffer.concat([header, data]);
}

function rtp(ssrc: number, seq: number, pt = 96): Buffer {
  const b = Buffer.alloc(1000);
  b[0] = 0x80;
  b[1] = pt;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

function pcap(frames: Buffer[]): Buffer {
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0);
  g.writeUInt16LE(2, 4);
  g.writeUInt16LE(4, 6);
  g.writeUInt32LE(60, 16);
  g.writeUInt32LE(1, 20); // Ethernet
  return Buffer.concat([g, ...frames]);
}

describe('wire capture analysis', () => {
  it('matches each forwarded copy with the packet it came from, by SSRC and sequence', () => {
    const t = 1_700_000_000_000;
    const r = analyse(
      pcap([
        frame(t, 50001, SFU, rtp(7, 100)), // publisher → SFU
        frame(t + 0.5, SFU, 50002, rtp(7, 100)), // copy to subscriber A after 0.5 ms
        frame(t + 2, SFU, 50003, rtp(7, 100)), // copy to subscriber B after 2 ms
        frame(t + 3, 50001, SFU, rtp(7, 101)),
        frame(t + 3.25, SFU, 50002, rtp(7, 101)),
        frame(t + 3.5, SFU, 50003, rtp(7, 101)),
        frame(t + 4, SFU, 50003, rtp(9, 5)), // its incoming packet is not in the capture
        frame(t + 5, SFU, 50002, Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 7, 0, 0, 0, 0])), // RTCP
        frame(t + 6, SFU, 50002, Buffer.from([0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0])), // STUN
        frame(t + 7, 50009, 50010, rtp(7, 102)), // not the SFU's port
      ]),
      SFU,
    );
    expect(r.matched).toBe(4);
    expect(r.unmatched).toBe(1);
    expect(r.max).toBeCloseTo(2, 3);
    expect(r.p50).toBeGreaterThanOrEqual(0.5);
    expect(r.p50).toBeLessThanOrEqual(0.55);
    expect(r.p99).toBeGreaterThanOrEqual(2);
    expect(r.p99).toBeLessThanOrEqual(2.05);
    expect(r.destinations).toBe(2);
    expect(r.receivers).toBe(2);
  });

  it('counts a destination that got far less than the others as not receiving', () => {
    const t = 1_700_000_000_000;
    const frames = [];
    for (let i = 0; i < 10; i++) {
      frames.push(frame(t + i, 50001, SFU, rtp(7, i)));
      frames.push(frame(t + i + 0.1, SFU, 50002, rtp(7, i)));
      frames.push(frame(t + i + 0.1, SFU, 50003, rtp(7, i)));
      if (i === 0) frames.push(frame(t + i + 0.1, SFU, 50004, rtp(7, i)));
    }
    const r = analyse(pcap(frames), SFU);
    expect(r.destinations).toBe(3);
    expect(r.receivers).toBe(2);
  });

  it('refuses a file that is not a pcap capture', () => {
    expect(() => analyse(Buffer.alloc(24), SFU)).toThrow(/pcap/);
  });
});
