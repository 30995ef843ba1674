import { Migrator, NO_MIGRATIONS } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrationProvider } from '@server/platform/db';
import { openTestDb, testDialect } from '@server/test/test-app';

describe(`migrations on ${testDialect()}`, () => {
  it('run from empty to latest, then all the way down and up again', async () => {
    const { handle, schema, drop } = await openTestDb();
    try {
      const migrator = new Migrator({
        db: handle.db,
        provider: migrationProvider,
        ...(schema !== undefined ? { migrationTableSchema: schema } : {}),
      });
      const all = await migrator.getMigrations();
      expect(all.length).toBeGreaterThan(0);
      expect(all.every((m) => m.executedAt !== undefined)).toBe(true);

      const down = await migrator.migrateTo(NO_MIGRATIONS);
      expect(down.error).toBeUndefined();
      const up = await migrator.migrateToLatest();
      expect(up.error).toBeUndefined();
      expect(up.results?.length).toBe(all.length);
    } finally {
      await drop();
    }
  });
});
