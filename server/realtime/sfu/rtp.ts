/**
 * RTP and RTCP glue the engine writes itself (libdatachannel forwards raw packets and generates
 * no NACKs, REMB caps or receiver reports that we can combine with our own feedback). Pure
 * functions over Buffers; the forwarding path reads headers in place and never copies unless it
 * must change a byte.
 */

/** RTCP packet types (RFC 3550, 4585, 5104). */
export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const RTCP_RTPFB = 205;
export const RTCP_PSFB = 206;

/** The one-byte-header extension URI whose value is the audio level (RFC 6464). */
export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/** True for RTCP (payload-type byte 192..223, RFC 5761 demultiplexing). */
export function isRtcp(buf: Buffer): boolean {
  if (buf.length < 8) return false;
  const b = buf[1]!;
  return b >= 192 && b <= 223;
}

/** Signed distance a − b between two 16-bit sequence numbers (positive: a is newer). */
export function seqDiff(a: number, b: number): number {
  return ((a - b + 0x8000) & 0xffff) - 0x8000;
}

export interface RtpHeader {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  /** Offset of the payload (after CSRCs and header extensions). */
  payloadOffset: number;
  /** Payload length without padding. */
  payloadLength: number;
  padding: boolean;
  /** Offset and length of the extension block's data, or -1. */
  extensionOffset: number;
  extensionLength: number;
  /** 0xBEDE (one-byte) or 0x100x (two-byte) profile, or 0. */
  extensionProfile: number;
}

/** Parses an RTP header; undefined when the buffer is not a plausible RTP packet. */
export function parseRtp(buf: Buffer): RtpHeader | undefined {
  if (buf.length < 12 || buf[0]! >> 6 !== 2) return undefined;
  const b0 = buf[0]!;
  const cc = b0 & 0x0f;
  let off = 12 + cc * 4;
  let extensionOffset = -1;
  let extensionLength = 0;
  let extensionProfile = 0;
  if (b0 & 0x10) {
    if (buf.length < off + 4) return undefined;
    extensionProfile = buf.readUInt16BE(off);
    extensionLength = buf.readUInt16BE(off + 2) * 4;
    extensionOffset = off + 4;
    off += 4 + extensionLength;
  }
  if (off > buf.length) return undefined;
  let end = buf.length;
  const padding = (b0 & 0x20) !== 0;
  if (padding) {
    const pad = buf[buf.length - 1]!;
    if (pad === 0 || end - pad < off) return undefined;
    end -= pad;
  }
  return {
    payloadType: buf[1]! & 0x7f,
    marker: (buf[1]! & 0x80) !== 0,
    sequenceNumber: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payloadOffset: off,
    payloadLength: end - off,
    padding,
    extensionOffset,
    extensionLength,
    extensionProfile,
  };
}

/**
 * Finds header extension `id` in a packet and returns the offset and length of its value,
 * or undefined. Handles one-byte (RFC 8285 §4.2) and two-byte (§4.3) forms.
 */
export function findExtension(
  buf: Buffer,
  id: number,
): { offset: number; length: number } | undefined {
  const b0 = buf[0];
  if (b0 === undefined || !(b0 & 0x10) || buf.length < 12) return undefined;
  const start = 12 + (b0 & 0x0f) * 4;
  if (buf.length < start + 4) return undefined;
  const profile = buf.readUInt16BE(start);
  const end = start + 4 + buf.readUInt16BE(start + 2) * 4;
  if (end > buf.length) return undefined;
  let p = start + 4;
  if (profile === 0xbede) {
    while (p < end) {
      const h = buf[p]!;
      if (h === 0) {
        p += 1; // padding
        continue;
      }
      const extId = h >> 4;
      const len = (h & 0x0f) + 1;
      if (extId === 15) return undefined;
      if (extId === id) return p + 1 + len <= end ? { offset: p + 1, length: len } : undefined;
      p += 1 + len;
    }
    return undefined;
  }
  if ((profile & 0xfff0) === 0x1000) {
    while (p + 1 < end) {
      const extId = buf[p]!;
      if (extId === 0) {
        p += 1;
        continue;
      }
      const len = buf[p + 1]!;
      if (extId === id) return p + 2 + len <= end ? { offset: p + 2, length: len } : undefined;
      p += 2 + len;
    }
  }
  return undefined;
}

/**
 * The audio level (RFC 6464) of a packet: 0 (loudest) … 127 (silence) in −dBov, or -1 when the
 * packet carries no such extension.
 */
