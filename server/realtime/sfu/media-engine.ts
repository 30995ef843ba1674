/**
 * The SFU on node-datachannel: one UDP port (ICE mux) for every peer connection; per peer a
 * publish PC (the browser offers, we answer) and a subscribe PC (we offer every forwarded track).
 * Packets are forwarded unchanged (publisher SSRC, sequence numbers and timestamps preserved), so
 * a subscriber's NACK names the publisher's sequence number and is answered from one history per
 * published track. The engine writes its own RTCP to publishers (RR, REMB, PLI, NACK): a media
 * handler on a receive-only track would make libdatachannel drop hand-built RTCP.
 */
import { createSocket } from 'node:dgram';
import type { BlockList } from 'node:net';
import {
  Audio,
  IceUdpMuxListener,
  PeerConnection,
  Video,
  preload,
  type RtcConfig,
  type Track,
} from 'node-datachannel';
import type { Logger } from '@server/platform/log';
import {
  trackIdOf,
  type EngineOptions,
  type EngineStats,
  type MediaEngine,
  type MediaPeer,
  type MediaRoom,
  type PeerEvents,
  type PeerOptions,
  type RoomEvents,
  type TrackSource,
} from './engine';
import {
  candidateNetworks,
  candidatePolicy,
  keepAllowedCandidates,
  type CandidatePolicy,
} from './candidates';
import { PacketHistory } from './history';
import { NackGenerator } from './nack';
import {
  buildNack,
  buildPli,
  buildReceiverReport,
  buildRemb,
  hasFeedback,
  parseFeedback,
  readAudioLevel,
  readSenderReport,
  senderInfoOnly,
  seqDiff,
  unwrapRtx,
  type ReportBlock,
} from './rtp';
import {
  announceAddress,
  carriesMedia,
  describeSections,
  filterPublishOffer,
  sourceOf,
  sourcesProblem,
  type MediaSectionInfo,
} from './sdp';
import { SpeakerTracker, bitrateCapFor, selectLastN } from './speakers';

/** A packet the test-only drop switch is asked about. */
export interface DropCandidate {
  /** 'publish': arriving from the publisher; 'subscribe': about to go to one subscriber. */
  leg: 'publish' | 'subscribe';
  peerId: string;
  source: TrackSource;
  sequenceNumber: number;
  /** The receiving peer (subscribe leg only). */
  subscriberId?: string;
  /** True for a retransmission (answering a NACK). */
  retransmission: boolean;
}

/** Options beyond the contract's EngineOptions: operations and tests. */
export interface EngineInternalOptions extends EngineOptions {
  log?: Logger;
  /** A PC that has not connected this long after it was created is failed and its peer removed (ms). */
  connectTimeoutMs?: number;
  /** Packets kept per video track to answer NACKs (a power of two). */
  historySize?: number;
  /** Minimum time between keyframe requests to one publisher track (ms). */
  keyframeIntervalMs?: number;
  /**
   * Dead m-lines (tracks of departed publishers) a subscribe PC may keep before it is replaced by
   * a fresh one with the live tracks only, once they also outnumber the live ones (default 16).
   */
  maxDeadMlines?: number;
  /** TEST ONLY: drop the packets for which this returns true, as if lost on the wire. */
  testDropPacket?: (p: DropCandidate) => boolean;
  /**
   * TEST ONLY: every peer connection the engine creates, named `pub:<peerId>` or `sub:<peerId>`
   * (a test closes one to break it as a network would, only faster than ICE consent's 30 s).
   */
  testOnPeerConnection?: (name: string, pc: PeerConnection) => void;
}

/** A request the engine refuses (bad SDP, wrong state); signalling turns it into an error message. */
export class MediaEngineError extends Error {
  constructor(
    /**
     * invalid_sources: the mid → source labels do not fit the offer's m-lines (sourcesProblem).
     * port_unavailable: createMediaEngine could not bind its UDP port (in use, or not allowed).
     */
    readonly code:
      'invalid_sdp' | 'invalid_sources' | 'invalid_state' | 'closed' | 'port_unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'MediaEngineError';
  }
}

const SOURCES: ReadonlySet<string> = new Set<TrackSource>(['microphone', 'camera', 'screen']);
const MAX_SDP_LENGTH = 100_000;
/** Our SSRC as RTCP sender (any constant works; it never appears in RTP). */
const SFU_SSRC = 0x5f0c0de1;
const SCREEN_BITRATE = 2_500_000;
/**
 * A subscriber PC keeps an m-line for every track it ever carried (SDP m-lines cannot be
 * removed, and node-datachannel cannot give a closed track's mid to a new track: libdatachannel
 * would add a second m-line with that mid). Once this many are dead, and more than are alive,
 * the PC is replaced by a fresh one with the live tracks only (EngineInternalOptions.maxDeadMlines).
 */
const MAX_DEAD_MLINES = 16;

async function freeUdpPort(address: string | undefined): Promise<number> {
  const sock = createSocket(address?.includes(':') ? 'udp6' : 'udp4');
  return new Promise<number>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, address, () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}

/**
 * Binds the engine's UDP port for the engine's lifetime, or says why it cannot, naming the port.
 * libdatachannel binds the mux port only when a PeerConnection gathers, and a port already taken
 * then fails every joiner's media with nothing but "Failed to gather local ICE candidates" in the
 * log. A plain socket is bound first for the reason (EADDRINUSE …), then the mux listener holds
 * the port for the PCs (the same mux, so the port is never free between meetings).
 */
