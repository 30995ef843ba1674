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

const viewer = (name: string) => ({ name, role: 'viewer' as const, accountId: null });

describe('LocalRouter', () => {
  it('puts participants of one space in one meeting and reports its status', async () => {
    const { router, link } = setup();
    const a = await router.startParticipantSignal(config('s1'), viewer('A'), link());
    const b = await router.startParticipantSignal(config('s1'), viewer('B'), link());
    await router.startParticipantSignal(config('s2'), viewer('C'), link());
    expect(a.ok && b.ok).toBe(true);
    expect(await router.status('s1')).toEqual({ participants: 2, lobby: 0, locked: false });
    expect(router.stats()).toEqual({ meetings: 2, participants: 3 });
    expect((await router.liveSpaceIds()).sort()).toEqual(['s1', 's2']);
    await router.endMeeting('s1', 'space_deleted');
    expect(await router.status('s1')).toBeUndefined();
    expect(await router.liveSpaceIds()).toEqual(['s2']);
    expect(router.stats().meetings).toBe(1);
  });

  it('resumes by token, and refuses unknown tokens', async () => {
    const { router, link } = setup();
    const first = link();
    const a = await router.startParticipantSignal(config('s1'), viewer('A'), first);
    if (!a.ok) throw new Error('refused');
    await router.startParticipantSignal(config('s1'), viewer('B'), link());
    const joined = first.sent.find((m) => m.type === 'joined');
    if (joined?.type !== 'joined') throw new Error('no joined');
    a.signal.disconnected();
    const again = await router.resumeParticipantSignal(joined.resumeToken, link());
    expect(again.ok && again.signal.participantId).toBe(a.signal.participantId);
    expect(await router.resumeParticipantSignal('nope', link())).toMatchObject({
      ok: false,
      code: 'resume_failed',
    });
  });

  it('leaks nothing over 1,000 join/leave cycles', async () => {
    const { router, engine, link } = setup();
    const stay = await router.startParticipantSignal(
      config('s1'),
      { name: 'Host', role: 'moderator', accountId: null },
      link(),
    );
    if (!stay.ok) throw new Error('refused');
    for (let i = 0; i < 1000; i++) {
      const spaceId = i % 2 === 0 ? 's1' : `s-${i}`;
      const r = await router.startParticipantSignal(config(spaceId), viewer(`P${i}`), link());
      if (!r.ok) throw new Error('refused');
      r.signal.receive({ type: 'chat', text: 'hi' });
      r.signal.receive({ type: 'leave' });
    }
    expect(router.stats()).toEqual({ meetings: 1, participants: 1 });
    expect(engine.stats()).toMatchObject({ rooms: 1, peers: 1 });
    stay.signal.receive({ type: 'leave' });
    expect(router.stats()).toEqual({ meetings: 0, participants: 0 });
    expect(engine.stats()).toMatchObject({ rooms: 0, peers: 0 });
  });
});
