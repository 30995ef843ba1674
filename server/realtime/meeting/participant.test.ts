import { describe, expect, it } from 'vitest';
import { nextParticipantState } from './participant';
import { Lobby } from './lobby';

describe('participant state machine', () => {
  it('enters the meeting or the lobby from waiting for a moderator', () => {
    expect(nextParticipantState('waiting_for_moderator', { type: 'enter_meeting' })).toBe(
      'meeting',
    );
    expect(nextParticipantState('waiting_for_moderator', { type: 'enter_lobby' })).toBe('lobby');
  });
  it('is admitted from the lobby, and only from the lobby', () => {
    expect(nextParticipantState('lobby', { type: 'admit' })).toBe('meeting');
    expect(nextParticipantState('meeting', { type: 'admit' })).toBeUndefined();
    expect(nextParticipantState('waiting_for_moderator', { type: 'admit' })).toBeUndefined();
  });
  it('is denied only from the lobby', () => {
    expect(nextParticipantState('lobby', { type: 'leave', reason: 'denied' })).toBe('left');
    expect(nextParticipantState('meeting', { type: 'leave', reason: 'denied' })).toBeUndefined();
    expect(
      nextParticipantState('waiting_for_moderator', { type: 'leave', reason: 'denied' }),
    ).toBeUndefined();
  });
  it('leaves from anywhere, and left is final', () => {
    for (const s of ['waiting_for_moderator', 'lobby', 'meeting'] as const) {
      expect(nextParticipantState(s, { type: 'leave', reason: 'timeout' })).toBe('left');
    }
    for (const e of [
      { type: 'enter_meeting' },
      { type: 'enter_lobby' },
      { type: 'admit' },
      { type: 'leave', reason: 'left' },
    ] as const) {
      expect(nextParticipantState('left', e)).toBeUndefined();
    }
  });
  it('cannot go back to the lobby from the meeting', () => {
    expect(nextParticipantState('meeting', { type: 'enter_lobby' })).toBeUndefined();
    expect(nextParticipantState('lobby', { type: 'enter_meeting' })).toBeUndefined();
  });
});

describe('lobby', () => {
  it('keeps arrival order and takes people out', () => {
    const lobby = new Lobby();
    lobby.enqueue({ id: 'a', name: 'Ana', signedIn: false, since: '1' });
    lobby.enqueue({ id: 'b', name: 'Bo', signedIn: true, since: '2' });
    lobby.enqueue({ id: 'a', name: 'Ana again', signedIn: false, since: '3' });
    expect(lobby.list().map((e) => e.name)).toEqual(['Ana', 'Bo']);
    expect(lobby.take('a')?.name).toBe('Ana');
    expect(lobby.has('a')).toBe(false);
    expect(lobby.take('a')).toBeUndefined();
    expect(lobby.size).toBe(1);
  });
});
