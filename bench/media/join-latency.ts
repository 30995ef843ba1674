/**
 * Join click → first remote frame, in Debian chromium (`npm run bench:media -- --join [--joins N]`).
 *
 * The real server (the same buildApp as `commonhall serve`, with the built web app, SQLite in a
 * temp data dir, the SFU on 127.0.0.1 on a free UDP port; e2e/meeting-helpers.ts) in this
 * process; one browser with fake camera and microphone and a fresh profile. A member creates a
 * space and joins it as the publisher. Then, N times: a fresh browser context (no cookies, a
 * guest) opens the space's page, types a name, clicks "Join", and we read the two performance
 * marks the meeting page sets: `commonhall:join-click` (in the Join button's submit handler) and
 * `commonhall:first-remote-frame` (the first remote video frame presented, from
 * requestVideoFrameCallback in VideoTile.tsx). The guest leaves (context closed) before the next.
 * One warm-up join runs first and is reported apart.
 */
import type { Page } from 'playwright-core';
import { cpus, loadavg } from 'node:os';
import { inMeeting, joinSpace, startMeetingHall } from '../../e2e/meeting-helpers';

const argv = process.argv.slice(2);
const at = argv.indexOf('--joins');
const JOINS = at >= 0 ? Number(argv[at + 1]) : 20;
const stay = argv.indexOf('--stay-ms');
const STAY_MS = stay >= 0 ? Number(argv[stay + 1]) : 3000;

const hall = await startMeetingHall();
try {
  console.log(
    `Join click → first remote frame: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}, chromium ${hall.browser.version()}; load average at start ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const owner = await hall.member('Pia Publisher');
  const space = await hall.createSpace(owner, { name: 'Join bench' });
  const publisher = await hall.newPage(owner);
  await joinSpace(publisher, space.slug, 'Pia Publisher');
  await inMeeting(publisher);

  const failures: string[] = [];
  /** Per step of joining (meeting-client.ts marks), its times after the click. */
  const steps = new Map<string, number[]>();
  /** One guest join; returns the time from the click to the first remote frame, in ms. */
  const joinOnce = async (i: number): Promise<number> => {
    const page: Page = await hall.newPage();
    try {
      await joinSpace(page, space.slug, `Guest ${i}`);
      // Poll the page (an evaluation can fail while the app swaps routes: try again).
      let framed = false;
      let lastError = '';
      for (const end = Date.now() + 30_000; !framed && Date.now() < end;) {
        framed = await page
          .evaluate(() => performance.getEntriesByName('commonhall:first-remote-frame').length > 0)
          .catch((err: unknown) => {
            lastError = String(err).slice(0, 200);
            return false;
          });
        if (!framed) await new Promise((r) => setTimeout(r, 20));
      }
      if (!framed) {
        const state = await page.evaluate(async () => ({
          marks: performance.getEntriesByType('mark').map((e) => e.name),
          status: window.commonhallMedia?.status(),
          videos: [...document.querySelectorAll('video')].map((v) => [v.className, v.readyState]),
          inbound: ((await window.commonhallMedia?.inbound()) ?? []).map((x) => [
            x.kind,
            x.packetsReceived,
            x.framesDecoded,
          ]),
        }));
        failures.push(`join ${i}: ${JSON.stringify(state)} ${lastError}`);
        return Infinity;
      }
      const marks = await page.evaluate(() => {
        const click = performance.getEntriesByName('commonhall:join-click')[0];
        if (click === undefined) throw new Error('marks missing');
        return performance
          .getEntriesByType('mark')
          .filter((e) => e.name.startsWith('commonhall:') && e.startTime >= click.startTime)
          .map((e) => [e.name.slice('commonhall:'.length), e.startTime - click.startTime] as const);
      });
      for (const [name, t] of marks) steps.set(name, [...(steps.get(name) ?? []), t]);
      const frame = marks.find(([name]) => name === 'first-remote-frame');
      if (frame === undefined) throw new Error('marks missing');
      return frame[1];
    } finally {
      // Stay a moment, as a person would: guests that left within about a second of joining
      // left the next guests without the publisher's media (a bug: see docs/benchmarks.md).
      await new Promise((r) => setTimeout(r, STAY_MS));
      await page.context().close();
      // Let the server see the guest go before the next one comes.
      await new Promise((r) => setTimeout(r, 300));
    }
  };

  const warm = await joinOnce(0);
  steps.clear(); // the warm-up's steps are not counted either
  const times: number[] = [];
  for (let i = 1; i <= JOINS; i++) {
    times.push(await joinOnce(i));
    process.stderr.write(`join ${i}: ${times.at(-1)!.toFixed(0)} ms\n`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * f) - 1)]!;
  console.log(`\nwarm-up join (not counted): ${warm.toFixed(0)} ms`);
  if (failures.length > 0) {
    console.log(
      `\n${failures.length} join(s) saw no remote frame within 30 s (counted as ∞ below):\n${failures.join('\n')}`,
    );
  }
  console.log(`joins: ${times.map((t) => t.toFixed(0)).join(', ')} ms\n`);
  console.log('| joins | failed (no frame in 30 s) | p50 | p95 | min | max |');
  console.log('|---|---|---|---|---|---|');
  console.log(
    `| ${times.length} | ${times.filter((t) => t === Infinity).length} | ${q(0.5).toFixed(0)} ms | ${q(0.95).toFixed(0)} ms | ${sorted[0]!.toFixed(0)} ms | ${sorted.at(-1)!.toFixed(0)} ms |`,
  );
  console.log(
    '\nWhere the time goes: each step of joining, ms after the click (median over the joins)\n',
  );
  console.log('| step | p50 | p95 |');
  console.log('|---|---|---|');
  const median = (xs: number[], f: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * f) - 1)]!;
  for (const [name, xs] of [...steps].sort((a, b) => median(a[1], 0.5) - median(b[1], 0.5)))
    console.log(`| ${name} | ${median(xs, 0.5).toFixed(0)} | ${median(xs, 0.95).toFixed(0)} |`);
  console.log(
    `\nload average at end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
} finally {
  await hall.close();
}
