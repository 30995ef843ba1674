/**
 * Moderation in the browser: the lobby (admit and deny), a moderator muting someone (everyone
 * sees it), and the `m` / `v` keys. Real server, real signalling, Debian chromium.
 */
import { describe, expect, it } from 'vitest';
import { inMeeting, status, useMeetingHall, waitUntil } from './meeting-helpers';

const hall = useMeetingHall();

describe('lobby', () => {
  it('a moderator admits one guest and denies another', async () => {
    const { space, host: mod } = await hall.openMeeting({
      owner: 'Olga Owner',
      space: { name: 'Lobby room', settings: { lobby: 'guests' } },
      guests: [],
    });

    const guest = await hall.join(space.slug, 'Gita Guest');
    await guest.getByRole('heading', { name: 'Waiting in the lobby' }).waitFor();

    await mod.getByText('Gita Guest is waiting in the lobby').waitFor();
    await mod.getByRole('button', { name: 'Admit', exact: true }).click();
    await inMeeting(guest);
    await mod.locator('.tile', { hasText: 'Gita Guest' }).waitFor();

    const other = await hall.join(space.slug, 'Dan Denied');
    await other.getByRole('heading', { name: 'Waiting in the lobby' }).waitFor();
    await mod.getByText('Dan Denied is waiting in the lobby').waitFor();
    await mod.getByRole('button', { name: 'Deny', exact: true }).click();
    await other.getByRole('heading', { name: 'Entry denied' }).waitFor();
    expect(await mod.locator('.tile', { hasText: 'Dan Denied' }).count()).toBe(0);
  });
});

describe('a locked meeting', () => {
  it('the pre-join page says so once and offers no Join; a refused Join says it once', async () => {
    const { space, host: mod } = await hall.openMeeting({
      owner: 'Lena Locker',
      space: { name: 'Locked room' },
      guests: [],
    });
    // This guest's page is open before the lock: its status still says "open".
    const late = await hall.newPage();
    await late.goto(`/s/${space.slug}`);
    await late.getByLabel('Your name').fill('Lou Late');

    await mod.getByRole('button', { name: 'Moderation' }).click();
    await mod.getByRole('button', { name: 'Lock meeting' }).click();
    await mod.getByText('Locked', { exact: true }).first().waitFor();

    const notice = 'A moderator has locked this meeting. Only moderators can enter now.';
    const refusal = 'A moderator has locked the meeting. Only moderators can enter now.';
    const fresh = await hall.newPage();
    await fresh.goto(`/s/${space.slug}`);
    await fresh.getByText(notice).waitFor();
    expect(await fresh.getByRole('button', { name: 'Join', exact: true }).isDisabled()).toBe(true);
    // It does not ask "Ready to join?" over a locked door, and says what happens next.
    await fresh.getByText('This meeting is locked', { exact: true }).waitFor();
    expect(await fresh.getByText('Ready to join?').count()).toBe(0);
    await fresh
      .getByText('Join comes back here as soon as a moderator unlocks it', { exact: false })
      .waitFor();

    await late.getByRole('button', { name: 'Join', exact: true }).click();
    await late.getByText(notice).waitFor();
    // The refreshed status takes over: still one message, and Join is no longer offered.
    await waitUntil('Join disabled after the refusal', () =>
      late.getByRole('button', { name: 'Join', exact: true }).isDisabled(),
    );
    expect(await late.getByText(notice).count()).toBe(1);
    expect(await late.getByText(refusal).count()).toBe(0);
    expect(await late.locator('.alert').count()).toBe(1);
  });

  it('lets a moderator code typed into the access code field through a lock', async () => {
    const { space, host: mod } = await hall.openMeeting({
      owner: 'Mo Coded',
      space: {
        name: 'Coded locked room',
        settings: { viewerAccessCode: 'guest-code', moderatorAccessCode: 'chair-code' },
      },
      guests: [],
    });
    await mod.getByRole('button', { name: 'Moderation' }).click();
    await mod.getByRole('button', { name: 'Lock meeting' }).click();
    await mod.getByText('Locked', { exact: true }).first().waitFor();

    const chair = await hall.newPage();
    await chair.goto(`/s/${space.slug}`);
    await chair.getByText('This meeting is locked', { exact: true }).waitFor();
    await chair.getByLabel('Your name').fill('Cy Chair');
    const join = chair.getByRole('button', { name: 'Join', exact: true });
    expect(await join.isDisabled()).toBe(true);
    await chair.getByLabel('Access code').fill('chair-code');
    await waitUntil('Join offered for the code', () => join.isEnabled());
    await join.click();
    await mod.locator('.tile', { hasText: 'Cy Chair' }).waitFor();
  });

  it('still offers Join where everyone joins as a moderator (the lock holds nobody back there)', async () => {
    const { space, host: mod } = await hall.openMeeting({
      owner: 'Ola Open',
      space: { name: 'Open locked room', settings: { everyoneJoinsAsModerator: true } },
      guests: [],
    });
    await mod.getByRole('button', { name: 'Moderation' }).click();
    await mod.getByRole('button', { name: 'Lock meeting' }).click();
    await mod.getByText('Locked', { exact: true }).first().waitFor();

    const guest = await hall.newPage();
    await guest.goto(`/s/${space.slug}`);
    await guest.getByLabel('Your name').fill('Gil Guest');
    const join = guest.getByRole('button', { name: 'Join', exact: true });
    await waitUntil('Join offered', () => join.isEnabled());
    expect(await guest.getByText('Only moderators can enter now', { exact: false }).count()).toBe(
      0,
    );
    await join.click();
    await mod.locator('.tile', { hasText: 'Gil Guest' }).waitFor();
  });
});

