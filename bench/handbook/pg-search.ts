/**
 * Search latency of the handbook on PostgreSQL: the generated 5,000-page handbook imported into a
 * schema of its own in COMMONHALL_TEST_POSTGRES_URL's database (default the test database), then
 * the bench's search words, sequentially. The schema is dropped at the end.
 *
 * Usage: npx tsx bench/handbook/pg-search.ts [--pages N]
 */
import { sql } from 'kysely';
import { createHandbook } from '@server/modules/handbook';
import { importExport } from '@server/modules/handbook/handbook.transfer';
import { systemClock } from '@server/platform/clock';
import { migrateToLatest, openDb } from '@server/platform/db';
import { createLogger } from '@server/platform/log';
import { summarise } from './diagram-timing';
import { generateHandbook } from './generate';

const at = process.argv.indexOf('--pages');
const PAGES = at >= 0 ? Number(process.argv[at + 1]) : 5000;
const url = process.env.COMMONHALL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_search_${process.pid}`;
const words = ['commons', 'assembly', 'stewards', 'patience', 'asamblea', 'cooperativa', 'care'];

const db = await openDb({ dialect: 'postgres', connectionString: url, schema });
try {
  await migrateToLatest(db.db, schema);
  const log = createLogger('warn');
  const { service } = createHandbook({
    config: { dataDir: '/nonexistent', handbookStarter: false } as never,
    db,
    clock: systemClock,
    log,
  });
  const pages = generateHandbook(PAGES);
  const started = performance.now();
  await importExport(
    service.repo,
    systemClock,
    Object.fromEntries(pages.map(({ slug, ...page }) => [slug, page])),
  );
  process.stdout.write(
    `imported ${PAGES} pages in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (process.env.ANALYZE === '1') await sql`analyze`.execute(db.db);
  for (const w of words) await service.repo.search([w], 20); // warm
  const samples: number[] = [];
  for (let n = 0; n < 140; n++) {
    const t = performance.now();
    await service.repo.search([words[n % words.length] ?? 'care'], 20);
    samples.push(performance.now() - t);
  }
  const s = summarise(samples);
  process.stdout.write(
    `PostgreSQL search, ${s.runs} sequential queries (20 best of ~4,000 matches): p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms\n`,
  );
} finally {
  await sql.raw(`drop schema if exists ${schema} cascade`).execute(db.db);
  await db.close();
}
