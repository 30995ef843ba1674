import {
  SIGNAL_LIMITS,
  type ChatMessage,
  type ClientMessage,
  type MediaConnection,
  type MeetingRules,
  type ParticipantInfo,
  type ParticipantRole,
  type Phase,
  type ServerMessage,
  type SignalErrorCode,
  type TrackSourceName,
} from '@common/protocol';
import { CloseCodes } from '@common/protocol';
import type { MediaPeer, MediaRoom } from '@server/realtime/sfu/engine';
import { Lobby } from './lobby';
import { nextParticipantState, type LeaveReason, type ParticipantState } from './participant';

/** The space's rules as a meeting applies them (no access codes; those are checked before). */
export interface MeetingConfig {
  spaceId: string;
  slug: string;
  name: string;
  lobby: 'off' | 'guests' | 'everyone_but_moderators';
  anyoneCanStart: boolean;
  muteOnJoin: boolean;
  maxParticipants: number | null;
  lockCamera: boolean;
  lockMicrophone: boolean;
  lockChat: boolean;
  lockScreenShare: boolean;
  keepChat: boolean;
  /** Chat kept from earlier meetings (keep chat on). */
  keptChat: ChatMessage[];
}

/** The settings an owner may change while the meeting runs (see `Meeting` event `settings`). */
export type MeetingSettings = Pick<
  MeetingConfig,
  | 'lobby'
  | 'anyoneCanStart'
  | 'muteOnJoin'
  | 'maxParticipants'
  | 'lockCamera'
  | 'lockMicrophone'
  | 'lockChat'
  | 'lockScreenShare'
  | 'keepChat'
>;

/** How a meeting talks to one participant's socket. */
export interface ParticipantLink {
  send(message: ServerMessage): void;
  close(code: number, reason: string): void;
  /**
   * The participant's signalling address (their WebSocket's remote address, request.ip): the
   * media engine takes their ICE candidates only there (sfu/candidates.ts).
   */
  readonly address?: string;
}

/** Who is joining, from a checked join token. */
export interface JoinRequest {
  name: string;
  role: ParticipantRole;
  accountId: string | null;
  /**
   * A guest's per-browser key, as a hash bound to the space (from the join token): the same guest
   * back from a new tab or after a crash, known the way a member is known by their account.
   */
  guestKey?: string;
}

/** Facts the meeting reports outward (attendance events, persistence of kept chat). */
export interface MeetingHooks {
  participantJoined?(e: {
    spaceId: string;
    meetingId: string;
    participantId: string;
    accountId: string | null;
    name: string;
    role: ParticipantRole;
    at: string;
  }): void;
  participantLeft?(e: {
    spaceId: string;
    meetingId: string;
    participantId: string;
    accountId: string | null;
    name: string;
    reason: LeaveReason;
    joinedAt: string;
    at: string;
  }): void;
  /** The meeting is over; `keptChat` is the chat to keep (empty unless keep chat is on). */
  ended?(e: { spaceId: string; meetingId: string; keptChat: ChatMessage[]; at: string }): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface MeetingDeps {
  /** Creates the media room the first time someone enters (null: no media, e.g. in unit tests). */
  mediaRoom: ((events: { onActiveSpeakers(ids: string[]): void }) => MediaRoom) | null;
  now: () => Date;
  newId: () => string;
  newSecret: () => string;
  timers?: Timers;
  hooks?: MeetingHooks;
  resumeGraceMs?: number;
  /** The lobby's bound (SIGNAL_LIMITS.maxLobby unless a test lowers it). */
  maxLobby?: number;
  onError?: (err: unknown, context: string) => void;
}

interface Participant {
  id: string;
  name: string;
  role: ParticipantRole;
  accountId: string | null;
  guestKey: string | undefined;
  state: ParticipantState;
  resumeToken: string;
  link: ParticipantLink | null;
  graceTimer: unknown;
  microphone: boolean;
  camera: boolean;
  screen: boolean;
  handRaisedAt: string | null;
  joinedAt: string;
  /** When they entered the meeting phase (attendance), null until then. */
  enteredAt: string | null;
  peer: MediaPeer | null;
  /** The last subscriber offer sent (null when none, or its answer was taken). */
  subscriberOffer: string | null;
  /** Whether that offer was already sent again after a refused answer (once per offer). */
  subscriberOfferResent: boolean;
  /** When the last `resubscribe` was taken (ms since the epoch), for its rate limit. */
  lastResubscribeAt: number | null;
}

/** The answer to a join: in, or refused with a code and the close code to use. */
export type JoinResult =
  | { ok: true; participantId: string; resumeToken: string }
  | { ok: false; code: SignalErrorCode; closeCode: number; message: string };

/** Every event a meeting handles; `dispatch` is the one entry point (tests drive it directly). */
export type MeetingEvent =
  | { type: 'connect'; request: JoinRequest; link: ParticipantLink }
  | { type: 'resume'; resumeToken: string; link: ParticipantLink }
  | { type: 'message'; participantId: string; message: ClientMessage }
  | {
      type: 'disconnected';
      participantId: string;
      link: ParticipantLink;
      /** The browser closed the socket going away (1001): its page is gone, nobody can resume. */
      pageGone?: boolean | undefined;
    }
  | { type: 'grace_expired'; participantId: string }
  /** The space's effective settings changed (owner's save, site defaults): they apply now. */
  | { type: 'settings'; settings: MeetingSettings }
  | { type: 'end'; reason: 'ended_by_moderator' | 'space_deleted' | 'shutdown' };

export type MeetingStatus = 'waiting' | 'open' | 'ended';

/** Answers the message being handled with an error (media_failed names the connection). */
type Fail = (code: SignalErrorCode, message: string, connection?: MediaConnection) => void;

/**
 * One live meeting of a space, in memory on the node that hosts it: participants and their
 * phases (waiting for a moderator, lobby, in the meeting), roles, hands, chat, the lock, and the
 * glue to the media room. All changes go through `dispatch(event)`; what participants must learn
 * is sent through their links. Nothing a participant sends can throw out of here.
 */
export class Meeting {
  readonly id: string;
  private status: MeetingStatus;
  private readonly participants = new Map<string, Participant>();
  private readonly lobby = new Lobby();
  private hands: string[] = [];
  private chat: ChatMessage[];
  private readonly keptFromBefore: number;
  private locked = false;
  private activeSpeakers: string[] = [];
  private room: MediaRoom | null = null;
  private readonly timers: Timers;

