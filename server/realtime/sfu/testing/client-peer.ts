/**
 * A node-datachannel stand-in for a browser, for the engine's integration tests and the media
 * benchmark: a publish PC that offers one Opus and one VP8 track and sends RTP we build by hand
 * (answering the SFU's NACKs from its own record of sent packets), and a subscribe PC that
 * answers the SFU's offers and records what arrives per forwarded track.
 */
import { createSocket } from 'node:dgram';
import { PeerConnection, Audio, Video, preload, type Track } from 'node-datachannel';
import { buildNack, buildPli, buildRtp, isRtcp, parseFeedback, parseRemb, parseRtp } from '../rtp';

// See createMediaEngine: keep libdatachannel's global resources for the life of the process.
preload();

export const CLIENT_AUDIO_PT = 111;
export const CLIENT_VIDEO_PT = 96;
export const CLIENT_RTX_PT = 97;
export const CLIENT_AUDIO_LEVEL_ID = 1;

/** Per forwarded track (by track id `<peerId>:<source>`): what the subscriber received. */
export interface ReceivedTrack {
  trackId: string;
  mid: string;
  packets: number;
  ssrcs: Set<number>;
  seqs: Set<number>;
  /** Called for every RTP packet (the benchmark measures delay here). */
  lastPacket: Buffer | undefined;
}

function waitGathered(pc: PeerConnection, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const sdp = pc.localDescription()?.sdp ?? '';
      if (pc.gatheringState() === 'complete' && sdp.includes('a=candidate')) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error('ICE gathering timed out'));
      setTimeout(poll, 5);
    };
    poll();
  });
}

/**
 * Drops our ICE candidates from an SDP we hand to the SFU, as a browser's mDNS-named candidates
 * are useless to it: the SFU then learns our address from our own connectivity checks, which we
 * only start once we hold its description. Otherwise the SFU could complete ICE and start DTLS
 * with a client that has no remote fingerprint yet, and libdatachannel fails such a handshake.
 */
function withoutCandidates(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((l) => !l.startsWith('a=candidate:'))
    .join('\r\n');
}

/** mid → msid track id, from an offer's `a=mid` / `a=msid` lines. */
function trackIdsByMid(sdp: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const mid = /\r?\na=mid:(\S+)/.exec(section)?.[1];
    const msid =
      /\r?\na=msid:\S+ (\S+)/.exec(section)?.[1] ?? /a=ssrc:\d+ msid:\S+ (\S+)/.exec(section)?.[1];
    if (mid !== undefined && msid !== undefined) out.set(mid, msid);
  }
  return out;
}

export interface ClientPeerOptions {
  name: string;
  audio?: boolean;
  video?: boolean;
  audioSsrc?: number;
  videoSsrc?: number;
  /** Called for every RTP packet a subscriber track receives. */
  onRtp?: (trackId: string, packet: Buffer) => void;
  /** Skip the per-track bookkeeping in `received` (the benchmark counts for itself). */
  lean?: boolean;
  /**
   * false: subscribed media is received, decrypted and left inside libdatachannel (its queue
   * drops what does not fit), never handed to JavaScript one packet at a time. The benchmark's
   * subscribers that do not measure use this (it sees what reaches them on the wire).
   */
  receiveInJs?: boolean;
}

export class ClientPeer {
  readonly name: string;
  readonly pubPc: PeerConnection;
  private readonly pubTracks: Track[] = [];
  audioTrack: Track | undefined;
  videoTrack: Track | undefined;
  readonly audioSsrc: number;
  readonly videoSsrc: number;
  readonly rtxSsrc: number;
  private rtxSeq = 0;
  private readonly sentVideo = new Map<number, Buffer>();
  /** Feedback the SFU sent to this publisher. */
  readonly feedback = {
    plis: 0,
    nackedSeqs: [] as number[],
    rembs: [] as number[],
    rtcpPackets: 0,
  };
  private videoSeq = 1000;
  private audioSeq = 5000;
  private videoTs = 0;
  private audioTs = 0;

