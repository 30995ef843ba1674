/**
 * Helpers for the meeting browser tests: the hall (a real server with the SFU on loopback and a
 * chromium with fake devices) that each test file sets up with `useMeetingHall()`, a meeting of
 * an owner and guests opened in one call, and bounded polls of the page's media debug API
 * (window.commonhallMedia).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { SpaceDto } from '@common/api/spaces';
import { buildApp } from '@server/app';
import { loadConfig } from '@server/config';
import { migrateToLatest, openDb } from '@server/platform/db';
import { createLogger } from '@server/platform/log';
import { MemoryMailer } from '@server/platform/mail';
import { createMediaEngine, type MediaEngine } from '@server/realtime/sfu';
import {
  authHeaders,
  cheapHashCost,
  generousFloodLimits,
  generousRateLimits,
  signUpAndLogIn,
  type TestSession,
} from '@server/test/accounts';
import { CHROMIUM, CHROMIUM_ARGS } from './harness';

/** Fake camera and microphone, 127.0.0.1 ICE candidates (no mDNS), audio without a gesture. */
export const MEDIA_ARGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
  // getDisplayMedia headless: pick the (fake) screen without a picker.
  '--auto-select-desktop-capture-source=Entire screen',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export interface InboundSummary {
  kind: 'audio' | 'video';
  participantId: string | null;
  source: string | null;
  packetsReceived: number;
  framesDecoded: number;
  totalSamplesReceived: number;
}

export async function inbound(page: Page): Promise<InboundSummary[]> {
  return page.evaluate(async () => (await window.commonhallMedia?.inbound()) ?? []);
}

export async function status(page: Page): Promise<string> {
  return page.evaluate(() => window.commonhallMedia?.status() ?? 'none');
}

export async function selfId(page: Page): Promise<string | null> {
  return page.evaluate(() => window.commonhallMedia?.selfId() ?? null);
}

