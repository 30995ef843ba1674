/**
 * The media engine's public surface: what signalling (realtime/signal) uses to put browsers into a
 * meeting. Knows nothing of spaces, accounts or HTTP. One engine per media node; one room per
 * live meeting; each participant is a peer with up to two peer connections: a publish PC (the
 * browser offers its microphone, camera and screen) and a subscribe PC (the engine offers every
 * forwarded track). Implemented on node-datachannel in this folder.
 */

/** What a published track carries; the browser names it per m-line (mid) when it publishes. */
export type TrackSource = 'microphone' | 'camera' | 'screen';

export interface EngineOptions {
  /** The one UDP port for every peer connection (ICE UDP mux). 0 picks a free port (tests). */
  port: number;
  /** Address to bind; undefined = every interface. Tests use 127.0.0.1. */
  bindAddress?: string;
  /** Public address put into ICE candidates (behind NAT). */
  announcedAddress?: string;
  /** How many active speakers' video is forwarded in a large meeting (default 9). */
  lastN?: number;
  /**
   * Networks (CIDRs) whose ICE candidates are taken from any participant (a LAN or VPN the hall
   * serves). Other candidates are taken only on the participant's signalling address (candidates.ts).
   */
  candidateNetworks?: string[];
}

/** What the engine knows of a participant when it adds their peer. */
export interface PeerOptions {
  /**
   * Where the participant signals from (their WebSocket's remote address): their ICE candidates
   * are taken only on it (and on the announced networks), so that nobody can make the media
   * server send STUN checks to another host. Undefined: only the announced networks.
   */
  signallingAddress?: string;
}

export interface PeerEvents {
  /**
   * The engine has a new offer for the subscribe PC (first one, after tracks changed, or the
   * first one of a fresh PC that replaced a broken one: new ICE credentials).
   */
  onSubscriberOffer(sdp: string): void;
  /** The publish PC or subscribe PC changed state. */
  onConnectionState?(pc: 'publish' | 'subscribe', state: string): void;
  /** The bitrate cap (bits/s) the publisher's video should keep under, as the meeting grows. */
  onBitrateCap?(bitsPerSecond: number): void;
  /**
   * The engine removed this peer by itself: 'connect_timeout' = a peer connection did not
   * connect in time (ICE never completed). The peer is already closed when this is called.
   */
  onClosed?(reason: 'connect_timeout'): void;
}

export interface RoomEvents {
  /** Active speakers changed, loudest first (peer ids). */
  onActiveSpeakers?(peerIds: string[]): void;
}

export interface MediaPeer {
  readonly id: string;
  /**
   * Takes the browser's offer for its publish PC (with which mid carries which source) and
   * returns the answer. Called again on renegotiation (screen share on/off, camera added).
   */
  publish(offerSdp: string, sources: Record<string, TrackSource>): Promise<string>;
  /**
   * Takes the browser's answer to the last subscriber offer. Throws MediaEngineError
   * ('invalid_state' without an outstanding offer, 'invalid_sdp' for a bad answer).
   * Client advice (measured with libdatachannel 0.24.5): if the browser's DTLS ClientHello reaches
   * the engine while it is still applying this answer, the handshake fails. The client should
   * apply the offer without its `a=candidate` lines, send the answer, and add those candidates
   * (`addIceCandidate`) once signalling confirms the answer was accepted.
   */
  acceptSubscriberAnswer(sdp: string): void;
  /**
   * Replaces the subscribe PC with a fresh one carrying the same tracks (new ICE credentials and
   * DTLS): the browser's subscribe PC broke after it had connected. The fresh PC's first offer
   * arrives through onSubscriberOffer; an answer to the old PC's offer is ignored. False when
   * there is no subscribe PC (nothing to receive yet: the next track starts a fresh one anyway).
   * The engine does the same by itself when its side of the PC fails after connecting.
   * Throws MediaEngineError('closed') for a closed peer.
   */
  resubscribe(): boolean;
  /** Stops (or resumes) forwarding one of this peer's sources to everyone: a moderator's mute. */
  setForwarding(source: TrackSource, on: boolean): void;
  /** Asks this peer's publisher for a keyframe of its camera/screen. */
  requestKeyframe(source: TrackSource): void;
  close(): void;
}

export interface MediaRoom {
  readonly id: string;
  addPeer(peerId: string, events: PeerEvents, options?: PeerOptions): MediaPeer;
  removePeer(peerId: string): void;
  peerCount(): number;
  close(): void;
}

export interface EngineStats {
  rooms: number;
  peers: number;
  peerConnections: number;
  forwardedPackets: number;
  droppedPackets: number;
  /** Packets re-sent to subscribers from the history (answers to their NACKs). */
  retransmittedPackets?: number;
  /** NACK packets the engine sent to publishers (gaps it saw). */
  nacksSent?: number;
  /** NACK packets received from subscribers. */
  nacksReceived?: number;
  /** Lost publisher packets that arrived after the engine's NACK. */
  recoveredPackets?: number;
  /** PLIs sent to publishers. */
  keyframeRequests?: number;
}

export interface MediaEngine {
  /** The UDP port actually bound (useful when options.port was 0). */
  readonly port: number;
  room(roomId: string, events?: RoomEvents): MediaRoom;
  /** The room if it exists. */
  findRoom(roomId: string): MediaRoom | undefined;
  stats(): EngineStats;
  close(): Promise<void>;
}

/**
 * How a subscriber learns whose media a track is: the engine puts `msid:<peerId> <peerId>:<source>`
 * on every forwarded track, so the browser's ontrack event's stream id is the publisher's peer id.
 */
export function trackIdOf(peerId: string, source: TrackSource): string {
  return `${peerId}:${source}`;
}
