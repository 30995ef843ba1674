/**
 * The browser side of a meeting: one signalling WebSocket (common/protocol), a publish
 * RTCPeerConnection (our microphone, camera, screen) and a subscribe RTCPeerConnection (everyone
 * else, offered by the server's SFU). No trickle ICE: SDPs are sent once gathering is complete.
 *
 * After a network drop it resumes with the resume token (same identity) for up to 15 s, then
 * joins again with a fresh ticket (e.g. after a server restart). The UI reads an immutable
 * snapshot through `subscribe`/`getState` (made for React's useSyncExternalStore).
 */
import type { JoinTicketDto } from '@common/api/spaces';
import {
  CloseCodes,
  SIGNAL_LIMITS,
  serverMessageSchema,
  shouldReconnect,
  type ChatMessage,
  type ClientMessage,
  type LobbyEntry,
  type MeetingRules,
  type ParticipantInfo,
  type ServerMessage,
  type SignalErrorCode,
  type TrackSourceName,
} from '@common/protocol';
import { stopStream, videoConstraints } from './devices';
import { holdBackCandidates, remoteTracksByMid, type RemoteTrackInfo } from './sdp';

export type MeetingStatus =
  'connecting' | 'waiting_for_moderator' | 'lobby' | 'meeting' | 'reconnecting' | 'ended';

/** Why the meeting is over for us. */
export type EndReason =
  | 'left'
  | 'ended_by_moderator'
  | 'removed'
  | 'denied'
  | 'space_deleted'
  | 'meeting_full'
  | 'space_locked'
  | 'connection_lost'
  | 'join_failed';

export interface RemoteMedia {
  microphone?: MediaStream;
  camera?: MediaStream;
  screen?: MediaStream;
}

export interface MeetingState {
  status: MeetingStatus;
  endReason: EndReason | null;
  /** The error code when the end came from a failed (re)join, e.g. access_code_invalid. */
  endCode: string | null;
  self: ParticipantInfo | null;
  space: { id: string; slug: string; name: string } | null;
  rules: MeetingRules | null;
  participants: ParticipantInfo[];
  hands: string[];
  locked: boolean;
  lobby: LobbyEntry[];
  chat: ChatMessage[];
  activeSpeakers: string[];
  remote: Record<string, RemoteMedia>;
  localStream: MediaStream;
  screenStream: MediaStream | null;
  microphoneOn: boolean;
  cameraOn: boolean;
  /** The last refusal from the server (e.g. locked_by_moderator), shown briefly by the UI. */
  notice: { code: SignalErrorCode; at: number } | null;
  /**
   * We had to join again as new (e.g. the server restarted) while others were with us: they are
   * likely on their way back too, so an empty meeting is not "only you" yet (OTHERS_RETURN_MS).
   */
  othersReturning: boolean;
}

export interface MeetingClientOptions {
  /** Asks the server for a join ticket (POST …/join); called again to rejoin. */
  getTicket: () => Promise<JoinTicketDto>;
  /** The camera/microphone chosen before joining (the client owns it from now on). */
  localStream: MediaStream;
  microphoneOn: boolean;
  cameraOn: boolean;
  cameraId?: string | undefined;
  /** Time to keep trying to come back after a drop before giving up. */
  giveUpAfterMs?: number;
}

const PING_EVERY_MS = 3000;
/** No message (not even a pong) for this long: the socket is dead even if it looks open. */
const SILENCE_LIMIT_MS = 8000;
const RETRY_EVERY_MS = 1000;
/** Failed attempts back off up to this (plus jitter), so a server that is down is not hammered. */
const RETRY_MAX_MS = 5000;
/** Close code we use when we abandon a socket ourselves (not a leave). */
const CLIENT_DROP = 4000;
/** A subscribe PC `disconnected` this long is broken (it may come back by itself before). */
const SUBSCRIBE_DISCONNECTED_MS = 4000;
/** How long after joining again as new we expect the others we had to come back too. */
const OTHERS_RETURN_MS = 30_000;
/** Ref prefix of our `resubscribe` messages (their refusals are not shown as notices). */
const RESUBSCRIBE_REF = 'resubscribe-';

/** Codes that end the meeting for us, with the reason to show. */
const finalCloses = new Map<number, EndReason>([
  [CloseCodes.removed, 'removed'],
  [CloseCodes.denied, 'denied'],
  [CloseCodes.meetingEnded, 'ended_by_moderator'],
  [CloseCodes.spaceNotFound, 'space_deleted'],
  [CloseCodes.meetingFull, 'meeting_full'],
  [CloseCodes.spaceLocked, 'space_locked'],
]);

/**
 * Marks a step of joining, once per page (the join-latency benchmark reads them to tell where
 * the time between the Join click and the first remote frame goes).
 */
