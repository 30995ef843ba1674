import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildNack,
  buildPli,
  buildReceiverReport,
  buildRemb,
  buildRtp,
  findExtension,
  hasFeedback,
  isRtcp,
  parseFeedback,
  parseRemb,
  parseRtp,
  readAudioLevel,
  readSenderReport,
  senderInfoOnly,
  seqDiff,
  splitRtcp,
  unwrapRtx,
} from './rtp';

describe('RTP', () => {
  it('builds and parses a header with a one-byte extension', () => {
    const p = buildRtp({
      payloadType: 111,
      sequenceNumber: 65535,
      timestamp: 0xfffffff0,
      ssrc: 0xdeadbeef,
      marker: true,
      payload: Buffer.from('hello'),
      extensions: [{ id: 1, value: Buffer.from([0x80 | 42]) }],
    });
    const h = parseRtp(p)!;
    expect(h).toMatchObject({
      payloadType: 111,
      marker: true,
      sequenceNumber: 65535,
      timestamp: 0xfffffff0,
      ssrc: 0xdeadbeef,
    });
    expect(p.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength).toString()).toBe('hello');
    expect(readAudioLevel(p, 1)).toBe(42);
    expect(readAudioLevel(p, 2)).toBe(-1);
    expect(isRtcp(p)).toBe(false);
  });

  it('reads the audio level from a two-byte extension block', () => {
    const p = buildRtp({
      payloadType: 111,
      sequenceNumber: 1,
      timestamp: 1,
      ssrc: 1,
      payload: Buffer.alloc(4),
    });
    const ext = Buffer.from([0x10, 0x00, 0x00, 0x01, 0x05, 0x01, 0x80 | 17, 0x00]);
    const withExt = Buffer.concat([p.subarray(0, 12), ext, p.subarray(12)]);
    withExt[0] = withExt[0]! | 0x10;
    expect(findExtension(withExt, 5)).toEqual({ offset: 18, length: 1 });
    expect(readAudioLevel(withExt, 5)).toBe(17);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.integer({ min: 1, max: 14 }),
        (bytes, id) => {
          const b = Buffer.from(bytes);
          parseRtp(b);
          readAudioLevel(b, id);
          parseFeedback(b);
          splitRtcp(b);
          parseRemb(b);
          readSenderReport(b);
        },
      ),
    );
  });

  it('compares sequence numbers across the wrap', () => {
    expect(seqDiff(2, 65534)).toBe(4);
    expect(seqDiff(65534, 2)).toBe(-4);
    expect(seqDiff(7, 7)).toBe(0);
  });

  it('un-wraps RTX into the original packet and drops padding-only probes', () => {
    const original = buildRtp({
      payloadType: 96,
      sequenceNumber: 300,
      timestamp: 9,
      ssrc: 10,
      payload: Buffer.from('vp8'),
    });
    const rtx = buildRtp({
      payloadType: 97,
      sequenceNumber: 5,
      timestamp: 9,
      ssrc: 11,
      payload: Buffer.from([0x01, 0x2c, ...Buffer.from('vp8')]),
    });
    expect(unwrapRtx(rtx, 10, 96)).toEqual(original);
    const probe = buildRtp({
      payloadType: 97,
      sequenceNumber: 6,
      timestamp: 9,
      ssrc: 11,
      payload: Buffer.from([0, 0, 0, 4]),
    });
    probe[0] = probe[0]! | 0x20; // padding: the last byte says 4 bytes of padding
    expect(unwrapRtx(probe, 10, 96)).toBeUndefined();
  });
});

