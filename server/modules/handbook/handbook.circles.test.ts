/**
 * Circle names are unique as people read them (case, Unicode normal form and spacing aside):
 * the service refuses a taken name with 409 circle_name_taken, a unique index holds when two
 * stewards race, and the migration that brought the index renamed older look-alikes.
 */
import { sql } from 'kysely';
import { Migrator } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '@server/http/errors';
import { ManualClock } from '@server/platform/clock';
import { migrationProvider } from '@server/platform/db';
import { circleNameKey as migrationKey } from '@server/platform/db/migrations/20261128-10-handbook-circle-unique';
import { openTestDb, testDialect } from '@server/test/test-app';
import { HandbookRepo } from './handbook.repo';
import { HandbookService } from './handbook.service';
import { buildHandbookTestApp, steward, type HandbookTestApp } from './handbook.test-helpers';
import { circleNameKey } from './handbook.text';

const api = '/api/v1/handbook';

describe(`circle names on ${testDialect()}`, () => {
  let t: HandbookTestApp;
  beforeEach(async () => {
    t = await buildHandbookTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  const put = async (id: string, name: string, members: string[] = []) => {
    const res = await t.app.inject({
      method: 'PUT',
      url: `${api}/circles/${id}`,
      headers: steward,
      payload: { name, members },
    });
    return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
  };
  const circles = async () =>
    (await t.app.inject({ method: 'GET', url: `${api}/circles`, headers: steward })).json<{
      circles: { id: string; name: string; members: { id: string }[] }[];
    }>().circles;

  it('refuses a name that differs only in case, Unicode form or spacing (409 circle_name_taken)', async () => {
    expect((await put('tech', 'Tech Circle')).status).toBe(200);
    expect((await put('cafe', 'Caf\u00e9')).status).toBe(200);
    for (const [id, name] of [
      ['tech-2', 'tech circle'],
      ['tech-3', 'TECH   CIRCLE'],
      ['tech-4', 'Tech\u00a0Circle'],
      ['cafe-2', 'Cafe\u0301'],
      ['cafe-3', 'CAF\u00c9'],
    ] as const) {
      const r = await put(id, name);
      expect(r.status, name).toBe(409);
      expect(r.body, name).toMatchObject({
        error: {
          code: 'circle_name_taken',
          details: { id: name.startsWith('C') ? 'cafe' : 'tech' },
        },
      });
    }
    // Accents are part of a name (search folds them; names are not search).
    expect((await put('cafe-4', 'Cafe')).status).toBe(200);
    // A circle may change the case of its own name.
    expect((await put('tech', 'TECH circle')).status).toBe(200);
    expect((await circles()).map((c) => [c.id, c.name])).toEqual([
      ['cafe-4', 'Cafe'],
      ['cafe', 'Caf\u00e9'],
      ['tech', 'TECH circle'],
    ]);
  });

  it('two stewards creating the same name at once make one circle and one 409', async () => {
    for (const name of ['Tech', 'Community', 'Org']) {
      const [a, b] = await Promise.all([
        put(`${name.toLowerCase()}-a`, name, ['acc-ada']),
        put(`${name.toLowerCase()}-b`, name.toUpperCase(), ['acc-bea']),
      ]);
      expect([a.status, b.status].sort(), name).toEqual([200, 409]);
      const refused = a.status === 409 ? a : b;
      expect(refused.body, name).toMatchObject({ error: { code: 'circle_name_taken' } });
    }
    const list = await circles();
    expect(list).toHaveLength(3);
    expect(new Set(list.map((c) => circleNameKey(c.name)))).toEqual(
      new Set(['tech', 'community', 'org']),
    );
  });

  it('two stewards creating the same circle id at once make one circle, never a 500', async () => {
    // Several rounds: the first of a fresh pool often runs one after the other.
    const names = ['Tech', 'Community', 'Org', 'Product', 'Care'];
    for (const name of names) {
      const id = name.toLowerCase();
      const [a, b] = await Promise.all([put(id, name, ['acc-ada']), put(id, name, ['acc-bea'])]);
      expect([a.status, b.status], name).toEqual([200, 200]);
    }
    const list = await circles();
    expect(list.map((c) => c.name).sort()).toEqual([...names].sort());
    // Last writer wins, as with one steward after the other: one member, never both or none.
    expect(list.every((c) => c.members.length === 1)).toBe(true);
  });
});

describe(`deleting a circle and the settings, on ${testDialect()}`, () => {
  let t: HandbookTestApp;
  beforeEach(async () => {
    t = await buildHandbookTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  const send = async (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: object) => {
    const res = await t.app.inject({
      method,
      url: `${api}${url}`,
      headers: steward,
      ...(payload === undefined ? {} : { payload }),
    });
    return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
  };
  const setUp = async () => {
    for (const id of ['tech', 'org'])
      expect((await send('PUT', `/circles/${id}`, { name: id, members: [] })).status).toBe(200);
    const put = await send('PUT', '/settings', {
      read: 'everyone',
      edit: 'circles',
      editCircles: ['tech', 'org'],
    });
    expect(put.status).toBe(200);
  };

  it('keeps a settings change another steward saved while the circle was being deleted', async () => {
    await setUp();
    // Another steward's change commits just before the deletion's transaction begins: after the
    // moment the deletion used to read the settings it would write back.
    const repo = t.handbook.service.repo;
    const transaction = repo.transaction.bind(repo);
    let raced = false;
    repo.transaction = async <T>(fn: (r: HandbookRepo) => Promise<T>): Promise<T> => {
      if (!raced) {
        raced = true;
        const other = await send('PUT', '/settings', {
          read: 'members',
          edit: 'circles',
          editCircles: ['tech', 'org'],
        });
        expect(other.status).toBe(200);
      }
      return transaction(fn);
    };
    expect((await send('DELETE', '/circles/tech')).status).toBe(200);
    expect(raced).toBe(true);
    expect((await send('GET', '/settings')).body).toMatchObject({
      read: 'members',
      edit: 'circles',
      editCircles: ['org'],
    });
  });

  it('never leaves a deleted circle in the policy when a steward names it at the same moment', async () => {
    await setUp();
    // The deletion starts right after the settings change has checked that its circles exist.
    const circles = Object.getOwnPropertyDescriptor(HandbookRepo.prototype, 'circles');
    let deletion: Promise<{ status: number }> | undefined;
    HandbookRepo.prototype.circles = async function (this: HandbookRepo) {
      const out = await (circles?.value as HandbookRepo['circles']).call(this);
      if (deletion === undefined) {
        deletion = send('DELETE', '/circles/tech');
        // Give it time to finish, unless it waits for the settings change to end (as it should).
        await Promise.race([deletion, new Promise((r) => setTimeout(r, 300))]);
      }
      return out;
    };
    try {
      const put = await send('PUT', '/settings', {
        read: 'everyone',
        edit: 'circles',
        editCircles: ['tech'],
      });
      expect(put.status).toBe(200);
      expect((await deletion)?.status).toBe(200);
    } finally {
      if (circles !== undefined) Object.defineProperty(HandbookRepo.prototype, 'circles', circles);
    }
    expect((await send('GET', '/settings')).body).toMatchObject({ editCircles: [] });
  });

  it('makes the Federated Wiki routes read the settings again (settingsVersion goes up)', async () => {
    await setUp();
    const made = await t.app.inject({
      method: 'POST',
      url: `${api}/pages`,
      headers: steward,
      payload: { title: 'Open' },
    });
    expect(made.statusCode).toBe(201);
    expect((await t.app.inject({ url: '/open.json' })).statusCode).toBe(200);
    // Another node makes the handbook members-only; this node's public check is cached for a
    // second, until this node changes the settings itself.
    await HandbookRepo.from(t.db).putSetting(
      'handbook.access',
      JSON.stringify({ read: 'members', edit: 'circles', editCircles: ['tech', 'org'] }),
      new Date().toISOString(),
    );
    const before = t.handbook.service.settingsVersion;
    expect((await send('DELETE', '/circles/tech')).status).toBe(200);
    expect(t.handbook.service.settingsVersion).toBeGreaterThan(before);
    const closed = await t.app.inject({ url: '/open.json' });
    expect(closed.statusCode).toBe(403);
    expect(closed.json()).toMatchObject({ error: { code: 'handbook_members_only' } });
  });
});

describe(`the circle name index on ${testDialect()}`, () => {
  it('answers 409 circle_name_taken when the index fires after the check missed the other circle', async () => {
    const { handle, drop } = await openTestDb();
    try {
      const real = HandbookRepo.from(handle);
      // A check that sees nothing: what each of two racing transactions sees before the other commits.
      const blind = (repo: HandbookRepo): HandbookRepo =>
        Object.assign(Object.create(repo) as HandbookRepo, {
          circleNamed: () => Promise.resolve(undefined),
        });
      const racing = Object.assign(Object.create(real) as HandbookRepo, {
        transaction: <T>(fn: (repo: HandbookRepo) => Promise<T>) =>
          real.transaction((trx) => fn(blind(trx))),
      });
      const service = new HandbookService(racing, new ManualClock(new Date()));
      const ada = {
        kind: 'account',
        accountId: 'acc-ada',
        sessionId: 's',
        email: 'ada@example.org',
        name: 'Ada',
        role: 'steward',
        locale: 'en',
      } as const;
      await service.putCircle(ada, 'tech', 'Tech', ['acc-ada']);
      const err = await service
        .putCircle(ada, 'tech-2', ' tech ', ['acc-bea'])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({
        statusCode: 409,
        code: 'circle_name_taken',
        details: { id: 'tech' },
      });
      // Nothing of the refused write stayed.
      expect(await real.circles()).toEqual([{ id: 'tech', name: 'Tech', members: ['acc-ada'] }]);
    } finally {
      await drop();
    }
  });
});

describe(`migration 20261128-10-handbook-circle-unique on ${testDialect()}`, () => {
  it('renames later look-alike circles, keeping every circle, member and policy', async () => {
    const { handle, schema, drop } = await openTestDb();
    try {
      const migrator = new Migrator({
        db: handle.db,
        provider: migrationProvider,
        ...(schema !== undefined ? { migrationTableSchema: schema } : {}),
      });
      const names = (await migrator.getMigrations()).map((m) => m.name);
      const mine = names.indexOf('20261128-10-handbook-circle-unique');
      expect(mine).toBeGreaterThan(0);
      const before = names[mine - 1] ?? '';
      expect((await migrator.migrateTo(before)).error).toBeUndefined();

      const db = handle.db;
      const circle = async (id: string, name: string, at: string, members: string[]) => {
        await sql`insert into handbook_circles (id, name, created_at) values (${id}, ${name}, ${at})`.execute(
          db,
        );
        for (const m of members)
          await sql`insert into handbook_circle_members (circle_id, account_id) values (${id}, ${m})`.execute(
            db,
          );
      };
      await circle('tech-late', 'TECH', '2026-11-03T00:00:00.000Z', ['acc-cy']);
      await circle('tech', 'Tech', '2026-11-01T00:00:00.000Z', ['acc-ada']);
      await circle('tech-mid', 'tech', '2026-11-02T00:00:00.000Z', ['acc-bea', 'acc-ada']);
      await circle('tech-2-taken', 'Tech (2)', '2026-11-04T00:00:00.000Z', []);
      await circle('cafe', 'Caf\u00e9', '2026-11-01T00:00:00.000Z', ['acc-di']);
      await circle('cafe-nfd', 'Cafe\u0301', '2026-11-01T00:00:00.000Z', ['acc-ed']);
      await circle('long', 'x'.repeat(99) + 'Y', '2026-11-01T00:00:00.000Z', []);
      await circle('long-2', 'x'.repeat(99) + 'y', '2026-11-02T00:00:00.000Z', []);
      await circle('org', 'Org', '2026-11-01T00:00:00.000Z', ['acc-fay']);
      const policy = JSON.stringify({
        read: 'everyone',
        edit: 'circles',
        editCircles: ['tech-mid', 'cafe-nfd'],
      });
      await sql`insert into settings (key, value, updated_at) values ('handbook.access', ${policy}, '2026-11-05T00:00:00.000Z')`.execute(
        db,
      );

      const up = await migrator.migrateToLatest();
      expect(up.error).toBeUndefined();

      const rows = (
        await sql<{
          id: string;
          name: string;
        }>`select id, name from handbook_circles order by id`.execute(db)
      ).rows;
      expect(rows).toEqual([
        { id: 'cafe', name: 'Caf\u00e9' },
        // Same created_at: the smaller id is the older.
        { id: 'cafe-nfd', name: 'Cafe\u0301 (2)' },
        { id: 'long', name: 'x'.repeat(99) + 'Y' },
        { id: 'long-2', name: 'x'.repeat(96) + ' (2)' },
        { id: 'org', name: 'Org' },
        { id: 'tech', name: 'Tech' },
        // 'Tech (2)' was a circle already: the next free suffix.
        { id: 'tech-2-taken', name: 'Tech (2)' },
        { id: 'tech-late', name: 'TECH (4)' },
        { id: 'tech-mid', name: 'tech (3)' },
      ]);
      const members = (
        await sql<{
          circleId: string;
          accountId: string;
        }>`select circle_id, account_id from handbook_circle_members order by circle_id, account_id`.execute(
          db,
        )
      ).rows;
      expect(members.map((m) => `${m.circleId}:${m.accountId}`)).toEqual([
        'cafe:acc-di',
        'cafe-nfd:acc-ed',
        'org:acc-fay',
        'tech:acc-ada',
        'tech-late:acc-cy',
        'tech-mid:acc-ada',
        'tech-mid:acc-bea',
      ]);
      const kept = await sql<{
        value: string;
      }>`select value from settings where key = 'handbook.access'`.execute(db);
      expect(kept.rows[0]?.value).toBe(policy);

      // The service reads the renamed circles by their new names, and the index now holds.
      const repo = HandbookRepo.from(handle);
      expect(await repo.circleNamed(circleNameKey('tech (3)'))).toBe('tech-mid');
      await expect(
        sql`insert into handbook_circles (id, name, name_key, created_at) values ('x', 'ORG', 'org', '2026-11-06T00:00:00.000Z')`.execute(
          db,
        ),
      ).rejects.toThrow();

      // Down and up again keep the data.
      expect((await migrator.migrateTo(before)).error).toBeUndefined();
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      expect((await repo.circles()).length).toBe(9);
    } finally {
      await drop();
    }
  });

  it('computes keys the way the service does', () => {
    for (const name of [
      'Tech',
      ' TECH  circle ',
      'Caf\u00e9',
      'Cafe\u0301',
      'İstanbul',
      'ΟΔΟΣ',
      'Straße',
      '🎉 Party',
    ]) {
      expect(migrationKey(name), name).toBe(circleNameKey(name));
    }
  });
});
