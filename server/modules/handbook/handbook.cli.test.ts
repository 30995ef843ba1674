import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerHandbookCommands } from './handbook.cli';

// The command itself, parsed by commander in this process (a SQLite file of its own, whichever
// database the suite runs on), against a site on loopback.
describe('commonhall handbook import URL', () => {
  let server: Server;
  let url = '';
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'commonhall-handbook-cli-'));
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/system/sitemap.json') res.end(JSON.stringify([{ slug: 'hello' }]));
      else if (req.url === '/hello.json')
        res.end(JSON.stringify({ title: 'Hello', story: [], journal: [] }));
      else res.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(...extra: string[]): Promise<{ out: string; err: string; code: number }> {
    const program = new Command().exitOverride();
    registerHandbookCommands(program);
    let out = '';
    let err = '';
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out += String(s);
      return true;
    });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      err += String(s);
      return true;
    });
    const before = process.exitCode;
    try {
      await program.parseAsync(
        [
          'handbook',
          'import',
          url,
          '--data-dir',
          dir,
          '--database-url',
          join(dir, 'h.sqlite'),
          ...extra,
        ],
        { from: 'user' },
      );
      return { out, err, code: Number(process.exitCode ?? 0) };
    } finally {
      process.exitCode = before;
      stdout.mockRestore();
      stderr.mockRestore();
    }
  }

  it('refuses a site on loopback without --allow-private, and imports it with the flag', async () => {
    const refused = await run();
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('Nothing imported');
    expect(refused.err).toContain('--allow-private');
    const imported = await run('--allow-private');
    expect(imported.code).toBe(0);
    expect(imported.out).toContain('Imported 1 page(s)');
  }, 60_000);
});
