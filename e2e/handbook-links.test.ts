/**
 * Links to titles with `&` in the browser, on the starter handbook a new co-op gets: following
 * "Mission & vision" from the first page lands on that page (not on "Create a page"), and a link
 * the `[[` suggestions insert for such a title leads to its page.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAndLogIn, type TestSession } from '@server/test/accounts';
import { startHall, type Hall } from './harness';

let hall: Hall;
let ada: TestSession;

async function pageAs(who: TestSession): Promise<Page> {
  const page = await hall.newPage();
  const [name = '', value = ''] = who.cookie.split(/=(.*)/s);
  await page.context().addCookies([{ name, value, url: hall.baseUrl }]);
  return page;
}

beforeAll(async () => {
  // The starter handbook is seeded on first start (HANDBOOK_STARTER defaults to on).
  hall = await startHall();
  ada = await signUpAndLogIn(hall.app, { steward: true, name: 'Ada Lovelace' });
});

afterAll(async () => {
  await hall?.close();
});

const h1 = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

describe('links to titles with & in the starter handbook', () => {
  it('follows "Mission & vision" from the first page to the existing page', async () => {
    const page = await pageAs(ada);
    await page.goto('/handbook/principles');
    await h1(page, 'Principles');
    const story = page.locator('.hb-story');
    const link = story.getByRole('link', { name: 'Mission & vision' });
    expect(await link.getAttribute('class')).toBe('internal');
    expect(await link.getAttribute('href')).toBe('/handbook/mission-vision');
    // Every link on the page is drawn present.
    expect(await story.locator('a.internal.missing').count()).toBe(0);
    await link.click();
    await h1(page, 'Mission & vision');
    expect(new URL(page.url()).pathname).toBe('/handbook/mission-vision');
    expect(await page.getByRole('dialog', { name: 'Create a page' }).count()).toBe(0);
  });

  it('inserts a link with [[ suggestions that leads to the page', async () => {
    const page = await pageAs(ada);
    await page.goto('/handbook');
    await page.getByRole('button', { name: 'New page' }).click();
    await page.getByLabel('Title').fill('Reading list');
    await page.getByRole('button', { name: 'Create page' }).click();
    await h1(page, 'Reading list');

    const text = page.getByRole('combobox', { name: 'Text' });
    await text.pressSequentially('First read [[Principles &');
    await page.getByRole('option', { name: 'Principles & protocols' }).waitFor();
    await text.press('Enter');
    await expect.poll(() => text.inputValue()).toBe('First read [[Principles & protocols]]');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('button', { name: 'Done' }).click();

    const link = page.locator('.hb-story').getByRole('link', { name: 'Principles & protocols' });
    await expect.poll(() => link.getAttribute('class')).toBe('internal');
    await link.click();
    await h1(page, 'Principles & protocols');
    expect(new URL(page.url()).pathname).toBe('/handbook/principles-protocols');
    expect(await page.getByRole('dialog', { name: 'Create a page' }).count()).toBe(0);
  });
});
