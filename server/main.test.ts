import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '@server/paths';

const bin = join(projectRoot, 'bin', 'commonhall.js');

/** Runs the real command as a child process and collects its output and exit code (bounded). */
function run(
  args: string[],
  env: Record<string, string>,
  onLine?: (line: string, kill: () => void) => void,
) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of d.toString().split('\n'))
        if (line !== '') onLine?.(line, () => child.kill('SIGTERM'));
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, out, err });
    });
  });
}

describe('the commonhall process', { timeout: 120_000 }, () => {
  it('refuses an invalid configuration with every problem and a non-zero exit', async () => {
    const r = await run(['serve'], {
      PORT: 'x',
      LOG_LEVEL: 'loud',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ch-')),
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain('PORT');
    expect(r.err).toContain('LOG_LEVEL');
  });

  it('creates and migrates SQLite on first start and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ch-'));
    let listening = false;
    const r = await run(
      ['serve', '--port', '0', '--host', '127.0.0.1'],
      { DATA_DIR: dataDir, MEDIA_PORT: '0' },
      (line, kill) => {
        if (line.includes('Commonhall is running at http://127.0.0.1:')) {
          listening = true;
          kill();
        }
      },
    );
    expect(listening).toBe(true);
    expect(r.code).toBe(0);
    expect(r.out).toContain('"msg":"stopped"');
    expect(existsSync(join(dataDir, 'commonhall.sqlite'))).toBe(true);
    expect(existsSync(join(dataDir, 'session-secret'))).toBe(true);
  });

  it('refuses to start when MEDIA_PORT is already bound, naming the port and what to do', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    const mediaPort = taken.address().port;
    try {
      const r = await run(['serve', '--port', '0', '--host', '127.0.0.1'], {
        DATA_DIR: mkdtempSync(join(tmpdir(), 'ch-')),
        MEDIA_PORT: String(mediaPort),
        MEDIA_BIND_ADDRESS: '127.0.0.1',
      });
      expect(r.code).toBe(1);
      expect(r.err).toContain(`UDP port ${mediaPort} on 127.0.0.1 is already in use`);
      expect(r.err).toContain('MEDIA_PORT');
      expect(r.out).not.toContain('Commonhall is listening');
    } finally {
      await new Promise<void>((resolve) => taken.close(resolve));
    }
  });

  it('migrates with `commonhall migrate` and says when up to date', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ch-'));
    const first = await run(['migrate'], { DATA_DIR: dataDir });
    expect(first.code).toBe(0);
    expect(first.out).toContain('applied');
    const second = await run(['migrate'], { DATA_DIR: dataDir });
    expect(second.out).toContain('up to date');
  });
});