  /** The space's rules as they are now (replaced when the owner changes settings). */
  config: MeetingConfig;

  constructor(
    config: MeetingConfig,
    private readonly deps: MeetingDeps,
  ) {
    this.config = config;
    this.id = deps.newId();
    this.status = config.anyoneCanStart ? 'open' : 'waiting';
    this.chat = [...config.keptChat];
    this.keptFromBefore = this.chat.length;
    this.timers = deps.timers ?? realTimers;
  }

  get state(): MeetingStatus {
    return this.status;
  }

  /** Everyone present or waiting, the lobby too (the meeting ends when this reaches 0). */
  get size(): number {
    return this.participants.size;
  }

  /**
   * What counts toward the space's maximum: those in the meeting, and those waiting for a
   * moderator who will enter without the lobby. The lobby has its own bound (`waiting`).
   */
  get seatsTaken(): number {
    let n = 0;
    for (const p of this.participants.values()) {
      if (p.state === 'meeting' || (p.state === 'waiting_for_moderator' && !this.needsLobby(p)))
        n += 1;
    }
    return n;
  }

  /** Those in the lobby, and those waiting for a moderator who will queue there. */
  get waiting(): number {
    let n = 0;
    for (const p of this.participants.values()) {
      if (p.state === 'lobby' || (p.state === 'waiting_for_moderator' && this.needsLobby(p)))
        n += 1;
    }
    return n;
  }

  private get hasSeat(): boolean {
    const max = this.config.maxParticipants;
    return max === null || this.seatsTaken < max;
  }

  get isLocked(): boolean {
    return this.locked;
  }

  /** A participant's phase (tests and the router). */
  phaseOf(participantId: string): ParticipantState | undefined {
    return this.participants.get(participantId)?.state;
  }

  participantInfo(participantId: string): ParticipantInfo | undefined {
    const p = this.participants.get(participantId);
    return p === undefined ? undefined : this.info(p);
  }

  /** Finds the participant a resume token belongs to. */
  participantByResumeToken(token: string): string | undefined {
    for (const p of this.participants.values()) if (p.resumeToken === token) return p.id;
    return undefined;
  }

