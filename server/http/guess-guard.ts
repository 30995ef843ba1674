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
 * Counts wrong guesses of a secret (an access code, a password) over a sliding window, per address
 * and target (a space, an account) and per target. An address that reached `perAddress` wrong
 * guesses on a target waits until the window moves on (for that target only). A target with
 * `perTarget` wrong guesses from every address is under attack: an address that has failed on it
 * waits `backoffMs` after its first wrong guess, doubling with each one after (at most the
 * window); an address that has not failed on it is never refused, so the right secret still works
 * for everyone else (docs/decisions/0004). In memory: a multi-node install limits per node,
 * which still bounds guessing.
 */
export class GuessGuard {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: GuessLimits,
  ) {}

  /** Seconds to wait when blocked, or 0 when an attempt may be made. */
  retryAfter(address: string, target: string): number {
    const now = this.clock.now().getTime();
    const { windowMs } = this.limits;
    const mine = this.recent(pairKey(address, target), now);
    const first = mine[0];
    const last = mine[mine.length - 1];
    if (first === undefined || last === undefined) return 0;
    let until = 0;
    if (mine.length >= this.limits.perAddress) until = first + windowMs;
    if (this.recent(targetKey(target), now).length >= this.limits.perTarget) {
      const backoff = Math.min(windowMs, this.limits.backoffMs * 2 ** (mine.length - 1));
      until = Math.max(until, last + backoff);
    }
    return until > now ? Math.max(1, Math.ceil((until - now) / 1000)) : 0;
  }

  recordFailure(address: string, target: string): void {
    const now = this.clock.now().getTime();
    for (const key of [pairKey(address, target), targetKey(target)]) {
      const list = this.recent(key, now);
      list.push(now);
      this.failures.set(key, list);
    }
    if (this.failures.size > 10_000) this.sweep(now);
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.limits.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  private sweep(now: number): void {
    for (const key of [...this.failures.keys()]) this.recent(key, now);
  }
}

const pairKey = (address: string, target: string) => `a:${target}\n${address}`;
const targetKey = (target: string) => `t:${target}`;