/** Polls `check` every 250 ms until it returns true or `timeoutMs` passes (then throws with `what`). */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `Timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}

/** Frames decoded of `source` video from `from`, as `page` receives it. */
export async function framesFrom(page: Page, from: string, source = 'camera'): Promise<number> {
  const s = await inbound(page);
  return s
    .filter((x) => x.kind === 'video' && x.participantId === from && x.source === source)
    .reduce((n, x) => n + x.framesDecoded, 0);
}

/** Audio samples received from `from`. */
export async function audioFrom(page: Page, from: string): Promise<number> {
  const s = await inbound(page);
  return s
    .filter((x) => x.kind === 'audio' && x.participantId === from)
    .reduce((n, x) => n + x.totalSamplesReceived, 0);
}

/** Waits until `page` decodes more frames of `from`'s video than it had, twice over (rising). */
export async function expectVideoRising(
  page: Page,
  from: string,
  source = 'camera',
): Promise<void> {
  await waitUntil(
    `video from ${from} decoded`,
    async () => (await framesFrom(page, from, source)) > 0,
  );
  const before = await framesFrom(page, from, source);
  await waitUntil(
    `video from ${from} still rising`,
    async () => (await framesFrom(page, from, source)) > before + 5,
  );
}

export async function expectAudioRising(page: Page, from: string): Promise<void> {
  await waitUntil(`audio from ${from}`, async () => (await audioFrom(page, from)) > 0);
  const before = await audioFrom(page, from);
  await waitUntil(`audio from ${from} rising`, async () => (await audioFrom(page, from)) > before);
}

/** Debian chromium for meetings: fake camera, microphone and screen, ICE over loopback. */
export function launchMeetingBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...MEDIA_ARGS],
  });
}

/**
 * A fresh context (own cookies; camera and microphone allowed) on `baseUrl` with a page, logged
 * in as `as` when given. The context is added to `contexts`, for the caller to close.
 */
export async function newMeetingPage(
  browser: Browser,
  baseUrl: string,
  contexts: BrowserContext[],
  opts: { as?: TestSession | undefined; size?: { width: number; height: number } } = {},
): Promise<Page> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: opts.size ?? { width: 1280, height: 800 },
    locale: 'en-GB',
    permissions: ['camera', 'microphone'],
  });
  contexts.push(context);
  if (opts.as !== undefined) {
    const [name = '', ...rest] = opts.as.cookie.split('=');
    await context.addCookies([{ name, value: rest.join('='), url: baseUrl }]);
  }
  return context.newPage();
}

/** A meeting opened by `MeetingHall.openMeeting`: pages and participant ids, host first. */
export interface OpenMeeting<G extends readonly string[]> {
  owner: TestSession;
  space: SpaceDto;
  host: Page;
  hostId: string;
  /** One page per guest name, in the same order. */
  guests: { -readonly [K in keyof G]: Page };
  guestIds: { -readonly [K in keyof G]: string };
}

export interface MeetingHall {
  baseUrl: string;
  app: FastifyInstance;
  browser: Browser;
  /** A member with a session (the first one is the steward who set the hall up). */
  member: (name: string, steward?: boolean) => Promise<TestSession>;
  createSpace: (owner: TestSession, body?: Record<string, unknown>) => Promise<SpaceDto>;
  /** A fresh context (own cookies) with a page; logged in as `as` when given. */
  newPage: (as?: TestSession, size?: { width: number; height: number }) => Promise<Page>;
  /** A fresh page that joins `slug` as `name` (a guest, or `as`), without waiting to be in. */
  join: (slug: string, name: string, as?: TestSession) => Promise<Page>;
  /**
   * A new member (`owner`: their name; the hall's steward when first) creates a space (`space`:
   * the create body) and joins its meeting, then each guest on their own page; resolves when
   * everyone is in the meeting.
   */
  openMeeting: <const G extends readonly string[]>(props: {
    owner: string;
    space?: Record<string, unknown>;
    guests: G;
  }) => Promise<OpenMeeting<G>>;
  /** Closes every page opened so far (call after each test: open meetings cost CPU). */
  closePages: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * The hall for one test file: started before its tests (`media`: an engine factory, or null for
 * none; the hall closes the engine), every page closed after each test, the hall closed at the
 * end. The handle reaches the hall once it has started (inside tests).
 */
export function useMeetingHall(
  opts: { media?: (() => Promise<MediaEngine>) | null } = {},
): MeetingHall {
  let started: MeetingHall | undefined;
  const hall = (): MeetingHall => {
    if (started === undefined) throw new Error('the meeting hall starts in beforeAll');
    return started;
  };
  beforeAll(async () => {
    const media = opts.media === null ? null : await opts.media?.();
    started = await startMeetingHall(media === undefined ? {} : { media });
  });
  afterEach(async () => {
    await started?.closePages();
  });
  afterAll(async () => {
    await started?.close();
  });
  return {
    get baseUrl() {
      return hall().baseUrl;
    },
    get app() {
      return hall().app;
    },
    get browser() {
      return hall().browser;
    },
    member: (name, steward) => hall().member(name, steward),
    createSpace: (owner, body) => hall().createSpace(owner, body),
    newPage: (as, size) => hall().newPage(as, size),
    join: (slug, name, as) => hall().join(slug, name, as),
    openMeeting: (props) => hall().openMeeting(props),
    closePages: () => hall().closePages(),
    close: () => hall().close(),
  };
}

/**
 * Like the app's harness, for meetings: the real server in-process with media bound to
 * 127.0.0.1 on a free UDP port, cheap password hashing, and a chromium with fake devices.
 */
export async function startMeetingHall(
  opts: { media?: MediaEngine | null } = {},
): Promise<MeetingHall> {
  const dir = mkdtempSync(join(tmpdir(), 'commonhall-meet-e2e-'));
  const config = loadConfig(
    {
      DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'http://127.0.0.1:8080',
      MEDIA_PORT: '0',
      MEDIA_BIND_ADDRESS: '127.0.0.1',
    },
    { persistSecret: false },
  );
  config.database = { dialect: 'sqlite', filename: join(dir, 'commonhall.sqlite') };
  const db = await openDb(config.database);
  await migrateToLatest(db.db);
  // The SFU on loopback only, on a free UDP port.
  const media =
    opts.media !== undefined
      ? opts.media
      : await createMediaEngine({ port: 0, bindAddress: '127.0.0.1' });
  const app = await buildApp({
    config,
    db,
    log: createLogger('silent'),
    mailer: new MemoryMailer(),
    serveApp: true,
    auth: { hashCost: cheapHashCost, rateLimits: generousRateLimits },
    floodLimits: generousFloodLimits,
    media,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  config.publicUrl = baseUrl;
  const browser = await launchMeetingBrowser();
  const contexts: BrowserContext[] = [];
  let stewardMade = false;
  const member: MeetingHall['member'] = async (name, steward) => {
    const s = await signUpAndLogIn(app, {
      name,
      email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@example.test`,
      steward: steward ?? !stewardMade,
    });
    stewardMade = true;
    return s;
  };
  const createSpace: MeetingHall['createSpace'] = async (owner, body = {}) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/spaces',
      headers: authHeaders(owner),
      payload: { name: 'Test space', ...body },
    });
    if (res.statusCode !== 201) throw new Error(`create space: ${res.statusCode} ${res.body}`);
    return res.json<SpaceDto>();
  };
  const newPage: MeetingHall['newPage'] = (as, size) =>
    newMeetingPage(browser, baseUrl, contexts, { as, ...(size !== undefined ? { size } : {}) });
  const joinPage: MeetingHall['join'] = async (slug, name, as) => {
    const page = await newPage(as);
    await joinSpace(page, slug, name);
    return page;
  };
  return {
    baseUrl,
    app,
    browser,
    member,
    createSpace,
    newPage,
    join: joinPage,
    openMeeting: async <const G extends readonly string[]>(props: {
      owner: string;
      space?: Record<string, unknown>;
      guests: G;
    }): Promise<OpenMeeting<G>> => {
      const owner = await member(props.owner);
      const space = await createSpace(owner, props.space);
      const host = await joinPage(space.slug, props.owner, owner);
      const guests: Page[] = [];
      for (const name of props.guests) guests.push(await joinPage(space.slug, name));
      const hostId = await inMeeting(host);
      const guestIds: string[] = [];
      for (const page of guests) guestIds.push(await inMeeting(page));
      return {
        owner,
        space,
        host,
        hostId,
        guests: guests as OpenMeeting<G>['guests'],
        guestIds: guestIds as OpenMeeting<G>['guestIds'],
      };
    },
    closePages: async () => {
      for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
    },
    close: async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await app.close();
      await media?.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Opens the pre-join page of `slug`, fills the name (and code) and clicks Join. */
export async function joinSpace(
  page: Page,
  slug: string,
  name: string,
  accessCode?: string,
): Promise<void> {
  await page.goto(`/s/${encodeURIComponent(slug)}`);
  const field = page.getByLabel('Your name');
  await field.waitFor({ timeout: 30_000 });
  // A signed-in member's field shows their account's name, read-only.
  if (await field.isEditable()) await field.fill(name);
  if (accessCode !== undefined) await page.getByLabel('Access code').fill(accessCode);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
}

/** Waits until the page is in the meeting (the controls are there) and returns its participant id. */
export async function inMeeting(page: Page): Promise<string> {
  await page.getByRole('navigation', { name: 'Meeting controls' }).waitFor({ timeout: 20_000 });
  await waitUntil('in the meeting', async () => (await status(page)) === 'meeting');
  const id = await selfId(page);
  if (id === null) throw new Error('no participant id');
  return id;
}