async function holdUdpPort(port: number, address: string | undefined): Promise<IceUdpMuxListener> {
  const where = `UDP port ${port}${address !== undefined ? ` on ${address}` : ''}`;
  const sock = createSocket(address?.includes(':') ? 'udp6' : 'udp4');
  const failure = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    sock.once('error', resolve);
    sock.bind({ port, ...(address !== undefined ? { address } : {}), exclusive: true }, () =>
      sock.close(() => resolve(undefined)),
    );
  });
  if (failure !== undefined) {
    const advice =
      failure.code === 'EADDRINUSE'
        ? 'is already in use (another Commonhall, or another program, holds it): stop that process or set MEDIA_PORT to a free UDP port'
        : failure.code === 'EADDRNOTAVAIL'
          ? 'cannot be bound: the address is not one of this host (check MEDIA_BIND_ADDRESS)'
          : `cannot be bound (${failure.code ?? failure.message}): set MEDIA_PORT to a UDP port this process may use`;
    throw new MediaEngineError('port_unavailable', `The media engine's ${where} ${advice}.`);
  }
  try {
    return new IceUdpMuxListener(port, address);
  } catch (e) {
    throw new MediaEngineError(
      'port_unavailable',
      `The media engine's ${where} cannot be bound (${(e as Error).message}): set MEDIA_PORT to a free UDP port.`,
    );
  }
}

function waitForGathering(
  pc: PeerConnection,
  gathered: { done: boolean; waiters: (() => void)[] },
  timeoutMs: number,
): Promise<void> {
  if (gathered.done || (pc.localDescription()?.sdp ?? '').includes('a=end-of-candidates'))
    return Promise.resolve();
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, timeoutMs);
    gathered.waiters.push(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

/**
 * Closes a track's JS wrapper, which releases its callbacks at once (in node-datachannel 0.33
 * each is a thread-safe function, i.e. a libuv async handle holding our closure, which holds the
 * track): closing the PeerConnection closes the native track but leaves the wrapper's callbacks
 * until the garbage collector finalizes it, if ever.
 */
function closeTrack(track: Track): void {
  try {
    track.close();
  } catch {
    // already closed
  }
}

/** Mids of the audio/video m-lines of an SDP that are not rejected (port 0). */
function acceptedMediaMids(sdp: string): string[] {
  const out: string[] = [];
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const m = /^(audio|video) (\d+)/.exec(section);
    if (m === null || m[2] === '0') continue;
    const mid = /\r?\na=mid:(\S+)/.exec(section)?.[1];
    if (mid !== undefined) out.push(mid);
  }
  return out;
}

interface GatherState {
  done: boolean;
  waiters: (() => void)[];
}

/** One received m-line of a publish PC: the libdatachannel track, kept referenced (GC pitfall). */
interface Inbound {
  mid: string;
  track: Track;
  publication: Publication | undefined;
}

let publicationIds = 0;

/** A published track (one source of one peer) and everyone it is forwarded to. */
class Publication {
  readonly id = ++publicationIds;
  readonly kind: 'audio' | 'video';
  readonly ssrc: number;
  readonly rtxSsrc: number | undefined;
  readonly payloadType: number;
  readonly audioLevelId: number | undefined;
  readonly history: PacketHistory | undefined;
  readonly nack: NackGenerator | undefined;
  sinks: SubTrack[] = [];
  /** Moderator's switch (setForwarding). */
  moderatorOn = true;
  /** Camera only: inside the last-N set. */
  lastNOn = true;
  forwarding = true;
  /**
   * On the other peers' subscribe PCs (a track each; Room.offer). Each track costs every
   * subscriber a libuv async handle that the event loop walks on each wake-up, and in a large
   * meeting most sources never carry anything: a microphone is put there from its first packet
   * (a muted one sends none), a camera from the first time it is inside the last N, a screen at
   * once.
   */
  offered = false;
  lastKeyframeRequestMs = -Infinity;
  keyframeTimer: NodeJS.Timeout | undefined;
  // Receiver statistics for our RR.
  received = 0;
  baseSeq = -1;
  maxSeq = 0;
  cycles = 0;
  expectedPrior = 0;
  receivedPrior = 0;
  lastSrNtp = 0;
  lastSrAtMs = 0;
  ended = false;

  constructor(
    readonly peer: Peer,
    readonly source: TrackSource,
    readonly inbound: Inbound,
    info: MediaSectionInfo & { ssrc: number; payloadType: number },
    historySize: number,
  ) {
    this.kind = info.kind;
    this.ssrc = info.ssrc;
    this.rtxSsrc = info.rtxSsrc;
    this.payloadType = info.payloadType;
    this.audioLevelId = info.audioLevelId;
    if (info.kind === 'video') {
      this.history = new PacketHistory(historySize);
      this.nack = new NackGenerator();
    }
  }

  updateGate(): boolean {
    const before = this.forwarding;
    this.forwarding = this.moderatorOn && this.lastNOn;
    return !before && this.forwarding;
  }
}

/** A forwarded track on a subscriber's PC. */
class SubTrack {
  /** Seen open (polled on the forwarding path, see Engine.opened). */
  open = false;
  /** Closed for good (removed, or closed with its PC): never polled again. */
  closed = false;
  /** Its subscriber's RTCP is listened to (from its first forwarded packet on, Engine.opened). */
  listening = false;
  /**
   * Audio only: the latest packets that came while the track was not yet open, sent when it
   * opens. A microphone is offered on its first packet, so without them the first words after
   * someone's first unmute would be lost to the renegotiation.
   */
  held: Buffer[] | undefined;
  constructor(
    readonly sub: Subscription,
    readonly pub: Publication,
    readonly track: Track,
  ) {
    if (pub.kind === 'audio') this.held = [];
  }

  hold(buf: Buffer): void {
    const held = this.held;
    if (held === undefined) return;
    if (held.length >= MAX_HELD_PACKETS) held.shift();
    held.push(buf);
  }
}

/** Audio packets held for a track until it opens: 0.5 s of 20 ms Opus frames. */
const MAX_HELD_PACKETS = 25;

/** A peer's subscribe PC: the engine is the offerer; offers are serialized. */
/** Holds a PC's connect timeout (Peer.watch) until it connects or the PC goes. */
interface ConnectTimed {
  connectTimer: NodeJS.Timeout | undefined;
}

