import { describe, expect, it } from 'vitest';
import { CloseCodes, type LobbyEntry, type ServerMessage } from '@common/protocol';
import { FakeMediaEngine, type FakeRoom } from '@server/test/fake-media';
import {
  Meeting,
  type MeetingConfig,
  type MeetingHooks,
  type MeetingSettings,
  type ParticipantLink,
  type Timers,
} from './meeting';

class Link implements ParticipantLink {
  readonly sent: ServerMessage[] = [];
  closed: { code: number; reason: string } | undefined;
  send(m: ServerMessage): void {
    this.sent.push(m);
  }
  close(code: number, reason: string): void {
    this.closed ??= { code, reason };
  }
  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.sent.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }
  last<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }> | undefined {
    return this.of(type).at(-1);
  }
  /** The lobby as a moderator's client knows it: the last whole list, then the deltas. */
  lobby(): LobbyEntry[] {
    let list: LobbyEntry[] = [];
    for (const m of this.sent) {
      if (m.type === 'roster') list = [...m.lobby];
      else if (m.type === 'lobby') list = [...m.waiting];
      else if (m.type === 'lobby_added') list.push(m.entry);
      else if (m.type === 'lobby_removed')
        list = list.filter((e) => !m.participantIds.includes(e.id));
    }
    return list;
  }
}

class ManualTimers implements Timers {
  private next = 1;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.pending.delete(h as number);
  }
  fireAll(): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const t of all) t.fn();
  }
}

const baseConfig: MeetingConfig = {
  spaceId: 'space-1',
  slug: 'plaza',
  name: 'Plaza',
  lobby: 'off',
  anyoneCanStart: true,
  muteOnJoin: false,
  maxParticipants: null,
  lockCamera: false,
  lockMicrophone: false,
  lockChat: false,
  lockScreenShare: false,
  keepChat: false,
  keptChat: [],
};

const settingsOf = (c: Partial<MeetingConfig>): MeetingSettings => {
  const { spaceId: _s, slug: _l, name: _n, keptChat: _k, ...s } = { ...baseConfig, ...c };
  return s;
};

function setup(config: Partial<MeetingConfig> = {}, more: { maxLobby?: number } = {}) {
  let n = 0;
  const timers = new ManualTimers();
  const events: { type: string; payload: unknown }[] = [];
  const hooks: MeetingHooks = {
    participantJoined: (e) => events.push({ type: 'participant.joined', payload: e }),
    participantLeft: (e) => events.push({ type: 'participant.left', payload: e }),
    ended: (e) => events.push({ type: 'meeting.ended', payload: e }),
  };
  const engine = new FakeMediaEngine();
  let room: FakeRoom | undefined;
  const meeting = new Meeting(
    { ...baseConfig, ...config },
    {
      mediaRoom: (ev) => (room = engine.room('space-1', ev)),
      now: () => new Date('2026-11-26T12:00:00Z'),
      newId: () => `id${++n}`,
      newSecret: () => `secret${++n}`,
      timers,
      hooks,
      ...more,
    },
  );
  const join = (
    name: string,
    role: 'viewer' | 'moderator' = 'viewer',
    accountId: string | null = null,
    guestKey?: string,
  ) => {
    const link = new Link();
    const request = { name, role, accountId, ...(guestKey !== undefined ? { guestKey } : {}) };
    const r = meeting.dispatch({ type: 'connect', request, link });
    if (r === undefined || !r.ok) throw new Error(`join refused: ${JSON.stringify(r)}`);
    return { id: r.participantId, resumeToken: r.resumeToken, link };
  };
  const send = (
    id: string,
    message: Parameters<Meeting['dispatch']>[0] extends infer E
      ? E extends { type: 'message'; message: infer M }
        ? M
        : never
      : never,
  ) => meeting.dispatch({ type: 'message', participantId: id, message });
  return { meeting, join, send, timers, events, room: () => room };
}

