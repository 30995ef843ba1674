import type {
  JoinRequest,
  Meeting,
  MeetingConfig,
  MeetingSettings,
  ParticipantLink,
} from '@server/realtime/meeting/meeting';
import type { LiveStatus, ParticipantSignal, Router, SignalStart } from './router';
import { CloseCodes } from '@common/protocol';

/** Creates a meeting; `onEnded` must be called once when it is over. */
export type MeetingFactory = (config: MeetingConfig, onEnded: () => void) => Meeting;

/**
 * Every meeting in this process, by space id. The synchronous `start`/`resume`/`statusNow`/…
 * serve the RedisRouter, which hosts its meetings in one of these; the Router methods wrap them.
 */
export class LocalRouter implements Router {
  private readonly meetings = new Map<string, Meeting>();
  /** resume token → space id, so a resume finds its meeting. */
  private readonly resumeTokens = new Map<string, string>();

  constructor(private readonly newMeeting: MeetingFactory) {}

  startParticipantSignal(
    config: MeetingConfig,
    request: JoinRequest,
    link: ParticipantLink,
  ): Promise<SignalStart> {
    return Promise.resolve(this.start(config, request, link));
  }

  resumeParticipantSignal(resumeToken: string, link: ParticipantLink): Promise<SignalStart> {
    return Promise.resolve(this.resume(resumeToken, link));
  }

  status(spaceId: string): Promise<LiveStatus | undefined> {
    return Promise.resolve(this.statusNow(spaceId));
  }

  liveSpaceIds(): Promise<string[]> {
    return Promise.resolve(this.liveSpaceIdsNow());
  }

  updateSettings(spaceId: string, settings: MeetingSettings): Promise<void> {
    this.applySettings(spaceId, settings);
    return Promise.resolve();
  }

  endMeeting(spaceId: string, reason: 'space_deleted' | 'ended_by_moderator'): Promise<void> {
    this.end(spaceId, reason);
    return Promise.resolve();
  }

  /** Connects a participant to the space's meeting here, creating it when none is live. */
  start(
    config: MeetingConfig,
    request: JoinRequest,
    link: ParticipantLink,
    onJoined?: (resumeToken: string) => void,
  ): SignalStart {
    let meeting = this.meetings.get(config.spaceId);
    if (meeting === undefined || meeting.state === 'ended') {
      const created = this.newMeeting(config, () => this.forget(config.spaceId, created));
      meeting = created;
      this.meetings.set(config.spaceId, meeting);
    }
    const result = meeting.dispatch({ type: 'connect', request, link });
    if (result === undefined) throw new Error('connect returned nothing');
    if (!result.ok) {
      if (meeting.size === 0 && meeting.state !== 'ended') this.forget(config.spaceId, meeting);
      return result;
    }
    this.resumeTokens.set(result.resumeToken, config.spaceId);
    onJoined?.(result.resumeToken);
    return { ok: true, signal: this.signalOf(meeting, result.participantId, link) };
  }

  /** Reattaches a dropped participant of a meeting here by their resume token. */
  resume(resumeToken: string, link: ParticipantLink): SignalStart {
    const spaceId = this.resumeTokens.get(resumeToken);
    const meeting = spaceId === undefined ? undefined : this.meetings.get(spaceId);
    if (meeting === undefined) {
      return {
        ok: false,
        code: 'resume_failed',
        closeCode: CloseCodes.resumeFailed,
        message: 'Nothing to resume; join again.',
      };
    }
    const result = meeting.dispatch({ type: 'resume', resumeToken, link });
    if (result === undefined) throw new Error('resume returned nothing');
    if (!result.ok) {
      this.resumeTokens.delete(resumeToken);
      return result;
    }
    return { ok: true, signal: this.signalOf(meeting, result.participantId, link) };
  }

  statusNow(spaceId: string): LiveStatus | undefined {
    const m = this.meetings.get(spaceId);
    if (m === undefined || m.state === 'ended') return undefined;
    return { participants: m.seatsTaken, lobby: m.waiting, locked: m.isLocked };
  }

  liveSpaceIdsNow(): string[] {
    return [...this.meetings].filter(([, m]) => m.state !== 'ended').map(([spaceId]) => spaceId);
  }

  applySettings(spaceId: string, settings: MeetingSettings): void {
    const m = this.meetings.get(spaceId);
    if (m !== undefined && m.state !== 'ended') m.dispatch({ type: 'settings', settings });
  }

  end(spaceId: string, reason: 'space_deleted' | 'ended_by_moderator' | 'shutdown'): void {
    this.meetings.get(spaceId)?.dispatch({ type: 'end', reason });
  }

  stats(): { meetings: number; participants: number } {
    let participants = 0;
    for (const m of this.meetings.values()) participants += m.size;
    return { meetings: this.meetings.size, participants };
  }

  async close(): Promise<void> {
    for (const m of [...this.meetings.values()]) m.dispatch({ type: 'end', reason: 'shutdown' });
    this.meetings.clear();
    this.resumeTokens.clear();
  }

  private signalOf(
    meeting: Meeting,
    participantId: string,
    link: ParticipantLink,
  ): ParticipantSignal {
    return {
      participantId,
      receive: (message) => meeting.dispatch({ type: 'message', participantId, message }),
      disconnected: (pageGone) =>
        meeting.dispatch({ type: 'disconnected', participantId, link, pageGone }),
    };
  }

  private forget(spaceId: string, meeting: Meeting): void {
    if (this.meetings.get(spaceId) === meeting) this.meetings.delete(spaceId);
    for (const [token, sid] of this.resumeTokens) {
      if (sid === spaceId && meeting.participantByResumeToken(token) === undefined) {
        this.resumeTokens.delete(token);
      }
    }
  }
}
