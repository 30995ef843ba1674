import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDb } from '@server/platform/db';

/** The `commonhall space create` command, run as a process against a SQLite data directory. */
// Each run starts Node through tsx: slow on a busy machine, hence the timeout.
describe('commonhall space create', { timeout: 300_000 }, () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'commonhall-cli-'));
    const db = await openDb({ dialect: 'sqlite', filename: join(dataDir, 'commonhall.sqlite') });
    await migrateToLatest(db.db);
    const now = new Date().toISOString();
    await sql`insert into accounts (id, email, name, password_hash, role, status, locale, created_at, updated_at)
      values ('acc-1', 'olga@example.test', 'Olga', 'x', 'member', 'active', null, ${now}, ${now})`.execute(
      db.db,
    );
    await db.close();
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = (...args: string[]) =>
    spawnSync(
      'node_modules/.bin/tsx',
      ['server/cli.ts', 'space', 'create', '--data-dir', dataDir, ...args],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          PUBLIC_URL: 'https://hall.example.org',
          LOG_LEVEL: 'silent',
          DATABASE_URL: '',
        },
        timeout: 60_000,
      },
    );

  it('creates a space and prints its full URL', async () => {
    const r = run(
      '--owner',
      'Olga@example.test',
      '--name',
      'Réunion du Lundi',
      '--anyone-can-start',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('https://hall.example.org/s/r%C3%A9union-du-lundi');
    const db = await openDb({ dialect: 'sqlite', filename: join(dataDir, 'commonhall.sqlite') });
    // CamelCasePlugin maps the result's owner_id to ownerId.
    const row = await sql<{
      settings: string;
      ownerId: string;
    }>`select settings, owner_id from spaces`.execute(db.db);
    await db.close();
    expect(row.rows[0]?.ownerId).toBe('acc-1');
    expect(JSON.parse(row.rows[0]?.settings ?? '{}')).toMatchObject({ anyoneCanStart: true });
  });

  it('takes a slug, refuses a taken one, and an unknown owner', () => {
    const ok = run('--owner', 'olga@example.test', '--name', 'Board', '--slug', 'board-room');
    expect(ok.stdout.trim()).toBe('https://hall.example.org/s/board-room');
    const taken = run('--owner', 'olga@example.test', '--name', 'Board', '--slug', 'board-room');
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain('taken');
    const nobody = run('--owner', 'nobody@example.test', '--name', 'X');
    expect(nobody.status).toBe(1);
    expect(nobody.stderr).toContain('No account');
  });
});