  subPc: PeerConnection | undefined;
  private readonly subTracks: Track[] = [];
  private midToTrackId = new Map<string, string>();
  readonly received = new Map<string, ReceivedTrack>();
  private readonly onRtp: ((trackId: string, packet: Buffer) => void) | undefined;
  private closed = false;

  constructor(private readonly o: ClientPeerOptions) {
    this.name = o.name;
    this.audioSsrc = o.audioSsrc ?? 0x10000000 + Math.floor(Math.random() * 0xfffffff);
    this.videoSsrc = o.videoSsrc ?? 0x20000000 + Math.floor(Math.random() * 0xfffffff);
    this.rtxSsrc = this.videoSsrc + 1;
    this.onRtp = o.onRtp;
    this.pubPc = new PeerConnection(`${o.name}-pub`, { iceServers: [], bindAddress: '127.0.0.1' });
  }

  /** The publish offer and the mid → source map signalling would send along with it. */
  async publishOffer(): Promise<{ sdp: string; sources: Record<string, 'microphone' | 'camera'> }> {
    const sources: Record<string, 'microphone' | 'camera'> = {};
    if (this.o.audio !== false) {
      const a = new Audio('a', 'SendOnly');
      a.addOpusCodec(CLIENT_AUDIO_PT);
      a.addSSRC(this.audioSsrc, this.name, this.name, `${this.name}-mic`);
      a.parseSdpLine(
        `a=extmap:${CLIENT_AUDIO_LEVEL_ID} urn:ietf:params:rtp-hdrext:ssrc-audio-level`,
      );
      this.audioTrack = this.pubPc.addTrack(a);
      this.pubTracks.push(this.audioTrack);
      this.audioTrack.onMessage((b) => this.onPublisherRtcp(b));
      sources.a = 'microphone';
    }
    if (this.o.video !== false) {
      const v = new Video('v', 'SendOnly');
      v.addVP8Codec(CLIENT_VIDEO_PT);
      v.addRTXCodec(CLIENT_RTX_PT, CLIENT_VIDEO_PT, 90000);
      v.addSSRC(this.videoSsrc, this.name, this.name, `${this.name}-cam`);
      v.addSSRC(this.rtxSsrc, this.name, this.name, `${this.name}-cam`);
      v.parseSdpLine(`a=ssrc-group:FID ${this.videoSsrc} ${this.rtxSsrc}`);
      this.videoTrack = this.pubPc.addTrack(v);
      this.pubTracks.push(this.videoTrack);
      this.videoTrack.onMessage((b) => this.onPublisherRtcp(b));
      sources.v = 'camera';
    }
    this.pubPc.setLocalDescription();
    await waitGathered(this.pubPc);
    return { sdp: withoutCandidates(this.pubPc.localDescription()!.sdp), sources };
  }

  acceptPublishAnswer(sdp: string): void {
    this.pubPc.setRemoteDescription(sdp, 'answer');
  }

  publishing(): boolean {
    return this.pubTracks.length > 0 && this.pubTracks.every((t) => t.isOpen());
  }

  private onPublisherRtcp(buf: Buffer): void {
    if (!isRtcp(buf)) return;
    this.feedback.rtcpPackets++;
    const remb = parseRemb(buf);
    if (remb !== undefined) this.feedback.rembs.push(remb.bitsPerSecond);
    for (const fb of parseFeedback(buf)) {
      if (fb.kind === 'pli' || fb.kind === 'fir') this.feedback.plis++;
      if (fb.kind === 'nack' && fb.mediaSsrc === this.videoSsrc) {
        for (const seq of fb.seqs) {
          this.feedback.nackedSeqs.push(seq);
          const p = this.sentVideo.get(seq);
          if (p !== undefined && this.videoTrack?.isOpen())
            this.videoTrack.sendMessageBinary(this.rtx(p));
        }
      }
    }
  }

