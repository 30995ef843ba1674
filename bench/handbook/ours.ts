/**
 * Commonhall serving the generated handbook: the export file imported with
 * `commonhall handbook import`, then `commonhall serve` on 127.0.0.1, each as its own process
 * (node with tsx, as `npm start` runs it, without the web app build).
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

/** Runs `commonhall handbook import FILE`; resolves with its output, rejects with it on failure. */
export async function importHandbook(
  repoRoot: string,
  dataDir: string,
  exportFile: string,
): Promise<string> {
  const child = spawn(
    process.execPath,
    cliArgs(repoRoot, ['handbook', 'import', exportFile, '--data-dir', dataDir]),
    { cwd: repoRoot, env: env(dataDir, await freePort()), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`handbook import exited ${code}: ${output.slice(-2000)}`);
  return output;
}

/** Starts `commonhall serve` over the data dir. */
export async function startOurs(repoRoot: string, dataDir: string): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    cliArgs(repoRoot, [
      'serve',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
    ]),
    {
      cwd: repoRoot,
      env: env(dataDir, await freePort()),
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