  /** The one entry point. Returns a JoinResult for connect/resume, undefined otherwise. */
  dispatch(event: MeetingEvent): JoinResult | undefined {
    if (this.status === 'ended') {
      if (event.type === 'connect' || event.type === 'resume') {
        return {
          ok: false,
          code: 'resume_failed',
          closeCode: CloseCodes.resumeFailed,
          message: 'The meeting has ended.',
        };
      }
      return undefined;
    }
    switch (event.type) {
      case 'connect':
        return this.connect(event.request, event.link);
      case 'resume':
        return this.resume(event.resumeToken, event.link);
      case 'message':
        this.onMessage(event.participantId, event.message);
        return undefined;
      case 'disconnected':
        this.onDisconnected(event.participantId, event.link, event.pageGone === true);
        return undefined;
      case 'grace_expired': {
        const p = this.participants.get(event.participantId);
        if (p !== undefined && p.link === null) this.leave(p, 'timeout');
        return undefined;
      }
      case 'end':
        this.end(event.reason);
        return undefined;
      case 'settings':
        this.applySettings(event.settings);
        return undefined;
    }
  }

  /**
   * New settings while the meeting runs. Locks take effect at once: a non-moderator whose camera,
   * microphone or screen share is now locked is turned off (as a moderator's mute would). A lobby
   * that no longer applies lets its waiting people in; "anyone may start" opens a meeting that
   * waited for a moderator. Mute on join and the maximum count for people joining from now on
   * (nobody is sent away). Everyone, wherever they wait, gets the new rules.
   */
  private applySettings(s: MeetingSettings): void {
    this.config = { ...this.config, ...s };
    for (const p of this.participants.values()) {
      this.sendTo(p, { type: 'rules', rules: this.rules() });
    }
    for (const p of [...this.participants.values()]) {
      if (p.state !== 'meeting' || p.role === 'moderator') continue;
      if (s.lockCamera && p.camera) this.setSource(p, 'camera', false);
      if (s.lockMicrophone && p.microphone) this.setSource(p, 'microphone', false);
      if (s.lockScreenShare && p.screen) this.setSource(p, 'screen', false);
    }
    if (this.status === 'waiting' && s.anyoneCanStart) {
      this.status = 'open';
      for (const p of [...this.participants.values()]) {
        if (p.state === 'waiting_for_moderator') this.placeAfterOpening(p);
      }
    }
    const admitted: string[] = [];
    for (const entry of this.lobby.list()) {
      const p = this.participants.get(entry.id);
      if (p === undefined || this.needsLobby(p)) continue;
      // Those the maximum has no seat for keep waiting (a moderator admits them later).
      if (!this.hasSeat) break;
      this.lobby.take(p.id);
      admitted.push(p.id);
      if (this.transition(p, { type: 'admit' })) this.enterMeeting(p);
    }
    if (admitted.length > 0) this.sendLobbyRemoved(admitted);
  }

  // ───────────────────────── joining, resuming, leaving ─────────────────────────

  private connect(request: JoinRequest, link: ParticipantLink): JoinResult {
    const c = this.config;
    if (this.locked && request.role !== 'moderator') {
      return {
        ok: false,
        code: 'space_locked',
        closeCode: CloseCodes.spaceLocked,
        message: 'The meeting is locked.',
      };
    }
    // The same account (or the same guest's browser, by its key) back on a new socket (its
    // browser crashed, or it opened the link again elsewhere) while its old place waits for a
    // resume: that place is a ghost now, let it go. Only a place without a socket: a key cannot
    // send anyone connected away.
    const sameOne = (ghost: Participant): boolean =>
      request.accountId !== null
        ? ghost.accountId === request.accountId
        : request.guestKey !== undefined &&
          ghost.accountId === null &&
          ghost.guestKey === request.guestKey;
    for (const ghost of [...this.participants.values()]) {
      if (ghost.link === null && sameOne(ghost)) this.leave(ghost, 'left');
    }
    if (this.needsLobby(request)) {
      // The lobby does not take seats (bots waiting there cannot keep a member out), but it
      // has a bound of its own.
      if (this.waiting >= (this.deps.maxLobby ?? SIGNAL_LIMITS.maxLobby)) {
        return {
          ok: false,
          code: 'lobby_full',
          closeCode: CloseCodes.lobbyFull,
          message: 'The lobby is full; try again later.',
        };
      }
    } else if (!this.hasSeat) {
      return {
        ok: false,
        code: 'meeting_full',
        closeCode: CloseCodes.meetingFull,
        message: 'The meeting is full.',
      };
    }
    const at = this.nowIso();
    const lockedMic = c.lockMicrophone && request.role !== 'moderator';
    const lockedCam = c.lockCamera && request.role !== 'moderator';
    const p: Participant = {
      id: this.deps.newId(),
      name: request.name,
      role: request.role,
      accountId: request.accountId,
      guestKey: request.accountId === null ? request.guestKey : undefined,
      state: 'waiting_for_moderator',
      resumeToken: this.deps.newSecret(),
      link,
      graceTimer: undefined,
      microphone: !(c.muteOnJoin || lockedMic),
      camera: !lockedCam,
      screen: false,
      handRaisedAt: null,
      joinedAt: at,
      enteredAt: null,
      peer: null,
      subscriberOffer: null,
      subscriberOfferResent: false,
      lastResubscribeAt: null,
    };
    this.participants.set(p.id, p);
    this.sendJoined(p);
    if (this.status === 'waiting' && p.role === 'moderator') {
      this.status = 'open';
      // The meeting opens: the moderator first, then everyone who waited enters (or queues in the
      // lobby) by themselves, in arrival order.
      this.placeAfterOpening(p);
      for (const other of this.participants.values()) {
        if (other.state === 'waiting_for_moderator') this.placeAfterOpening(other);
      }
    } else if (this.status === 'open') {
      this.placeAfterOpening(p);
    }
    return { ok: true, participantId: p.id, resumeToken: p.resumeToken };
  }

