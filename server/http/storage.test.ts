import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authHeaders,
  buildAuthTestApp,
  guestSession,
  signUpAndLogIn,
  TEST_PASSWORD,
} from '@server/test/accounts';
import { testDialect, type TestApp } from '@server/test/test-app';

/**
 * Makes the test's database refuse writes through its own engine, the way a full disk or a
 * read-only file does, while it still answers reads. Not a full disk: on SQLite `query_only`
 * (writes fail with SQLITE_READONLY), on PostgreSQL triggers that raise disk_full (53100) on the
 * tables these tests write.
 */
async function refuseWrites(t: TestApp, on: boolean): Promise<void> {
  if (t.db.dialect === 'sqlite') {
    await sql.raw(`pragma query_only = ${on ? 'on' : 'off'}`).execute(t.db.db);
    return;
  }
  if (!on) {
    for (const table of ['platform_health', 'sessions'])
      await sql.raw(`drop trigger if exists disk_full on ${table}`).execute(t.db.db);
    return;
  }
  await sql
    .raw(
      `create or replace function disk_full() returns trigger language plpgsql as $$
       begin raise exception using errcode = '53100', message = 'could not extend file: No space left on device'; end $$`,
    )
    .execute(t.db.db);
  for (const table of ['platform_health', 'sessions']) {
    await sql
      .raw(
        `create trigger disk_full before insert or update or delete on ${table}
         for each statement execute function disk_full()`,
      )
      .execute(t.db.db);
  }
}

describe(`a database that cannot write, on ${testDialect()}`, () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildAuthTestApp();
  });
  afterEach(async () => {
    await refuseWrites(t, false);
    await t.close();
  });

  it('makes /readyz answer 503 database_not_writable, and ready again once it writes', async () => {
    expect((await t.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' });
    await refuseWrites(t, true);
    const down = await t.app.inject({ url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: 'database_not_writable' });
    await refuseWrites(t, false);
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('answers a log-in it cannot record with 503 storage_unavailable, not a bare 500', async () => {
    const s = await signUpAndLogIn(t.app);
    const guest = await guestSession(t.app);
    await refuseWrites(t, true);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: authHeaders(guest),
      payload: { email: s.account.email, password: TEST_PASSWORD },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: 'storage_unavailable' } });
  });
});
