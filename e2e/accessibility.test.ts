import AxeBuilder from '@axe-core/playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SLOW_TEST_MS, startHall, type Hall } from './harness';

const schemes = ['light', 'dark'] as const;

interface Finding {
  page: string;
  scheme: string;
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core on what the page shows now, once per colour scheme (switched in place with
 * emulateMedia, so menus and dialogs stay open), and returns the serious and critical violations.
 * Legacy mode runs axe in the page itself: the app has no iframes, and it avoids a second page per run.
 */
async function audit(page: Page, name: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const scheme of schemes) {
    await page.emulateMedia({ colorScheme: scheme });
    const result = await new AxeBuilder({ page }).setLegacyMode().analyze();
    for (const v of result.violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue;
      findings.push({
        page: name,
        scheme,
        rule: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(' ')),
      });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return findings;
}

async function visit(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await page.locator('main h1').first().waitFor();
}

/** Every page, in both colour schemes, has no serious or critical axe-core violation. */
describe(
  'accessibility (axe-core) on every page, light and dark',
  { timeout: SLOW_TEST_MS },
  () => {
    let hall: Hall;
    let guest: Page;
    let steward: Page;
    beforeAll(async () => {
      hall = await startHall();
      guest = await hall.newPage();
      steward = await hall.newPage();
    });
    afterAll(async () => {
      await hall?.close();
    });

    it('the first-steward setup page', async () => {
      await visit(guest, '/setup');
      // With its field errors showing: they must be as readable as the rest.
      await guest.getByRole('button', { name: 'Create steward account' }).click();
      await guest.getByText('Enter your name.').waitFor();
      expect(await audit(guest, '/setup')).toEqual([]);

      await guest.getByLabel('Name', { exact: true }).fill('Ada Steward');
      await guest.getByLabel('Email', { exact: true }).fill('ada@example.coop');
      await guest.getByLabel('Password', { exact: true }).fill('a river of quiet lanterns');
      await guest.getByRole('button', { name: 'Create steward account' }).click();
      await guest.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
      await guest.getByRole('button', { name: /Account menu/ }).click();
      await guest.getByRole('button', { name: 'Log out' }).click();
      await guest.getByRole('link', { name: 'Become a member' }).waitFor();
    });

    it('the places of the hall and a missing page', async () => {
      const findings: Finding[] = [];
      for (const path of [
        '/',
        '/spaces',
        '/handbook',
        '/assemblies',
        '/members',
        '/economy',
        '/nope',
      ]) {
        await visit(guest, path);
        findings.push(...(await audit(guest, path)));
      }
      expect(findings).toEqual([]);
    });

    it('the sign-up, log-in and password pages', async () => {
      const findings: Finding[] = [];
      const paths = [
        '/signup',
        '/sign-up?invitation=not-a-real-invitation',
        '/forgot-password',
        '/reset-password?token=abc',
      ];
      for (const path of paths) {
        await visit(guest, path);
        findings.push(...(await audit(guest, path)));
      }
      await visit(guest, '/login');
      await guest.getByLabel('Email', { exact: true }).fill('nobody@example.org');
      await guest.getByLabel('Password', { exact: true }).fill('not the password');
      await guest.getByRole('button', { name: 'Log in', exact: true }).click();
      await guest.getByRole('alert').waitFor();
      findings.push(...(await audit(guest, '/login, with an error')));
      expect(findings).toEqual([]);
    });

    it('the pages a steward sees, with the menu and dialog open', async () => {
      await steward.goto('/login');
      await steward.getByLabel('Email', { exact: true }).fill('ada@example.coop');
      await steward.getByLabel('Password', { exact: true }).fill('a river of quiet lanterns');
      await steward.getByRole('button', { name: 'Log in', exact: true }).click();
      await steward.getByRole('heading', { level: 1, name: /Welcome back/ }).waitFor();

      const findings: Finding[] = [];
      await steward.getByRole('button', { name: /Account menu/ }).click();
      await steward.getByRole('link', { name: 'Account settings' }).waitFor();
      findings.push(...(await audit(steward, '/ (member) with the account menu open')));

      await visit(steward, '/account');
      findings.push(...(await audit(steward, '/account')));
      await steward.getByRole('button', { name: 'Delete my account…' }).click();
      await steward.getByRole('dialog').waitFor();
      findings.push(...(await audit(steward, '/account, delete dialog')));
      await steward.keyboard.press('Escape');

      await visit(steward, '/admin');
      await steward.getByRole('cell', { name: /ada@example\.coop/ }).waitFor();
      findings.push(...(await audit(steward, '/admin accounts')));
      await steward.getByRole('tab', { name: 'Registration' }).click();
      await steward.getByRole('radio', { name: /Open/ }).waitFor();
      findings.push(...(await audit(steward, '/admin registration')));
      await steward.getByRole('tab', { name: 'Invitations' }).click();
      await steward.getByRole('button', { name: 'Create invitation link' }).click();
      await steward.getByText('Invitation created.').waitFor();
      findings.push(...(await audit(steward, '/admin invitations')));
      expect(findings).toEqual([]);
    });

    it('the phone layout with its menu open', async () => {
      await steward.setViewportSize({ width: 390, height: 844 });
      await visit(steward, '/');
      await steward.getByRole('button', { name: 'Open menu' }).click();
      await steward
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Spaces' })
        .waitFor();
      expect(await audit(steward, 'phone, menu open')).toEqual([]);
    });
  },
);