class Subscription implements ConnectTimed {
  readonly tracks = new Map<number, SubTrack>();
  private scheduled = false;
  private pending = false;
  /** m-lines this PC has (live and dead). */
  private lines = 0;
  private closed = false;
  /** Reached 'connected' at least once (see Peer.watch). */
  connected = false;
  /** Peer.watch's connect timeout for this PC, until it connects or the PC goes. */
  connectTimer: NodeJS.Timeout | undefined;
  readonly gathered: GatherState = { done: false, waiters: [] };
  /**
   * This PC's mids are numbers from `firstMid` on; mids keep counting across the peer's
   * subscribe PCs, so an answer to a replaced PC's offer is recognised (Peer.acceptSubscriberAnswer).
   */
  readonly firstMid: number;

  constructor(
    readonly peer: Peer,
    readonly pc: PeerConnection,
  ) {
    this.firstMid = peer.nextSubMid;
  }

  add(pub: Publication): void {
    if (this.tracks.has(pub.id)) return;
    const mid = String(this.peer.nextSubMid++);
    this.lines++;
    const media = pub.kind === 'video' ? new Video(mid, 'SendOnly') : new Audio(mid, 'SendOnly');
    if (media instanceof Video) media.addVP8Codec(pub.payloadType);
    else media.addOpusCodec(pub.payloadType);
    media.addSSRC(pub.ssrc, pub.peer.id, pub.peer.id, trackIdOf(pub.peer.id, pub.source));
    const track = this.pc.addTrack(media);
    const st = new SubTrack(this, pub, track);
    this.tracks.set(pub.id, st);
    pub.sinks = [...pub.sinks, st];
    // No onOpen callback, and no onMessage yet: every callback is a libuv async handle that the
    // event loop walks on each wake-up, and a subscriber has one track per published source in
    // the meeting, most of which carry nothing (muted microphones, cameras outside the last N).
    // The forwarding path asks isOpen() until the track is open, and only then listens to the
    // subscriber's feedback on it (Engine.opened): a subscriber sends none for a track it has
    // had no packet on. onClosed replaces the handle node-datachannel's Track already holds.
    track.onClosed(() => {
      st.open = false;
      st.closed = true;
    });
    this.schedule();
  }

  remove(pub: Publication): void {
    const st = this.tracks.get(pub.id);
    if (st === undefined) return;
    this.tracks.delete(pub.id);
    pub.sinks = pub.sinks.filter((s) => s !== st);
    st.open = false;
    st.closed = true;
    closeTrack(st.track);
    if (this.tracks.size === 0 && !this.peer.closed) {
      // An offer rejecting every m-line ends the browser's transport for good (a later track
      // could never connect): drop this PC instead; the next track starts a fresh one.
      this.close();
      return;
    }
    const dead = this.lines - this.tracks.size;
    if (
      dead >= this.peer.room.engine.maxDeadMlines &&
      dead > this.tracks.size &&
      !this.peer.closed
    ) {
      this.replace('dead m-lines');
      return;
    }
    this.schedule();
  }

  /** Closes this PC (not its tracks) and forgets it: the peer's next track starts a fresh one. */
  close(): void {
    this.closed = true;
    this.peer.stopConnectTimer(this);
    if (this.peer.sub === this) this.peer.sub = undefined;
    this.peer.room.engine.closePc(this.pc);
  }

  /**
   * Moves the live tracks to a fresh subscribe PC (its first offer carries them only) and closes
   * this one. The browser sees new ICE credentials in the offer and takes it with a fresh PC.
   * Used when dead m-lines pile up, when this PC broke after it had connected, and on request
   * (MediaPeer.resubscribe).
   */
  replace(reason: string): void {
    if (this.closed) return;
    this.peer.room.engine.log?.info(
      { peer: this.peer.id, reason },
      'replacing a subscribe peer connection',
    );
    this.peer.stopConnectTimer(this);
    this.closed = true;
    if (this.peer.sub === this) this.peer.sub = undefined;
    const pubs: Publication[] = [];
    for (const st of this.tracks.values()) {
      pubs.push(st.pub);
      st.open = false;
      st.closed = true;
      st.pub.sinks = st.pub.sinks.filter((s) => s !== st);
      closeTrack(st.track);
    }
    this.tracks.clear();
    const engine = this.peer.room.engine;
    engine.closePc(this.pc);
    engine.countReplacedSubscription();
    const next = this.peer.subscription();
    for (const pub of pubs) if (!pub.ended) next.add(pub);
  }

  schedule(): void {
    if (this.scheduled || this.peer.closed || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.negotiate();
    });
  }

  private async negotiate(): Promise<void> {
    if (this.peer.closed || this.closed) return;
    if (this.pc.signalingState() !== 'stable') {
      this.pending = true;
      return;
    }
    this.pending = false;
    try {
      this.pc.setLocalDescription('offer');
    } catch (e) {
      this.peer.room.engine.log?.warn({ err: e, peer: this.peer.id }, 'subscriber offer failed');
      return;
    }
    await waitForGathering(this.pc, this.gathered, 5000);
    if (this.peer.closed || this.closed) return;
    const sdp = this.pc.localDescription()?.sdp;
    if (sdp === undefined) return;
    this.peer.events.onSubscriberOffer(this.peer.room.engine.announce(sdp));
  }

  accept(sdp: string): void {
    if (this.pc.signalingState() !== 'have-local-offer') {
      throw new MediaEngineError('invalid_state', 'no subscriber offer is awaiting an answer');
    }
    try {
      this.pc.setRemoteDescription(sdp, 'answer');
    } catch (e) {
      throw new MediaEngineError(
        'invalid_sdp',
        `subscriber answer rejected: ${(e as Error).message}`,
      );
    }
    if (this.pending) this.schedule();
  }
}