function markOnce(step: string): void {
  const name = `commonhall:${step}`;
  if (performance.getEntriesByName(name).length === 0) performance.mark(name);
}

function waitForGathering(pc: RTCPeerConnection, timeoutMs = 5000): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      pc.removeEventListener('icegatheringstatechange', check);
      window.clearTimeout(timer);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    // Bounded: with a host candidate ready we can send what we have.
    const timer = window.setTimeout(done, timeoutMs);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

/** Prefer the codecs the SFU forwards (VP8, Opus) so nothing else is negotiated. */
function preferCodecs(t: RTCRtpTransceiver, kind: 'audio' | 'video'): void {
  const caps = RTCRtpSender.getCapabilities?.(kind);
  if (caps === null || caps === undefined || typeof t.setCodecPreferences !== 'function') return;
  const wanted = kind === 'video' ? 'video/vp8' : 'audio/opus';
  const keep = caps.codecs.filter((c) => c.mimeType.toLowerCase() === wanted);
  const rtx = caps.codecs.filter((c) => c.mimeType.toLowerCase() === 'video/rtx');
  if (keep.length === 0) return;
  try {
    t.setCodecPreferences(kind === 'video' ? [...keep, ...rtx] : keep);
  } catch {
    // An older browser: the server strips what it does not handle.
  }
}

/** One meeting session for one person. Create it after the ticket was granted, then `start()`. */
export class MeetingClient {
  private state: MeetingState;
  private readonly listeners = new Set<() => void>();
  private ws: WebSocket | null = null;
  private resumeToken: string | null = null;
  private ticket: JoinTicketDto | null = null;
  private droppedAt: number | null = null;
  /** Attempts to come back since the last `joined` (0: the next one goes at once). */
  private attempts = 0;
  private retryTimer: number | undefined;
  private pingTimer: number | undefined;
  private lastHeard = 0;
  private closedByUs = false;
  private publishPc: RTCPeerConnection | null = null;
  private subscribePc: RTCPeerConnection | null = null;
  private subscribeMids = new Map<string, RemoteTrackInfo>();
  /** Subscribe-side work (offers, restarts) runs in order on this chain. */
  private subscribeWork: Promise<void> = Promise.resolve();
  /** Offer candidates held back until the pong to the ping with this ref (see onSubscriberOffer). */
  private readonly heldCandidates = new Map<
    string,
    { pc: RTCPeerConnection; candidates: RTCIceCandidateInit[] }
  >();
  private answersSent = 0;
  /** When we last sent `resubscribe` (or were told to wait), for the server's rate limit. */
  private lastResubscribeAt = -Infinity;
  private resubscribeTimer: number | undefined;
  private resubscribesSent = 0;
  /** Runs while the subscribe PC is `disconnected` (see SUBSCRIBE_DISCONNECTED_MS). */
  private disconnectedTimer: number | undefined;
  private othersReturningTimer: number | undefined;
  private senders: Partial<Record<TrackSourceName, RTCRtpSender>> = {};
  private publishing = false;
  private republish = false;
  private bitrateCap: number | null = null;
  /** The last error message from the server, for the debug API. */
  lastError: string | null = null;
  private readonly cameraId: string | undefined;
  private readonly giveUpAfterMs: number;

  constructor(private readonly options: MeetingClientOptions) {
    this.cameraId = options.cameraId;
    this.giveUpAfterMs = options.giveUpAfterMs ?? 120_000;
    this.state = {
      status: 'connecting',
      endReason: null,
      endCode: null,
      self: null,
      space: null,
      rules: null,
      participants: [],
      hands: [],
      locked: false,
      lobby: [],
      chat: [],
      activeSpeakers: [],
      remote: {},
      localStream: options.localStream,
      screenStream: null,
      microphoneOn: options.microphoneOn,
      cameraOn: options.cameraOn,
      notice: null,
      othersReturning: false,
    };
    this.applyLocalTrackStates();
  }

