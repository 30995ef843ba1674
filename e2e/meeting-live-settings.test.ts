/**
 * The owner changes a space's settings on its form while a meeting runs: the meeting follows at
 * once. A guest's camera is turned off and its button locked; the chat is locked for them. Then a
 * steward's site-wide policy unlocks the chat: the meeting follows that at once too.
 */
import { describe, expect, it } from 'vitest';
import { expectVideoRising, useMeetingHall, waitUntil } from './meeting-helpers';

const hall = useMeetingHall();

describe('live settings', () => {
  it('locking cameras and chat on the space form applies to the running meeting', async () => {
    const {
      owner,
      space,
      host,
      guests: [guest],
      guestIds: [guestId],
    } = await hall.openMeeting({
      owner: 'Lia Owner',
      space: { name: 'Live rules' },
      guests: ['Gio Guest'],
    });
    await expectVideoRising(host, guestId);

    const camOff = guest.getByRole('button', { name: 'Turn camera off' });
    await camOff.waitFor();
    await guest.getByRole('button', { name: 'Chat' }).click();
    await guest.getByRole('textbox', { name: /message/i }).waitFor();

    // The owner, in another tab, locks cameras and chat and saves.
    const form = await hall.newPage(owner);
    await form.goto(`/spaces/${encodeURIComponent(space.slug)}/edit`);
    await form.getByRole('checkbox', { name: /Lock cameras/ }).check();
    await form.getByRole('checkbox', { name: /Lock chat/ }).check();
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.getByText('Changes saved.').waitFor();

    // The guest's camera goes off by itself and cannot be turned on again.
    const camOn = guest.getByRole('button', { name: 'Turn camera on' });
    await camOn.waitFor({ timeout: 15_000 });
    await waitUntil('camera button locked', () => camOn.isDisabled());
    await guest.getByText('A moderator has locked the chat.').waitFor();
    // The host, a moderator, is not locked.
    expect(await host.getByRole('button', { name: 'Turn camera off' }).isEnabled()).toBe(true);

    // A steward (the owner is the hall's first) rules chat never locked, site-wide: the running
    // meeting follows at once, and the guest may write again.
    await form.goto('/spaces/defaults');
    await form
      .getByRole('combobox', { name: 'Whether owners may change Lock chat' })
      .selectOption({ label: 'Always off' });
    await form.getByRole('button', { name: 'Save defaults' }).click();
    await form.getByText(/Defaults saved/).waitFor();
    await guest.getByRole('textbox', { name: /message/i }).waitFor({ timeout: 15_000 });
    expect(await guest.getByText('A moderator has locked the chat.').count()).toBe(0);
    // The camera lock was the owner's own choice, which the steward left alone.
    expect(await camOn.isDisabled()).toBe(true);
  });
});
