/**
 * Meetings with real media through our SFU, in Debian chromium with fake camera and microphone:
 * three people each decode both others' video and receive their audio; a screen share reaches
 * the others; someone taken offline for 5 s comes back by themselves.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAudioRising,
  expectVideoRising,
  inMeeting,
  joinSpace,
  selfId,
  startMeetingHall,
  status,
  waitUntil,
  type MeetingHall,
} from './meeting-helpers';

let hall: MeetingHall;

beforeAll(async () => {
  hall = await startMeetingHall();
});
afterEach(async () => {
  await hall.closePages();
});
afterAll(async () => {
  await hall?.close();
});

describe('media', () => {
  it('three participants each decode both others’ video and receive their audio', async () => {
    const owner = await hall.member('Ana Host');
    const space = await hall.createSpace(owner, { name: 'Three of us' });
    const a = await hall.newPage(owner);
    await joinSpace(a, space.slug, 'Ana Host');
    const b = await hall.newPage();
    await joinSpace(b, space.slug, 'Ben Guest');
    const c = await hall.newPage();
    await joinSpace(c, space.slug, 'Cleo Guest');
    const ids = [await inMeeting(a), await inMeeting(b), await inMeeting(c)];
    const pages = [a, b, c];
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

  it('a screen share reaches the others and is shown large', async () => {
    const owner = await hall.member('Sam Sharer');
    const space = await hall.createSpace(owner, { name: 'Screen room' });
    const sharer = await hall.newPage(owner);
    await joinSpace(sharer, space.slug, 'Sam Sharer');
    const viewer = await hall.newPage();
    await joinSpace(viewer, space.slug, 'Vic Viewer');
    const sharerId = await inMeeting(sharer);
    await inMeeting(viewer);
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
    const owner = await hall.member('Olu Online');
    const space = await hall.createSpace(owner, { name: 'Flaky room' });
    const steady = await hall.newPage(owner);
    await joinSpace(steady, space.slug, 'Olu Online');
    const flaky = await hall.newPage();
    await joinSpace(flaky, space.slug, 'Fay Flaky');
    const steadyId = await inMeeting(steady);
    const flakyId = await inMeeting(flaky);
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
