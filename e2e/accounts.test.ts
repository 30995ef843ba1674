import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { lastLinkTo, SLOW_TEST_MS, startHall, type Hall } from './harness';

/** What a person does with accounts, in order, on one fresh hall. */
describe('accounts in the browser', { timeout: SLOW_TEST_MS }, () => {
  let hall: Hall;
  beforeAll(async () => {
    hall = await startHall();
  });
  afterAll(async () => {
    await hall?.close();
  });

  const heading = (page: Page, name: string | RegExp) =>
    page.getByRole('heading', { level: 1, name }).waitFor();

  async function logIn(page: Page, email: string, password: string): Promise<void> {
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
  }

  it('shows setup on the first visit, creates the first steward, then never again', async () => {
    const page = await hall.newPage();
    await page.goto('/');
    await heading(page, 'Set up your hall');
    expect(new URL(page.url()).pathname).toBe('/setup');
    await page.getByLabel('Name', { exact: true }).fill('Ada Steward');
    await page.getByLabel('Email', { exact: true }).fill('ada@example.coop');
    await page.getByLabel('Password', { exact: true }).fill('a river of quiet lanterns');
    await page.getByRole('button', { name: 'Create steward account' }).click();
    await heading(page, 'Administration');
    await page.getByRole('cell', { name: /ada@example\.coop/ }).waitFor();

    const other = await hall.newPage();
    await other.goto('/setup');
    await heading(other, /Meet, decide and grow together/);
    expect(new URL(other.url()).pathname).toBe('/');
  });

  it('signs up, logs out and logs in again', async () => {
    const page = await hall.newPage();
    await page.goto('/');
    await page.getByRole('link', { name: 'Become a member' }).click();
    await heading(page, 'Become a member');
    await page.getByLabel('Name', { exact: true }).fill('Grace Member');
    await page.getByLabel('Email', { exact: true }).fill('Grace@Example.org');
    await page.getByLabel('Password', { exact: true }).fill('lanterns over the harbour');
    await page.getByRole('button', { name: 'Create account' }).click();
    // A first sign-up is a welcome, not a "welcome back".
    await heading(page, 'Welcome, Grace Member');

    await page.getByRole('button', { name: 'Account menu for Grace Member' }).click();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('link', { name: 'Log in', exact: true }).first().waitFor();
    await heading(page, /Meet, decide and grow together/);

    await logIn(page, 'grace@example.org', 'wrong password entirely');
    await page
      .getByRole('alert')
      .getByText('That email and password do not match an account.')
      .waitFor();
    await logIn(page, 'grace@example.org', 'lanterns over the harbour');
    await heading(page, 'Welcome back, Grace Member');
  });

  it('resets a forgotten password through the mailed link', async () => {
    const page = await hall.newPage();
    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await heading(page, 'Reset your password');
    await page.getByLabel('Email', { exact: true }).fill('grace@example.org');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText('Check your inbox').waitFor();
    // One way back to log in, not one in the card and another under it.
    expect(await page.getByRole('link', { name: 'Back to log in' }).count()).toBe(1);

    const link = lastLinkTo(hall, 'grace@example.org');
    await page.goto(link);
    await heading(page, 'Choose a new password');
    await page.getByLabel('New password', { exact: true }).fill('a brand new lighthouse');
    await page.getByLabel('Repeat the new password').fill('a brand new lighthouse');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('Your password has been changed.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');

    await logIn(page, 'grace@example.org', 'lanterns over the harbour');
    await page.getByRole('alert').waitFor();
    await logIn(page, 'grace@example.org', 'a brand new lighthouse');
    await heading(page, 'Welcome back, Grace Member');

    // The used link says so when it is opened, instead of showing the form again.
    const again = await hall.newPage();
    await again.goto(link);
    await heading(again, 'This link no longer works');
    expect(await again.getByRole('heading', { name: 'Choose a new password' }).count()).toBe(0);
    await again.getByText('This link has been used or has expired.', { exact: false }).waitFor();
    await again.getByRole('link', { name: 'Ask for a new link' }).waitFor();
    expect(await again.getByLabel('New password', { exact: true }).count()).toBe(0);
    expect(await again.getByRole('button', { name: 'Set new password' }).count()).toBe(0);
    await again.getByRole('link', { name: 'Ask for a new link' }).click();
    await heading(again, 'Reset your password');

    // Without a link at all, the page says what it needs under a heading that fits.
    await again.goto('/reset-password');
    await heading(again, 'This page needs its link');
    await again.getByText('This page needs the link from the reset email.').waitFor();
    expect(await again.getByRole('heading', { name: 'Choose a new password' }).count()).toBe(0);
  });

  it('switches language, and remembers it after a reload', async () => {
    const page = await hall.newPage();
    await page.goto('/login');
    await heading(page, 'Log in');
    await page.getByLabel('Language').selectOption('es');
    await heading(page, 'Iniciar sesión');
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    await page.reload();
    await heading(page, 'Iniciar sesión');
    await page.getByRole('link', { name: '¿Has olvidado tu contraseña?' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('es');

    // A logged-in person's choice is kept on their account and follows them to another browser.
    const member = await hall.newPage();
    await logIn(member, 'grace@example.org', 'a brand new lighthouse');
    await heading(member, 'Welcome back, Grace Member');
    await member.getByLabel('Language').selectOption('de');
    await heading(member, 'Willkommen zurück, Grace Member');
    const elsewhere = await hall.newPage();
    await logIn(elsewhere, 'grace@example.org', 'a brand new lighthouse');
    await heading(elsewhere, 'Willkommen zurück, Grace Member');
    expect(await elsewhere.locator('html').getAttribute('lang')).toBe('de');
  });

  it('answers in the language just saved in account settings', async () => {
    const page = await hall.newPage();
    await page.goto('/signup');
    await page.getByLabel('Name', { exact: true }).fill('Hedy Member');
    await page.getByLabel('Email', { exact: true }).fill('hedy@example.org');
    await page.getByLabel('Password', { exact: true }).fill('seven lanterns by the quay');
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading(page, 'Welcome, Hedy Member');
    await page.goto('/account');
    await heading(page, 'Account settings');
    const profile = page
      .locator('form')
      .filter({ has: page.getByRole('button', { name: 'Save profile' }) });
    await profile.getByLabel('Language').selectOption('de');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('status').getByText('Dein Profil wurde gespeichert.').waitFor();
    await heading(page, 'Kontoeinstellungen');
  });

  it('works with the keyboard alone: tab to the log-in form, fill it, submit with Enter', async () => {
    const page = await hall.newPage();
    await page.goto('/login');
    await heading(page, 'Log in');
    const focusedLabel = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        return el instanceof HTMLInputElement ? (el.labels?.[0]?.textContent ?? '') : '';
      });
    let tabs = 0;
    while ((await focusedLabel()) !== 'Email' && tabs < 30) {
      await page.keyboard.press('Tab');
      tabs += 1;
    }
    expect(await focusedLabel()).toBe('Email');
    await page.keyboard.type('ada@example.coop');
    await page.keyboard.press('Tab');
    expect(await focusedLabel()).toBe('Password');
    await page.keyboard.type('a river of quiet lanterns');
    await page.keyboard.press('Enter');
    await heading(page, 'Welcome back, Ada Steward');
  });
});
