/**
 * What the screenshot scripts share: the looks every page is shot in (desktop and phone, light
 * and dark) and, for scripts that answer the API from fixtures, one loop that starts the hall,
 * opens each page in each look and writes `<name>-<size>-<scheme>.png`.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHall } from './harness';

export interface Look {
  size: 'desktop' | 'phone';
  scheme: 'light' | 'dark';
  viewport: { width: number; height: number };
}

export const LOOKS: readonly Look[] = (['light', 'dark'] as const).flatMap((scheme) => [
  { size: 'desktop' as const, scheme, viewport: { width: 1280, height: 800 } },
  { size: 'phone' as const, scheme, viewport: { width: 390, height: 844 } },
]);

/** A browser context in one look, in English, at the hall's address. */
export function lookContext(
  browser: Browser,
  baseURL: string,
  look: Look,
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL,
    viewport: look.viewport,
    colorScheme: look.scheme,
    locale: 'en-GB',
    deviceScaleFactor: 1,
  });
}

export interface Shot {
  name: string;
  path: string;
  /** What to do on the page once its heading shows (open a menu, fill a field …). */
  after?: (page: Page) => Promise<void>;
}

/**
 * Shoots every shot whose name starts with `only` (all when undefined) in every look, full page.
 * `prepare` runs on each new page before it loads (the scripts answer the API from fixtures there).
 */
export async function shootPages<S extends Shot>(options: {
  out: string;
  shots: readonly S[];
  only: string | undefined;
  prepare: (page: Page, shot: S) => Promise<void>;
  settleMs: number;
}): Promise<void> {
  const hall = await startHall();
  mkdirSync(options.out, { recursive: true });
  try {
    for (const look of LOOKS) {
      const context = await lookContext(hall.browser, hall.baseUrl, look);
      for (const shot of options.shots) {
        if (options.only !== undefined && !shot.name.startsWith(options.only)) continue;
        const page = await context.newPage();
        await options.prepare(page, shot);
        await page.goto(shot.path);
        await page.locator('main h1, main h2').first().waitFor();
        if (shot.after) await shot.after(page);
        await page.waitForTimeout(options.settleMs);
        await page.screenshot({
          path: `${options.out}/${shot.name}-${look.size}-${look.scheme}.png`,
          fullPage: true,
        });
        await page.close();
      }
      await context.close();
    }
  } finally {
    await hall.close();
  }
  process.stdout.write(`screenshots in ${options.out}/\n`);
}
