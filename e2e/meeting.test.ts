/**
 * Meetings with real media through our SFU, in Debian chromium with fake camera and microphone:
 * three people each decode both others' video and receive their audio; someone who joined muted
 * is heard from their first unmute; microphone and camera turned off before joining are off for
 * the others; a screen share reaches
 * the others; someone taken offline for 5 s comes back by themselves.
 */
import { describe, expect, it } from 'vitest';
import {
  audioFrom,
  expectAudioRising,
  inMeeting,
  expectVideoRising,
  selfId,
  status,
  useMeetingHall,
  waitUntil,
} from './meeting-helpers';

const hall = useMeetingHall();

describe('media', () => {
  it('three participants each decode both others’ video and receive their audio', async () => {
    const m = await hall.openMeeting({
      owner: 'Ana Host',
      space: { name: 'Three of us' },
      guests: ['Ben Guest', 'Cleo Guest'],
    });
    const ids = [m.hostId, ...m.guestIds];
    const pages = [m.host, ...m.guests];
    for (const [i, page] of pages.entries()) {
      for (const [j, id] of ids.entries()) {
        if (i === j) continue;
        await expectVideoRising(page, id);
        await expectAudioRising(page, id);
      }
    }
    // Everyone sees three tiles.
    for (const page of pages) expect(await page.locator('.tile').count()).toBe(3);
  });

  it('someone who joined muted is heard from their first unmute', async () => {
    // The SFU offers a microphone to the others only from its first packet (a muted one sends
    // none), so the first unmute renegotiates every subscriber.
    const m = await hall.openMeeting({
      owner: 'Lu Listener',
      space: { name: 'Quiet room', settings: { muteOnJoin: true } },
      guests: ['Mo Muted'],
    });
    const [speaker] = m.guests;
    const [speakerId] = m.guestIds;
    await expectVideoRising(m.host, speakerId);
    await speaker.getByRole('button', { name: 'Unmute microphone' }).waitFor();
    expect(await audioFrom(m.host, speakerId)).toBe(0);
    await speaker.getByRole('button', { name: 'Unmute microphone' }).click();
    await expectAudioRising(m.host, speakerId);
  });

  it('microphone and camera turned off before joining are off for the others too', async () => {
    const owner = await hall.member('Pat Host');
    const space = await hall.createSpace(owner, { name: 'Choice room' });
    const host = await hall.join(space.slug, 'Pat Host', owner);
    await inMeeting(host);
    const guest = await hall.newPage();
    await guest.goto(`/s/${space.slug}`);
    await guest.getByRole('button', { name: 'Mute microphone' }).click();
    await guest.getByRole('button', { name: 'Turn camera off' }).click();
    await guest.getByLabel('Your name').fill('Quinn Quiet');
    await guest.getByRole('button', { name: 'Join', exact: true }).click();
    await inMeeting(guest);
    await guest.getByRole('button', { name: 'Unmute microphone' }).waitFor();
    const tile = host.getByRole('figure', { name: 'Quinn Quiet' });
    await tile.getByRole('img', { name: "Quinn Quiet's microphone is off" }).waitFor();
    await tile.locator('.tile-avatar').waitFor();
  });

  it('a screen share reaches the others and is shown large', async () => {
    const {
      host: sharer,
      hostId: sharerId,
      guests: [viewer],
    } = await hall.openMeeting({
      owner: 'Sam Sharer',
      space: { name: 'Screen room' },
      guests: ['Vic Viewer'],
    });
    await expectVideoRising(viewer, sharerId);

    await sharer.getByRole('button', { name: 'Share screen' }).click();
    await sharer.getByRole('button', { name: 'Stop sharing screen' }).waitFor();
    await expectVideoRising(viewer, sharerId, 'screen');
    await viewer.locator('.share-main video').waitFor();
    await viewer.getByText("Sam Sharer's screen").first().waitFor();

    await sharer.getByRole('button', { name: 'Stop sharing screen' }).click();
    await viewer.locator('.share-main').waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('a participant taken offline for 5 s comes back by itself', async () => {
    const {
      host: steady,
      hostId: steadyId,
      guests: [flaky],
      guestIds: [flakyId],
    } = await hall.openMeeting({
      owner: 'Olu Online',
      space: { name: 'Flaky room' },
      guests: ['Fay Flaky'],
    });
    await expectVideoRising(flaky, steadyId);

    await flaky.context().setOffline(true);
    // Offline emulation does not always cut an open WebSocket: drop it as the network would.
    await flaky.evaluate(() => window.commonhallMedia?.dropConnection());
    await waitUntil('reconnecting', async () => (await status(flaky)) === 'reconnecting', 5000);
    await new Promise((r) => setTimeout(r, 5000));
    await flaky.context().setOffline(false);

    await waitUntil('back in the meeting', async () => (await status(flaky)) === 'meeting', 20_000);
    expect(await selfId(flaky)).toBe(flakyId); // same identity: resumed, not a new join
    await expectVideoRising(flaky, steadyId);
    await expectVideoRising(steady, flakyId);
    expect(await steady.locator('.tile').count()).toBe(2);
  });
});
