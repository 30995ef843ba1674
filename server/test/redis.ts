import { randomBytes } from 'node:crypto';

/** The Redis the multi-node tests use (CI runs one at the same address); never skipped. */
export const TEST_REDIS_URL = process.env.COMMONHALL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key and channel prefix of its own, so parallel test files and runs never meet in Redis. */
export const uniqueRedisPrefix = (): string => `test:${randomBytes(6).toString('hex')}:`;