  /**
   * Wraps a sent packet for retransmission as a browser does (RFC 4588: RTX SSRC and payload
   * type, original sequence number first in the payload). Re-sending the packet itself would be
   * dropped by SRTP replay protection at the SFU, which did decrypt the original.
   */
  private rtx(original: Buffer): Buffer {
    const h = parseRtp(original)!;
    const osn = Buffer.alloc(2);
    osn.writeUInt16BE(h.sequenceNumber);
    return buildRtp({
      payloadType: CLIENT_RTX_PT,
      sequenceNumber: this.rtxSeq++ & 0xffff,
      timestamp: h.timestamp,
      ssrc: this.rtxSsrc,
      marker: h.marker,
      payload: Buffer.concat([osn, original.subarray(h.payloadOffset)]),
    });
  }

  /** Sends one video packet (payload given or a 1000-byte filler); returns its sequence number. */
  sendVideo(payload: Buffer = Buffer.alloc(1000, 7), marker = true): number {
    const seq = this.videoSeq++ & 0xffff;
    const p = buildRtp({
      payloadType: CLIENT_VIDEO_PT,
      sequenceNumber: seq,
      timestamp: this.videoTs,
      ssrc: this.videoSsrc,
      marker,
      payload,
    });
    if (marker) this.videoTs += 3000; // the next packet starts a new frame
    this.sentVideo.set(seq, p);
    if (this.sentVideo.size > 1024)
      this.sentVideo.delete(this.sentVideo.keys().next().value as number);
    if (this.videoTrack?.isOpen()) this.videoTrack.sendMessageBinary(p);
    return seq;
  }

  /** Sends one audio packet with an audio level (0 loud … 127 silent). */
  sendAudio(level: number, payload: Buffer = Buffer.alloc(100, 3)): number {
    const seq = this.audioSeq++ & 0xffff;
    this.audioTs += 960;
    const p = buildRtp({
      payloadType: CLIENT_AUDIO_PT,
      sequenceNumber: seq,
      timestamp: this.audioTs,
      ssrc: this.audioSsrc,
      payload,
      extensions: [{ id: CLIENT_AUDIO_LEVEL_ID, value: Buffer.from([0x80 | (level & 0x7f)]) }],
    });
    if (this.audioTrack?.isOpen()) this.audioTrack.sendMessageBinary(p);
    return seq;
  }

  private pendingCandidates: { candidate: string; mid: string }[] = [];