class Peer implements MediaPeer {
  closed = false;
  pubPc: PeerConnection | undefined;
  readonly pubGathered: GatherState = { done: false, waiters: [] };
  sub: Subscription | undefined;
  /** The next mid for a subscribe PC's track (see Subscription.firstMid). */
  nextSubMid = 0;
  readonly inbound = new Map<string, Inbound>();
  readonly publications = new Map<string, Publication>();
  private sections = new Map<string, MediaSectionInfo>();
  /** Audio/video m-lines of the offers applied so far, for which libdatachannel makes tracks. */
  private readonly offeredMids = new Set<string>();
  /** Mids whose track onTrack has delivered (also after close). */
  private readonly deliveredMids = new Set<string>();
  private readonly trackWaiters = new Set<() => void>();
  private sources: Record<string, TrackSource> = {};
  private publishing: Promise<unknown> = Promise.resolve();
  /** The publish PC's connect timeout (see watch), until it connects. */
  private readonly pubConnect: ConnectTimed = { connectTimer: undefined };

  constructor(
    readonly room: Room,
    readonly id: string,
    readonly events: PeerEvents,
    /** The remote candidates this peer's SDPs may carry (candidates.ts). */
    private readonly candidates: CandidatePolicy,
  ) {}

  publish(offerSdp: string, sources: Record<string, TrackSource>): Promise<string> {
    const run = this.publishing.then(() => this.doPublish(offerSdp, sources));
    this.publishing = run.catch(() => undefined);
    return run;
  }

  private async doPublish(offerSdp: string, sources: Record<string, TrackSource>): Promise<string> {
    if (this.closed) throw new MediaEngineError('closed', 'peer is closed');
    if (
      typeof offerSdp !== 'string' ||
      offerSdp.length > MAX_SDP_LENGTH ||
      !offerSdp.startsWith('v=0')
    ) {
      throw new MediaEngineError('invalid_sdp', 'not an SDP offer');
    }
    for (const [mid, s] of Object.entries(sources)) {
      if (!SOURCES.has(s))
        throw new MediaEngineError('invalid_sources', `unknown source for mid ${mid}`);
    }
    let filtered: string;
    try {
      filtered = keepAllowedCandidates(filterPublishOffer(offerSdp), this.candidates);
    } catch (e) {
      throw new MediaEngineError('invalid_sdp', (e as Error).message);
    }
    const sections = describeSections(filtered);
    // Refused before anything is applied: what was published before stays as it was.
    const problem = sourcesProblem(sections, sources);
    if (problem !== undefined) throw new MediaEngineError('invalid_sources', problem);
    const engine = this.room.engine;
    if (this.pubPc === undefined) {
      const pc = engine.createPc(`pub:${this.id}`, false);
      this.pubPc = pc;
      this.watch(pc, 'publish', this.pubGathered);
      pc.onTrack((track) => {
        const mid = track.mid();
        this.deliveredMids.add(mid);
        if (this.closed) closeTrack(track);
        else {
          const inb: Inbound = { mid, track, publication: undefined };
          this.inbound.set(mid, inb);
          // With an onClosed callback node-datachannel drops its record of the closed track.
          track.onClosed(() => undefined);
          track.onMessage((buf) => engine.onPublisherPacket(inb, buf));
          this.syncPublications();
        }
        if (!this.tracksPending()) for (const w of [...this.trackWaiters]) w();
      });
    }
    const pc = this.pubPc;
    try {
      pc.setRemoteDescription(filtered, 'offer');
    } catch (e) {
      throw new MediaEngineError('invalid_sdp', `offer rejected: ${(e as Error).message}`);
    }
    this.sections = new Map(sections.map((s) => [s.mid, s]));
    for (const mid of acceptedMediaMids(filtered)) this.offeredMids.add(mid);
    this.sources = { ...sources };
    await waitForGathering(pc, this.pubGathered, 5000);
    await this.waitForTracks(1000);
    if (this.closed) throw new MediaEngineError('closed', 'peer is closed');
    const answer = pc.localDescription();
    if (answer === null || answer.type !== 'answer')
      throw new MediaEngineError('invalid_sdp', 'no answer was produced');
    this.syncPublications();
    return engine.announce(answer.sdp);
  }

  /** True while libdatachannel has yet to hand over the track of some offered m-line. */
  private tracksPending(): boolean {
    for (const mid of this.offeredMids) if (!this.deliveredMids.has(mid)) return true;
    return false;
  }