describe('meeting: opening', () => {
  it('lets everyone in at once when anyone may start', () => {
    const { join } = setup();
    const a = join('Ana');
    expect(a.link.of('joined')[0]?.phase).toBe('waiting_for_moderator');
    expect(a.link.last('phase')?.phase).toBe('meeting');
    expect(a.link.last('roster')?.participants.map((p) => p.name)).toEqual(['Ana']);
    const b = join('Bo');
    expect(a.link.last('participant_joined')?.participant.name).toBe('Bo');
    expect(b.link.last('roster')?.participants.map((p) => p.name)).toEqual(['Ana', 'Bo']);
  });

  it('keeps early arrivals waiting until a moderator arrives, then lets them in by themselves', () => {
    const { join, meeting } = setup({ anyoneCanStart: false });
    const a = join('Ana');
    expect(meeting.state).toBe('waiting');
    expect(a.link.of('phase')).toEqual([]);
    expect(meeting.phaseOf(a.id)).toBe('waiting_for_moderator');
    const m = join('Mo', 'moderator');
    expect(meeting.state).toBe('open');
    expect(meeting.phaseOf(a.id)).toBe('meeting');
    expect(a.link.last('phase')?.phase).toBe('meeting');
    // The moderator enters first, so early arrivals find them there.
    expect(a.link.last('roster')?.participants.map((p) => p.name)).toEqual(['Ana', 'Mo']);
    expect(m.link.last('participant_joined')?.participant.name).toBe('Ana');
  });

  it('refuses out-of-order messages while waiting', () => {
    const { join, send } = setup({ anyoneCanStart: false });
    const a = join('Ana');
    send(a.id, { type: 'chat', text: 'hello?', ref: 'r1' });
    expect(a.link.last('error')).toMatchObject({ code: 'out_of_order', ref: 'r1' });
    send(a.id, { type: 'ping' });
    expect(a.link.last('pong')).toBeDefined();
  });
});

describe('meeting: lobby', () => {
  it('queues guests (not members) and moderators admit or deny them, seeing their names', () => {
    const { join, send, meeting } = setup({ lobby: 'guests' });
    const mod = join('Mo', 'moderator', 'acc-mo');
    const member = join('Mem', 'viewer', 'acc-1');
    expect(meeting.phaseOf(member.id)).toBe('meeting');
    const g1 = join('Guest One');
    const g2 = join('Guest Two');
    expect(g1.link.last('phase')?.phase).toBe('lobby');
    expect(mod.link.lobby().map((w) => w.name)).toEqual(['Guest One', 'Guest Two']);
    // Each arrival is one delta, never the whole list again.
    expect(mod.link.of('lobby_added').map((m) => m.entry.name)).toEqual(['Guest One', 'Guest Two']);
    expect(mod.link.of('lobby')).toEqual([]);
    expect(member.link.of('lobby_added')).toEqual([]);

    send(member.id, { type: 'admit', participantId: g1.id });
    expect(member.link.last('error')?.code).toBe('not_moderator');

    send(mod.id, { type: 'admit', participantId: g1.id });
    expect(meeting.phaseOf(g1.id)).toBe('meeting');
    expect(g1.link.last('phase')?.phase).toBe('meeting');
    expect(member.link.last('participant_joined')?.participant.name).toBe('Guest One');

    send(mod.id, { type: 'deny', participantId: g2.id });
    expect(g2.link.last('ended')?.reason).toBe('denied');
    expect(g2.link.closed?.code).toBe(CloseCodes.denied);
    expect(meeting.phaseOf(g2.id)).toBeUndefined();
    expect(mod.link.lobby()).toEqual([]);
    expect(mod.link.of('lobby_removed').map((m) => m.participantIds)).toEqual([[g1.id], [g2.id]]);

    send(mod.id, { type: 'admit', participantId: g2.id });
    expect(mod.link.last('error')?.code).toBe('participant_not_found');
  });

  it('makes everyone but moderators wait in that mode', () => {
    const { join, meeting } = setup({ lobby: 'everyone_but_moderators' });
    const mod = join('Mo', 'moderator');
    const member = join('Mem', 'viewer', 'acc-1');
    expect(meeting.phaseOf(mod.id)).toBe('meeting');
    expect(meeting.phaseOf(member.id)).toBe('lobby');
    expect(member.link.last('roster')).toBeUndefined();
  });

  it('keeps the lobby out of the maximum, bounds it with lobby_full, and admits only to a free seat', () => {
    const { join, send, meeting } = setup({ lobby: 'guests', maxParticipants: 3 }, { maxLobby: 5 });
    const mod = join('Mo', 'moderator', 'acc-mo');
    const bots = Array.from({ length: 5 }, (_, i) => join(`Bot ${i}`));
    expect(bots.every((b) => meeting.phaseOf(b.id) === 'lobby')).toBe(true);
    // The lobby is full: the next guest is refused, a member still gets in.
    const late = meeting.dispatch({
      type: 'connect',
      request: { name: 'Late', role: 'viewer', accountId: null },
      link: new Link(),
    });
    expect(late).toMatchObject({ ok: false, code: 'lobby_full', closeCode: CloseCodes.lobbyFull });
    const member = join('Mem', 'viewer', 'acc-1');
    expect(meeting.phaseOf(member.id)).toBe('meeting');
    expect(meeting.seatsTaken).toBe(2);
    expect(meeting.waiting).toBe(5);
    // One seat left: one admitted, the next admission is refused and they keep waiting.
    send(mod.id, { type: 'admit', participantId: bots[0]?.id ?? '' });
    expect(meeting.phaseOf(bots[0]?.id ?? '')).toBe('meeting');
    send(mod.id, { type: 'admit', participantId: bots[1]?.id ?? '' });
    expect(mod.link.last('error')?.code).toBe('meeting_full');
    expect(meeting.phaseOf(bots[1]?.id ?? '')).toBe('lobby');
    // Turning the lobby off lets in only as many as there are seats.
    send(member.id, { type: 'leave' });
    meeting.dispatch({
      type: 'settings',
      settings: settingsOf({ lobby: 'off', maxParticipants: 3 }),
    });
    expect(bots.filter((b) => meeting.phaseOf(b.id) === 'meeting')).toHaveLength(2);
    expect(mod.link.lobby()).toHaveLength(3);
  });

  it('sends the lobby to someone promoted to moderator', () => {
    const { join, send } = setup({ lobby: 'guests' });
    const mod = join('Mo', 'moderator', 'acc-mo');
    const member = join('Mem', 'viewer', 'acc-1');
    join('Guest');
    send(mod.id, { type: 'set_role', participantId: member.id, role: 'moderator' });
    expect(member.link.last('lobby')?.waiting.map((w) => w.name)).toEqual(['Guest']);
    expect(mod.link.last('participant_updated')?.participant.role).toBe('moderator');
  });
});

