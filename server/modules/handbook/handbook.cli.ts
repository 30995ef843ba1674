import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  ConfigError,
  envFromProcess,
  loadConfig,
  type Config,
  type EnvInput,
} from '@server/config';
import { systemClock, type Clock } from '@server/platform/clock';
import { migrateToLatest, openDb, type DbHandle } from '@server/platform/db';
import { HandbookRepo } from './handbook.repo';
import { loadSource, type Progress } from './handbook.source';
import {
  exportHandbook,
  importExport,
  type ExportKey,
  type ImportReport,
} from './handbook.transfer';

interface InstanceFlags {
  dataDir?: string;
  databaseUrl?: string;
}

// The same instance flags as the other subcommands (server/cli.ts), declared here so the module
// does not import the CLI entry.
function withInstanceFlags(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'where SQLite, uploads and the session secret live (DATA_DIR)')
    .option('--database-url <url>', 'SQLite file path or postgres:// URL (DATABASE_URL)');
}

function configFrom(flags: InstanceFlags): Config {
  const env: EnvInput = { ...envFromProcess() };
  if (flags.dataDir !== undefined) env.DATA_DIR = flags.dataDir;
  if (flags.databaseUrl !== undefined) env.DATABASE_URL = flags.databaseUrl;
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** A one-line progress bar on a terminal; nothing when stderr is not a TTY. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): Progress | undefined {
  if (stream.isTTY !== true) return undefined;
  return (done, total, label) => {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const name = label.length > 30 ? `${label.slice(0, 29)}…` : label;
    stream.write(
      `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${name.padEnd(30)}`,
    );
    if (done === total) stream.write('\n');
  };
}

/**
 * Reads a source and imports it, all or nothing; the report says how many pages the source has.
 * With `dataDir`, images (the source's uploads and data: URLs) go into that data folder's image
 * store; without it they are left as they are and reported.
 */
export async function importFromSource(
  db: DbHandle,
  source: string,
  options: {
    replace?: boolean;
    clock?: Clock;
    progress?: Progress;
    /** Let a site URL (and its redirects) reach this host's own networks. */
    allowPrivate?: boolean;
    /** The instance's data folder (config.dataDir), where imported images are stored. */
    dataDir?: string;
  } = {},
): Promise<ImportReport> {
  const loaded = await loadSource(source, options.progress, {
    allowPrivate: options.allowPrivate === true,
  });
  if (loaded.refused.length > 0)
    return {
      imported: 0,
      refused: loaded.refused,
      replacedStarter: 0,
      sourcePages: loaded.sourcePages,
    };
  const report = await importExport(
    HandbookRepo.from(db),
    options.clock ?? systemClock,
    loaded.pages,
    {
      replace: options.replace === true,
      ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
      ...(loaded.assets !== undefined ? { assets: loaded.assets } : {}),
    },
  );
  return { ...report, sourcePages: loaded.sourcePages };
}

/**
 * Writes every page as a Federated Wiki export file (with `dataDir`, stored images inlined);
 * returns how many entries it holds and the pages not at their Federated Wiki slug.
 */
export async function exportToFile(
  db: DbHandle,
  file: string,
  options: { dataDir?: string } = {},
): Promise<{ entries: number; renamed: ExportKey[] }> {
  const { pages, renamed } = await exportHandbook(HandbookRepo.from(db), options);
  await writeFile(file, JSON.stringify(pages, null, 2) + '\n', 'utf8');
  return { entries: Object.keys(pages).length, renamed };
}

/** `commonhall handbook import SOURCE` and `commonhall handbook export FILE`. */
export function registerHandbookCommands(program: Command): void {
  const handbook = program
    .command('handbook')
    .description('import and export the handbook (Federated Wiki format)');
  withInstanceFlags(
    handbook
      .command('import')
      .argument('<source>', 'an export file, a folder of page files, or a Federated Wiki site URL')
      .option('--replace', 'replace existing pages of the same slug instead of refusing them')
      .option(
        '--allow-private',
        'let a site URL, and every redirect, reach loopback, private or link-local addresses',
      )
      .description('import pages, all or nothing; prints what was refused and why'),
  ).action(
    async (
      source: string,
      flags: { replace?: boolean; allowPrivate?: boolean; dataDir?: string; databaseUrl?: string },
    ) => {
      const config = configFrom(flags);
      const db = await openDb(config.database);
      try {
        await migrateToLatest(db.db);
        const progress = progressBar();
        const report = await importFromSource(db, source, {
          ...(flags.replace === true ? { replace: true } : {}),
          ...(flags.allowPrivate === true ? { allowPrivate: true } : {}),
          ...(progress !== undefined ? { progress } : {}),
          dataDir: config.dataDir,
        });
        if (report.sourcePages !== undefined)
          process.stdout.write(`The source has ${report.sourcePages} page(s).\n`);
        if (report.refused.length > 0) {
          process.stderr.write(`Nothing imported: ${report.refused.length} page(s) refused.\n`);
          for (const r of report.refused) process.stderr.write(`  ${r.page}: ${r.reason}\n`);
          process.exitCode = 1;
        } else {
          const starter =
            report.replacedStarter > 0
              ? ` (replacing the ${report.replacedStarter} starter pages)`
              : '';
          process.stdout.write(`Imported ${report.imported} page(s)${starter}.\n`);
          if (report.images !== undefined)
            process.stdout.write(`Copied ${report.images} image(s) into the image store.\n`);
          if (report.sections !== undefined)
            process.stdout.write(`Made ${report.sections} section(s).\n`);
          for (const l of report.imagesLeft ?? [])
            process.stdout.write(`  image left as it was on ${l.page}: ${l.url} (${l.reason})\n`);
          const renamed = report.renamedItems ?? [];
          if (renamed.length > 0) {
            process.stdout.write(
              `Gave ${renamed.length} item(s) a new id (a URL cannot name an id of dots):\n`,
            );
            for (const r of renamed) process.stdout.write(`  ${r.page}: ${r.from} → ${r.to}\n`);
          }
        }
      } finally {
        await db.close();
      }
    },
  );
  withInstanceFlags(
    handbook
      .command('export')
      .argument('<file>', 'where to write the export (a JSON object keyed by slug)')
      .description('export every page in Federated Wiki format'),
  ).action(async (file: string, flags: { dataDir?: string; databaseUrl?: string }) => {
    const config = configFrom(flags);
    const db = await openDb(config.database);
    try {
      await migrateToLatest(db.db);
      const { entries, renamed } = await exportToFile(db, file, { dataDir: config.dataDir });
      process.stdout.write(`Exported ${entries} entries to ${file}.\n`);
      for (const r of renamed) {
        const why =
          r.reason === 'shared'
            ? 'another page’s title gives the same Federated Wiki slug'
            : 'its title has no ASCII letter or digit';
        process.stdout.write(`  ${r.title}: exported as ${r.key} (${why})\n`);
      }
    } finally {
      await db.close();
    }
  });
}
