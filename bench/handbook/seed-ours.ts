/**
 * Bench-only loader, used while `commonhall handbook import` is not available: writes the export
 * file's pages into a Commonhall data dir through the handbook service (createPage, as a steward).
 * Journals are not carried over (each page gets its own create action holding its story).
 *
 * Usage: node --import tsx bench/handbook/seed-ours.ts EXPORT_FILE   (DATA_DIR etc. from env)
 */
import { readFile } from 'node:fs/promises';
import { envFromProcess, loadConfig } from '@server/config';
import { type Actor } from '@server/http/actor';
import { createHandbook } from '@server/modules/handbook';
import { systemClock } from '@server/platform/clock';
import { migrateToLatest, openDb } from '@server/platform/db';
import { createLogger } from '@server/platform/log';
import { type WikiExport } from '@common/api/handbook';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: seed-ours.ts EXPORT_FILE');
const config = loadConfig(envFromProcess());
const log = createLogger(config.logLevel);
const db = await openDb(config.database);
try {
  await migrateToLatest(db.db);
  const { service } = createHandbook({ config, db, clock: systemClock, log });
  const steward: Actor = {
    kind: 'account',
    accountId: 'bench',
    sessionId: 'bench',
    email: 'bench@localhost',
    name: 'Bench',
    role: 'steward',
    locale: 'en',
  };
  const pages = JSON.parse(await readFile(file, 'utf8')) as WikiExport;
  for (const page of Object.values(pages)) {
    await service.createPage(steward, { title: page.title, story: page.story });
  }
  process.stdout.write(`seeded ${Object.keys(pages).length} pages\n`);
} finally {
  await db.close();
}