export function readAudioLevel(buf: Buffer, id: number): number {
  // Same walk as findExtension, without allocating: this runs for every audio packet.
  const b0 = buf[0];
  if (b0 === undefined || !(b0 & 0x10) || buf.length < 12) return -1;
  const start = 12 + (b0 & 0x0f) * 4;
  if (buf.length < start + 4) return -1;
  const end = start + 4 + ((buf[start + 2]! << 8) | buf[start + 3]!) * 4;
  if (end > buf.length) return -1;
  let p = start + 4;
  if (buf[start] === 0xbe && buf[start + 1] === 0xde) {
    while (p < end) {
      const h = buf[p]!;
      if (h === 0) {
        p += 1;
        continue;
      }
      const extId = h >> 4;
      const len = (h & 0x0f) + 1;
      if (extId === 15) return -1;
      if (extId === id) return p + 1 + len <= end ? buf[p + 1]! & 0x7f : -1;
      p += 1 + len;
    }
    return -1;
  }
  if (buf[start] === 0x10 && (buf[start + 1]! & 0xf0) === 0) {
    while (p + 1 < end) {
      const extId = buf[p]!;
      if (extId === 0) {
        p += 1;
        continue;
      }
      const len = buf[p + 1]!;
      if (extId === id) return len >= 1 && p + 2 + len <= end ? buf[p + 2]! & 0x7f : -1;
      p += 2 + len;
    }
  }
  return -1;
}