  /**
   * Answers the SFU's subscriber offer (first or renegotiation); returns the answer. The offer's
   * candidates are held back until `startSubscriberIce()`, called once the SFU has applied the
   * answer: libdatachannel 0.24 fails a DTLS handshake whose ClientHello arrives while it is still
   * applying the answer (see docs/benchmarks.md, Media).
   */
  async answerSubscriberOffer(offer: string): Promise<string> {
    const ufrag = (sdp: string | undefined) => /\r?\na=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1];
    const current = ufrag(this.subPc?.remoteDescription()?.sdp);
    if (this.subPc !== undefined && current !== undefined && current !== ufrag(offer)) {
      // The SFU replaced our subscriber connection (new ICE and DTLS): a fresh PC takes it, as
      // the browser client does.
      for (const t of this.subTracks.splice(0)) t.close();
      this.subPc.close();
      this.subPc = undefined;
    }
    if (this.subPc === undefined) {
      const pc = new PeerConnection(`${this.name}-sub`, {
        iceServers: [],
        bindAddress: '127.0.0.1',
      });
      this.subPc = pc;
      pc.onTrack((track) => {
        this.subTracks.push(track);
        if (this.o.receiveInJs === false) return;
        const mid = track.mid();
        track.onMessage((buf) => this.onSubscriberPacket(mid, buf));
      });
    }
    this.midToTrackId = new Map([...this.midToTrackId, ...trackIdsByMid(offer)]);
    const lines = offer.split('\r\n');
    let mid = '';
    this.pendingCandidates = [];
    for (const l of lines) {
      if (l.startsWith('a=mid:')) mid = l.slice(6);
      if (l.startsWith('a=candidate:')) this.pendingCandidates.push({ candidate: l.slice(2), mid });
    }
    this.subPc.setRemoteDescription(
      lines.filter((l) => !l.startsWith('a=candidate:')).join('\r\n'),
      'offer',
    );
    await waitGathered(this.subPc);
    return withoutCandidates(this.subPc.localDescription()!.sdp);
  }

  /**
   * Closes the subscriber PC as a browser does when it went `failed`: what arrives next is taken
   * on a fresh PC (the test then asks the SFU for a fresh subscription).
   */
  closeSubscriber(): void {
    for (const t of this.subTracks.splice(0)) t.close();
    this.subPc?.close();
    this.subPc = undefined;
    this.pendingCandidates = [];
  }

  /** Lets the subscriber PC's ICE start (after the SFU accepted our answer). */
  startSubscriberIce(): void {
    for (const c of this.pendingCandidates.splice(0))
      this.subPc?.addRemoteCandidate(c.candidate, c.mid);
  }

  private onSubscriberPacket(mid: string, buf: Buffer): void {
    if (this.closed || isRtcp(buf)) return;
    if (this.o.lean === true) {
      this.onRtp?.(this.midToTrackId.get(mid) ?? `mid:${mid}`, buf);
      return;
    }
    const h = parseRtp(buf);
    if (h === undefined) return;
    const trackId = this.midToTrackId.get(mid) ?? `mid:${mid}`;
    let r = this.received.get(trackId);
    if (r === undefined) {
      r = { trackId, mid, packets: 0, ssrcs: new Set(), seqs: new Set(), lastPacket: undefined };
      this.received.set(trackId, r);
    }
    r.packets++;
    r.ssrcs.add(h.ssrc);
    r.seqs.add(h.sequenceNumber);
    r.lastPacket = buf;
    this.onRtp?.(trackId, buf);
  }

  /** The subscriber's track for a forwarded track id, once it exists. */
  private subTrack(trackId: string): Track | undefined {
    for (const [mid, id] of this.midToTrackId) {
      if (id === trackId) return this.subTracks.find((t) => t.mid() === mid);
    }
    return undefined;
  }

  /** Sends a NACK for `seqs` of a forwarded track, as a browser would on loss. */
  sendNack(trackId: string, mediaSsrc: number, seqs: number[]): boolean {
    const t = this.subTrack(trackId);
    const nack = buildNack(0x1234, mediaSsrc, seqs);
    return t !== undefined && nack !== undefined && t.sendMessageBinary(nack);
  }

  /** Sends a PLI for a forwarded track. */
  sendPli(trackId: string, mediaSsrc: number): boolean {
    const t = this.subTrack(trackId);
    return t !== undefined && t.sendMessageBinary(buildPli(0x1234, mediaSsrc));
  }

  close(): void {
    this.closed = true;
    this.pubPc.close();
    this.subPc?.close();
  }
}

/** Polls `cond` every 10 ms until it holds; rejects after `timeoutMs` naming what was awaited. */
export async function waitFor(
  cond: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const started = Date.now();
  while (!cond()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A UDP socket on `address` (IPv4) that counts the STUN binding requests reaching it: a host and
 * port a participant might name in an ICE candidate, to see whether the media server checks it.
 */
export async function stunTrap(address: string) {
  const sock = createSocket('udp4');
  let requests = 0;
  sock.on('message', (m) => {
    // Binding request (type 0x0001) with the magic cookie (RFC 5389).
    if (m.length >= 20 && m.readUInt16BE(0) === 0x0001 && m.readUInt32BE(4) === 0x2112a442)
      requests++;
  });
  await new Promise<void>((resolve) => sock.bind(0, address, resolve));
  const { port } = sock.address();
  return {
    port,
    /** A host candidate line (without `a=`) for this socket. */
    candidate: (priority: number) =>
      `candidate:${port} 1 UDP ${priority} ${address} ${port} typ host`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}

/** Puts `a=<candidate>` lines into the first m-line of an SDP (after its `a=mid`). */
export function withCandidates(sdp: string, candidates: string[]): string {
  const lines = sdp.split('\r\n');
  const at = lines.findIndex((l) => l.startsWith('a=mid:'));
  lines.splice(at + 1, 0, ...candidates.map((c) => `a=${c}`));
  return lines.join('\r\n');
}