  /**
   * Resolves once every offered m-line's track has arrived through onTrack (or after
   * `timeoutMs`). node-datachannel queues each onTrack call for the JS thread; if the PC is
   * closed first, the queued call is dropped without freeing the native track it carries.
   */
  private waitForTracks(timeoutMs: number): Promise<void> {
    if (!this.tracksPending()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.trackWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      this.trackWaiters.add(done);
    });
  }

  /** Matches what the last offer says against the tracks libdatachannel created. */
  private syncPublications(): void {
    if (this.closed) return;
    for (const [mid, inb] of this.inbound) {
      const info = this.sections.get(mid);
      const current = inb.publication;
      const wanted = info !== undefined && carriesMedia(info) ? info : undefined;
      // Checked against the m-line's kind in doPublish (sourcesProblem).
      const source: TrackSource =
        info !== undefined ? sourceOf(info, this.sources) : (this.sources[mid] ?? 'camera');
      if (
        current !== undefined &&
        (wanted === undefined || wanted.ssrc !== current.ssrc || current.source !== source)
      ) {
        this.room.endPublication(current);
        inb.publication = undefined;
      }
      if (wanted !== undefined && inb.publication === undefined) {
        const pub = new Publication(
          this,
          source,
          inb,
          { ...wanted, ssrc: wanted.ssrc!, payloadType: wanted.payloadType! },
          this.room.engine.historySize,
        );
        inb.publication = pub;
        this.room.startPublication(pub);
      }
    }
  }

  subscription(): Subscription {
    if (this.sub === undefined) {
      const pc = this.room.engine.createPc(`sub:${this.id}`, true);
      const sub = new Subscription(this, pc);
      this.sub = sub;
      this.watch(pc, 'subscribe', sub.gathered, sub);
    }
    return this.sub;
  }

  /**
   * Ends the connect timeout of the publish PC (no `sub`) or of a subscribe PC: it connected, or
   * the PC is going. A pending timer would keep a replaced PC (and this peer) referenced.
   */
  stopConnectTimer(sub?: Subscription): void {
    const holder = sub ?? this.pubConnect;
    clearTimeout(holder.connectTimer);
    holder.connectTimer = undefined;
  }

  /**
   * Watches a PC: gathering, states (told to signalling), the connect timeout, and for a subscribe
   * PC that breaks ('failed', or 'closed' without us) after it had connected, a fresh one.
   */
  private watch(
    pc: PeerConnection,
    which: 'publish' | 'subscribe',
    gathered: GatherState,
    sub?: Subscription,
  ): void {
    const engine = this.room.engine;
    // A subscriber PC dropped (and replaced) is no longer this peer's concern.
    const current = () => !this.closed && (sub === undefined || this.sub === sub);
    const holder = sub ?? this.pubConnect;
    const timer = setTimeout(() => {
      holder.connectTimer = undefined;
      if (!current()) return;
      engine.log?.info(
        { peer: this.id, pc: which },
        'peer connection never connected; removing the peer',
      );
      this.events.onConnectionState?.(which, 'failed');
      this.room.removePeer(this.id);
      this.events.onClosed?.('connect_timeout');
    }, engine.connectTimeoutMs);
    timer.unref();
    holder.connectTimer = timer;
    pc.onGatheringStateChange((state) => {
      if (state !== 'complete') return;
      gathered.done = true;
      for (const w of gathered.waiters.splice(0)) w();
    });
    pc.onStateChange((state) => {
      if (!current()) return;
      if (state === 'connected') {
        if (sub !== undefined) sub.connected = true;
        this.stopConnectTimer(sub);
      }
      this.events.onConnectionState?.(which, state);
      if (sub?.connected === true && (state === 'failed' || state === 'closed')) {
        // ICE or DTLS broke later (a network change, the browser's PC went away): nothing would
        // bring this PC back, so its tracks move to a fresh one (the browser follows the offer).
        setImmediate(() => {
          if (current()) sub.replace(`subscribe PC ${state}`);
        });
      }
    });
  }

  resubscribe(): boolean {
    if (this.closed) throw new MediaEngineError('closed', 'peer is closed');
    if (this.sub === undefined) return false;
    this.sub.replace('requested');
    return true;
  }

  acceptSubscriberAnswer(sdp: string): void {
    if (this.closed) throw new MediaEngineError('closed', 'peer is closed');
    if (typeof sdp !== 'string' || sdp.length > MAX_SDP_LENGTH || !sdp.startsWith('v=0')) {
      throw new MediaEngineError('invalid_sdp', 'not an SDP answer');
    }
    // An answer to the offer of a subscribe PC since replaced or dropped (its last track went:
    // every mid is older than the current PC's, or than any mid yet offered when there is none):
    // it crossed our change and is simply late. Refusing it would tell the client its media
    // failed, and a browser then starts its publishing over.
    const mids = [...sdp.matchAll(/\r?\na=mid:(\d+)/g)].map((m) => Number(m[1]));
    const current = this.sub?.firstMid ?? this.nextSubMid;
    if (mids.length > 0 && mids.every((m) => m < current)) return;
    if (this.sub === undefined)
      throw new MediaEngineError('invalid_state', 'no subscriber offer was made');
    this.sub.accept(keepAllowedCandidates(sdp, this.candidates));
  }

  setForwarding(source: TrackSource, on: boolean): void {
    for (const pub of this.publications.values()) {
      if (pub.source !== source) continue;
      pub.moderatorOn = on;
      if (pub.updateGate() && pub.kind === 'video') this.room.engine.requestKeyframe(pub);
    }
  }

  requestKeyframe(source: TrackSource): void {
    for (const pub of this.publications.values()) {
      if (pub.source === source && pub.kind === 'video') this.room.engine.requestKeyframe(pub);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopConnectTimer();
    for (const pub of [...this.publications.values()]) this.room.endPublication(pub);
    if (this.sub !== undefined) {
      this.stopConnectTimer(this.sub);
      for (const st of this.sub.tracks.values()) {
        st.open = false;
        st.closed = true;
        st.pub.sinks = st.pub.sinks.filter((s) => s !== st);
        closeTrack(st.track);
      }
      this.sub.tracks.clear();
      this.room.engine.closePc(this.sub.pc);
    }
    for (const inb of this.inbound.values()) closeTrack(inb.track);
    const pubPc = this.pubPc;
    if (pubPc !== undefined) {
      // A publish still in progress may have tracks on their way (see waitForTracks).
      if (this.tracksPending())
        void this.waitForTracks(1000).then(() => this.room.engine.closePc(pubPc));
      else this.room.engine.closePc(pubPc);
    }
    this.inbound.clear();
    this.pubPc = undefined;
    this.sub = undefined;
    this.room.forget(this);
  }
}

function isCamera(pub: Publication): boolean {
  return pub.source === 'camera' && pub.kind === 'video';
}

class Room implements MediaRoom {
  readonly peers = new Map<string, Peer>();
  readonly speakers = new SpeakerTracker();
  private activeSpeakers: string[] = [];
  private cap = 0;
  private closed = false;

  constructor(
    readonly engine: Engine,
    readonly id: string,
    readonly events: RoomEvents,
  ) {}

  addPeer(peerId: string, events: PeerEvents, options: PeerOptions = {}): MediaPeer {
    if (this.closed) throw new MediaEngineError('closed', 'room is closed');
    this.peers.get(peerId)?.close();
    const peer = new Peer(
      this,
      peerId,
      events,
      candidatePolicy(options.signallingAddress, this.engine.candidateNetworks),
    );
    this.peers.set(peerId, peer);
    for (const other of this.peers.values()) {
      if (other === peer) continue;
      for (const pub of other.publications.values()) if (pub.offered) peer.subscription().add(pub);
    }
    this.updateCap(true);
    return peer;
  }

