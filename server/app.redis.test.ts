import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '@server/app';
import { loadConfig } from '@server/config';
import { RedisBus, type DomainEvent } from '@server/platform/bus';
import { createLogger } from '@server/platform/log';
import { authHeaders, buildAuthTestApp, signUpAndLogIn } from '@server/test/accounts';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '@server/test/redis';
import { openTestDb } from '@server/test/test-app';

describe('REDIS_URL at the composition root', () => {
  const redis = new Redis(TEST_REDIS_URL);
  afterAll(() => {
    redis.disconnect();
  });

  it('puts the event bus on Redis: events reach other nodes; closing releases it', async () => {
    const prefix = uniqueRedisPrefix();
    const observer = await RedisBus.connect({ url: TEST_REDIS_URL, prefix });
    const t = await buildAuthTestApp({ env: { REDIS_URL: TEST_REDIS_URL }, redisPrefix: prefix });
    try {
      const seen: DomainEvent[] = [];
      const created = new Promise<void>((resolve) => {
        observer.subscribe('space.created', (e) => {
          seen.push(e);
          resolve();
        });
      });
      const owner = await signUpAndLogIn(t.app, { name: 'Olga' });
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/spaces',
        headers: authHeaders(owner),
        payload: { name: 'Across nodes' },
      });
      expect(res.statusCode).toBe(201);
      await created;
      expect(seen[0]?.payload).toMatchObject({ slug: res.json<{ slug: string }>().slug });
      // The app's bus and the observer are subscribed.
      expect(((await redis.pubsub('NUMSUB', `${prefix}bus`)) as [string, number])[1]).toBe(2);
    } finally {
      await t.close();
    }
    expect(((await redis.pubsub('NUMSUB', `${prefix}bus`)) as [string, number])[1]).toBe(1);
    await observer.close();
  });

  it('refuses to start when Redis cannot be reached', async () => {
    const config = loadConfig(
      { LOG_LEVEL: 'silent', REDIS_URL: 'redis://127.0.0.1:1', DATA_DIR: '/nonexistent' },
      { persistSecret: false },
    );
    const { handle, drop } = await openTestDb();
    try {
      await expect(buildApp({ config, db: handle, log: createLogger('silent') })).rejects.toThrow(
        'could not be reached',
      );
    } finally {
      await drop();
    }
  });
});