  private needsLobby(p: Pick<Participant, 'role' | 'accountId'>): boolean {
    if (p.role === 'moderator') return false;
    if (this.config.lobby === 'off') return false;
    if (this.config.lobby === 'guests') return p.accountId === null;
    return true;
  }

  private placeAfterOpening(p: Participant): void {
    if (this.needsLobby(p)) {
      if (!this.transition(p, { type: 'enter_lobby' })) return;
      const entry = this.lobby.enqueue({
        id: p.id,
        name: p.name,
        signedIn: p.accountId !== null,
        since: this.nowIso(),
      });
      this.sendTo(p, { type: 'phase', phase: 'lobby' });
      this.sendToModerators({ type: 'lobby_added', entry });
    } else if (this.transition(p, { type: 'enter_meeting' })) {
      this.enterMeeting(p);
    }
  }

  private enterMeeting(p: Participant): void {
    const at = this.nowIso();
    p.enteredAt = at;
    this.sendTo(p, { type: 'phase', phase: 'meeting' });
    this.attachMedia(p);
    this.sendRoster(p);
    this.broadcast({ type: 'participant_joined', participant: this.info(p) }, p.id);
    this.deps.hooks?.participantJoined?.({
      spaceId: this.config.spaceId,
      meetingId: this.id,
      participantId: p.id,
      accountId: p.accountId,
      name: p.name,
      role: p.role,
      at,
    });
  }

  private resume(resumeToken: string, link: ParticipantLink): JoinResult {
    const id = this.participantByResumeToken(resumeToken);
    const p = id === undefined ? undefined : this.participants.get(id);
    if (p === undefined || p.state === 'left') {
      return {
        ok: false,
        code: 'resume_failed',
        closeCode: CloseCodes.resumeFailed,
        message: 'Nothing to resume; join again.',
      };
    }
    if (p.graceTimer !== undefined) this.timers.clearTimeout(p.graceTimer);
    p.graceTimer = undefined;
    const old = p.link;
    p.link = link;
    if (old !== null && old !== link) old.close(CloseCodes.replaced, 'resumed on another socket');
    this.sendJoined(p);
    if (p.state === 'meeting') {
      // Media renegotiates: a fresh peer; the client publishes again.
      this.detachMedia(p);
      this.attachMedia(p);
      this.sendRoster(p);
      this.broadcast({ type: 'participant_updated', participant: this.info(p) }, p.id);
    } else if (p.state === 'lobby') {
      this.sendTo(p, { type: 'phase', phase: 'lobby' });
    }
    if (p.role === 'moderator' && this.lobby.size > 0) this.sendLobby(p);
    return { ok: true, participantId: p.id, resumeToken: p.resumeToken };
  }

  private onDisconnected(participantId: string, link: ParticipantLink, pageGone: boolean): void {
    const p = this.participants.get(participantId);
    // A late close of a socket that was already replaced by a resume changes nothing.
    if (p === undefined || p.link !== link || p.state === 'left') return;
    p.link = null;
    // The page closed, crashed or went elsewhere (the browser says so with 1001): its resume token
    // went with it, so a grace period would only show a ghost. A network drop (no close frame, or
    // our heartbeat) and a client's own drop keep their place.
    if (pageGone) {
      this.leave(p, 'left');
      return;
    }
    p.graceTimer = this.timers.setTimeout(
      () => this.dispatch({ type: 'grace_expired', participantId }),
      this.deps.resumeGraceMs ?? SIGNAL_LIMITS.resumeGraceMs,
    );
    if (p.state === 'meeting') {
      this.broadcast({ type: 'participant_updated', participant: this.info(p) }, p.id);
    }
  }

