/**
 * Ghost tiles: a participant whose browser page crashed (the renderer dies: no pagehide, no
 * leave; the browser closes the socket going away, 1001) leaves at once; one whose network
 * dropped keeps a "Reconnecting…" place, which the same account coming back replaces at once,
 * and so does the same guest's browser (its guest key) from a new tab.
 */
import { describe, expect, it } from 'vitest';
import { inMeeting, joinSpace, useMeetingHall, waitUntil } from './meeting-helpers';

const hall = useMeetingHall();

describe('ghost tiles', () => {
  it('a crashed page leaves at once, without a "Reconnecting" tile', async () => {
    const {
      host,
      guests: [gus],
    } = await hall.openMeeting({
      owner: 'Cora Calm',
      space: { name: 'Crash room' },
      guests: ['Gus Crash'],
    });
    await host.locator('.tile', { hasText: 'Gus Crash' }).waitFor();
    // The host notes if a tile ever says "Reconnecting" from now on.
    await host.evaluate(() => {
      const w = window as Window & { sawReconnecting?: boolean };
      w.sawReconnecting = false;
      new MutationObserver(() => {
        if (document.querySelector('.tile.reconnecting') !== null) w.sawReconnecting = true;
      }).observe(document.body, { childList: true, subtree: true, attributes: true });
    });

    // Kill the renderer: nothing of the page runs any more.
    await gus.goto('chrome://crash').catch(() => undefined);
    await waitUntil(
      'Gus gone from the host',
      async () => (await host.locator('.tile', { hasText: 'Gus Crash' }).count()) === 0,
    );
    expect(
      await host.evaluate(
        () => (window as Window & { sawReconnecting?: boolean }).sawReconnecting === true,
      ),
    ).toBe(false);
  });

  it('the same account joining again replaces its "Reconnecting" ghost at once', async () => {
    const { space, host } = await hall.openMeeting({
      owner: 'Dana Dropped',
      space: { name: 'Ghost room' },
      guests: [],
    });
    const gus = await hall.member('Gus Ghost', false);
    const first = await hall.join(space.slug, 'Gus Ghost', gus);
    await inMeeting(first);
    await host.locator('.tile', { hasText: 'Gus Ghost' }).waitFor();

    // Gus's network goes: his place waits for a resume that will not come from there.
    await first.context().setOffline(true);
    await first.evaluate(() => window.commonhallMedia?.dropConnection());
    await host.locator('.tile.reconnecting', { hasText: 'Gus Ghost' }).waitFor();

    const again = await hall.join(space.slug, 'Gus Ghost', gus);
    await inMeeting(again);
    // The first roster the new page gets has no ghost of itself, and the others lose it too.
    expect(await again.locator('.tile', { hasText: 'Gus Ghost' }).count()).toBe(1);
    expect(await again.locator('.tile').count()).toBe(2);
    await waitUntil(
      'one Gus on the host',
      async () => (await host.locator('.tile', { hasText: 'Gus Ghost' }).count()) === 1,
    );
    expect(await host.locator('.tile.reconnecting').count()).toBe(0);
    await first.context().close();
  });

  it('a guest back from a new tab of the same browser replaces their "Reconnecting" ghost at once', async () => {
    const { space, host } = await hall.openMeeting({
      owner: 'Flo Fresh',
      space: { name: 'Guest ghost room' },
      guests: [],
    });
    const first = await hall.join(space.slug, 'Gia Guest');
    await inMeeting(first);
    await host.locator('.tile', { hasText: 'Gia Guest' }).waitFor();

    // Her network goes, and the tab is closed without a leave: her place waits for a resume.
    const browser = first.context();
    await browser.setOffline(true);
    await first.evaluate(() => window.commonhallMedia?.dropConnection());
    await host.locator('.tile.reconnecting', { hasText: 'Gia Guest' }).waitFor();
    await first.close({ runBeforeUnload: false });
    await browser.setOffline(false);

    const again = await browser.newPage();
    await joinSpace(again, space.slug, 'Gia Guest');
    await inMeeting(again);
    expect(await again.locator('.tile', { hasText: 'Gia Guest' }).count()).toBe(1);
    expect(await again.locator('.tile').count()).toBe(2);
    await waitUntil(
      'one Gia on the host',
      async () => (await host.locator('.tile', { hasText: 'Gia Guest' }).count()) === 1,
    );
    expect(await host.locator('.tile.reconnecting').count()).toBe(0);

    // Another browser's guest of the same name is someone else: both tiles stay.
    const stranger = await hall.join(space.slug, 'Gia Guest');
    await inMeeting(stranger);
    await waitUntil(
      'two Gias on the host',
      async () => (await host.locator('.tile', { hasText: 'Gia Guest' }).count()) === 2,
    );
  });
});
