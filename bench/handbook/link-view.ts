/**
 * `npx tsx bench/handbook/link-view.ts [links]`: an anonymous view of a page whose one paragraph
 * holds N `[[links]]` (half to 200 existing pages, half missing), on SQLite through inject;
 * prints the minimum, median and maximum of 12 views. Results in docs/benchmarks.md.
 */
import { buildHandbookTestApp } from '@server/modules/handbook/handbook.test-helpers';

const links = Number(process.argv[2] ?? 5000);
const t = await buildHandbookTestApp();
const steward = { 'x-test-actor': 'steward:Ada' };
for (let i = 0; i < 200; i++) {
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/v1/handbook/pages',
    headers: steward,
    payload: { title: `Target ${i}`, story: [{ id: `t${i}`, type: 'paragraph', text: 'x' }] },
  });
  if (r.statusCode !== 201) throw new Error(`target page: ${r.statusCode} ${r.body}`);
}
const text = Array.from({ length: links }, (_, i) =>
  i % 2 === 0 ? `[[Target ${i % 200}]]` : `[[Missing ${i}]]`,
).join(' ');
const created = await t.app.inject({
  method: 'POST',
  url: '/api/v1/handbook/pages',
  headers: steward,
  payload: { title: 'Linky', story: [{ id: 'p', type: 'paragraph', text }] },
});
if (created.statusCode !== 201) throw new Error(`linky: ${created.statusCode} ${created.body}`);
const times: number[] = [];
for (let k = 0; k < 12; k++) {
  const t0 = performance.now();
  const view = await t.app.inject({ url: '/api/v1/handbook/pages/linky' });
  if (view.statusCode !== 200) throw new Error(`view: ${view.statusCode}`);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const ms = (i: number) => (times[i] ?? 0).toFixed(0);
process.stdout.write(`${links} links, view ms: min ${ms(0)} median ${ms(6)} max ${ms(11)}\n`);
await t.close();
