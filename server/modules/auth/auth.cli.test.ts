import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../../bin/commonhall.js', import.meta.url));

function run(
  args: string[],
  env: Record<string, string>,
  stdin: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

// Each test starts a Node process through tsx: slow on a busy machine, hence the timeout.
describe('commonhall admin create', { timeout: 120_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'commonhall-cli-'));
    env = { DATA_DIR: dir, DATABASE_URL: join(dir, 'cli.sqlite'), LOG_LEVEL: 'silent' };
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a steward with the password piped on stdin', async () => {
    const res = await run(
      ['admin', 'create', '--email', 'Root@Example.test', '--name', 'Root Steward'],
      env,
      'Piped-Steward-Secret-1\n',
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Created steward root@example\.test/);
    expect(res.stdout).not.toContain('Piped-Steward-Secret-1');

    const db = new SQLite(join(dir, 'cli.sqlite'), { readonly: true });
    try {
      const row = db
        .prepare('select email, name, role, status, password_hash from accounts')
        .get() as Record<string, string>;
      expect(row).toMatchObject({
        email: 'root@example.test',
        name: 'Root Steward',
        role: 'steward',
        status: 'active',
      });
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
    } finally {
      db.close();
    }
  });

  it('refuses a taken email with a non-zero exit', async () => {
    const taken = await run(
      ['admin', 'create', '--email', 'root@example.test'],
      env,
      'Another-Good-Secret-2\n',
    );
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toMatch(/email_taken/);
  });

  it('refuses a weak password with a non-zero exit', async () => {
    const weak = await run(['admin', 'create', '--email', 'weak@example.test'], env, 'password1\n');
    expect(weak.code).not.toBe(0);
    expect(weak.stderr).toMatch(/password_too_weak/);
  });

  it('explains itself with --help', async () => {
    const res = await run(['admin', 'create', '--help'], env, '');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/--email <email>/);
    expect(res.stdout).toMatch(/stdin/);
  });
});
