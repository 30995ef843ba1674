import type { ClientMessage, SignalErrorCode } from '@common/protocol';
import type {
  JoinRequest,
  MeetingConfig,
  MeetingSettings,
  ParticipantLink,
} from '@server/realtime/meeting/meeting';

/** One participant's signal path into the meeting that hosts them (wherever it lives). */
export interface ParticipantSignal {
  readonly participantId: string;
  /** Hands a validated client message to the meeting. */
  receive(message: ClientMessage): void;
  /**
   * The participant's socket closed: their place is kept for the grace period, unless `pageGone`
   * (the browser closed it with 1001, going away: the page that could resume no longer exists).
   */
  disconnected(pageGone?: boolean): void;
}

export type SignalStart =
  | { ok: true; signal: ParticipantSignal }
  | { ok: false; code: SignalErrorCode; closeCode: number; message: string };

export interface LiveStatus {
  /** Those who count toward the maximum (in the meeting, or about to enter it). */
  participants: number;
  /** Those in the lobby or about to queue there (bounded by SIGNAL_LIMITS.maxLobby). */
  lobby: number;
  locked: boolean;
}

/**
 * Where meetings live and how a participant's signal reaches theirs. The LocalRouter keeps every
 * meeting in this process; the RedisRouter places each meeting on one node and relays signals to
 * it from any node, with the same interface (the model of LiveKit's routing.Router:
 * StartParticipantSignal, then message sink and source). Answers may cross the network, hence
 * the promises.
 */
export interface Router {
  /** Connects a participant to a space's meeting, creating the meeting when none is live. */
  startParticipantSignal(
    config: MeetingConfig,
    request: JoinRequest,
    link: ParticipantLink,
  ): Promise<SignalStart>;
  /** Reattaches a dropped participant by their resume token. */
  resumeParticipantSignal(resumeToken: string, link: ParticipantLink): Promise<SignalStart>;
  /** The live meeting of a space, if any. */
  status(spaceId: string): Promise<LiveStatus | undefined>;
  /** The spaces that have a live meeting (waiting for a moderator or open). */
  liveSpaceIds(): Promise<string[]>;
  /** Applies a space's new effective settings to its live meeting, if one is on (the owner saved
   * them, or the site's defaults changed). */
  updateSettings(spaceId: string, settings: MeetingSettings): Promise<void>;
  /** Ends a space's live meeting (space deleted). */
  endMeeting(spaceId: string, reason: 'space_deleted' | 'ended_by_moderator'): Promise<void>;
  /** The meetings hosted, and their participants, in this process. */
  stats(): { meetings: number; participants: number };
  /** Ends every meeting (server stopping); clients are told to come back (1001). */
  close(): Promise<void>;
}
