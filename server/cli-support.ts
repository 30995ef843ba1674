/** What every subcommand shares: instance flags and config from flags over the environment. */
import { Option, type Command } from 'commander';
import {
  ConfigError,
  envFromProcess,
  loadConfig,
  type Config,
  type EnvInput,
} from '@server/config';

/** Options every subcommand that touches the instance accepts; they override the environment. */
export interface InstanceFlags {
  dataDir?: string;
  databaseUrl?: string;
}

export function withInstanceFlags(cmd: Command): Command {
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
