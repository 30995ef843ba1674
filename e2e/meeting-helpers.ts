/**
 * Helpers for the meeting browser tests: Chromium flags for fake media over loopback, and
 * bounded polls of the page's media debug API (window.commonhallMedia).
 */
import type { Page } from 'playwright-core';

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