  private leave(p: Participant, reason: LeaveReason): void {
    const wasIn = p.state === 'meeting';
    if (!this.transition(p, { type: 'leave', reason })) return;
    if (p.graceTimer !== undefined) this.timers.clearTimeout(p.graceTimer);
    p.graceTimer = undefined;
    this.participants.delete(p.id);
    if (this.lobby.take(p.id) !== undefined) this.sendLobbyRemoved([p.id]);
    this.detachMedia(p);
    // When the meeting ends (a moderator, the space deleted, a restart) everyone goes at once: the
    // ones not closed yet must not see the others leave first (after a restart they would think
    // they were alone, while the others are on their way back too).
    const ending = this.status === 'ended';
    if (this.hands.includes(p.id)) {
      this.hands = this.hands.filter((h) => h !== p.id);
      if (!ending) this.broadcast({ type: 'hands', queue: this.hands });
    }
    if (wasIn) {
      if (!ending)
        this.broadcast({
          type: 'participant_left',
          participantId: p.id,
          reason: reason === 'denied' ? 'removed' : reason,
        });
      this.deps.hooks?.participantLeft?.({
        spaceId: this.config.spaceId,
        meetingId: this.id,
        participantId: p.id,
        accountId: p.accountId,
        name: p.name,
        reason,
        joinedAt: p.enteredAt ?? p.joinedAt,
        at: this.nowIso(),
      });
    }
    if (this.participants.size === 0) this.end('empty');
  }

  private end(reason: 'ended_by_moderator' | 'space_deleted' | 'shutdown' | 'empty'): void {
    if (this.status === 'ended') return;
    // Set first: the leaves below would otherwise end the meeting again when it empties.
    this.status = 'ended';
    const closeCode = reason === 'shutdown' ? CloseCodes.goingAway : CloseCodes.meetingEnded;
    for (const p of [...this.participants.values()]) {
      if (reason === 'ended_by_moderator' || reason === 'space_deleted') {
        this.sendTo(p, { type: 'ended', reason });
      }
      this.leave(p, 'ended');
      p.link?.close(closeCode, reason);
      p.link = null;
    }
    this.room?.close();
    this.room = null;
    this.deps.hooks?.ended?.({
      spaceId: this.config.spaceId,
      meetingId: this.id,
      keptChat: this.config.keepChat ? this.chat.slice(this.keptFromBefore) : [],
      at: this.nowIso(),
    });
    this.chat = [];
  }

  // ───────────────────────────── messages ─────────────────────────────

