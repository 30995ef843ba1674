import { Command } from 'commander';
import { configFrom, withInstanceFlags, type InstanceFlags } from '@server/cli-support';
import { migrateToLatest, openDb } from '@server/platform/db';

export const program = new Command()
  .name('commonhall')
  .description('Commonhall: spaces, register, assemblies and handbook of an online-meeting co-op.')
  .showHelpAfterError();

withInstanceFlags(
  program
    .command('serve')
    .description('start Commonhall (HTTP, WebSocket signalling and media in one process)')
    .option('--port <port>', 'HTTP port (PORT, default 8080)')
    .option('--host <host>', 'address to listen on (HOST, default 0.0.0.0)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (LOG_LEVEL)')
    .option(
      '--build-if-stale',
      'build the web app first when it is missing or older than its sources',
    ),
).action(
  async (
    flags: InstanceFlags & {
      port?: string;
      host?: string;
      logLevel?: string;
      buildIfStale?: boolean;
    },
  ) => {
    const config = configFrom(flags);
    if (flags.buildIfStale === true) {
      const { appIsStale, buildAppAssets } = await import('@server/build-app');
      if (appIsStale()) {
        process.stderr.write('Building the web app (first start or changed sources)…\n');
        await buildAppAssets();
      }
    }
    const { startServer } = await import('@server/main');
    await startServer(config);
  },
);

withInstanceFlags(
  program.command('migrate').description('apply every pending database migration, then exit'),
).action(async (flags: InstanceFlags) => {
  const config = configFrom(flags);
  const db = await openDb(config.database);
  try {
    const result = await migrateToLatest(db.db);
    const applied = result.results?.filter((r) => r.status === 'Success') ?? [];
    process.stdout.write(
      applied.length === 0
        ? 'The database is up to date.\n'
        : applied.map((r) => `applied ${r.migrationName}\n`).join(''),
    );
  } finally {
    await db.close();
  }
});

const isEntry =
  process.argv[1] !== undefined && /commonhall(\.js)?$|cli\.ts$/.test(process.argv[1]);
/** Runs the program. Not a top-level await: module CLIs may import this file while it loads. */
async function main(): Promise<void> {
  const { registerModuleCommands } = await import('@server/cli-commands');
  registerModuleCommands(program);
  await program.parseAsync(process.argv);
}

if (isEntry) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

export { configFrom, withInstanceFlags };