describe('meeting: hands, chat, moderation', () => {
  it('queues hands in order and moderators lower them', () => {
    const { join, send } = setup();
    const mod = join('Mo', 'moderator');
    const a = join('Ana');
    const b = join('Bo');
    send(b.id, { type: 'hand', raised: true });
    send(a.id, { type: 'hand', raised: true });
    send(b.id, { type: 'hand', raised: true });
    expect(mod.link.last('hands')?.queue).toEqual([b.id, a.id]);
    send(a.id, { type: 'lower_hands' });
    expect(a.link.last('error')?.code).toBe('not_moderator');
    send(mod.id, { type: 'lower_hands', participantId: b.id });
    expect(mod.link.last('hands')?.queue).toEqual([a.id]);
    send(b.id, { type: 'hand', raised: true });
    send(mod.id, { type: 'lower_hands' });
    expect(mod.link.last('hands')?.queue).toEqual([]);
  });

  it('sends chat with times to everyone', () => {
    const { join, send } = setup();
    const a = join('Ana');
    const b = join('Bo');
    send(a.id, { type: 'chat', text: 'hi' });
    expect(b.link.last('chat')?.message).toMatchObject({
      from: a.id,
      name: 'Ana',
      text: 'hi',
      at: '2026-11-26T12:00:00.000Z',
    });
    const c = join('Cy');
    expect(c.link.last('roster')?.chat.map((m) => m.text)).toEqual(['hi']);
  });

  it('mutes one or all and stops forwarding their microphone', () => {
    const { join, send, room } = setup();
    const mod = join('Mo', 'moderator');
    const a = join('Ana');
    const b = join('Bo');
    send(mod.id, { type: 'mute', participantId: a.id });
    expect(a.link.last('participant_updated')?.participant).toMatchObject({
      id: a.id,
      microphone: false,
    });
    expect(b.link.last('participant_updated')?.participant).toMatchObject({
      id: a.id,
      microphone: false,
    });
    expect(room()?.peers.get(a.id)?.forwarding.get('microphone')).toBe(false);
    send(a.id, { type: 'set_microphone', on: true });
    expect(room()?.peers.get(a.id)?.forwarding.get('microphone')).toBe(true);
    send(mod.id, { type: 'mute_all' });
    expect(room()?.peers.get(a.id)?.forwarding.get('microphone')).toBe(false);
    expect(room()?.peers.get(b.id)?.forwarding.get('microphone')).toBe(false);
    expect(room()?.peers.get(mod.id)?.forwarding.get('microphone')).toBe(true);
    send(mod.id, { type: 'mute', participantId: 'nobody' });
    expect(mod.link.last('error')?.code).toBe('participant_not_found');
  });

  it('enforces locks for non-moderators only', () => {
    const { join, send } = setup({
      lockCamera: true,
      lockMicrophone: true,
      lockChat: true,
      lockScreenShare: true,
    });
    const mod = join('Mo', 'moderator');
    const a = join('Ana');
    expect(a.link.of('joined')[0]?.self).toMatchObject({ microphone: false, camera: false });
    for (const m of [
      { type: 'set_microphone', on: true },
      { type: 'set_camera', on: true },
      { type: 'screen_share', on: true },
      { type: 'chat', text: 'x' },
    ] as const) {
      send(a.id, m);
      expect(a.link.last('error')?.code).toBe('locked_by_moderator');
    }
    send(mod.id, { type: 'screen_share', on: true });
    expect(mod.link.last('participant_updated')?.participant.screen).toBe(true);
  });

  it('mutes on join when the space says so', () => {
    const { join } = setup({ muteOnJoin: true });
    const a = join('Ana');
    expect(a.link.of('joined')[0]?.self.microphone).toBe(false);
    expect(a.link.of('joined')[0]?.rules.muteOnJoin).toBe(true);
  });

  it('removes someone, who is told and closed with the removed code', () => {
    const { join, send, meeting, events } = setup();
    const mod = join('Mo', 'moderator');
    const a = join('Ana');
    send(mod.id, { type: 'remove', participantId: a.id });
    expect(a.link.last('ended')?.reason).toBe('removed');
    expect(a.link.closed?.code).toBe(CloseCodes.removed);
    expect(mod.link.last('participant_left')).toMatchObject({
      participantId: a.id,
      reason: 'removed',
    });
    expect(meeting.phaseOf(a.id)).toBeUndefined();
    expect(events.filter((e) => e.type === 'participant.left')).toHaveLength(1);
  });

  it('locks the meeting to new non-moderators', () => {
    const { join, send, meeting } = setup();
    const mod = join('Mo', 'moderator');
    send(mod.id, { type: 'lock', locked: true });
    expect(mod.link.last('meeting_updated')?.locked).toBe(true);
    const r = meeting.dispatch({
      type: 'connect',
      request: { name: 'Late', role: 'viewer', accountId: null },
      link: new Link(),
    });
    expect(r).toMatchObject({ ok: false, code: 'space_locked', closeCode: CloseCodes.spaceLocked });
    join('Mod two', 'moderator');
  });

  it('refuses a participant beyond the maximum', () => {
    const { join, meeting } = setup({ maxParticipants: 2 });
    join('A');
    join('B');
    const r = meeting.dispatch({
      type: 'connect',
      request: { name: 'C', role: 'moderator', accountId: null },
      link: new Link(),
    });
    expect(r).toMatchObject({ ok: false, code: 'meeting_full' });
  });

  it('ends for everyone, dropping chat unless kept', () => {
    const { join, send, meeting, events, room } = setup();
    const mod = join('Mo', 'moderator');
    const a = join('Ana');
    send(a.id, { type: 'chat', text: 'bye' });
    send(a.id, { type: 'end_meeting' });
    expect(a.link.last('error')?.code).toBe('not_moderator');
    send(mod.id, { type: 'end_meeting' });
    expect(a.link.last('ended')?.reason).toBe('ended_by_moderator');
    expect(a.link.closed?.code).toBe(CloseCodes.meetingEnded);
    expect(mod.link.closed?.code).toBe(CloseCodes.meetingEnded);
    expect(meeting.state).toBe('ended');
    expect(room()?.closed).toBe(true);
    const ended = events.filter((e) => e.type === 'meeting.ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]?.payload).toMatchObject({ keptChat: [] });
  });

  it('hands the chat over to keep when keep chat is on', () => {
    const { join, send, events } = setup({ keepChat: true });
    const a = join('Ana');
    send(a.id, { type: 'chat', text: 'remember me' });
    send(a.id, { type: 'leave' });
    expect(a.link.closed?.code).toBe(CloseCodes.normal);
    const ended = events.find((e) => e.type === 'meeting.ended')?.payload as {
      keptChat: { text: string }[];
    };
    expect(ended.keptChat.map((m) => m.text)).toEqual(['remember me']);
  });
});

describe('meeting: media glue', () => {
  it('answers publish offers and relays subscriber offers, answers, bitrate caps and speakers', async () => {
    const { join, send, room } = setup();
    const a = join('Ana');
    const b = join('Bo');
    send(a.id, {
      type: 'publish',
      sdp: 'v=0 offer-a',
      sources: { '0': 'microphone', '1': 'camera' },
    });
    await new Promise((r) => setImmediate(r));
    expect(a.link.last('publish_answer')?.sdp).toContain('answer-to:');
    expect(room()?.peers.get(a.id)?.published[0]?.sources).toEqual({
      '0': 'microphone',
      '1': 'camera',
    });
    room()?.peers.get(b.id)?.events.onSubscriberOffer('sub-offer');
    expect(b.link.last('subscriber_offer')?.sdp).toBe('sub-offer');
    send(b.id, { type: 'subscriber_answer', sdp: 'sub-answer' });
    expect(room()?.peers.get(b.id)?.answers).toEqual(['sub-answer']);
    room()?.peers.get(b.id)?.events.onBitrateCap?.(300_000);
    expect(b.link.last('bitrate_cap')?.bitsPerSecond).toBe(300_000);
    room()?.events.onActiveSpeakers?.([b.id, 'ghost', a.id]);
    expect(a.link.last('active_speakers')?.participantIds).toEqual([b.id, a.id]);
  });

  it('reports a refused offer as media_failed without disturbing anyone', async () => {
    const { join, send, room } = setup();
    const a = join('Ana');
    const b = join('Bo');
    const peer = room()?.peers.get(a.id);
    if (peer === undefined) throw new Error('no peer');
    peer.failNext = true;
    send(a.id, { type: 'publish', sdp: 'garbage', sources: {}, ref: 'p1' });
    await new Promise((r) => setImmediate(r));
    expect(a.link.last('error')).toMatchObject({
      code: 'media_failed',
      connection: 'publish',
      ref: 'p1',
    });
    expect(b.link.of('error')).toEqual([]);
  });

  it('answers a publish in a meeting without media with media_failed naming publish', () => {
    const meeting = new Meeting(baseConfig, {
      mediaRoom: null,
      now: () => new Date('2026-11-26T12:00:00Z'),
      newId: () => `id${Math.random()}`,
      newSecret: () => 'secret',
    });
    const link = new Link();
    const r = meeting.dispatch({
      type: 'connect',
      request: { name: 'Ana', role: 'viewer', accountId: null },
      link,
    });
    if (r === undefined || !r.ok) throw new Error('refused');
    meeting.dispatch({
      type: 'message',
      participantId: r.participantId,
      message: { type: 'publish', sdp: 'v=0', sources: {}, ref: 'p' },
    });
    expect(link.last('error')).toMatchObject({
      code: 'media_failed',
      connection: 'publish',
      ref: 'p',
    });
  });
});

describe('meeting: reconnection', () => {
  it('keeps a dropped participant for the grace period and restores them on resume', () => {
    const { join, meeting, timers, room } = setup();
    const a = join('Ana');
    const b = join('Bo');
    const firstPeer = room()?.peers.get(a.id);
    meeting.dispatch({ type: 'disconnected', participantId: a.id, link: a.link });
    expect(b.link.last('participant_updated')?.participant).toMatchObject({
      id: a.id,
      connection: 'reconnecting',
    });
    expect([...timers.pending.values()][0]?.ms).toBe(15_000);
    const link2 = new Link();
    const r = meeting.dispatch({ type: 'resume', resumeToken: a.resumeToken, link: link2 });
    expect(r).toMatchObject({ ok: true, participantId: a.id });
    expect(link2.of('joined')[0]?.self.id).toBe(a.id);
    expect(link2.last('roster')?.participants).toHaveLength(2);
    expect(b.link.last('participant_updated')?.participant).toMatchObject({
      id: a.id,
      connection: 'connected',
    });
    expect(timers.pending.size).toBe(0);
    expect(firstPeer?.closed).toBe(true);
    expect(room()?.peers.get(a.id)).not.toBe(firstPeer);
  });

  it('a shutdown closes everyone without telling anyone the others left first', () => {
    const { join, meeting, events } = setup();
    const a = join('Ana');
    const b = join('Bo');
    const c = join('Cy');
    meeting.dispatch({ type: 'end', reason: 'shutdown' });
    for (const p of [a, b, c]) {
      expect(p.link.of('participant_left')).toHaveLength(0);
      expect(p.link.closed?.code).toBe(CloseCodes.goingAway);
    }
    // Attendance still records each leave.
    expect(events.filter((e) => e.type === 'participant.left')).toHaveLength(3);
  });

  it('lets a participant go at once when their page went away (1001), not on a drop', () => {
    const { join, meeting, timers, events } = setup();
    const a = join('Ana');
    const b = join('Bo');
    const c = join('Cy');
    meeting.dispatch({ type: 'disconnected', participantId: a.id, link: a.link, pageGone: true });
    expect(c.link.last('participant_left')).toMatchObject({ participantId: a.id, reason: 'left' });
    expect(c.link.of('participant_updated')).toHaveLength(0);
    meeting.dispatch({ type: 'disconnected', participantId: b.id, link: b.link });
    expect(c.link.of('participant_left')).toHaveLength(1);
    expect(c.link.last('participant_updated')?.participant).toMatchObject({
      id: b.id,
      connection: 'reconnecting',
    });
    expect(timers.pending.size).toBe(1);
    expect(events.filter((e) => e.type === 'participant.left')).toHaveLength(1);
  });

  it('lets the ghost of an account go at once when that account joins again', () => {
    const { join, meeting, timers, events } = setup();
    const a = join('Ana', 'viewer', 'acc-ana');
    const b = join('Bo');
    const other = join('Ana elsewhere', 'viewer', 'acc-other');
    meeting.dispatch({ type: 'disconnected', participantId: a.id, link: a.link });
    meeting.dispatch({ type: 'disconnected', participantId: other.id, link: other.link });
    const again = join('Ana', 'viewer', 'acc-ana');
    expect(b.link.of('participant_left').map((m) => m.participantId)).toEqual([a.id]);
    expect(again.link.last('roster')?.participants.map((p) => p.id)).toEqual([
      b.id,
      other.id,
      again.id,
    ]);
    expect(
      meeting.dispatch({ type: 'resume', resumeToken: a.resumeToken, link: new Link() }),
    ).toMatchObject({ ok: false, code: 'resume_failed' });
    // Only the other account's grace timer is left.
    expect(timers.pending.size).toBe(1);
    expect(events.filter((e) => e.type === 'participant.left')).toHaveLength(1);
  });

  it('lets the ghost of a guest go at once when the same browser (guest key) joins again', () => {
    const { join, meeting, timers } = setup();
    const a = join('Gus', 'viewer', null, 'key-gus');
    const b = join('Bo');
    const keyless = join('Gus', 'viewer');
    const otherKey = join('Gus', 'viewer', null, 'key-other');
    // A member whose account id happens to equal the key is not that guest.
    const member = join('Gus', 'viewer', 'key-gus');
    const connected = join('Gus', 'viewer', null, 'key-gus');
    for (const p of [a, keyless, otherKey, member]) {
      meeting.dispatch({ type: 'disconnected', participantId: p.id, link: p.link });
    }
    const again = join('Gus', 'viewer', null, 'key-gus');
    expect(b.link.of('participant_left').map((m) => m.participantId)).toEqual([a.id]);
    // The one of that key still connected (another tab) stays: a key sends no socket away.
    expect(again.link.last('roster')?.participants.map((p) => p.id)).toEqual([
      b.id,
      keyless.id,
      otherKey.id,
      member.id,
      connected.id,
      again.id,
    ]);
    expect(timers.pending.size).toBe(3);
    // Without a key, a guest's rejoin lets no ghost go.
    join('Gus', 'viewer');
    expect(b.link.of('participant_left')).toHaveLength(1);
  });

  it('lets a participant go when the grace period ends', () => {
    const { join, meeting, timers, events } = setup();
    const a = join('Ana');
    const b = join('Bo');
    meeting.dispatch({ type: 'disconnected', participantId: a.id, link: a.link });
    timers.fireAll();
    expect(b.link.last('participant_left')).toMatchObject({
      participantId: a.id,
      reason: 'timeout',
    });
    expect(
      meeting.dispatch({ type: 'resume', resumeToken: a.resumeToken, link: new Link() }),
    ).toMatchObject({ ok: false, code: 'resume_failed' });
    const left = events.filter((e) => e.type === 'participant.left');
    expect(left[0]?.payload).toMatchObject({ participantId: a.id, reason: 'timeout' });
  });

  it('closes the old socket when a participant resumes on a new one', () => {
    const { join, meeting } = setup();
    const a = join('Ana');
    const link2 = new Link();
    meeting.dispatch({ type: 'resume', resumeToken: a.resumeToken, link: link2 });
    expect(a.link.closed?.code).toBe(CloseCodes.replaced);
    // The replaced socket's close event then changes nothing.
    meeting.dispatch({ type: 'disconnected', participantId: a.id, link: a.link });
    expect(meeting.participantInfo(a.id)?.connection).toBe('connected');
  });

  it('publishes attendance: joined when entering, left with times', () => {
    const { join, send, events } = setup({ lobby: 'guests' });
    const mod = join('Mo', 'moderator', 'acc');
    const g = join('Guest');
    expect(events.filter((e) => e.type === 'participant.joined')).toHaveLength(1);
    send(mod.id, { type: 'admit', participantId: g.id });
    send(g.id, { type: 'leave' });
    expect(events.map((e) => e.type)).toEqual([
      'participant.joined',
      'participant.joined',
      'participant.left',
    ]);
    expect(events[2]?.payload).toMatchObject({
      name: 'Guest',
      reason: 'left',
      joinedAt: '2026-11-26T12:00:00.000Z',
      at: '2026-11-26T12:00:00.000Z',
    });
  });
});

describe('meeting: settings changed while it runs', () => {
  it('applies new locks at once: non-moderators are turned off and refused, moderators not', () => {
    const { join, send, meeting, room } = setup();
    const mod = join('Mo', 'moderator');
    const a = join('Ana');
    send(a.id, { type: 'screen_share', on: true });
    send(mod.id, { type: 'screen_share', on: true });
    expect(meeting.participantInfo(a.id)).toMatchObject({ microphone: true, camera: true });

    meeting.dispatch({
      type: 'settings',
      settings: settingsOf({
        lockCamera: true,
        lockMicrophone: true,
        lockChat: true,
        lockScreenShare: true,
      }),
    });
    // Everyone learns the new rules.
    for (const p of [mod, a]) {
      expect(p.link.last('rules')?.rules).toEqual({
        muteOnJoin: false,
        lockCamera: true,
        lockMicrophone: true,
        lockChat: true,
        lockScreenShare: true,
      });
    }
    expect(meeting.participantInfo(a.id)).toMatchObject({
      microphone: false,
      camera: false,
      screen: false,
    });
    expect(mod.link.last('participant_updated')?.participant).toMatchObject({ id: a.id });
    const peer = room()?.peers.get(a.id);
    expect(peer?.forwarding.get('camera')).toBe(false);
    expect(peer?.forwarding.get('microphone')).toBe(false);
    expect(peer?.forwarding.get('screen')).toBe(false);
    // The moderator keeps everything on.
    expect(meeting.participantInfo(mod.id)).toMatchObject({
      microphone: true,
      camera: true,
      screen: true,
    });
    send(a.id, { type: 'chat', text: 'still here?' });
    expect(a.link.last('error')?.code).toBe('locked_by_moderator');
    send(a.id, { type: 'set_camera', on: true });
    expect(a.link.last('error')?.code).toBe('locked_by_moderator');

    // Unlocked again: allowed again (nobody is turned back on by force).
    meeting.dispatch({ type: 'settings', settings: settingsOf({}) });
    expect(meeting.participantInfo(a.id)?.camera).toBe(false);
    send(a.id, { type: 'set_camera', on: true });
    expect(meeting.participantInfo(a.id)?.camera).toBe(true);
  });

  it('mutes people who join from now on, and refuses joins beyond a lowered maximum', () => {
    const { join, meeting } = setup();
    const a = join('Ana');
    join('Bo');
    meeting.dispatch({
      type: 'settings',
      settings: settingsOf({ muteOnJoin: true, maxParticipants: 3 }),
    });
    // Those already in keep their microphones.
    expect(meeting.participantInfo(a.id)?.microphone).toBe(true);
    const c = join('Cy');
    expect(c.link.of('joined')[0]?.self.microphone).toBe(false);
    const link = new Link();
    const refused = meeting.dispatch({
      type: 'connect',
      request: { name: 'Dee', role: 'viewer', accountId: null },
      link,
    });
    expect(refused).toMatchObject({ ok: false, code: 'meeting_full' });
    expect(meeting.size).toBe(3);
  });

  it('lets waiting people in when the lobby is turned off, and queues newcomers when it is on', () => {
    const { join, meeting } = setup({ lobby: 'everyone_but_moderators' });
    const mod = join('Mo', 'moderator');
    const g = join('Guest');
    expect(meeting.phaseOf(g.id)).toBe('lobby');
    meeting.dispatch({ type: 'settings', settings: settingsOf({ lobby: 'guests' }) });
    // Still a guest: still waits.
    expect(meeting.phaseOf(g.id)).toBe('lobby');
    expect(g.link.last('rules')).toBeDefined();
    meeting.dispatch({ type: 'settings', settings: settingsOf({ lobby: 'off' }) });
    expect(meeting.phaseOf(g.id)).toBe('meeting');
    expect(g.link.last('phase')?.phase).toBe('meeting');
    expect(mod.link.lobby()).toEqual([]);
    expect(mod.link.last('participant_joined')?.participant.name).toBe('Guest');

    meeting.dispatch({ type: 'settings', settings: settingsOf({ lobby: 'guests' }) });
    const late = join('Late Guest');
    expect(meeting.phaseOf(late.id)).toBe('lobby');
    expect(meeting.phaseOf(g.id)).toBe('meeting');
  });

  it('opens a meeting that waited for a moderator when anyone may start now', () => {
    const { join, meeting } = setup({ anyoneCanStart: false });
    const a = join('Ana');
    expect(meeting.phaseOf(a.id)).toBe('waiting_for_moderator');
    meeting.dispatch({ type: 'settings', settings: settingsOf({ anyoneCanStart: true }) });
    expect(meeting.phaseOf(a.id)).toBe('meeting');
    expect(a.link.last('phase')?.phase).toBe('meeting');
  });

  it('keeps this meeting’s chat when keep chat is turned on before it ends', () => {
    const { join, send, meeting, events } = setup();
    const a = join('Ana');
    send(a.id, { type: 'chat', text: 'minutes: agreed' });
    meeting.dispatch({ type: 'settings', settings: settingsOf({ keepChat: true }) });
    meeting.dispatch({ type: 'end', reason: 'ended_by_moderator' });
    const ended = events.find((e) => e.type === 'meeting.ended')?.payload as {
      keptChat: { text: string }[];
    };
    expect(ended.keptChat.map((m) => m.text)).toEqual(['minutes: agreed']);
  });
});