describe('RTCP', () => {
  it('builds a PLI that parses back', () => {
    const pli = buildPli(1, 0xabcdef01);
    expect(isRtcp(pli)).toBe(true);
    expect(parseFeedback(pli)).toEqual([{ kind: 'pli', mediaSsrc: 0xabcdef01, seqs: [] }]);
  });

  it('packs NACKs into PID + bitmask entries, across the wrap', () => {
    const seqs = [65534, 65535, 0, 1, 17, 40];
    const nack = buildNack(1, 99, seqs)!;
    // 65534 covers 65535..14 (mask), 17 is 19 past 65534 so it starts a new entry, and so does 40.
    expect(nack.length).toBe(12 + 3 * 4);
    const [fb] = parseFeedback(nack);
    expect(fb?.kind).toBe('nack');
    expect(fb?.mediaSsrc).toBe(99);
    expect(new Set(fb?.seqs)).toEqual(new Set(seqs));
    expect(buildNack(1, 99, [])).toBeUndefined();
  });

  it('round-trips any NACK list', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 60 }),
        (offsets) => {
          const seqs = offsets.map((o) => (65500 + o) & 0xffff);
          const [fb] = parseFeedback(buildNack(1, 2, seqs)!);
          expect(new Set(fb?.seqs)).toEqual(new Set(seqs));
        },
      ),
    );
  });

  it('encodes REMB with exponent and mantissa', () => {
    for (const bps of [0, 250_000, 2_500_000, 123_456_789]) {
      const r = parseRemb(buildRemb(1, bps, [5, 6]))!;
      expect(r.ssrcs).toEqual([5, 6]);
      expect(r.bitsPerSecond).toBeLessThanOrEqual(bps);
      expect(r.bitsPerSecond).toBeGreaterThan(bps * 0.999 - 1);
    }
  });

  it('finds feedback inside a compound packet and FIR targets', () => {
    const fir = Buffer.alloc(20);
    fir[0] = 0x84;
    fir[1] = 206;
    fir.writeUInt16BE(4, 2);
    fir.writeUInt32BE(77, 12);
    const compound = Buffer.concat([buildReceiverReport(1, []), fir, buildPli(1, 5)]);
    expect(splitRtcp(compound).map((p) => p.packetType)).toEqual([201, 206, 206]);
    expect(parseFeedback(compound)).toEqual([
      { kind: 'fir', mediaSsrc: 77, seqs: [] },
      { kind: 'pli', mediaSsrc: 5, seqs: [] },
    ]);
  });

  it('tells cheaply whether a compound packet holds feedback the engine acts on', () => {
    const rrRemb = Buffer.concat([buildReceiverReport(1, []), buildRemb(1, 500_000, [5])]);
    expect(hasFeedback(rrRemb)).toBe(false);
    expect(hasFeedback(Buffer.concat([rrRemb, buildPli(1, 5)]))).toBe(true);
    expect(hasFeedback(Buffer.concat([rrRemb, buildNack(1, 5, [10, 12])!]))).toBe(true);
    // Whatever parseFeedback finds, hasFeedback must not skip (the engine asks it first).
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const b = Buffer.from(bytes);
        if (parseFeedback(b).length > 0) expect(hasFeedback(b)).toBe(true);
      }),
    );
  });

  it('reads audio levels exactly as findExtension locates them', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 60 }),
        fc.integer({ min: 1, max: 14 }),
        (bytes, id) => {
          const b = Buffer.from(bytes);
          const ext = findExtension(b, id);
          const expected = ext === undefined || ext.length < 1 ? -1 : b[ext.offset]! & 0x7f;
          expect(readAudioLevel(b, id)).toBe(expected);
        },
      ),
    );
  });

  it('writes receiver report blocks', () => {
    const rr = buildReceiverReport(9, [
      {
        ssrc: 5,
        fractionLost: 12,
        cumulativeLost: 3,
        extendedHighestSeq: 70000,
        jitter: 0,
        lastSr: 0x11223344,
        delaySinceLastSr: 65536,
      },
    ]);
    expect(rr.length).toBe(32);
    expect(rr.readUInt16BE(2)).toBe(7);
    expect(rr.readUInt32BE(8)).toBe(5);
    expect(rr[12]).toBe(12);
    expect(rr.readUInt32BE(16)).toBe(70000);
    expect(rr.readUInt32BE(24)).toBe(0x11223344);
  });

  it('reads a sender report and strips its report blocks for forwarding', () => {
    const sr = Buffer.alloc(52);
    sr[0] = 0x81;
    sr[1] = 200;
    sr.writeUInt16BE(12, 2);
    sr.writeUInt32BE(1234, 4);
    sr.writeUInt32BE(0xaabbccdd, 8);
    sr.writeUInt32BE(0xeeff0011, 12);
    const info = readSenderReport(sr)!;
    expect(info).toMatchObject({ ssrc: 1234, ntpMiddle: 0xccddeeff });
    const stripped = senderInfoOnly(sr, info.offset);
    expect(stripped.length).toBe(28);
    expect(stripped[0]).toBe(0x80);
    expect(stripped.readUInt16BE(2)).toBe(6);
  });
});
