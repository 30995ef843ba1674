/**
 * The Federated Wiki server (npm package `wiki`) serving the generated pages, for comparison.
 * Its data dir is a temp folder with the pages written as page files (`pages/<slug>`, JSON).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { type GeneratedPage } from './generate';

export interface RunningServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

export async function writeWikiPages(dir: string, pages: GeneratedPage[]): Promise<void> {
  await mkdir(join(dir, 'pages'), { recursive: true });
  for (const page of pages) {
    const { slug: _slug, ...json } = page;
    await writeFile(join(dir, 'pages', page.slug), JSON.stringify(json, null, 2));
  }
}

/** Waits until `url` answers 200, polling; gives up after `timeoutMs`. */
export async function waitFor(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`server exited (${child.exitCode})`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops a detached child and everything it forked (its process group), by its own id. */
export function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.pid === undefined) return done();
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      done();
    }
  });
}

/** Starts `wiki` on 127.0.0.1 over a data dir that holds the pages. */
export async function startWiki(dataDir: string, repoRoot: string): Promise<RunningServer> {
  const port = await freePort();
  const bin = resolve(repoRoot, 'node_modules/.bin/wiki');
  const child = spawn(
    process.execPath,
    [bin, '--port', String(port), '--host', '127.0.0.1', '--data', dataDir],
    {
      cwd: dataDir,
      // HOME in the temp folder too, so no user config is read and nothing is written elsewhere.
      env: { PATH: process.env.PATH ?? '', HOME: dataDir, NODE_ENV: 'production' },
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
    await waitFor(`${url}/welcome-visitors.json`, 60_000, child);
  } catch (error) {
    await stopGroup(child);
    throw new Error(`${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return { url, pid: child.pid ?? 0, stop: () => stopGroup(child) };
}