  private onMessage(participantId: string, m: ClientMessage): void {
    const p = this.participants.get(participantId);
    if (p === undefined) return;
    const fail = (code: SignalErrorCode, message: string, connection?: MediaConnection) =>
      this.sendTo(p, {
        type: 'error',
        code,
        message,
        ...(connection !== undefined ? { connection } : {}),
        ...(m.ref !== undefined ? { ref: m.ref } : {}),
      });
    if (m.type === 'ping') {
      return this.sendTo(p, { type: 'pong', ...(m.ref !== undefined ? { ref: m.ref } : {}) });
    }
    if (m.type === 'leave') {
      this.leave(p, 'left');
      p.link?.close(CloseCodes.normal, 'left');
      p.link = null;
      return;
    }
    if (m.type === 'join' || m.type === 'resume') return fail('out_of_order', 'Already joined.');
    if (p.state !== 'meeting') {
      return fail(
        'out_of_order',
        `Not allowed while ${p.state === 'lobby' ? 'in the lobby' : 'waiting for a moderator'}.`,
      );
    }
    const isModerator = p.role === 'moderator';
    const target = (id: string): Participant | undefined => {
      const t = this.participants.get(id);
      if (t === undefined) fail('participant_not_found', 'No such participant.');
      return t;
    };
    switch (m.type) {
      case 'publish':
        return this.publish(p, m.sdp, m.sources, fail);
      case 'subscriber_answer':
        return this.acceptSubscriberAnswer(p, m.sdp, fail);
      case 'resubscribe':
        return this.resubscribe(p, fail);
      case 'set_microphone':
        if (m.on && this.config.lockMicrophone && !isModerator) {
          return fail('locked_by_moderator', 'The microphone is locked by a moderator.');
        }
        return this.setSource(p, 'microphone', m.on);
      case 'set_camera':
        if (m.on && this.config.lockCamera && !isModerator) {
          return fail('locked_by_moderator', 'The camera is locked by a moderator.');
        }
        return this.setSource(p, 'camera', m.on);
      case 'screen_share':
        if (m.on && this.config.lockScreenShare && !isModerator) {
          return fail('locked_by_moderator', 'Screen sharing is locked by a moderator.');
        }
        return this.setSource(p, 'screen', m.on);
      case 'chat': {
        if (this.config.lockChat && !isModerator)
          return fail('locked_by_moderator', 'Chat is locked by a moderator.');
        const message: ChatMessage = {
          id: this.deps.newId(),
          from: p.id,
          name: p.name,
          text: m.text,
          at: this.nowIso(),
        };
        this.chat.push(message);
        // Memory stays bounded in a long meeting; kept chat keeps the latest.
        if (this.chat.length > 5000) this.chat.splice(0, this.chat.length - 5000);
        return this.broadcast({ type: 'chat', message });
      }
      case 'hand':
        return this.setHand(p, m.raised);
      default:
        break;
    }
    // Moderator actions from here.
    if (!isModerator) return fail('not_moderator', 'Only moderators may do that.');
    switch (m.type) {
      case 'admit': {
        const t = this.participants.get(m.participantId);
        if (t === undefined || !this.lobby.has(t.id))
          return fail('participant_not_found', 'Nobody by that id is waiting.');
        // They stay in the lobby until a seat is free.
        if (!this.hasSeat) return fail('meeting_full', 'The meeting is full.');
        this.lobby.take(t.id);
        this.sendLobbyRemoved([t.id]);
        if (this.transition(t, { type: 'admit' })) this.enterMeeting(t);
        return;
      }
      case 'deny': {
        const t = this.participants.get(m.participantId);
        if (t === undefined || !this.lobby.has(t.id))
          return fail('participant_not_found', 'Nobody by that id is waiting.');
        this.sendTo(t, { type: 'ended', reason: 'denied' });
        const link = t.link;
        this.leave(t, 'denied');
        link?.close(CloseCodes.denied, 'denied');
        t.link = null;
        return;
      }
      case 'mute': {
        const t = target(m.participantId);
        if (t !== undefined) this.setSource(t, 'microphone', false);
        return;
      }
      case 'mute_all':
        for (const t of this.participants.values()) {
          if (t.state === 'meeting' && t.role !== 'moderator' && t.microphone)
            this.setSource(t, 'microphone', false);
        }
        return;
      case 'remove': {
        const t = target(m.participantId);
        if (t === undefined) return;
        this.sendTo(t, { type: 'ended', reason: 'removed' });
        const link = t.link;
        this.leave(t, t.state === 'lobby' ? 'denied' : 'removed');
        link?.close(CloseCodes.removed, 'removed');
        t.link = null;
        return;
      }
      case 'set_role': {
        const t = target(m.participantId);
        if (t === undefined || t.role === m.role) return;
        t.role = m.role;
        if (t.state === 'meeting')
          this.broadcast({ type: 'participant_updated', participant: this.info(t) });
        if (m.role === 'moderator') this.sendLobby(t);
        return;
      }
      case 'lower_hands':
        if (m.participantId !== undefined) {
          const t = target(m.participantId);
          if (t !== undefined) this.setHand(t, false);
        } else {
          for (const id of [...this.hands]) {
            const t = this.participants.get(id);
            if (t !== undefined) this.setHand(t, false);
          }
        }
        return;
      case 'lock':
        if (this.locked === m.locked) return;
        this.locked = m.locked;
        return this.broadcast({ type: 'meeting_updated', locked: this.locked });
      case 'end_meeting':
        return this.end('ended_by_moderator');
    }
  }

  /**
   * A refused answer leaves publishing alone: the client starts its subscribe PC over. While the
   * engine still waits for an answer to that offer, it is sent again (once) for the fresh PC.
   */
  private acceptSubscriberAnswer(p: Participant, sdp: string, fail: Fail): void {
    if (p.peer === null) return fail('out_of_order', 'No subscriber offer was sent.');
    try {
      p.peer.acceptSubscriberAnswer(sdp);
      p.subscriberOffer = null;
    } catch (err) {
      this.deps.onError?.(err, 'subscriber answer');
      fail('media_failed', 'The answer was refused.', 'subscribe');
      // 'invalid_state': the engine awaits no answer (this one was extra); nothing to offer again.
      const awaiting = (err as { code?: unknown } | null)?.code !== 'invalid_state';
      const offer = p.subscriberOffer;
      if (awaiting && offer !== null && !p.subscriberOfferResent) {
        p.subscriberOfferResent = true;
        this.sendTo(p, { type: 'subscriber_offer', sdp: offer });
      }
    }
  }

