import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, signUpAndLogIn } from '@server/test/accounts';
import { SLOW_TEST_MS, startHall, type Hall } from './harness';

/** The stewards' space defaults on a phone. */
describe('space defaults at phone width', { timeout: SLOW_TEST_MS }, () => {
  let hall: Hall;
  beforeAll(async () => {
    hall = await startHall();
    await signUpAndLogIn(hall.app, { steward: true, email: 'ada@example.coop', name: 'Ada' });
  });
  afterAll(async () => {
    await hall?.close();
  });

  it('fits 390 px with every default and owners control on screen', async () => {
    const page = await hall.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill('ada@example.coop');
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Welcome back, Ada' }).waitFor();
    await page.goto('/spaces/defaults');
    await page.getByRole('heading', { level: 1, name: 'Space defaults' }).waitFor();
    await page.getByLabel('Whether owners may change Lobby').waitFor();

    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    // Each row's controls (the lobby's long choice too) lie inside the screen, none cut off.
    const controls = page.locator('.defaults-table select, .defaults-table input');
    const count = await controls.count();
    expect(count).toBeGreaterThan(10);
    for (let i = 0; i < count; i += 1) {
      const box = await controls.nth(i).boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    }
    // Without the header row, the owners' column says what it is.
    const lobbyOwners = page.getByRole('cell').filter({
      has: page.getByLabel('Whether owners may change Lobby'),
    });
    expect(await lobbyOwners.evaluate((td) => getComputedStyle(td, '::before').content)).toBe(
      '"Owners"',
    );
  });
});
