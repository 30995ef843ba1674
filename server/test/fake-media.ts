import type {
  EngineStats,
  MediaEngine,
  MediaPeer,
  MediaRoom,
  PeerEvents,
  PeerOptions,
  RoomEvents,
  TrackSource,
} from '@server/realtime/sfu/engine';

/** A media peer that records what signalling asked of it. */
export class FakePeer implements MediaPeer {
  readonly published: { sdp: string; sources: Record<string, TrackSource> }[] = [];
  readonly answers: string[] = [];
  readonly forwarding = new Map<TrackSource, boolean>();
  /** How many times signalling asked for a fresh subscription. */
  resubscribes = 0;
  /** What resubscribe() answers (false: no subscribe PC yet). */
  hasSubscription = true;
  closed = false;
  /** Set to make the next publish fail. */
  failNext = false;

  constructor(
    readonly id: string,
    readonly events: PeerEvents,
    /** What signalling told the engine of the participant (their signalling address). */
    readonly options: PeerOptions = {},
  ) {}

  async publish(offerSdp: string, sources: Record<string, TrackSource>): Promise<string> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('bad sdp');
    }
    this.published.push({ sdp: offerSdp, sources });
    return `answer-to:${offerSdp.slice(0, 20)}`;
  }
  acceptSubscriberAnswer(sdp: string): void {
    this.answers.push(sdp);
  }
  resubscribe(): boolean {
    if (!this.hasSubscription) return false;
    this.resubscribes++;
    return true;
  }
  setForwarding(source: TrackSource, on: boolean): void {
    this.forwarding.set(source, on);
  }
  requestKeyframe(): void {}
  close(): void {
    this.closed = true;
  }
}

export class FakeRoom implements MediaRoom {
  readonly peers = new Map<string, FakePeer>();
  closed = false;
  constructor(
    readonly id: string,
    readonly events: RoomEvents,
  ) {}
  addPeer(peerId: string, events: PeerEvents, options?: PeerOptions): FakePeer {
    const peer = new FakePeer(peerId, events, options);
    this.peers.set(peerId, peer);
    return peer;
  }
  removePeer(peerId: string): void {
    this.peers.get(peerId)?.close();
    this.peers.delete(peerId);
  }
  peerCount(): number {
    return this.peers.size;
  }
  close(): void {
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
    this.closed = true;
  }
}

/** A MediaEngine without media, for signalling tests. */
export class FakeMediaEngine implements MediaEngine {
  readonly port = 0;
  readonly rooms = new Map<string, FakeRoom>();
  room(roomId: string, events: RoomEvents = {}): FakeRoom {
    let r = this.rooms.get(roomId);
    if (r === undefined || r.closed) {
      r = new FakeRoom(roomId, events);
      this.rooms.set(roomId, r);
    }
    return r;
  }
  findRoom(roomId: string): FakeRoom | undefined {
    const r = this.rooms.get(roomId);
    return r?.closed === true ? undefined : r;
  }
  stats(): EngineStats {
    const open = [...this.rooms.values()].filter((r) => !r.closed);
    const peers = open.reduce((n, r) => n + r.peerCount(), 0);
    return {
      rooms: open.length,
      peers,
      peerConnections: peers * 2,
      forwardedPackets: 0,
      droppedPackets: 0,
    };
  }
  async close(): Promise<void> {
    for (const r of this.rooms.values()) r.close();
  }
}
