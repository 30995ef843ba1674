/**
 * The real Federated Wiki server (npm package `wiki`) for server and browser tests: its own browser client
 * (`/client.js`, from the project's node_modules through `--packageDir`), on 127.0.0.1, over a
 * temporary data folder, editable while unclaimed (`--security_legacy`) so a page can be forked
 * into it. Started in its own process group and stopped by its id, with bounded waits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Fedwiki {
  /** http://127.0.0.1:<port> */
  url: string;
  /** `127.0.0.1:<port>`, the site name Federated Wiki uses. */
  host: string;
  /** Its data folder (pages in `pages/`). */
  dataDir: string;
  stop: () => Promise<void>;
}

export interface FedwikiOptions {
  /** Page files to write (slug → page JSON) before it starts. */
  pages?: Record<string, unknown>;
  /** A data folder of the caller's (kept on stop); else a temporary one, removed on stop. */
  dataDir?: string;
  /** When it counts as started (default: it serves `/client.js`); asked every 300 ms. */
  ready?: (url: string) => Promise<boolean>;
}

/** Ready once `/system/<file>` lists `n` entries (its sitemap is rebuilt after start-up). */
export function listsPages(n: number, file: 'sitemap.json' | 'slugs.json' = 'sitemap.json') {
  return async (url: string): Promise<boolean> => {
    const res = await fetch(`${url}/system/${file}`, { signal: AbortSignal.timeout(2000) });
    return res.ok && ((await res.json()) as unknown[]).length === n;
  };
}

/** A free loopback port: bind to 0, read it, close. */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => ok(port));
    });
  });
}

/** Ends the process group (SIGTERM, SIGKILL after 5 s); resolves once the leader has exited. */
function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
      return done();
    const pid = child.pid;
    const kill = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    const giveUp = setTimeout(() => done(), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      clearTimeout(giveUp);
      // The cluster's worker is in the same group: end it too if it outlived the primary.
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
      done();
    });
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      clearTimeout(kill);
      clearTimeout(giveUp);
      done();
    }
  });
}

/** Starts `wiki` on a data folder with `pages` in it; resolves once it is ready. */
export async function startFedwiki(options: FedwikiOptions = {}): Promise<Fedwiki> {
  const own = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'fedwiki-'));
  mkdirSync(join(dataDir, 'pages'), { recursive: true });
  const ready =
    options.ready ??
    (async (url: string) =>
      (await fetch(`${url}/client.js`, { signal: AbortSignal.timeout(2000) })).ok);
  for (const [slug, page] of Object.entries(options.pages ?? {}))
    writeFileSync(join(dataDir, 'pages', slug), JSON.stringify(page));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      resolve('node_modules/wiki/cli.js'),
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--data',
      dataDir,
      '--packageDir',
      resolve('node_modules'),
      '--security_legacy',
    ],
    {
      cwd: dataDir,
      // HOME in the temp folder: no user config is read and nothing is written elsewhere.
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
  const stop = async () => {
    await stopGroup(child);
    if (own) rmSync(dataDir, { recursive: true, force: true });
  };
  // Bounded: start-up takes seconds, tens of them on a busy machine.
  const deadline = Date.now() + 100_000;
  for (;;) {
    try {
      if (await ready(url)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`the Federated Wiki server did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, host: `127.0.0.1:${port}`, dataDir, stop };
}
