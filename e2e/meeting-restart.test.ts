/**
 * A server restart in the middle of a meeting: the real `commonhall serve` process (HTTP,
 * signalling and SFU in one process, SQLite in a data dir) is stopped with SIGTERM and started
 * again on the same ports and data dir. Both participants must come back by themselves and decode
 * each other's video again, without anyone clicking anything. The first one back is not told they
 * are the only one here while the other is still on the way.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDb } from '@server/platform/db';
import { SLOW_TEST_MS } from './harness';
import {
  expectVideoRising,
  inMeeting,
  joinSpace,
  launchMeetingBrowser,
  newMeetingPage,
  selfId,
  status,
  waitUntil,
} from './meeting-helpers';

/** A TCP port that was free a moment ago (the server binds it right after). */
function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error())));
    });
  });
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let dataDir: string;
let httpPort: number;
let mediaPort: number;
let baseUrl: string;
let server: ChildProcess | null = null;
let serverLog = '';
let browser: Browser;
const contexts: BrowserContext[] = [];

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    PORT: String(httpPort),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${httpPort}`,
    MEDIA_PORT: String(mediaPort),
    MEDIA_BIND_ADDRESS: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
}

/** Starts `commonhall serve` and waits (bounded) until /healthz answers. */
async function startServer(): Promise<void> {
  const child = spawn(process.execPath, ['bin/commonhall.js', 'serve'], {
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  child.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));
  await waitUntil(
    'the server to answer /healthz',
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}\n${serverLog}`);
      const res = await fetch(`${baseUrl}/healthz`);
      return res.ok;
    },
    60_000,
  );
}

/** SIGTERM (the graceful stop of main.ts) and wait, bounded, for the process to exit. */
async function stopServer(): Promise<void> {
  const child = server;
  server = null;
  if (child === null || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'commonhall-restart-e2e-'));
  httpPort = await freeTcpPort();
  mediaPort = await freeUdpPort();
  baseUrl = `http://127.0.0.1:${httpPort}`;
  // An owner account straight in the database, then the space through the real CLI.
  const db = await openDb({ dialect: 'sqlite', filename: join(dataDir, 'commonhall.sqlite') });
  await migrateToLatest(db.db);
  const now = new Date().toISOString();
  await sql`insert into accounts (id, email, name, password_hash, role, status, locale, created_at, updated_at)
    values ('acc-owner', 'rhea@example.test', 'Rhea', 'x', 'member', 'active', null, ${now}, ${now})`.execute(
    db.db,
  );
  await db.close();
  const made = spawnSync(
    'node_modules/.bin/tsx',
    [
      'server/cli.ts',
      'space',
      'create',
      '--owner',
      'rhea@example.test',
      '--name',
      'Restart room',
      '--slug',
      'restart-room',
      '--anyone-can-start',
    ],
    { encoding: 'utf8', env: env(), timeout: 60_000 },
  );
  if (made.status !== 0) throw new Error(`space create failed: ${made.stderr}`);
  await startServer();
  browser = await launchMeetingBrowser();
}, SLOW_TEST_MS);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stopServer();
  rmSync(dataDir, { recursive: true, force: true });
});

const guestPage = () => newMeetingPage(browser, baseUrl, contexts);

describe('server restart', () => {
  it(
    'both participants come back by themselves and decode each other’s video again',
    async () => {
      const a = await guestPage();
      await joinSpace(a, 'restart-room', 'Ada Before');
      const b = await guestPage();
      await joinSpace(b, 'restart-room', 'Bo Before');
      const aId = await inMeeting(a);
      const bId = await inMeeting(b);
      await expectVideoRising(a, bId);
      await expectVideoRising(b, aId);
      // Each page notes if it ever says "the only one here" from now on.
      for (const page of [a, b]) {
        await page.evaluate(() => {
          const w = window as Window & { sawAlone?: boolean };
          w.sawAlone = false;
          const check = () => {
            if (document.body.textContent.includes('You are the only one here')) w.sawAlone = true;
          };
          new MutationObserver(check).observe(document.body, {
            childList: true,
            subtree: true,
            characterData: true,
          });
        });
      }
      const sawAlone = (page: typeof a) =>
        page.evaluate(() => (window as Window & { sawAlone?: boolean }).sawAlone === true);

      await stopServer();
      // Both see that the connection is gone and try to come back (no "ended" screen).
      for (const page of [a, b]) {
        await waitUntil(
          'reconnecting',
          async () => (await status(page)) === 'reconnecting',
          15_000,
        );
      }
      // The server stays away a while, as a real restart would.
      await new Promise((r) => setTimeout(r, 3000));
      expect(await status(a)).toBe('reconnecting');
      // Bo's network is down a while longer: Ada is back first, alone in the new meeting.
      await b.context().setOffline(true);
      await startServer();
      await waitUntil('Ada back first', async () => (await status(a)) === 'meeting', 60_000);
      await a.getByText('The others are coming back').waitFor();
      expect(await status(b)).toBe('reconnecting');
      await b.context().setOffline(false);

      for (const page of [a, b]) {
        await waitUntil(
          'back in the meeting',
          async () => (await status(page)) === 'meeting',
          60_000,
        );
      }
      // A new server knows nothing of the old meeting: they joined again, as new participants.
      const aAfter = await selfId(a);
      const bAfter = await selfId(b);
      if (aAfter === null || bAfter === null) throw new Error('no participant id after restart');
      expect(aAfter).not.toBe(aId);
      expect(bAfter).not.toBe(bId);
      await expectVideoRising(a, bAfter);
      await expectVideoRising(b, aAfter);
      // Nobody clicked anything: the same pages show two tiles and the names they joined with.
      for (const page of [a, b]) {
        await waitUntil('two tiles', async () => (await page.locator('.tile').count()) === 2);
        await page.getByText('Ada Before').first().waitFor();
        await page.getByText('Bo Before').first().waitFor();
      }
      expect(await sawAlone(a)).toBe(false);
      expect(await sawAlone(b)).toBe(false);
    },
    SLOW_TEST_MS,
  );
});