  /**
   * The browser's subscribe PC broke after it had connected: the engine replaces its side, and
   * the fresh PC's first offer follows (onSubscriberOffer). At most one per
   * SIGNAL_LIMITS.resubscribeIntervalMs per participant, so that a client cannot churn PCs.
   */
  private resubscribe(p: Participant, fail: Fail): void {
    const now = this.deps.now().getTime();
    const interval = SIGNAL_LIMITS.resubscribeIntervalMs;
    if (p.lastResubscribeAt !== null && now - p.lastResubscribeAt < interval) {
      return fail(
        'rate_limited',
        `At most one resubscribe per ${interval / 1000} s; ask again later.`,
      );
    }
    const peer = p.peer;
    if (peer === null) return fail('out_of_order', 'There is no media connection to restart.');
    p.lastResubscribeAt = now;
    try {
      // False: nothing to receive yet; the first track comes on a fresh PC anyway.
      if (peer.resubscribe()) p.subscriberOffer = null;
    } catch (err) {
      // The engine lost this peer: media starts over with a fresh peer on the next publish.
      this.deps.onError?.(err, 'resubscribe');
      this.detachMedia(p);
      fail('media_failed', 'The media connection is gone; publish again.', 'publish');
    }
  }

  private publish(
    p: Participant,
    sdp: string,
    sources: Record<string, TrackSourceName>,
    fail: Fail,
  ): void {
    // A peer the engine closed (its connection never completed) is replaced on the next offer.
    if (p.peer === null) this.attachMedia(p);
    const peer = p.peer;
    if (peer === null)
      return fail('media_failed', 'Media is not available in this meeting.', 'publish');
    peer.publish(sdp, sources).then(
      (answer) => {
        // The participant may have left or resumed (new peer) while the engine worked.
        if (p.peer !== peer || p.state !== 'meeting') return;
        this.sendTo(p, { type: 'publish_answer', sdp: answer });
        this.applyForwarding(p);
      },
      (err: unknown) => {
        this.deps.onError?.(err, 'publish');
        if (p.peer !== peer) return;
        // Mislabelled m-lines would escape mute and the locks: refused as such (not retried).
        if ((err as { code?: unknown } | null)?.code === 'invalid_sources') {
          return fail('invalid_sources', (err as Error).message);
        }
        fail('media_failed', 'The offer was refused.', 'publish');
      },
    );
  }

  private setSource(p: Participant, source: TrackSourceName, on: boolean): void {
    if (p[source] === on) return;
    p[source] = on;
    this.forward(p, source, on);
    this.broadcast({ type: 'participant_updated', participant: this.info(p) });
  }

  private setHand(p: Participant, raised: boolean): void {
    const has = this.hands.includes(p.id);
    if (raised === has) return;
    if (raised) {
      p.handRaisedAt = this.nowIso();
      this.hands.push(p.id);
    } else {
      p.handRaisedAt = null;
      this.hands = this.hands.filter((h) => h !== p.id);
    }
    this.broadcast({ type: 'participant_updated', participant: this.info(p) });
    this.broadcast({ type: 'hands', queue: [...this.hands] });
  }

  // ───────────────────────────── media glue ─────────────────────────────

  private attachMedia(p: Participant): void {
    if (this.deps.mediaRoom === null) return;
    try {
      this.room ??= this.deps.mediaRoom({
        onActiveSpeakers: (ids) => {
          this.activeSpeakers = ids.filter((id) => this.participants.has(id));
          this.broadcast({ type: 'active_speakers', participantIds: this.activeSpeakers });
        },
      });
      const peerId = p.id;
      // The connection whose failure made the engine drop the peer (it says so just before).
      let failed: MediaConnection = 'publish';
      const address = p.link?.address;
      p.peer = this.room.addPeer(
        peerId,
        {
          onSubscriberOffer: (sdp) => {
            if (p.peer?.id !== peerId) return;
            p.subscriberOffer = sdp;
            p.subscriberOfferResent = false;
            this.sendTo(p, { type: 'subscriber_offer', sdp });
          },
          onBitrateCap: (bitsPerSecond) => {
            if (p.peer?.id === peerId) this.sendTo(p, { type: 'bitrate_cap', bitsPerSecond });
          },
          onConnectionState: (pc, state) => {
            if (state === 'failed') failed = pc;
          },
          onClosed: () => {
            if (p.peer === null || p.peer !== peer) return;
            p.peer = null;
            p.subscriberOffer = null;
            // The engine closed both connections with the peer: the one that failed is named
            // first; publishing again then brings a new peer and a fresh subscriber offer.
            if (failed === 'subscribe') {
              this.sendTo(p, {
                type: 'error',
                code: 'media_failed',
                message: 'The subscriber connection did not complete.',
                connection: 'subscribe',
              });
            }
            this.sendTo(p, {
              type: 'error',
              code: 'media_failed',
              message: 'The media connection did not complete; publish again.',
              connection: 'publish',
            });
          },
        },
        address !== undefined ? { signallingAddress: address } : {},
      );
      const peer = p.peer;
      this.applyForwarding(p);
    } catch (err) {
      this.deps.onError?.(err, 'attach media');
      p.peer = null;
    }
  }

