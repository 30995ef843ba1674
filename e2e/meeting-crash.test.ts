/**
 * A participant whose browser crashed (the renderer dies: no pagehide, no leave, no close frame).
 * The same account coming back replaces its own ghost at once, for everyone and for itself.
 */
import { describe, expect, it } from 'vitest';
import { inMeeting, useMeetingHall, waitUntil } from './meeting-helpers';

const hall = useMeetingHall();

describe('a crashed browser', () => {
  it('the same account joining again replaces its ghost at once', async () => {
    const { space, host } = await hall.openMeeting({
      owner: 'Cora Calm',
      space: { name: 'Crash room' },
      guests: [],
    });
    const gus = await hall.member('Gus Crash', false);
    const first = await hall.join(space.slug, 'Gus Crash', gus);
    await inMeeting(first);
    await host.locator('.tile', { hasText: 'Gus Crash' }).waitFor();

    // Kill the renderer: nothing of the page runs any more.
    await first.goto('chrome://crash').catch(() => undefined);
    await host.locator('.tile', { hasText: 'Reconnecting' }).waitFor();

    const again = await hall.join(space.slug, 'Gus Crash', gus);
    await inMeeting(again);
    // The first roster the new page gets has no ghost of itself, and the others lose it too.
    expect(await again.locator('.tile', { hasText: 'Gus Crash' }).count()).toBe(1);
    expect(await again.locator('.tile').count()).toBe(2);
    await waitUntil(
      'one Gus on the host',
      async () => (await host.locator('.tile', { hasText: 'Gus Crash' }).count()) === 1,
    );
    expect(await host.locator('.tile', { hasText: 'Reconnecting' }).count()).toBe(0);
  });
});
