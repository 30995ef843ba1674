import type { Phase } from '@common/protocol';

/** Where a participant is in their life in a meeting; `left` is final. */
export type ParticipantState = Phase | 'left';

export type LeaveReason = 'left' | 'removed' | 'timeout' | 'ended' | 'denied';

/** What can happen to a participant. */
export type ParticipantEvent =
  /** The meeting opened (or was open) and no lobby applies. */
  | { type: 'enter_meeting' }
  /** The meeting opened (or was open) and they must wait to be admitted. */
  | { type: 'enter_lobby' }
  /** A moderator admitted them from the lobby. */
  | { type: 'admit' }
  /** They leave, for a reason (a denial is a leave from the lobby). */
  | { type: 'leave'; reason: LeaveReason };

/**
 * The participant state machine: the next state for an event, or undefined when the event is not
 * allowed in that state (the caller answers `out_of_order` or ignores it).
 *
 *   waiting_for_moderator ──enter_meeting──▶ meeting
 *            │  └──────────enter_lobby──▶ lobby ──admit──▶ meeting
 *            └───── leave ─────▶ left ◀──── leave (any reason but denied only from the lobby)
 */
export function nextParticipantState(
  state: ParticipantState,
  event: ParticipantEvent,
): ParticipantState | undefined {
  switch (state) {
    case 'waiting_for_moderator':
      if (event.type === 'enter_meeting') return 'meeting';
      if (event.type === 'enter_lobby') return 'lobby';
      if (event.type === 'leave' && event.reason !== 'denied') return 'left';
      return undefined;
    case 'lobby':
      if (event.type === 'admit') return 'meeting';
      if (event.type === 'leave') return 'left';
      return undefined;
    case 'meeting':
      if (event.type === 'leave' && event.reason !== 'denied') return 'left';
      return undefined;
    case 'left':
      return undefined;
  }
}
