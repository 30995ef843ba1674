import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@common/protocol';
import {
  Meeting,
  type MeetingConfig,
  type ParticipantLink,
} from '@server/realtime/meeting/meeting';
import { FakeMediaEngine } from '@server/test/fake-media';
import { LocalRouter } from './local-router';

const config = (spaceId: string): MeetingConfig => ({
  spaceId,
  slug: spaceId,
  name: spaceId,
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
});

function setup() {
  let n = 0;
  const engine = new FakeMediaEngine();
  const router = new LocalRouter(
    (c, onEnded) =>
      new Meeting(c, {
        mediaRoom: (ev) => engine.room(`${c.spaceId}:${++n}`, ev),
        now: () => new Date(),
        newId: () => `id${++n}`,
        newSecret: () => `secret${++n}`,
        hooks: { ended: onEnded },
      }),
  );
  const link = (): ParticipantLink & { sent: ServerMessage[] } => {
    const sent: ServerMessage[] = [];
    return { sent, send: (m) => sent.push(m), close: () => {} };
  };
  return { router, engine, link };
}

describe('LocalRouter', () => {
  it('puts participants of one space in one meeting and reports its status', () => {
    const { router, link } = setup();
    const a = router.startParticipantSignal(
      config('s1'),
      { name: 'A', role: 'viewer', accountId: null },
      link(),
    );
    const b = router.startParticipantSignal(
      config('s1'),
      { name: 'B', role: 'viewer', accountId: null },
      link(),
    );
    router.startParticipantSignal(
      config('s2'),
      { name: 'C', role: 'viewer', accountId: null },
      link(),
    );
    expect(a.ok && b.ok).toBe(true);
    expect(router.status('s1')).toEqual({ participants: 2, locked: false });
    expect(router.stats()).toEqual({ meetings: 2, participants: 3 });
    router.endMeeting('s1', 'space_deleted');
    expect(router.status('s1')).toBeUndefined();
    expect(router.stats().meetings).toBe(1);
  });

  it('resumes by token, and refuses unknown tokens', () => {
    const { router, link } = setup();
    const first = link();
    const a = router.startParticipantSignal(
      config('s1'),
      { name: 'A', role: 'viewer', accountId: null },
      first,
    );
    if (!a.ok) throw new Error('refused');
    router.startParticipantSignal(
      config('s1'),
      { name: 'B', role: 'viewer', accountId: null },
      link(),
    );
    const token = first.sent.find((m) => m.type === 'joined');
    if (token?.type !== 'joined') throw new Error('no joined');
    a.signal.disconnected();
    const again = router.resumeParticipantSignal(token.resumeToken, link());
    expect(again.ok && again.signal.participantId).toBe(a.signal.participantId);
    expect(router.resumeParticipantSignal('nope', link())).toMatchObject({
      ok: false,
      code: 'resume_failed',
    });
  });

  it('leaks nothing over 1,000 join/leave cycles', () => {
    const { router, engine, link } = setup();
    const stay = router.startParticipantSignal(
      config('s1'),
      { name: 'Host', role: 'moderator', accountId: null },
      link(),
    );
    expect(stay.ok).toBe(true);
    for (let i = 0; i < 1000; i++) {
      const spaceId = i % 2 === 0 ? 's1' : `s-${i}`;
      const r = router.startParticipantSignal(
        config(spaceId),
        { name: `P${i}`, role: 'viewer', accountId: null },
        link(),
      );
      if (!r.ok) throw new Error('refused');
      r.signal.receive({ type: 'chat', text: 'hi' });
      r.signal.receive({ type: 'leave' });
    }
    expect(router.stats()).toEqual({ meetings: 1, participants: 1 });
    expect(engine.stats()).toMatchObject({ rooms: 1, peers: 1 });
    if (stay.ok) stay.signal.receive({ type: 'leave' });
    expect(router.stats()).toEqual({ meetings: 0, participants: 0 });
    expect(engine.stats()).toMatchObject({ rooms: 0, peers: 0 });
  });
});