  // ───────────── store ─────────────

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): MeetingState => this.state;

  private set(patch: Partial<MeetingState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  // ───────────── lifecycle ─────────────

  /** Asks for a ticket and opens the socket. */
  async start(): Promise<void> {
    await this.connect('join');
  }

  /** Leaves the meeting (tells the server) and releases camera and microphone. */
  leave(): void {
    if (this.state.status === 'ended') return;
    this.send({ type: 'leave' });
    this.finish('left', null);
  }

  /** Test and debug aid: abandon the socket as a network drop would (no leave). */
  dropConnection(): void {
    this.onSocketGone(this.ws, 1006);
  }

  private finish(reason: EndReason, code: string | null): void {
    this.closedByUs = true;
    window.clearTimeout(this.retryTimer);
    window.clearInterval(this.pingTimer);
    window.clearTimeout(this.othersReturningTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws !== null && ws.readyState <= WebSocket.OPEN) ws.close(1000, 'left');
    this.closeMedia();
    stopStream(this.state.localStream);
    stopStream(this.state.screenStream);
    this.set({
      status: 'ended',
      endReason: reason,
      endCode: code,
      remote: {},
      screenStream: null,
    });
  }

  private async connect(mode: 'join' | 'resume'): Promise<void> {
    if (this.closedByUs) return;
    let first: ClientMessage;
    if (mode === 'resume' && this.resumeToken !== null) {
      first = { type: 'resume', resumeToken: this.resumeToken };
    } else {
      try {
        this.ticket = await this.options.getTicket();
      } catch (err) {
        const code =
          typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
        if (code === 'network_error' || code === 'internal_error' || code === '') {
          this.scheduleRetry();
          return;
        }
        // The space refuses us now (deleted, locked, full, code changed): stop trying.
        this.finish('join_failed', code);
        return;
      }
      if (this.closedByUs) return;
      first = { type: 'join', token: this.ticket.token };
    }
    const path = this.ticket?.wsPath ?? '/ws';
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      markOnce('ws-open');
      this.lastHeard = Date.now();
      ws.send(JSON.stringify(first));
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      if (typeof ev.data !== 'string') return;
      let raw: unknown;
      try {
        raw = JSON.parse(ev.data);
      } catch {
        return;
      }
      const parsed = serverMessageSchema.safeParse(raw);
      if (parsed.success) this.onMessage(parsed.data);
    };
    ws.onclose = (ev) => this.onSocketGone(ws, ev.code);
    window.clearInterval(this.pingTimer);
    this.pingTimer = window.setInterval(() => {
      if (this.ws !== ws || ws.readyState !== WebSocket.OPEN) return;
      if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) {
        this.onSocketGone(ws, 1006);
        return;
      }
      ws.send(JSON.stringify({ type: 'ping' }));
    }, PING_EVERY_MS);
  }

  private onSocketGone(ws: WebSocket | null, code: number): void {
    if (ws === null || this.ws !== ws || this.closedByUs) return;
    this.ws = null;
    ws.onclose = null;
    ws.onmessage = null;
    if (ws.readyState <= WebSocket.OPEN) ws.close(CLIENT_DROP, 'dropped');
    const final = finalCloses.get(code);
    if (final !== undefined) {
      this.finish(final, null);
      return;
    }
    if (code === CloseCodes.resumeFailed || code === CloseCodes.tokenExpired) {
      // Our place is gone (grace over, or the server restarted): join again as new, at once
      // when the server just told us so (it is evidently up).
      if (code === CloseCodes.resumeFailed && this.resumeToken !== null) this.attempts = 0;
      this.resumeToken = null;
      this.beginReconnect();
      return;
    }
    if (shouldReconnect(code) || code === CloseCodes.joinTimeout || code === CLIENT_DROP) {
      this.beginReconnect();
      return;
    }
    if (code === CloseCodes.lobbyFull || code === CloseCodes.rateLimited) {
      // Refused for now (the lobby is full, or too many sockets from here): say why, offer rejoin.
      this.finish('join_failed', code === CloseCodes.lobbyFull ? 'lobby_full' : 'rate_limited');
      return;
    }
    this.finish(code === CloseCodes.tokenInvalid ? 'join_failed' : 'connection_lost', null);
  }

  private beginReconnect(): void {
    this.droppedAt ??= Date.now();
    this.closeMedia();
    this.set({ status: 'reconnecting', remote: {} });
    this.scheduleRetry();
  }

  /**
   * The next attempt: at once after a drop, then 1 s, 2 s, 4 s, 5 s… with jitter, so that after
   * a server restart everyone does not come back in the same millisecond.
   */
  private scheduleRetry(): void {
    window.clearTimeout(this.retryTimer);
    const n = this.attempts;
    this.attempts += 1;
    const delay =
      n === 0
        ? 0
        : Math.min(RETRY_EVERY_MS * 2 ** (n - 1), RETRY_MAX_MS) * (0.8 + Math.random() * 0.4);
    if (this.closedByUs) return;
    this.droppedAt ??= Date.now();
    if (Date.now() - this.droppedAt > this.giveUpAfterMs) {
      this.finish('connection_lost', null);
      return;
    }
    this.retryTimer = window.setTimeout(() => {
      const canResume =
        this.resumeToken !== null &&
        this.droppedAt !== null &&
        Date.now() - this.droppedAt < SIGNAL_LIMITS.resumeGraceMs;
      // A socket that fails to open closes with 1006 and brings us back here.
      void this.connect(canResume ? 'resume' : 'join');
    }, delay);
  }

  /**
   * Whether a `joined` as `selfId` is a join as new after we lost a place where others were
   * (they lost theirs too, e.g. the server restarted), and for how long to think so.
   */
  private othersWillReturn(selfId: string): boolean {
    const before = this.state.self;
    if (before === null || before.id === selfId) return this.state.othersReturning;
    if (!this.state.participants.some((p) => p.id !== before.id)) return false;
    window.clearTimeout(this.othersReturningTimer);
    this.othersReturningTimer = window.setTimeout(
      () => this.set({ othersReturning: false }),
      OTHERS_RETURN_MS,
    );
    return true;
  }

  private send(m: ClientMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  // ───────────── messages ─────────────

  private onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'joined':
        markOnce('joined');
        this.droppedAt = null;
        this.attempts = 0;
        this.resumeToken = m.resumeToken;
        this.set({
          self: m.self,
          space: m.space,
          rules: m.rules,
          othersReturning: this.othersWillReturn(m.self.id),
        });
        this.enterPhase(m.phase, true);
        return;
      case 'phase':
        this.enterPhase(m.phase, false);
        return;
      case 'roster':
        this.set({
          othersReturning:
            this.state.othersReturning && !m.participants.some((p) => p.id !== this.state.self?.id),
          participants: m.participants,
          hands: m.hands,
          locked: m.locked,
          lobby: m.lobby,
          chat: m.chat,
          activeSpeakers: m.activeSpeakers,
        });
        return;
      case 'participant_joined':
      case 'participant_updated': {
        const p = m.participant;
        const others = this.state.participants.filter((x) => x.id !== p.id);
        const list = [...others, p].sort((a, b) => a.joinedAt.localeCompare(b.joinedAt));
        const isSelf = p.id === this.state.self?.id;
        this.set({
          participants: list,
          ...(isSelf ? { self: p } : { othersReturning: false }),
        });
        if (isSelf) {
          if (!p.microphone && this.state.microphoneOn) this.setMicrophoneLocal(false);
          if (!p.camera && this.state.cameraOn) this.setCameraLocal(false);
        }
        return;
      }
      case 'participant_left': {
        const remote = { ...this.state.remote };
        delete remote[m.participantId];
        this.set({
          participants: this.state.participants.filter((x) => x.id !== m.participantId),
          hands: this.state.hands.filter((h) => h !== m.participantId),
          remote,
        });
        return;
      }
      case 'lobby':
        this.set({ lobby: m.waiting });
        return;
      // Lobby changes come one at a time (a long lobby is sent whole only on roster or resume).
      case 'lobby_added':
        this.set({
          lobby: [...this.state.lobby.filter((e) => e.id !== m.entry.id), m.entry],
        });
        return;
      case 'lobby_removed': {
        const gone = new Set(m.participantIds);
        this.set({ lobby: this.state.lobby.filter((e) => !gone.has(e.id)) });
        return;
      }
      case 'hands':
        this.set({ hands: m.queue });
        return;
      case 'chat':
        this.set({ chat: [...this.state.chat, m.message].slice(-500) });
        return;
      case 'meeting_updated':
        this.set({ locked: m.locked });
        return;
      case 'rules':
        this.set({ rules: m.rules });
        // Screen sharing was locked while we shared: the server stopped forwarding it; stop it
        // here too (camera and microphone locks arrive as participant_updated for ourselves).
        if (this.isLocked('screen') && this.state.screenStream !== null)
          this.stopScreenShare(false);
        return;
      case 'active_speakers':
        this.set({ activeSpeakers: m.participantIds });
        return;
      case 'publish_answer':
        void this.onPublishAnswer(m.sdp);
        return;
      case 'subscriber_offer': {
        markOnce('subscriber-offer');
        // One at a time, in order with restarts (an offer sent again follows a refusal).
        const sdp = m.sdp;
        this.subscribeWork = this.subscribeWork.then(() =>
          this.onSubscriberOffer(sdp).catch((err: unknown) => {
            this.lastError = `subscribe: ${err instanceof Error ? err.message : String(err)}`;
          }),
        );
        return;
      }
      case 'bitrate_cap':
        this.bitrateCap = m.bitsPerSecond;
        void this.applyBitrateCap();
        return;
      case 'ended':
        this.finish(m.reason, null);
        return;
      case 'error':
        if (m.code === 'resume_failed') return; // the close (4011) that follows handles it
        if (m.code === 'rate_limited' && m.ref?.startsWith(RESUBSCRIBE_REF) === true) {
          // Asked too soon (our last one was slow to arrive): ask again after the interval.
          this.lastResubscribeAt = Date.now();
          this.requestResubscribe();
          return;
        }
        this.set({ notice: { code: m.code, at: Date.now() } });
        this.lastError = `${m.code}: ${m.message}`;
        if (m.code === 'media_failed') {
          // Only the connection that failed starts over (an older server names none: publish).
          if (m.connection === 'subscribe') this.restartSubscribing();
          else this.restartPublishing();
        }
        return;
      case 'pong':
        if (m.ref !== undefined) this.releaseCandidates(m.ref);
        return;
    }
  }

  private enterPhase(phase: 'waiting_for_moderator' | 'lobby' | 'meeting', fresh: boolean): void {
    const wasMeeting = this.state.status === 'meeting';
    this.set({ status: phase });
    if (phase === 'meeting') this.syncSources();
    if (phase === 'meeting' && (fresh || !wasMeeting)) {
      // A fresh peer on the server: start both PCs over and publish again.
      this.closeMedia();
      this.set({ remote: {} });
      void this.publish();
    }
  }

  // ───────────── media ─────────────

  private closeMedia(): void {
    window.clearTimeout(this.resubscribeTimer);
    window.clearTimeout(this.disconnectedTimer);
    this.publishPc?.close();
    this.subscribePc?.close();
    this.publishPc = null;
    this.subscribePc = null;
    this.senders = {};
    this.subscribeMids.clear();
    this.heldCandidates.clear();
    this.publishing = false;
    this.republish = false;
  }

  /** Starts the publish PC over (a fresh offer) after a pause. */
  private restartPublishing(): void {
    this.publishPc?.close();
    this.publishPc = null;
    this.senders = {};
    this.publishing = false;
    this.republish = false;
    this.retryPublishLater();
  }

  /**
   * Drops the subscribe PC: the server refused its answer (and sends the offer again) or dropped
   * it; the next subscriber offer is taken on a fresh PC. Publishing goes on untouched.
   */
  private restartSubscribing(): void {
    this.subscribeWork = this.subscribeWork.then(() => this.dropSubscribePc());
  }

  /** Closes the subscribe PC and forgets what it carried; the next subscriber offer makes a fresh one. */
  private dropSubscribePc(): void {
    this.subscribePc?.close();
    this.subscribePc = null;
    this.subscribeMids.clear();
    this.heldCandidates.clear();
    this.set({ remote: {} });
  }

  /**
   * Our subscribe PC broke (`failed`, or `disconnected` for a while; e.g. a network change): it
   * is closed, and the server is asked for a fresh subscription, whose offer (new ICE
   * credentials) is taken on a fresh PC. Publishing goes on untouched. If the server replaced
   * its side by itself first, its offer already brought a fresh PC and nothing is asked.
   */
  private onSubscribeBroken(pc: RTCPeerConnection): void {
    this.subscribeWork = this.subscribeWork.then(() => {
      if (this.subscribePc !== pc || this.state.status !== 'meeting') return;
      this.dropSubscribePc();
      this.requestResubscribe();
    });
  }

  /** Sends `resubscribe`, no sooner than the server's interval allows after the last one. */
  private requestResubscribe(): void {
    window.clearTimeout(this.resubscribeTimer);
    // A little margin, so that our timer and the server's clock do not disagree by a hair.
    const wait = this.lastResubscribeAt + SIGNAL_LIMITS.resubscribeIntervalMs + 250 - Date.now();
    if (wait > 0) {
      this.resubscribeTimer = window.setTimeout(() => this.requestResubscribe(), wait);
      return;
    }
    // Only while we have no subscribe PC: a fresh offer that came meanwhile made one.
    if (this.state.status !== 'meeting' || this.subscribePc !== null) return;
    this.lastResubscribeAt = Date.now();
    this.send({ type: 'resubscribe', ref: `${RESUBSCRIBE_REF}${++this.resubscribesSent}` });
  }

  private retryPublishLater(): void {
    window.setTimeout(() => {
      if (this.state.status === 'meeting' && !this.publishing) void this.publish();
    }, 2000);
  }

  /** Builds (or renegotiates) the publish PC and sends its complete offer. */
  private async publish(): Promise<void> {
    if (this.state.status !== 'meeting') return;
    if (this.publishing) {
      this.republish = true;
      return;
    }
    this.publishing = true;
    try {
      let pc = this.publishPc;
      if (pc === null) {
        pc = new RTCPeerConnection({
          iceServers: this.ticket?.iceServers ?? [],
          rtcpMuxPolicy: 'require',
        });
        this.publishPc = pc;
        const stream = this.state.localStream;
        const audio = stream.getAudioTracks()[0];
        const video = stream.getVideoTracks()[0];
        if (audio !== undefined) {
          const t = pc.addTransceiver(audio, { direction: 'sendonly', streams: [stream] });
          preferCodecs(t, 'audio');
          this.senders.microphone = t.sender;
          if (!this.state.microphoneOn) await t.sender.replaceTrack(null);
        }
        // Always a camera m-line (if there is a camera), so turning it on needs no renegotiation.
        if (video !== undefined) {
          const t = pc.addTransceiver(video, { direction: 'sendonly', streams: [stream] });
          preferCodecs(t, 'video');
          this.senders.camera = t.sender;
          if (!this.state.cameraOn) await t.sender.replaceTrack(null);
        }
      }
      const screen = this.state.screenStream?.getVideoTracks()[0];
      if (screen !== undefined && this.senders.screen === undefined) {
        const t = pc.addTransceiver(screen, {
          direction: 'sendonly',
          streams: [this.state.screenStream ?? new MediaStream()],
        });
        preferCodecs(t, 'video');
        this.senders.screen = t.sender;
      }
      if (screen === undefined && this.senders.screen !== undefined) {
        const t = pc.getTransceivers().find((x) => x.sender === this.senders.screen);
        t?.stop();
        delete this.senders.screen;
      }
      const sources: Record<string, TrackSourceName> = {};
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      markOnce('publish-offer');
      await waitForGathering(pc);
      markOnce('publish-gathered');
      for (const t of pc.getTransceivers()) {
        if (t.mid === null || t.currentDirection === 'stopped' || t.direction === 'stopped')
          continue;
        const src = (Object.keys(this.senders) as TrackSourceName[]).find(
          (k) => this.senders[k] === t.sender,
        );
        if (src !== undefined) sources[t.mid] = src;
      }
      const sdp = pc.localDescription?.sdp;
      if (sdp === undefined || this.publishPc !== pc) {
        this.publishing = false;
        return;
      }
      if (Object.keys(sources).length === 0) {
        // Nothing to send (no camera and no microphone): only subscribe.
        this.publishing = false;
        return;
      }
      this.send({ type: 'publish', sdp, sources });
    } catch (err) {
      this.lastError = `publish: ${err instanceof Error ? err.message : String(err)}`;
      this.publishing = false;
      this.retryPublishLater();
    }
  }

  private async onPublishAnswer(sdp: string): Promise<void> {
    const pc = this.publishPc;
    if (pc === null || pc.signalingState !== 'have-local-offer') return;
    try {
      await pc.setRemoteDescription({ type: 'answer', sdp });
      await this.applyBitrateCap();
    } catch {
      // A stale answer; the next publish will fix it.
    }
    this.publishing = false;
    if (this.republish) {
      this.republish = false;
      void this.publish();
    }
  }

  private async applyBitrateCap(): Promise<void> {
    const sender = this.senders.camera;
    if (sender === undefined || this.bitrateCap === null) return;
    const params = sender.getParameters();
    const enc = params.encodings?.[0];
    if (enc === undefined) return;
    enc.maxBitrate = this.bitrateCap;
    try {
      await sender.setParameters(params);
    } catch {
      // Not negotiated yet; applied again after the next answer.
    }
  }

  private newSubscribePc(): RTCPeerConnection {
    const pc = new RTCPeerConnection({
      iceServers: this.ticket?.iceServers ?? [],
      rtcpMuxPolicy: 'require',
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'connected') markOnce('subscribe-connected');
      if (this.subscribePc !== pc) return;
      window.clearTimeout(this.disconnectedTimer);
      if (pc.connectionState === 'failed') this.onSubscribeBroken(pc);
      else if (pc.connectionState === 'disconnected') {
        this.disconnectedTimer = window.setTimeout(() => {
          if (pc.connectionState === 'disconnected') this.onSubscribeBroken(pc);
        }, SUBSCRIBE_DISCONNECTED_MS);
      }
    });
    pc.ontrack = (ev) => {
      if (this.subscribePc !== pc) return;
      const info =
        ev.transceiver.mid === null ? undefined : this.subscribeMids.get(ev.transceiver.mid);
      if (info === undefined) return;
      const stream = new MediaStream([ev.track]);
      const remote = { ...this.state.remote };
      remote[info.participantId] = { ...remote[info.participantId], [info.source]: stream };
      this.set({ remote });
      ev.track.addEventListener('ended', () => this.dropRemote(info, stream));
    };
    return pc;
  }

  private dropRemote(info: RemoteTrackInfo, stream: MediaStream): void {
    const cur = this.state.remote[info.participantId];
    if (cur?.[info.source] !== stream) return;
    const next = { ...cur };
    delete next[info.source];
    this.set({ remote: { ...this.state.remote, [info.participantId]: next } });
  }

  private async onSubscriberOffer(sdp: string): Promise<void> {
    let pc = this.subscribePc ?? this.newSubscribePc();
    const ufrag = (d: string | undefined) => /\r?\na=ice-ufrag:(\S+)/.exec(d ?? '')?.[1];
    const before = ufrag(pc.remoteDescription?.sdp);
    if (before !== undefined && before !== ufrag(sdp)) {
      // The server replaced our subscriber connection (new ICE and DTLS): a fresh PC takes it.
      pc.close();
      pc = this.newSubscribePc();
      this.set({ remote: {} });
    }
    this.subscribePc = pc;
    const mids = remoteTracksByMid(sdp);
    for (const [mid, info] of mids) this.subscribeMids.set(mid, info);
    const offer = holdBackCandidates(sdp);
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    } catch {
      // The server started a fresh peer (new DTLS identity): a fresh PC takes it.
      pc.close();
      pc = this.newSubscribePc();
      this.subscribePc = pc;
      this.set({ remote: {} });
      await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    }
    // Tracks the server no longer offers (inactive m-lines) leave the grid.
    for (const t of pc.getTransceivers()) {
      if (t.mid !== null && (t.currentDirection === 'inactive' || !mids.has(t.mid))) {
        const info = this.subscribeMids.get(t.mid);
        if (info !== undefined) {
          const cur = this.state.remote[info.participantId];
          if (cur?.[info.source] !== undefined) {
            const next = { ...cur };
            delete next[info.source];
            this.set({ remote: { ...this.state.remote, [info.participantId]: next } });
          }
        }
      }
    }
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    markOnce('subscriber-answer');
    await waitForGathering(pc);
    markOnce('subscriber-gathered');
    const local = pc.localDescription?.sdp;
    if (local !== undefined && this.subscribePc === pc) {
      this.send({ type: 'subscriber_answer', sdp: local });
      // The server handles messages in order: the pong to this ping says it took the answer
      // (a refusal comes before it, as media_failed for the subscribe connection).
      const ref = `ice-${++this.answersSent}`;
      this.heldCandidates.set(ref, { pc, candidates: offer.candidates });
      this.send({ type: 'ping', ref });
    }
  }

  /** The server took our answer: the subscribe PC may start ICE with the offer's candidates. */
  private releaseCandidates(ref: string): void {
    const held = this.heldCandidates.get(ref);
    if (held === undefined) return;
    this.heldCandidates.delete(ref);
    if (this.subscribePc !== held.pc || held.pc.signalingState === 'closed') return;
    for (const c of held.candidates) {
      held.pc.addIceCandidate(c).catch(() => {
        // A candidate the PC already has (a renegotiation) or cannot use.
      });
    }
  }

  // ───────────── controls ─────────────

  private applyLocalTrackStates(): void {
    this.state.localStream.getAudioTracks().forEach((t) => (t.enabled = this.state.microphoneOn));
    this.state.localStream.getVideoTracks().forEach((t) => (t.enabled = this.state.cameraOn));
  }

  /**
   * On entering the meeting (a join often starts out waiting for a moderator, and the server
   * takes our changes only in the meeting): what the server holds of our microphone and camera
   * meets our own. Off on either side wins: mute on join or a moderator's mute (perhaps while
   * we were away) turns ours off; our own choice before joining (or while away) is told.
   */
  private syncSources(): void {
    const self = this.state.self;
    if (self === null) return;
    if (!self.microphone && this.state.microphoneOn) this.setMicrophoneLocal(false);
    else if (self.microphone && !this.state.microphoneOn)
      this.send({ type: 'set_microphone', on: false });
    if (!self.camera && this.state.cameraOn) this.setCameraLocal(false);
    else if (self.camera && !this.state.cameraOn) this.send({ type: 'set_camera', on: false });
  }

  private setMicrophoneLocal(on: boolean): void {
    const track = this.state.localStream.getAudioTracks()[0];
    if (track !== undefined) track.enabled = on;
    // A muted microphone sends nothing at all.
    void this.senders.microphone?.replaceTrack(on ? (track ?? null) : null);
    this.set({ microphoneOn: on });
  }

  private setCameraLocal(on: boolean): void {
    const track = this.state.localStream.getVideoTracks()[0];
    if (track !== undefined) track.enabled = on;
    void this.senders.camera?.replaceTrack(on ? (track ?? null) : null);
    this.set({ cameraOn: on });
  }

  /** Whether a moderator locked this for non-moderators. */
  isLocked(what: 'camera' | 'microphone' | 'chat' | 'screen'): boolean {
    const r = this.state.rules;
    if (r === null || this.state.self?.role === 'moderator') return false;
    if (what === 'camera') return r.lockCamera;
    if (what === 'microphone') return r.lockMicrophone;
    if (what === 'chat') return r.lockChat;
    return r.lockScreenShare;
  }

  hasMicrophone(): boolean {
    return this.state.localStream.getAudioTracks().length > 0;
  }

  hasCamera(): boolean {
    return this.state.localStream.getVideoTracks().length > 0;
  }

  toggleMicrophone(): void {
    const on = !this.state.microphoneOn;
    if (!this.hasMicrophone() || (on && this.isLocked('microphone'))) return;
    this.setMicrophoneLocal(on);
    this.send({ type: 'set_microphone', on });
  }

  toggleCamera(): void {
    const on = !this.state.cameraOn;
    if (!this.hasCamera() || (on && this.isLocked('camera'))) return;
    const track = this.state.localStream.getVideoTracks()[0];
    if (on && track?.readyState === 'ended') {
      void this.reopenCamera();
      return;
    }
    this.setCameraLocal(on);
    this.send({ type: 'set_camera', on });
  }

  private async reopenCamera(): Promise<void> {
    try {
      const s = await navigator.mediaDevices.getUserMedia({
        video: {
          ...videoConstraints,
          ...(this.cameraId !== undefined ? { deviceId: { exact: this.cameraId } } : {}),
        },
      });
      const track = s.getVideoTracks()[0];
      if (track === undefined) return;
      const old = this.state.localStream.getVideoTracks()[0];
      if (old !== undefined) this.state.localStream.removeTrack(old);
      this.state.localStream.addTrack(track);
      this.setCameraLocal(true);
      this.send({ type: 'set_camera', on: true });
    } catch {
      this.set({ notice: { code: 'media_failed', at: Date.now() } });
    }
  }

  /** Starts sharing the screen (asks the browser which one) or stops. */
  async toggleScreenShare(): Promise<void> {
    if (this.state.screenStream !== null) {
      this.stopScreenShare();
      return;
    }
    if (this.isLocked('screen')) return;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({
        video: { frameRate: { ideal: 15, max: 30 } },
        audio: false,
      });
    } catch {
      return; // the person cancelled the picker
    }
    const track = stream.getVideoTracks()[0];
    if (track === undefined || this.state.status === 'ended') {
      stopStream(stream);
      return;
    }
    // The browser's own "Stop sharing" bar ends the track.
    track.addEventListener('ended', () => {
      if (this.state.screenStream === stream) this.stopScreenShare();
    });
    track.contentHint = 'detail';
    this.set({ screenStream: stream });
    this.send({ type: 'screen_share', on: true });
    void this.publish();
  }

  /** Stops sharing; `tell` is false when the server already turned it off. */
  private stopScreenShare(tell = true): void {
    stopStream(this.state.screenStream);
    this.set({ screenStream: null });
    if (tell) this.send({ type: 'screen_share', on: false });
    void this.publish();
  }

  sendChat(text: string): void {
    const trimmed = text.trim();
    if (trimmed === '') return;
    this.send({ type: 'chat', text: trimmed.slice(0, SIGNAL_LIMITS.maxChatLength) });
  }

  setHand(raised: boolean): void {
    this.send({ type: 'hand', raised });
  }

  admit(participantId: string): void {
    this.send({ type: 'admit', participantId });
  }
  deny(participantId: string): void {
    this.send({ type: 'deny', participantId });
  }
  mute(participantId: string): void {
    this.send({ type: 'mute', participantId });
  }
  muteAll(): void {
    this.send({ type: 'mute_all' });
  }
  remove(participantId: string): void {
    this.send({ type: 'remove', participantId });
  }
  setRole(participantId: string, role: 'viewer' | 'moderator'): void {
    this.send({ type: 'set_role', participantId, role });
  }
  lowerHands(participantId?: string): void {
    this.send(
      participantId === undefined
        ? { type: 'lower_hands' }
        : { type: 'lower_hands', participantId },
    );
  }
  lock(locked: boolean): void {
    this.send({ type: 'lock', locked });
  }
  endMeeting(): void {
    this.send({ type: 'end_meeting' });
  }

  // ───────────── stats (debug API and tests) ─────────────

  /** Inbound media counters per remote track, read from the subscribe PC's getStats(). */
  async inboundStats(): Promise<InboundTrackStats[]> {
    const pc = this.subscribePc;
    if (pc === null) return [];
    const report = await pc.getStats();
    const out: InboundTrackStats[] = [];
    report.forEach((s: RTCStats & Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp') return;
      const mid = typeof s.mid === 'string' ? s.mid : undefined;
      const info = mid === undefined ? undefined : this.subscribeMids.get(mid);
      out.push({
        kind: s.kind === 'audio' ? 'audio' : 'video',
        participantId: info?.participantId ?? null,
        source: info?.source ?? null,
        packetsReceived: Number(s.packetsReceived ?? 0),
        framesDecoded: Number(s.framesDecoded ?? 0),
        totalSamplesReceived: Number(s.totalSamplesReceived ?? 0),
        audioLevel: Number(s.audioLevel ?? 0),
        frameWidth: Number(s.frameWidth ?? 0),
      });
    });
    return out;
  }

  /** Connection states of both PCs, for the debug API. */
  connectionStates(): { publish: string | null; subscribe: string | null } {
    return {
      publish: this.publishPc?.connectionState ?? null,
      subscribe: this.subscribePc?.connectionState ?? null,
    };
  }
}

export interface InboundTrackStats {
  kind: 'audio' | 'video';
  participantId: string | null;
  source: TrackSourceName | null;
  packetsReceived: number;
  framesDecoded: number;
  totalSamplesReceived: number;
  audioLevel: number;
  frameWidth: number;
}