  private applyForwarding(p: Participant): void {
    this.forward(p, 'microphone', p.microphone);
    this.forward(p, 'camera', p.camera);
    this.forward(p, 'screen', p.screen);
  }

  private forward(p: Participant, source: TrackSourceName, on: boolean): void {
    try {
      p.peer?.setForwarding(source, on);
    } catch (err) {
      this.deps.onError?.(err, 'set forwarding');
    }
  }

  private detachMedia(p: Participant): void {
    p.subscriberOffer = null;
    if (p.peer === null) return;
    try {
      this.room?.removePeer(p.peer.id);
    } catch (err) {
      this.deps.onError?.(err, 'remove peer');
    }
    p.peer = null;
  }

  // ───────────────────────────── sending ─────────────────────────────

  private transition(p: Participant, event: Parameters<typeof nextParticipantState>[1]): boolean {
    const next = nextParticipantState(p.state, event);
    if (next === undefined) return false;
    p.state = next;
    return true;
  }

  private info(p: Participant): ParticipantInfo {
    return {
      id: p.id,
      name: p.name,
      role: p.role,
      signedIn: p.accountId !== null,
      microphone: p.microphone,
      camera: p.camera,
      screen: p.screen,
      handRaisedAt: p.handRaisedAt,
      connection: p.link === null ? 'reconnecting' : 'connected',
      joinedAt: p.joinedAt,
    };
  }

  private rules(): MeetingRules {
    const c = this.config;
    return {
      muteOnJoin: c.muteOnJoin,
      lockCamera: c.lockCamera,
      lockMicrophone: c.lockMicrophone,
      lockChat: c.lockChat,
      lockScreenShare: c.lockScreenShare,
    };
  }

  private sendJoined(p: Participant): void {
    const phase: Phase = p.state === 'left' ? 'waiting_for_moderator' : p.state;
    this.sendTo(p, {
      type: 'joined',
      self: this.info(p),
      resumeToken: p.resumeToken,
      phase,
      space: { id: this.config.spaceId, slug: this.config.slug, name: this.config.name },
      rules: this.rules(),
    });
  }

  private sendRoster(p: Participant): void {
    this.sendTo(p, {
      type: 'roster',
      participants: [...this.participants.values()]
        .filter((x) => x.state === 'meeting')
        .map((x) => this.info(x)),
      hands: [...this.hands],
      locked: this.locked,
      lobby: p.role === 'moderator' ? this.lobby.list() : [],
      chat: this.chat.slice(-SIGNAL_LIMITS.chatHistory),
      activeSpeakers: this.activeSpeakers,
    });
  }

  private sendLobby(p: Participant): void {
    this.sendTo(p, { type: 'lobby', waiting: this.lobby.list() });
  }

  /** Lobby changes go to moderators as deltas: a long lobby is never sent again per change. */
  private sendLobbyRemoved(participantIds: string[]): void {
    this.sendToModerators({ type: 'lobby_removed', participantIds });
  }

  private sendToModerators(message: ServerMessage): void {
    for (const m of this.participants.values()) {
      if (m.role === 'moderator' && m.state === 'meeting') this.sendTo(m, message);
    }
  }

  /** To everyone in the meeting phase (except one). */
  private broadcast(message: ServerMessage, except?: string): void {
    for (const p of this.participants.values()) {
      if (p.state === 'meeting' && p.id !== except) this.sendTo(p, message);
    }
  }

  private sendTo(p: Participant, message: ServerMessage): void {
    if (p.link === null) return;
    try {
      p.link.send(message);
    } catch (err) {
      // One participant's broken socket must not disturb the others.
      this.deps.onError?.(err, 'send');
    }
  }

  private nowIso(): string {
    return this.deps.now().toISOString();
  }
}