  removePeer(peerId: string): void {
    this.peers.get(peerId)?.close();
  }

  /** Called by Peer.close(). */
  forget(peer: Peer): void {
    if (this.peers.get(peer.id) === peer) this.peers.delete(peer.id);
    this.speakers.remove(peer.id);
    this.updateCap(false);
    this.updateLastN();
  }

  peerCount(): number {
    return this.peers.size;
  }

  startPublication(pub: Publication): void {
    pub.peer.publications.set(pub.inbound.mid, pub);
    // A camera is offered by updateLastN when (and if) it is chosen, a microphone on its first
    // packet (Engine.onPublisherPacket).
    if (pub.kind === 'video' && !isCamera(pub)) this.offer(pub);
    this.updateLastN();
    this.engine.sendRtcpTo(pub, this.cap);
  }

  /** Puts a publication on every other peer's subscribe PC (once). */
  offer(pub: Publication): void {
    if (pub.offered || pub.ended) return;
    pub.offered = true;
    for (const other of this.peers.values()) {
      if (other !== pub.peer) other.subscription().add(pub);
    }
  }

  endPublication(pub: Publication): void {
    pub.ended = true;
    if (pub.keyframeTimer !== undefined) clearTimeout(pub.keyframeTimer);
    pub.peer.publications.delete(pub.inbound.mid);
    for (const other of this.peers.values()) other.sub?.remove(pub);
    pub.sinks = [];
    pub.history?.clear();
    this.engine.nackPending.delete(pub);
    this.updateLastN();
  }

  private updateCap(force: boolean): void {
    const cap = bitrateCapFor(this.peers.size);
    if (cap === this.cap && !force) return;
    const changed = cap !== this.cap;
    this.cap = cap;
    for (const p of this.peers.values()) {
      if (changed || force) p.events.onBitrateCap?.(cap);
    }
  }

  bitrateCap(): number {
    return this.cap;
  }

  /** Re-evaluates active speakers and which cameras are forwarded (a few times a second). */
  tick(nowMs: number): void {
    const active = this.speakers.tick(nowMs);
    if (active.join('\n') !== this.activeSpeakers.join('\n')) {
      this.activeSpeakers = active;
      this.events.onActiveSpeakers?.(active);
    }
    this.updateLastN();
  }

  updateLastN(): void {
    const cameras: Publication[] = [];
    for (const p of this.peers.values()) {
      for (const pub of p.publications.values()) if (isCamera(pub)) cameras.push(pub);
    }
    const chosen = selectLastN(
      this.speakers.recentSpeakers(),
      cameras.map((c) => c.peer.id),
      this.engine.lastN,
    );
    for (const pub of cameras) {
      pub.lastNOn = chosen.has(pub.peer.id);
      if (pub.lastNOn) this.offer(pub);
      if (pub.updateGate()) this.engine.requestKeyframe(pub);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of [...this.peers.values()]) p.close();
    this.engine.rooms.delete(this.id);
  }
}

class Engine implements MediaEngine {
  readonly rooms = new Map<string, Room>();
  readonly nackPending = new Set<Publication>();
  readonly log: Logger | undefined;
  readonly connectTimeoutMs: number;
  readonly historySize: number;
  readonly lastN: number;
  readonly maxDeadMlines: number;
  /** EngineOptions.candidateNetworks, parsed. */
  readonly candidateNetworks: BlockList;
  private readonly keyframeIntervalMs: number;
  private readonly drop: ((p: DropCandidate) => boolean) | undefined;
  private readonly pcs = new Set<PeerConnection>();
  private readonly config: RtcConfig;
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  private counters = {
    forwardedPackets: 0,
    droppedPackets: 0,
    retransmittedPackets: 0,
    nacksSent: 0,
    nacksReceived: 0,
    keyframeRequests: 0,
    recoveredPackets: 0,
    /** Subscribe PCs replaced to shed dead m-lines. */
    subscriptionsReplaced: 0,
  };

  constructor(
    readonly port: number,
    private readonly options: EngineInternalOptions,
    /** Holds the UDP port from start to close (holdUdpPort). */
    private readonly portHold: IceUdpMuxListener,
  ) {
    this.log = options.log;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
    this.historySize = options.historySize ?? 512;
    this.lastN = options.lastN ?? 9;
    this.maxDeadMlines = options.maxDeadMlines ?? MAX_DEAD_MLINES;
    this.candidateNetworks = candidateNetworks(options.candidateNetworks ?? []);
    this.keyframeIntervalMs = options.keyframeIntervalMs ?? 300;
    this.drop = options.testDropPacket;
    this.config = {
      iceServers: [],
      enableIceUdpMux: true,
      portRangeBegin: port,
      portRangeEnd: port,
      ...(options.bindAddress !== undefined ? { bindAddress: options.bindAddress } : {}),
    };
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(20, () => this.nackTick());
    every(250, () => {
      const now = Date.now();
      for (const r of this.rooms.values()) r.tick(now);
    });
    every(1000, () => this.rtcpTick());
  }

  createPc(name: string, subscriber: boolean): PeerConnection {
    if (this.closed) throw new MediaEngineError('closed', 'engine is closed');
    const pc = new PeerConnection(
      name,
      subscriber
        ? { ...this.config, disableAutoNegotiation: true, forceMediaTransport: true }
        : this.config,
    );
    this.pcs.add(pc);
    this.options.testOnPeerConnection?.(name, pc);
    return pc;
  }

  closePc(pc: PeerConnection): void {
    this.pcs.delete(pc);
    try {
      pc.close();
    } catch (e) {
      this.log?.warn({ err: e }, 'closing a peer connection failed');
    }
  }

  countReplacedSubscription(): void {
    this.counters.subscriptionsReplaced++;
  }

  announce(sdp: string): string {
    return this.options.announcedAddress !== undefined
      ? announceAddress(sdp, this.options.announcedAddress)
      : sdp;
  }

