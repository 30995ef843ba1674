/**
 * The browser test harness: the real server in-process (buildApp with the built SPA, a fresh
 * SQLite file in a temp dir, a memory mailer) on 127.0.0.1 port 0, and Debian chromium driven by
 * playwright-core with a fresh profile. Never skips: a missing browser or build is an error.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@server/app';
import { loadConfig } from '@server/config';
import { migrateToLatest, openDb, type DbHandle } from '@server/platform/db';
import { createLogger } from '@server/platform/log';
import { MemoryMailer } from '@server/platform/mail';
import { appDistDir } from '@server/paths';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Per-test budget. A test here takes seconds on an idle machine; a busy CI box runs chromium and
 * axe-core many times slower, and a browser test should not fail for that.
 */
export const SLOW_TEST_MS = 300_000;

export interface Hall {
  baseUrl: string;
  app: FastifyInstance;
  db: DbHandle;
  mailer: MemoryMailer;
  browser: Browser;
  /** A fresh browser context (own cookies and storage) with a page, at desktop size. */
  newPage: (options?: { locale?: string; colorScheme?: 'light' | 'dark' }) => Promise<Page>;
  close: () => Promise<void>;
}

/**
 * Starts a fresh hall (server + database + browser). Call `close()` in afterAll. `env` adds
 * settings, as the environment would (e.g. `DIAGRAM_TIME_LIMIT_MS`).
 */
export async function startHall(env: Record<string, string> = {}): Promise<Hall> {
  if (!existsSync(join(appDistDir, 'index.html'))) {
    throw new Error(
      'The app is not built: run `npx vite build` (npm test does) before the e2e suite.',
    );
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Debian chromium is required: apt-get install -y chromium (${CHROMIUM} missing)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'commonhall-e2e-'));
  const config = loadConfig(
    { DATA_DIR: dir, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://127.0.0.1:8080', ...env },
    { persistSecret: false },
  );
  config.database = { dialect: 'sqlite', filename: join(dir, 'commonhall.sqlite') };
  const db = await openDb(config.database);
  await migrateToLatest(db.db);
  const mailer = new MemoryMailer();
  const app = await buildApp({ config, db, log: createLogger('silent'), mailer, serveApp: true });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  // Links in mail and invitations should point at this server.
  config.publicUrl = baseUrl;

  // launch() gives every run a fresh, temporary user-data dir; each test gets its own context.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const contexts: BrowserContext[] = [];

  return {
    baseUrl,
    app,
    db,
    mailer,
    browser,
    newPage: async (options = {}) => {
      const context = await browser.newContext({
        baseURL: baseUrl,
        viewport: { width: 1280, height: 800 },
        locale: options.locale ?? 'en-GB',
        colorScheme: options.colorScheme ?? 'light',
      });
      // Fail fast: nothing in this app should take seconds to appear.
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      return context.newPage();
    },
    close: async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await app.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The first link in the last mail sent to `to`, rebased onto this hall's address. */
export function lastLinkTo(hall: Hall, to: string): string {
  const mail = hall.mailer.sent.filter((m) => m.to === to).at(-1);
  if (mail === undefined) throw new Error(`No mail was sent to ${to}`);
  const m = /https?:\/\/\S+/.exec(mail.text);
  if (m === null) throw new Error(`The mail to ${to} has no link:\n${mail.text}`);
  const url = new URL(m[0]);
  return hall.baseUrl + url.pathname + url.search;
}
