/**
 * An owner adds a co-moderator from the space form by typing part of their name (the member
 * lookup), with the keyboard only, saves, and the co-moderator finds the space shared with them.
 */
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { describe, expect, it } from 'vitest';
import type { SpaceDto, SpaceListsDto } from '@common/api/spaces';
import { authHeaders } from '@server/test/accounts';
import { useMeetingHall } from './meeting-helpers';

const hall = useMeetingHall({ media: null });

describe('co-moderators', () => {
  it('an owner finds a member by name, adds them with the keyboard and saves', async () => {
    await hall.member('Stew Ard', true); // the hall's first steward; the owner is a member
    const owner = await hall.member('Orla Owner', false);
    const bea = await hall.member('Beatriz Ortega', false);
    await hall.member('Bernd Other', false);
    const space = await hall.createSpace(owner, { name: 'Planning circle' });

    const page = await hall.newPage(owner, { width: 900, height: 700 });
    await page.goto(`/spaces/${encodeURIComponent(space.slug)}/edit`);
    const field = page.getByRole('combobox', { name: 'Add a co-moderator' });
    await field.scrollIntoViewIfNeeded();
    await field.fill('or');
    // "or" starts a word of both "Orla Owner" (the owner: not offered) and "Beatriz Ortega".
    const list = page.getByRole('listbox', { name: 'Members found' });
    await list.getByRole('option', { name: 'Beatriz Ortega' }).waitFor();
    expect(await list.getByRole('option').allTextContents()).toEqual(['Beatriz Ortega']);
    // Members never see other members' e-mail addresses.
    expect(await page.content()).not.toContain('beatriz.ortega@example.test');
    await page.getByRole('status').filter({ hasText: '1 member found' }).waitFor();
    // For a person to look at (not compared): the open suggestions.
    mkdirSync('.tmp', { recursive: true });
    await page.screenshot({ path: '.tmp/space-co-moderators.png' });
    // The form with the suggestions open has no serious accessibility problem, light or dark.
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const axe = await new AxeBuilder({ page }).setLegacyMode().analyze();
      const serious = axe.violations.filter(
        (v) => v.impact === 'serious' || v.impact === 'critical',
      );
      expect(serious.map((v) => `${colorScheme} ${v.id}: ${v.help}`)).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    await field.focus();
    await field.press('ArrowDown');
    await field.press('Enter');
    await page.getByRole('button', { name: 'Remove Beatriz Ortega as co-moderator' }).waitFor();
    expect(await field.inputValue()).toBe('');
    // Already chosen: not offered again.
    await field.fill('beat');
    await page.getByText('No member matches “beat”.').waitFor();

    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved.').waitFor();

    const saved = await hall.app.inject({
      url: `/api/v1/spaces/${encodeURIComponent(space.slug)}`,
      headers: authHeaders(owner),
    });
    expect(saved.json<SpaceDto>().coModerators).toEqual([
      { id: bea.account.id, name: 'Beatriz Ortega' },
    ]);
    const lists = await hall.app.inject({ url: '/api/v1/spaces', headers: authHeaders(bea) });
    expect(lists.json<SpaceListsDto>().sharedWithMe.map((s) => s.id)).toEqual([space.id]);
  });
});