describe('moderation', () => {
  it('a moderator mutes someone and everyone sees it', async () => {
    const {
      host: mod,
      guests: [bea, cal],
    } = await hall.openMeeting({
      owner: 'Maya Moderator',
      space: { name: 'Mute room' },
      guests: ['Bea Talker', 'Cal Listener'],
    });

    const mutedLabel = "Bea Talker's microphone is off";
    for (const p of [mod, bea, cal])
      expect(await p.getByRole('img', { name: mutedLabel }).count()).toBe(0);

    await mod.getByRole('button', { name: 'Participants' }).click();
    await mod.getByRole('button', { name: 'Mute Bea Talker' }).click();

    await cal.getByRole('img', { name: mutedLabel }).first().waitFor();
    await mod.getByRole('img', { name: mutedLabel }).first().waitFor();
    // Bea's own controls follow: her microphone is off and she can unmute herself.
    await bea.getByRole('button', { name: 'Unmute microphone' }).waitFor();
  });

  it('Remove asks first; Cancel keeps the person, Remove in the dialog takes them out', async () => {
    const {
      host: mod,
      guests: [rob],
    } = await hall.openMeeting({
      owner: 'Rhea Remover',
      space: { name: 'Remove room' },
      guests: ['Rob Removed'],
    });
    await mod.getByRole('button', { name: 'Participants' }).click();
    await mod.getByRole('button', { name: 'Remove Rob Removed from the meeting' }).click();
    const dialog = mod.getByRole('dialog', { name: 'Remove Rob Removed?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await status(rob)).toBe('meeting');

    await mod.getByRole('button', { name: 'Remove Rob Removed from the meeting' }).click();
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await rob.getByRole('heading', { name: 'You were removed' }).waitFor();
    await waitUntil(
      'Rob gone from the host',
      async () => (await mod.locator('.tile', { hasText: 'Rob Removed' }).count()) === 0,
    );
  });

  it('the m key toggles the microphone and v the camera', async () => {
    const { host: page } = await hall.openMeeting({
      owner: 'Kim Keys',
      space: { name: 'Keys room' },
      guests: [],
    });
    await page.getByRole('button', { name: 'Mute microphone' }).waitFor();
    await page.locator('body').press('m');
    await page.getByRole('button', { name: 'Unmute microphone' }).waitFor();
    await page.locator('body').press('m');
    await page.getByRole('button', { name: 'Mute microphone' }).waitFor();
    await page.locator('body').press('v');
    await page.getByRole('button', { name: 'Turn camera on' }).waitFor();
    await page.locator('body').press('v');
    await page.getByRole('button', { name: 'Turn camera off' }).waitFor();
    // Every control is reachable with the keyboard.
    const names: string[] = [];
    await page.getByRole('button', { name: 'Mute microphone' }).focus();
    for (let i = 0; i < 8; i++) {
      names.push(
        await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? ''),
      );
      await page.keyboard.press('Tab');
    }
    for (const n of [
      'Turn camera off',
      'Share screen',
      'Raise hand',
      'Chat',
      'Participants',
      'Leave meeting',
    ]) {
      expect(names).toContain(n);
    }
    await waitUntil('still in the meeting', async () => (await page.locator('.ctl').count()) > 0);
  });
});
