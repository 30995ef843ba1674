/**
 * Sections and names in the browser, as a person does it: a rename goes to the new address and
 * offers "Update the links"; stewards add, rename, reorder and delete sections; a page is put into
 * a section when it is created and from its own "Section" control, and gets Previous/Next;
 * "Order of pages" keeps nested pages' depth and indents and outdents them. Screenshots of the
 * sections page and the page's section control at desktop and phone width go to COMMONHALL_SHOTS.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageView } from '@common/api/handbook';
import { authHeaders, signUpAndLogIn, type TestSession } from '@server/test/accounts';
import { startHall, type Hall } from './harness';

const shotDir = process.env.COMMONHALL_SHOTS ?? tmpdir();

let hall: Hall;
let ada: TestSession;
let bea: TestSession;

async function pageAs(who: TestSession): Promise<Page> {
  const page = await hall.newPage();
  const [name = '', value = ''] = who.cookie.split(/=(.*)/s);
  await page.context().addCookies([{ name, value, url: hall.baseUrl }]);
  return page;
}

async function api<T>(
  who: TestSession,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: unknown,
): Promise<T> {
  const res = await hall.app.inject({
    method,
    url: `/api/v1/handbook${url}`,
    headers: authHeaders(who),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json<T>();
}

type Tree = {
  sections: { slug: string; title: string; pages: { slug: string; depth: number }[] }[];
};
const tree = () => api<Tree>(bea, 'GET', '/sections');
const p = (id: string, text: string) => ({ id, type: 'paragraph', text });

/** Full-page shots at desktop and at a 390 px phone. */
async function shoot(page: Page, name: string) {
  await page.screenshot({ path: join(shotDir, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shotDir, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Serious and critical axe violations on the page as it is now. */
async function axe(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

beforeAll(async () => {
  hall = await startHall();
  ada = await signUpAndLogIn(hall.app, { steward: true, name: 'Ada Lovelace' });
  bea = await signUpAndLogIn(hall.app, { name: 'Bea Brown' });
});

afterAll(async () => {
  await hall?.close();
});

describe('sections and renames in the browser', () => {
  it('goes to the new address after a rename and offers to update the links', async () => {
    await api(ada, 'POST', '/pages', { title: 'Boat Log', story: [p('b1', 'Every trip.')] });
    await api(ada, 'POST', '/pages', {
      title: 'Crew List',
      story: [p('c1', 'Write trips in the [[Boat Log]].')],
    });
    await api(ada, 'POST', '/pages', {
      title: 'Tide Table',
      story: [p('t1', 'See [[Boat Log]].')],
    });

    const page = await pageAs(bea);
    await page.goto('/handbook/boat-log');
    await page.getByRole('heading', { level: 1, name: 'Boat Log' }).waitFor();
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    const rename = page.getByRole('dialog', { name: 'Rename this page' });
    await rename.getByLabel('New title').fill('Vessel Log');
    await rename.getByRole('button', { name: 'Rename' }).click();

    await page.getByRole('heading', { level: 1, name: 'Vessel Log' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/handbook/vessel-log');
    const offer = page.getByRole('dialog', { name: 'Update the links?' });
    await offer.waitFor();
    await expect
      .poll(() => offer.getByRole('list', { name: 'Pages linking to the old title' }).innerText())
      .toMatch(/Crew List[\s\S]*Tide Table|Tide Table[\s\S]*Crew List/);
    await shoot(page, 'handbook-rename-update-links');
    // Not the old address's notice: this is the page's own address now.
    expect(await page.getByText('You followed an old address').count()).toBe(0);

    await offer.getByRole('button', { name: 'Update the links' }).click();
    await offer.getByText('Links updated to “Vessel Log” on pages: 2.').waitFor();
    const updated = offer.getByRole('list', { name: 'Pages updated' });
    await updated.getByRole('link', { name: 'Crew List' }).waitFor();
    await offer.getByRole('button', { name: 'Done' }).click();
    await offer.waitFor({ state: 'hidden' });

    const crew = await api<{ page: PageView }>(bea, 'GET', '/pages/crew-list');
    expect(crew.page.story[0]?.text).toBe('Write trips in the [[Vessel Log]].');
    // Reloading the page does not offer it again.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Vessel Log' }).waitFor();
    expect(await page.getByRole('dialog', { name: 'Update the links?' }).count()).toBe(0);
  });

  it('lets a steward add, rename, reorder and delete sections', async () => {
    await api(ada, 'POST', '/pages', { title: 'Moorings' });
    await api(ada, 'POST', '/pages', { title: 'Slipway' });
    // Whatever the starter handbook brought, this test starts from no sections.
    await api(ada, 'PUT', '/sections', { sections: [] });
    const page = await pageAs(ada);
    await page.goto('/handbook/-/sections');
    await page.getByRole('heading', { level: 1, name: 'Order of pages' }).waitFor();

    // A section headed by a new page, and one headed by an existing page.
    const title = page.getByLabel('New section');
    await title.fill('Harbour Guide');
    await page.getByRole('button', { name: 'Add section' }).click();
    await page.getByRole('heading', { level: 2, name: /Harbour Guide/ }).waitFor();
    await title.fill('Moorings');
    await title.press('Enter');
    await page.getByRole('heading', { level: 2, name: 'Moorings' }).waitFor();
    // Moorings up above Harbour Guide, then saved: the new head page is created.
    await page.getByRole('button', { name: 'Move section Moorings up' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Section Moorings moved to position 1 of 2.' })
      .waitFor();
    await page.getByRole('button', { name: 'Save order' }).click();
    await page.getByRole('status').filter({ hasText: 'Order saved.' }).waitFor();
    expect((await tree()).sections.map((s) => s.slug)).toEqual(['moorings', 'harbour-guide']);
    await api(ada, 'GET', '/pages/harbour-guide');

    // Rename a section: its head page, with the offer to update links when pages link to it.
    await api(ada, 'POST', '/pages', { title: 'Quay', story: [p('q1', 'See [[Moorings]].')] });
    await page.getByRole('button', { name: 'Rename section Moorings' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename this page' });
    await rename.getByLabel('New title').fill('Berths');
    await rename.getByRole('button', { name: 'Rename' }).click();
    const offer = page.getByRole('dialog', { name: 'Update the links?' });
    await offer.getByRole('button', { name: 'Update the links' }).click();
    await offer.getByText('Links updated to “Berths” on pages: 1.').waitFor();
    await offer.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('heading', { level: 2, name: 'Berths' }).waitFor();
    expect((await tree()).sections.map((s) => s.title)).toEqual(['Berths', 'Harbour Guide']);

    // Pages into the sections from the page menu, then delete the one with pages.
    await api(ada, 'PUT', '/pages/slipway/section', { section: 'berths' });
    await api(ada, 'PUT', '/pages/quay/section', { section: 'berths' });
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Berths' }).waitFor();
    await shoot(page, 'handbook-sections-page');

    await page.getByRole('button', { name: 'Delete section Berths' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete the section Berths?' });
    await confirm
      .getByText(
        'Pages in this section: 2. They stay in the handbook, outside any section: they lose Previous and Next until they are put into a section again.',
      )
      .waitFor();
    await confirm.getByText('The page Berths itself is not deleted.', { exact: false }).waitFor();
    expect(await axe(page)).toEqual([]);
    // Cancel keeps it; Delete removes it from the draft, Save makes it so.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { level: 2, name: 'Berths' }).waitFor();
    await page.getByRole('button', { name: 'Delete section Berths' }).click();
    await confirm.getByRole('button', { name: 'Delete section' }).click();
    await page.getByRole('heading', { level: 2, name: 'Berths' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Save order' }).click();
    await page.getByRole('status').filter({ hasText: 'Order saved.' }).waitFor();
    expect((await tree()).sections.map((s) => s.slug)).toEqual(['harbour-guide']);
    const slipway = await api<{ page: PageView }>(bea, 'GET', '/pages/slipway');
    expect(slipway.page.section).toBeNull();
    // The head page itself is still there.
    await api(bea, 'GET', '/pages/berths');
  });

  it('puts a page into a section when creating it and from the page; Previous/Next appear', async () => {
    await api(ada, 'POST', '/pages', { title: 'Signals' });
    await api(ada, 'POST', '/pages', { title: 'Flags' });
    await api(ada, 'POST', '/pages', { title: 'Knots' });
    await api(ada, 'PUT', '/sections', {
      sections: [{ slug: 'signals', pages: [{ slug: 'flags' }] }],
    });

    // A member creates a page straight into the section.
    const page = await pageAs(bea);
    await page.goto('/handbook');
    await page.getByRole('button', { name: 'New page' }).click();
    const create = page.getByRole('dialog', { name: 'Create a page' });
    await create.getByLabel('Title').fill('Horns');
    await create.getByRole('combobox', { name: 'Section' }).selectOption({ label: 'Signals' });
    await create.getByRole('button', { name: 'Create page' }).click();
    await page.getByRole('heading', { level: 1, name: 'Horns' }).waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    const pager = page.getByRole('navigation', { name: 'Previous and next in this section' });
    await pager.getByRole('link', { name: /Flags/ }).waitFor();

    // An existing page from its own Section control.
    await page.goto('/handbook/knots');
    await page.getByRole('heading', { level: 1, name: 'Knots' }).waitFor();
    expect(await pager.count()).toBe(0);
    await page.getByRole('button', { name: 'Section', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Section of “Knots”' });
    const select = dialog.getByRole('combobox', { name: 'Section' });
    await expect.poll(() => select.inputValue()).toBe('');
    await select.selectOption({ label: 'Signals' });
    await shoot(page, 'handbook-page-section-control');
    expect(await axe(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Save section' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await pager.getByRole('link', { name: /Previous.*Horns/ }).waitFor();
    await page.getByRole('link', { name: 'Signals' }).first().waitFor();
    expect((await tree()).sections.find((s) => s.slug === 'signals')?.pages).toEqual([
      { slug: 'flags', title: 'Flags', depth: 1 },
      { slug: 'horns', title: 'Horns', depth: 1 },
      { slug: 'knots', title: 'Knots', depth: 1 },
    ]);

    // And out of it again.
    await page.getByRole('button', { name: 'Section', exact: true }).click();
    await dialog.getByRole('combobox', { name: 'Section' }).selectOption({ label: 'No section' });
    await dialog.getByRole('button', { name: 'Save section' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await pager.waitFor({ state: 'detached' });
  });

  it('says so when a new page could not be put into its section', async () => {
    await api(ada, 'POST', '/pages', { title: 'Buoys' });
    await api(ada, 'PUT', '/sections', { sections: [{ slug: 'buoys', pages: [] }] });
    const page = await pageAs(bea);
    await page.goto('/handbook');
    await page.getByRole('button', { name: 'New page' }).click();
    const create = page.getByRole('dialog', { name: 'Create a page' });
    await create.getByLabel('Title').fill('Red Buoy');
    await create.getByRole('combobox', { name: 'Section' }).selectOption({ label: 'Buoys' });
    // A steward removes the section meanwhile.
    await api(ada, 'PUT', '/sections', { sections: [] });
    await create.getByRole('button', { name: 'Create page' }).click();
    await page.getByRole('heading', { level: 1, name: 'Red Buoy' }).waitFor();
    await page
      .getByText('The page was created, but not put into the section: That section does not exist.')
      .waitFor();
  });

  it('keeps nested pages’ depth when reordering, and indents and outdents on purpose', async () => {
    for (const t of ['Rigging', 'Masts', 'Stays', 'Sails', 'Ropes'])
      await api(ada, 'POST', '/pages', { title: t });
    await api(ada, 'PUT', '/sections', {
      sections: [
        {
          slug: 'rigging',
          pages: [
            { slug: 'masts' },
            { slug: 'stays', parent: 'masts' },
            { slug: 'sails' },
            { slug: 'ropes' },
          ],
        },
      ],
    });
    const rigging = async () =>
      (await tree()).sections
        .find((s) => s.slug === 'rigging')
        ?.pages.map((x) => `${x.slug}:${x.depth}`);
    expect(await rigging()).toEqual(['masts:1', 'stays:2', 'sails:1', 'ropes:1']);

    const page = await pageAs(ada);
    await page.goto('/handbook/-/sections');
    await page.getByRole('heading', { level: 2, name: 'Rigging' }).waitFor();
    // Moving one page: Stays stays under Masts.
    await page.getByRole('button', { name: 'Move Ropes up' }).click();
    await page.getByRole('button', { name: 'Save order' }).click();
    await page.getByRole('status').filter({ hasText: 'Order saved.' }).waitFor();
    expect(await rigging()).toEqual(['masts:1', 'stays:2', 'ropes:1', 'sails:1']);

    // Deliberate depth: Sails under Ropes by button, Stays out by the keyboard (← on its handle).
    await page.getByRole('button', { name: 'Indent Sails (under the page above)' }).click();
    await page.getByRole('status').filter({ hasText: 'Sails is now at level 2.' }).waitFor();
    const grip = page.getByRole('button', { name: 'Move “Stays”' });
    await grip.focus();
    await grip.press('ArrowLeft');
    await page.getByRole('status').filter({ hasText: 'Stays is now at level 1.' }).waitFor();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Move “Stays”');
    await shoot(page, 'handbook-sections-depth');
    expect(await axe(page)).toEqual([]);
    // Masts cannot go deeper: nothing above it.
    expect(
      await page.getByRole('button', { name: 'Indent Masts (under the page above)' }).isDisabled(),
    ).toBe(true);
    await page.getByRole('button', { name: 'Save order' }).click();
    await page.getByRole('status').filter({ hasText: 'Order saved.' }).waitFor();
    expect(await rigging()).toEqual(['masts:1', 'stays:1', 'ropes:1', 'sails:2']);
    const sails = await api<{ page: PageView }>(bea, 'GET', '/pages/sails');
    expect(sails.page.section?.previous).toEqual({ slug: 'ropes', title: 'Ropes' });
  });
});