  room(roomId: string, events: RoomEvents = {}): MediaRoom {
    let r = this.rooms.get(roomId);
    if (r === undefined) {
      if (this.closed) throw new MediaEngineError('closed', 'engine is closed');
      r = new Room(this, roomId, events);
      this.rooms.set(roomId, r);
    }
    return r;
  }

  findRoom(roomId: string): MediaRoom | undefined {
    return this.rooms.get(roomId);
  }

  stats(): EngineStats & typeof this.counters {
    let peers = 0;
    for (const r of this.rooms.values()) peers += r.peers.size;
    return { rooms: this.rooms.size, peers, peerConnections: this.pcs.size, ...this.counters };
  }

  /** The hot path: one RTP/RTCP packet from a publisher. */
  onPublisherPacket(inb: Inbound, packet: Buffer): void {
    const pub = inb.publication;
    if (pub === undefined || pub.ended || packet.length < 12) return;
    let buf = packet;
    const b1 = buf[1]!;
    if (b1 >= 192 && b1 <= 223) {
      this.onPublisherRtcp(pub, buf);
      return;
    }
    const ssrc = buf.readUInt32BE(8);
    let retransmission = false;
    if (ssrc !== pub.ssrc) {
      if (ssrc !== pub.rtxSsrc) return;
      const orig = unwrapRtx(buf, pub.ssrc, pub.payloadType);
      if (orig === undefined) return; // padding-only probe
      buf = orig;
      retransmission = true;
    }
    const seq = buf.readUInt16BE(2);
    const drop = this.drop;
    if (
      drop !== undefined &&
      drop({
        leg: 'publish',
        peerId: pub.peer.id,
        source: pub.source,
        sequenceNumber: seq,
        retransmission,
      })
    ) {
      this.counters.droppedPackets++;
      return;
    }
    const now = Date.now();
    const nack = pub.nack;
    if (nack !== undefined) {
      const verdict = nack.receive(seq, now);
      if (verdict === 'duplicate' || verdict === 'late') return;
      if (verdict === 'recovered') {
        this.counters.recoveredPackets++;
        retransmission = true;
      } else if (nack.pending()) this.nackPending.add(pub);
    }
    // Receiver statistics (RFC 3550 A.1, simplified: no probation).
    pub.received++;
    if (pub.baseSeq < 0) {
      pub.baseSeq = seq;
      pub.maxSeq = seq;
    } else if (seqDiff(seq, pub.maxSeq) > 0) {
      if (seq < pub.maxSeq) pub.cycles += 0x10000;
      pub.maxSeq = seq;
    }
    pub.history?.put(seq, buf);
    if (pub.audioLevelId !== undefined) {
      const level = readAudioLevel(buf, pub.audioLevelId);
      if (level >= 0) pub.peer.room.speakers.observe(pub.peer.id, level, now);
    }
    if (!pub.offered && pub.kind === 'audio') pub.peer.room.offer(pub);
    if (!pub.forwarding) return;
    if (drop === undefined) {
      // The production path: no per-sink closure or object.
      const sinks = pub.sinks;
      let sent = 0;
      for (let i = 0; i < sinks.length; i++) {
        const s = sinks[i]!;
        if (!s.open && !this.opened(s)) {
          s.hold(buf);
          continue;
        }
        try {
          if (s.track.sendMessageBinary(buf)) sent++;
        } catch {
          s.open = false;
        }
      }
      this.counters.forwardedPackets += sent;
      return;
    }
    this.forwardWithDrops(pub, buf, seq, retransmission, drop);
  }

  /**
   * A sink not yet seen open: asks libdatachannel (instead of an onOpen callback, see
   * Subscription.add). On opening, the subscriber's feedback on the track is listened to from
   * here on (before its first packet is sent), and a video sink gets a keyframe request so a
   * late joiner starts at once.
   */
  private opened(s: SubTrack): boolean {
    if (s.closed) return false;
    let open: boolean;
    try {
      open = s.track.isOpen();
    } catch {
      return false;
    }
    if (!open) return false;
    s.open = true;
    if (!s.listening) {
      s.listening = true;
      s.track.onMessage((buf) => this.onSubscriberRtcp(s, buf));
    }
    const held = s.held;
    if (held !== undefined) {
      s.held = undefined;
      for (const buf of held) this.send(s, buf);
    }
    if (s.pub.kind === 'video') this.requestKeyframe(s.pub);
    return true;
  }

  private forwardWithDrops(
    pub: Publication,
    buf: Buffer,
    seq: number,
    retransmission: boolean,
    drop: (p: DropCandidate) => boolean,
  ): void {
    const sinks = pub.sinks;
    for (let i = 0; i < sinks.length; i++) {
      const s = sinks[i]!;
      if (!s.open && !this.opened(s)) {
        s.hold(buf);
        continue;
      }
      if (
        drop({
          leg: 'subscribe',
          peerId: pub.peer.id,
          source: pub.source,
          sequenceNumber: seq,
          subscriberId: s.sub.peer.id,
          retransmission,
        })
      ) {
        this.counters.droppedPackets++;
        continue;
      }
      this.send(s, buf);
    }
  }

  private send(s: SubTrack, buf: Buffer): void {
    try {
      if (s.track.sendMessageBinary(buf)) this.counters.forwardedPackets++;
    } catch {
      s.open = false;
    }
  }

  private onPublisherRtcp(pub: Publication, buf: Buffer): void {
    const sr = readSenderReport(buf);
    if (sr === undefined || sr.ssrc !== pub.ssrc) return;
    pub.lastSrNtp = sr.ntpMiddle;
    pub.lastSrAtMs = Date.now();
    // Forward the publisher's timing so subscribers can keep audio and video in sync.
    if (!pub.forwarding) return;
    const info = senderInfoOnly(buf, sr.offset);
    for (const s of pub.sinks) {
      if (!s.open) continue;
      try {
        s.track.sendMessageBinary(info);
      } catch {
        s.open = false;
      }
    }
  }

