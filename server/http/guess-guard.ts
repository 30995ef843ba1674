import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '@server/platform/clock';

export interface GuessLimits {
  /** Wrong guesses allowed per address for one target in the window (then that address waits). */
  perAddress: number;
  /**
   * Wrong guesses per target (from every address) in the window above which the target is under
   * attack: an address that has failed on it waits a doubling backoff before each next try.
   */
  perTarget: number;
  windowMs: number;
  /** Under attack, the wait after an address's first wrong guess; doubles with each next one. */
  backoffMs: number;
}

/**
 * Where wrong guesses are counted: the times (ms) of the failures under a key within the window.
 * In memory on one node; in Redis (REDIS_URL) shared by every node.
 */
export interface FailureLog {
  /** The failure times under `key` since `since`, oldest first. */
  recent(key: string, since: number): Promise<number[]>;
  /** Records a failure at `at` under each key; entries older than `windowMs` may be forgotten. */
  add(keys: string[], at: number, windowMs: number): Promise<void>;
}

/** One node's failures, in a map swept when it grows. */
export class MemoryFailureLog implements FailureLog {
  private readonly failures = new Map<string, number[]>();

  recent(key: string, since: number): Promise<number[]> {
    return Promise.resolve(this.prune(key, since));
  }

  add(keys: string[], at: number, windowMs: number): Promise<void> {
    for (const key of keys) this.failures.set(key, [...this.prune(key, at - windowMs), at]);
    if (this.failures.size > 10_000) {
      for (const key of [...this.failures.keys()]) this.prune(key, at - windowMs);
    }
    return Promise.resolve();
  }

  private prune(key: string, since: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }
}

/**
 * Every node's failures in Redis: one sorted set per key (score = time), trimmed to the window on
 * each write and expiring with it. `prefix` keeps installs, guards and test runs apart.
 */
export class RedisFailureLog implements FailureLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async recent(key: string, since: number): Promise<number[]> {
    const flat = await this.redis.zrangebyscore(
      this.prefix + key,
      `(${since}`,
      '+inf',
      'WITHSCORES',
    );
    return flat.filter((_, i) => i % 2 === 1).map(Number);
  }

  async add(keys: string[], at: number, windowMs: number): Promise<void> {
    const multi = this.redis.multi();
    for (const key of keys) {
      const k = this.prefix + key;
      // A random member: two failures in the same millisecond (two nodes) both count.
      multi.zadd(k, at, `${at}:${randomBytes(6).toString('hex')}`);
      multi.zremrangebyscore(k, '-inf', at - windowMs);
      multi.pexpire(k, windowMs);
    }
    await multi.exec();
  }
}

/**
 * Counts wrong guesses of a secret (an access code, a password) over a sliding window, per address
 * and target (a space, an account) and per target. An address that reached `perAddress` wrong
 * guesses on a target waits until the window moves on (for that target only). A target with
 * `perTarget` wrong guesses from every address is under attack: an address that has failed on it
 * waits `backoffMs` after its first wrong guess, doubling with each one after (at most the
 * window); an address that has not failed on it is never refused, so the right secret still works
 * for everyone else (docs/decisions/0004). Counted in the given FailureLog: in memory by default,
 * in Redis when several nodes serve one hall (so every node sees every node's failures).
 */
export class GuessGuard {
  constructor(
    private readonly clock: Clock,
    private readonly limits: GuessLimits,
    private readonly log: FailureLog = new MemoryFailureLog(),
  ) {}

  /** Seconds to wait when blocked, or 0 when an attempt may be made. */
  async retryAfter(address: string, target: string): Promise<number> {
    const now = this.clock.now().getTime();
    const { windowMs } = this.limits;
    const since = now - windowMs;
    const [mine, all] = await Promise.all([
      this.log.recent(pairKey(address, target), since),
      this.log.recent(targetKey(target), since),
    ]);
    const first = mine[0];
    const last = mine[mine.length - 1];
    if (first === undefined || last === undefined) return 0;
    let until = 0;
    if (mine.length >= this.limits.perAddress) until = first + windowMs;
    if (all.length >= this.limits.perTarget) {
      const backoff = Math.min(windowMs, this.limits.backoffMs * 2 ** (mine.length - 1));
      until = Math.max(until, last + backoff);
    }
    return until > now ? Math.max(1, Math.ceil((until - now) / 1000)) : 0;
  }

  async recordFailure(address: string, target: string): Promise<void> {
    const now = this.clock.now().getTime();
    await this.log.add([pairKey(address, target), targetKey(target)], now, this.limits.windowMs);
  }
}

/**
 * The failure log for one guard: shared through Redis when the app has one (every node counts
 * together), else this node's memory.
 */
export function failureLogFor(
  shared: { redis: Redis; prefix: string } | undefined,
  guard: string,
): FailureLog {
  return shared === undefined
    ? new MemoryFailureLog()
    : new RedisFailureLog(shared.redis, `${shared.prefix}guess:${guard}:`);
}

const pairKey = (address: string, target: string) => `a:${target}\n${address}`;
const targetKey = (target: string) => `t:${target}`;
