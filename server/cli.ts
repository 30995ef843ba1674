import { Command, Option } from 'commander';
import {
  ConfigError,
  envFromProcess,
  loadConfig,
  type Config,
  type EnvInput,
} from '@server/config';
import { migrateToLatest, openDb } from '@server/platform/db';

/** Options every subcommand that touches the instance accepts; they override the environment. */
interface InstanceFlags {
  dataDir?: string;
  databaseUrl?: string;
}

function withInstanceFlags(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--data-dir <dir>',
        'where SQLite, uploads and the session secret live (DATA_DIR)',
      ),
    )
    .addOption(
      new Option('--database-url <url>', 'SQLite file path or postgres:// URL (DATABASE_URL)'),
    );
}

/** Merges flags over the environment and parses; prints every problem and exits 1 when invalid. */
export function configFrom(
  flags: InstanceFlags & { port?: string; host?: string; logLevel?: string },
): Config {
  const env: EnvInput = { ...envFromProcess() };
  if (flags.dataDir !== undefined) env.DATA_DIR = flags.dataDir;
  if (flags.databaseUrl !== undefined) env.DATABASE_URL = flags.databaseUrl;
  if (flags.port !== undefined) env.PORT = flags.port;
  if (flags.host !== undefined) env.HOST = flags.host;
  if (flags.logLevel !== undefined) env.LOG_LEVEL = flags.logLevel;
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

/** Subcommands registered by modules (admin, space, handbook …) hang on this. */
export { withInstanceFlags };

const isEntry =
  process.argv[1] !== undefined && /commonhall(\.js)?$|cli\.ts$/.test(process.argv[1]);
if (isEntry) {
  // Not awaited: module CLI files import this module, and a top-level await here would wait on
  // them while they wait on it (Node exits with code 13, "unsettled top-level await").
  import('@server/cli-commands')
    .then(({ registerModuleCommands }) => {
      registerModuleCommands(program);
      return program.parseAsync(process.argv);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