/** Builds a minimal RTP packet (tests and the benchmark's synthetic clients). */
export function buildRtp(p: {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  payload: Buffer;
  /** One-byte-form extensions (RFC 8285), id 1..14 with 1..16 byte values. */
  extensions?: { id: number; value: Buffer }[];
}): Buffer {
  let extBytes = 0;
  const exts = p.extensions ?? [];
  for (const e of exts) extBytes += 1 + e.value.length;
  const extWords = Math.ceil(extBytes / 4);
  const headerLen = 12 + (exts.length > 0 ? 4 + extWords * 4 : 0);
  const buf = Buffer.alloc(headerLen + p.payload.length);
  buf[0] = 0x80 | (exts.length > 0 ? 0x10 : 0);
  buf[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  buf.writeUInt16BE(p.sequenceNumber & 0xffff, 2);
  buf.writeUInt32BE(p.timestamp >>> 0, 4);
  buf.writeUInt32BE(p.ssrc >>> 0, 8);
  if (exts.length > 0) {
    buf.writeUInt16BE(0xbede, 12);
    buf.writeUInt16BE(extWords, 14);
    let o = 16;
    for (const e of exts) {
      buf[o] = ((e.id & 0x0f) << 4) | ((e.value.length - 1) & 0x0f);
      e.value.copy(buf, o + 1);
      o += 1 + e.value.length;
    }
  }
  p.payload.copy(buf, headerLen);
  return buf;
}

/**
 * Un-wraps an RTX packet (RFC 4588): the original sequence number is the first two payload
 * bytes. Returns the original packet (new buffer, primary SSRC and payload type) or undefined
 * for padding-only RTX packets (bandwidth probes).
 */
export function unwrapRtx(buf: Buffer, primarySsrc: number, primaryPt: number): Buffer | undefined {
  const h = parseRtp(buf);
  if (h === undefined || h.payloadLength < 2) return undefined;
  const osn = buf.readUInt16BE(h.payloadOffset);
  const payloadStart = h.payloadOffset + 2;
  const payloadEnd = h.payloadOffset + h.payloadLength;
  const out = Buffer.allocUnsafe(h.payloadOffset + (payloadEnd - payloadStart));
  buf.copy(out, 0, 0, h.payloadOffset);
  buf.copy(out, h.payloadOffset, payloadStart, payloadEnd);
  out[0] = out[0]! & ~0x20; // padding removed
  out[1] = (out[1]! & 0x80) | (primaryPt & 0x7f);
  out.writeUInt16BE(osn, 2);
  out.writeUInt32BE(primarySsrc >>> 0, 8);
  return out;
}

/** One RTCP packet inside a compound packet. */
export interface RtcpPacket {
  packetType: number;
  /** Report count or feedback message type (FMT). */
  count: number;
  offset: number;
  length: number;
}

/** Splits a compound RTCP packet; stops at the first malformed header. */
export function splitRtcp(buf: Buffer): RtcpPacket[] {
  const out: RtcpPacket[] = [];
  let o = 0;
  while (o + 4 <= buf.length) {
    if (buf[o]! >> 6 !== 2) break;
    const length = (buf.readUInt16BE(o + 2) + 1) * 4;
    if (o + length > buf.length) break;
    out.push({ packetType: buf[o + 1]!, count: buf[o]! & 0x1f, offset: o, length });
    o += length;
  }
  return out;
}

/** What a subscriber's RTCP asks of the SFU. */
export interface FeedbackRequest {
  kind: 'pli' | 'fir' | 'nack';
  mediaSsrc: number;
  /** Lost sequence numbers (NACK only). */
  seqs: number[];
}

/**
 * True if a compound RTCP packet holds a PLI, FIR or generic NACK (what parseFeedback extracts).
 * Allocation-free: most subscriber RTCP is receiver reports and REMB, which the engine ignores.
 */
export function hasFeedback(buf: Buffer): boolean {
  let o = 0;
  while (o + 4 <= buf.length) {
    const b0 = buf[o]!;
    if (b0 >> 6 !== 2) return false;
    const length = (((buf[o + 2]! << 8) | buf[o + 3]!) + 1) * 4;
    if (o + length > buf.length) return false;
    const pt = buf[o + 1]!;
    const fmt = b0 & 0x1f;
    if (
      length >= 12 &&
      ((pt === RTCP_PSFB && (fmt === 1 || fmt === 4)) || (pt === RTCP_RTPFB && fmt === 1))
    )
      return true;
    o += length;
  }
  return false;
}

/** Extracts PLI, FIR and generic NACK requests from a compound RTCP packet. */
export function parseFeedback(buf: Buffer): FeedbackRequest[] {
  const out: FeedbackRequest[] = [];
  for (const p of splitRtcp(buf)) {
    if (p.length < 12) continue;
    const mediaSsrc = buf.readUInt32BE(p.offset + 8);
    if (p.packetType === RTCP_PSFB && p.count === 1) {
      out.push({ kind: 'pli', mediaSsrc, seqs: [] });
    } else if (p.packetType === RTCP_PSFB && p.count === 4) {
      // FIR: the target SSRC is in each 8-byte FCI entry, the header's media SSRC is 0.
      for (let f = p.offset + 12; f + 8 <= p.offset + p.length; f += 8) {
        out.push({ kind: 'fir', mediaSsrc: buf.readUInt32BE(f), seqs: [] });
      }
    } else if (p.packetType === RTCP_RTPFB && p.count === 1) {
      const seqs: number[] = [];
      for (let f = p.offset + 12; f + 4 <= p.offset + p.length; f += 4) {
        const pid = buf.readUInt16BE(f);
        const blp = buf.readUInt16BE(f + 2);
        seqs.push(pid);
        for (let i = 0; i < 16; i++) if (blp & (1 << i)) seqs.push((pid + i + 1) & 0xffff);
      }
      out.push({ kind: 'nack', mediaSsrc, seqs });
    }
  }
  return out;
}

/** A Picture Loss Indication (RFC 4585 §6.3.1). */
export function buildPli(senderSsrc: number, mediaSsrc: number): Buffer {
  const b = Buffer.alloc(12);
  b[0] = 0x81;
  b[1] = RTCP_PSFB;
  b.writeUInt16BE(2, 2);
  b.writeUInt32BE(senderSsrc >>> 0, 4);
  b.writeUInt32BE(mediaSsrc >>> 0, 8);
  return b;
}

/**
 * A generic NACK (RFC 4585 §6.2.1) for the given sequence numbers, packed into PID+BLP entries.
 * Returns undefined for an empty list.
 */
export function buildNack(
  senderSsrc: number,
  mediaSsrc: number,
  seqs: readonly number[],
): Buffer | undefined {
  if (seqs.length === 0) return undefined;
  const sorted = [...new Set(seqs.map((s) => s & 0xffff))].sort((a, b) => seqDiff(a, b));
  const fci: number[] = [];
  let i = 0;
  while (i < sorted.length) {
    const pid = sorted[i]!;
    let blp = 0;
    i++;
    while (i < sorted.length) {
      const d = seqDiff(sorted[i]!, pid);
      if (d < 1 || d > 16) break;
      blp |= 1 << (d - 1);
      i++;
    }
    fci.push(pid, blp);
  }
  const entries = fci.length / 2;
  const b = Buffer.alloc(12 + entries * 4);
  b[0] = 0x81;
  b[1] = RTCP_RTPFB;
  b.writeUInt16BE(2 + entries, 2);
  b.writeUInt32BE(senderSsrc >>> 0, 4);
  b.writeUInt32BE(mediaSsrc >>> 0, 8);
  for (let e = 0; e < entries; e++) {
    b.writeUInt16BE(fci[e * 2]!, 12 + e * 4);
    b.writeUInt16BE(fci[e * 2 + 1]!, 14 + e * 4);
  }
  return b;
}

/** Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb) for the given SSRCs. */
export function buildRemb(
  senderSsrc: number,
  bitsPerSecond: number,
  ssrcs: readonly number[],
): Buffer {
  let mantissa = Math.max(0, Math.floor(bitsPerSecond));
  let exp = 0;
  while (mantissa > 0x3ffff) {
    mantissa = Math.floor(mantissa / 2);
    exp++;
  }
  const b = Buffer.alloc(20 + ssrcs.length * 4);
  b[0] = 0x8f; // V=2, FMT=15
  b[1] = RTCP_PSFB;
  b.writeUInt16BE(b.length / 4 - 1, 2);
  b.writeUInt32BE(senderSsrc >>> 0, 4);
  b.writeUInt32BE(0, 8);
  b.write('REMB', 12, 'ascii');
  b[16] = ssrcs.length;
  b[17] = (exp << 2) | ((mantissa >> 16) & 0x03);
  b.writeUInt16BE(mantissa & 0xffff, 18);
  ssrcs.forEach((s, i) => b.writeUInt32BE(s >>> 0, 20 + i * 4));
  return b;
}

/** Reads the bitrate from a REMB packet, or undefined if `buf` holds none. */
export function parseRemb(buf: Buffer): { bitsPerSecond: number; ssrcs: number[] } | undefined {
  for (const p of splitRtcp(buf)) {
    if (p.packetType !== RTCP_PSFB || p.count !== 15 || p.length < 20) continue;
    const o = p.offset;
    if (buf.toString('ascii', o + 12, o + 16) !== 'REMB') continue;
    const n = buf[o + 16]!;
    const exp = buf[o + 17]! >> 2;
    const mantissa = ((buf[o + 17]! & 0x03) << 16) | buf.readUInt16BE(o + 18);
    const ssrcs: number[] = [];
    for (let i = 0; i < n && o + 24 + i * 4 <= o + p.length; i++)
      ssrcs.push(buf.readUInt32BE(o + 20 + i * 4));
    return { bitsPerSecond: mantissa * 2 ** exp, ssrcs };
  }
  return undefined;
}

/** One report block of a receiver report (RFC 3550 §6.4.1). */
export interface ReportBlock {
  ssrc: number;
  fractionLost: number;
  cumulativeLost: number;
  extendedHighestSeq: number;
  jitter: number;
  lastSr: number;
  delaySinceLastSr: number;
}

/** A receiver report with one block per reported SSRC. */
export function buildReceiverReport(senderSsrc: number, blocks: readonly ReportBlock[]): Buffer {
  const b = Buffer.alloc(8 + blocks.length * 24);
  b[0] = 0x80 | (blocks.length & 0x1f);
  b[1] = RTCP_RR;
  b.writeUInt16BE(b.length / 4 - 1, 2);
  b.writeUInt32BE(senderSsrc >>> 0, 4);
  blocks.forEach((r, i) => {
    const o = 8 + i * 24;
    b.writeUInt32BE(r.ssrc >>> 0, o);
    const lost = Math.max(-0x800000, Math.min(0x7fffff, r.cumulativeLost)) & 0xffffff;
    b.writeUInt32BE(((r.fractionLost & 0xff) << 24) | lost, o + 4);
    b.writeUInt32BE(r.extendedHighestSeq >>> 0, o + 8);
    b.writeUInt32BE(r.jitter >>> 0, o + 12);
    b.writeUInt32BE(r.lastSr >>> 0, o + 16);
    b.writeUInt32BE(r.delaySinceLastSr >>> 0, o + 20);
  });
  return b;
}

/** The middle 32 bits of a sender report's NTP time (for LSR) and its SSRC, if `buf` has an SR. */
export function readSenderReport(
  buf: Buffer,
): { ssrc: number; ntpMiddle: number; offset: number; length: number } | undefined {
  for (const p of splitRtcp(buf)) {
    if (p.packetType !== RTCP_SR || p.length < 28) continue;
    const o = p.offset;
    return {
      ssrc: buf.readUInt32BE(o + 4),
      ntpMiddle: ((buf.readUInt16BE(o + 10) << 16) | buf.readUInt16BE(o + 12)) >>> 0,
      offset: o,
      length: p.length,
    };
  }
  return undefined;
}

/** A sender report stripped of its report blocks (to forward the publisher's timing downstream). */
export function senderInfoOnly(buf: Buffer, offset: number): Buffer {
  const b = Buffer.from(buf.subarray(offset, offset + 28));
  b[0] = 0x80;
  b.writeUInt16BE(6, 2);
  return b;
}