  /** RTCP from a subscriber: keyframe requests go to the publisher, NACKs are answered from history. */
  onSubscriberRtcp(st: SubTrack, buf: Buffer): void {
    const pub = st.pub;
    if (pub.ended || buf.length < 8 || !hasFeedback(buf)) return;
    for (const fb of parseFeedback(buf)) {
      if (fb.mediaSsrc !== pub.ssrc && fb.kind !== 'fir') continue;
      if (fb.kind === 'nack') {
        this.counters.nacksReceived++;
        for (const seq of fb.seqs) {
          const p = pub.history?.get(seq);
          if (p === undefined || !st.open) continue;
          const drop = this.drop;
          if (
            drop !== undefined &&
            drop({
              leg: 'subscribe',
              peerId: pub.peer.id,
              source: pub.source,
              sequenceNumber: seq,
              subscriberId: st.sub.peer.id,
              retransmission: true,
            })
          ) {
            this.counters.droppedPackets++;
            continue;
          }
          try {
            if (st.track.sendMessageBinary(p)) this.counters.retransmittedPackets++;
          } catch {
            st.open = false;
          }
        }
      } else if (fb.mediaSsrc === pub.ssrc) {
        this.requestKeyframe(pub);
      }
    }
  }

  /** Asks a publisher for a keyframe: at most one PLI per interval per track; a later one is deferred. */
  requestKeyframe(pub: Publication): void {
    if (pub.ended || pub.kind !== 'video') return;
    const now = Date.now();
    const wait = pub.lastKeyframeRequestMs + this.keyframeIntervalMs - now;
    if (wait <= 0) {
      pub.lastKeyframeRequestMs = now;
      this.sendToPublisher(pub, buildPli(SFU_SSRC, pub.ssrc));
      this.counters.keyframeRequests++;
      return;
    }
    if (pub.keyframeTimer !== undefined) return;
    pub.keyframeTimer = setTimeout(() => {
      pub.keyframeTimer = undefined;
      this.requestKeyframe(pub);
    }, wait);
    pub.keyframeTimer.unref();
  }

  private sendToPublisher(pub: Publication, rtcp: Buffer): void {
    try {
      pub.inbound.track.sendMessageBinary(rtcp);
    } catch {
      // not open yet or already closed: the next tick retries what matters
    }
  }

  private nackTick(): void {
    if (this.nackPending.size === 0) return;
    const now = Date.now();
    for (const pub of this.nackPending) {
      const nack = pub.nack!;
      const seqs = nack.due(now);
      const packet = buildNack(SFU_SSRC, pub.ssrc, seqs);
      if (packet !== undefined) {
        this.sendToPublisher(pub, packet);
        this.counters.nacksSent++;
      }
      if (nack.takeLost() > 0) this.requestKeyframe(pub);
      if (!nack.pending()) this.nackPending.delete(pub);
    }
  }

  /** Receiver reports (and the REMB cap for video) to every publisher, once a second. */
  private rtcpTick(): void {
    for (const room of this.rooms.values()) {
      const cap = room.bitrateCap();
      for (const peer of room.peers.values())
        for (const pub of peer.publications.values()) this.sendRtcpTo(pub, cap);
    }
  }

  sendRtcpTo(pub: Publication, cap: number): void {
    if (pub.ended) return;
    const parts: Buffer[] = [];
    if (pub.baseSeq >= 0) {
      const extMax = pub.cycles + pub.maxSeq;
      const expected = extMax - pub.baseSeq + 1;
      const expectedInterval = expected - pub.expectedPrior;
      const receivedInterval = pub.received - pub.receivedPrior;
      pub.expectedPrior = expected;
      pub.receivedPrior = pub.received;
      const lostInterval = expectedInterval - receivedInterval;
      const block: ReportBlock = {
        ssrc: pub.ssrc,
        fractionLost:
          expectedInterval > 0 && lostInterval > 0
            ? Math.floor((lostInterval << 8) / expectedInterval)
            : 0,
        cumulativeLost: expected - pub.received,
        extendedHighestSeq: extMax,
        jitter: 0,
        lastSr: pub.lastSrNtp,
        delaySinceLastSr:
          pub.lastSrAtMs > 0 ? Math.floor(((Date.now() - pub.lastSrAtMs) * 65536) / 1000) : 0,
      };
      parts.push(buildReceiverReport(SFU_SSRC, [block]));
    } else {
      parts.push(buildReceiverReport(SFU_SSRC, []));
    }
    if (pub.kind === 'video') {
      const ssrcs = pub.rtxSsrc !== undefined ? [pub.ssrc] : [pub.ssrc];
      parts.push(buildRemb(SFU_SSRC, pub.source === 'screen' ? SCREEN_BITRATE : cap, ssrcs));
    }
    this.sendToPublisher(pub, Buffer.concat(parts));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const t of this.timers) clearInterval(t);
    for (const r of [...this.rooms.values()]) r.close();
    this.closed = true;
    for (const pc of this.pcs) this.closePc(pc);
    this.portHold.stop();
  }
}

/**
 * Starts the media engine: picks the UDP port (0 = a free one), binds it for the engine's life and
 * returns the engine. Rejects with MediaEngineError('port_unavailable'), naming the port and what
 * to do, when the port cannot be bound (another process holds it).
 */
export async function createMediaEngine(
  options: EngineInternalOptions,
): Promise<MediaEngine & { stats(): ReturnType<Engine['stats']> }> {
  // Holds libdatachannel's global resources for the process: without it, the moment the last
  // PeerConnection closes the library tears its threads and certificate down asynchronously, and
  // a PeerConnection created meanwhile fails its DTLS handshake (seen in back-to-back tests).
  preload();
  candidateNetworks(options.candidateNetworks ?? []); // throws on a bad entry, before binding
  const port = options.port === 0 ? await freeUdpPort(options.bindAddress) : options.port;
  const hold = await holdUdpPort(port, options.bindAddress);
  return new Engine(port, options, hold);
}
