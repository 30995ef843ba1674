/**
 * Commonhall serving the generated handbook: the export file imported with
 * `commonhall handbook import`, then the HTTP app on 127.0.0.1, each as its own process (node with
 * tsx, as `npm start` runs it, without the web app build).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort, stopGroup, waitFor, type RunningServer } from './wiki-server';

function cliArgs(repoRoot: string, args: string[]): string[] {
  return ['--import', 'tsx', resolve(repoRoot, 'server/cli.ts'), ...args];
}

function env(dataDir: string, mediaPort: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dataDir,
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    HANDBOOK_STARTER: 'off',
    MEDIA_PORT: String(mediaPort),
  };
}

/**
 * Runs `commonhall handbook import FILE`; while that command does not exist yet, falls back to
 * bench/handbook/seed-ours.ts. Resolves with how it was loaded and the output.
 */
export async function importHandbook(
  repoRoot: string,
  dataDir: string,
  exportFile: string,
): Promise<{ via: string; output: string }> {
  try {
    const output = await run(
      repoRoot,
      dataDir,
      cliArgs(repoRoot, ['handbook', 'import', exportFile, '--data-dir', dataDir]),
    );
    return { via: 'commonhall handbook import', output };
  } catch (error) {
    if (!/unknown command 'handbook'|unknown command 'import'/.test((error as Error).message)) {
      throw error;
    }
  }
  const output = await run(repoRoot, dataDir, [
    '--import',
    'tsx',
    resolve(repoRoot, 'bench/handbook/seed-ours.ts'),
    exportFile,
  ]);
  return { via: 'bench/handbook/seed-ours.ts (no import command yet)', output };
}

async function run(repoRoot: string, dataDir: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: env(dataDir, await freePort()),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0)
    throw new Error(`${args.slice(2).join(' ')} exited ${code}: ${output.slice(-2000)}`);
  return output;
}

/** Starts Commonhall's HTTP app (bench/handbook/serve-ours.ts) over the data dir. */
export async function startOurs(repoRoot: string, dataDir: string): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(repoRoot, 'bench/handbook/serve-ours.ts')],
    {
      cwd: repoRoot,
      env: { ...env(dataDir, await freePort()), PORT: String(port), HOST: '127.0.0.1' },
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}/healthz`, 60_000, child);
  } catch (error) {
    await stopGroup(child);
    throw new Error(`${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return { url, pid: child.pid ?? 0, stop: () => stopGroup(child) };
}
