import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { SpaceDto } from '@common/api/spaces';
import { authHeaders, signUpAndLogIn } from '@server/test/accounts';
import { SLOW_TEST_MS, startHall, type Hall } from './harness';

/** The console warnings a page gives from its first load until `ready` resolves. */
async function warningsOpening(
  page: Page,
  path: string,
  ready: () => Promise<void>,
): Promise<string[]> {
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
  await page.goto(path);
  await ready();
  return warnings;
}

/** Pages whose code is loaded on demand, opened first (the router's initial load). */
describe('lazy pages opened first', { timeout: SLOW_TEST_MS }, () => {
  let hall: Hall;
  let space: SpaceDto;
  beforeAll(async () => {
    hall = await startHall();
    const owner = await signUpAndLogIn(hall.app, { steward: true, name: 'Ada Steward' });
    const res = await hall.app.inject({
      method: 'POST',
      url: '/api/v1/spaces',
      headers: authHeaders(owner),
      payload: { name: 'Console room' },
    });
    space = res.json<SpaceDto>();
  });
  afterAll(async () => {
    await hall?.close();
  });

  it('the handbook gives no console warning', async () => {
    const page = await hall.newPage();
    const warnings = await warningsOpening(page, '/handbook', () =>
      page.getByRole('heading', { level: 1 }).first().waitFor(),
    );
    expect(warnings).toEqual([]);
  });

  it('a meeting page gives no console warning', async () => {
    const page = await hall.newPage();
    const warnings = await warningsOpening(page, `/s/${space.slug}`, () =>
      page.getByRole('heading', { name: 'Console room' }).first().waitFor(),
    );
    expect(warnings).toEqual([]);
  });
});
