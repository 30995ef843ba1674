import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@server/platform/clock';

/**
 * Compares an access code with the stored one in constant time: both are hashed first, so neither
 * the content nor the length of the stored code leaks through timing.
 */
export function codesMatch(given: string, stored: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(stored, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export interface GuardLimits {
  /** Wrong codes allowed per address in the window. */
  perAddress: number;
  /** Wrong codes allowed per space (from every address) in the window. */
  perSpace: number;
  windowMs: number;
}

export const defaultGuardLimits: GuardLimits = {
  perAddress: 10,
  perSpace: 50,
  windowMs: 10 * 60_000,
};

/**
 * Counts wrong access codes per address and per space over a sliding window; once either count
 * reaches its limit, further attempts (right or wrong) are refused until the window moves on.
 * In memory: a multi-node install limits per node, which still bounds guessing.
 */
export class AccessCodeGuard {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: GuardLimits = defaultGuardLimits,
  ) {}

  /** Seconds to wait when blocked, or 0 when an attempt may be made. */
  retryAfter(address: string, spaceId: string): number {
    const now = this.clock.now().getTime();
    const byAddress = this.recent(`a:${address}`, now);
    const bySpace = this.recent(`s:${spaceId}`, now);
    const blocked: number[] = [];
    if (byAddress.length >= this.limits.perAddress && byAddress[0] !== undefined)
      blocked.push(byAddress[0]);
    if (bySpace.length >= this.limits.perSpace && bySpace[0] !== undefined)
      blocked.push(bySpace[0]);
    if (blocked.length === 0) return 0;
    const oldest = Math.max(...blocked);
    return Math.max(1, Math.ceil((oldest + this.limits.windowMs - now) / 1000));
  }

  recordFailure(address: string, spaceId: string): void {
    const now = this.clock.now().getTime();
    for (const key of [`a:${address}`, `s:${spaceId}`]) {
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
