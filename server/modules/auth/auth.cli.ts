import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { systemClock } from '@server/platform/clock';
import { migrateToLatest, openDb } from '@server/platform/db';
import { createLogger } from '@server/platform/log';
import { logMailer } from '@server/platform/mail';
import { AppError } from '@server/http/errors';
import { email as emailSchema, personName } from '@common/api/auth';
import { PASSWORD_MAX_LENGTH } from '@common/limits';
import { productionHashCost } from './auth.passwords';
import { AuthRepo } from './auth.repo';
import { AuthService } from './auth.service';

/** Reads one line from piped stdin. */
async function readPipedLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of rl) return line;
    return '';
  } finally {
    rl.close();
  }
}

/** Asks for a password on the terminal without echoing what is typed. */
function promptHidden(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readPipedLine();
  const first = await promptHidden('Password: ');
  const again = await promptHidden('Password again: ');
  if (first !== again) throw new Error('The passwords differ.');
  return first;
}

/** `commonhall admin create --email … [--name …]`: creates a steward from the command line. */
export function registerAuthCommands(program: Command): void {
  const admin = program.command('admin').description('manage stewards and accounts');
  admin
    .command('create')
    .description(
      'create a steward account; the password is read from stdin when piped (one line), ' +
        'otherwise prompted for without echo',
    )
    .requiredOption('--email <email>', 'email address of the new steward')
    .option('--name <name>', 'display name (default: the part of the email before @)')
    .option('--data-dir <dir>', 'where SQLite and the session secret live (DATA_DIR)')
    .option('--database-url <url>', 'SQLite file path or postgres:// URL (DATABASE_URL)')
    .action(
      async (flags: { email: string; name?: string; dataDir?: string; databaseUrl?: string }) => {
        const parsedEmail = emailSchema.safeParse(flags.email);
        if (!parsedEmail.success) throw new Error(`Not a valid email address: ${flags.email}`);
        const address = parsedEmail.data;
        const parsedName = personName.safeParse(flags.name ?? address.split('@')[0]);
        if (!parsedName.success) throw new Error('The name must be 1 to 100 characters.');
        const password = (await readPassword()).replace(/\r$/, '');
        if (password.length > PASSWORD_MAX_LENGTH) throw new Error('The password is too long.');

        // Imported here, not at the top: cli.ts imports this module while it is still loading.
        const { configFrom } = await import('@server/cli');
        const config = configFrom({ ...flags, logLevel: 'silent' });
        const log = createLogger('silent');
        const db = await openDb(config.database);
        try {
          await migrateToLatest(db.db);
          const service = new AuthService({
            repo: new AuthRepo(db.db),
            clock: systemClock,
            mailer: logMailer(log),
            log,
            publicUrl: config.publicUrl,
            secret: config.sessionSecret,
            hashCost: productionHashCost,
            sessionTtlMs: 0,
          });
          const account = await service.createSteward({
            email: address,
            name: parsedName.data,
            password,
          });
          process.stdout.write(`Created steward ${account.email} (${account.id}).\n`);
        } catch (err) {
          if (err instanceof AppError)
            throw new Error(`${err.message} (${err.code})`, { cause: err });
          throw err;
        } finally {
          await db.close();
        }
      },
    );
}
