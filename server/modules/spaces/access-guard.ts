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
  /** Wrong codes allowed per address for one space in the window (then that address waits). */
  perAddress: number;
  /**
   * Wrong codes per space (from every address) in the window above which the space is under
   * attack: an address that has failed there waits a doubling backoff before each next try.
   */
  perSpace: number;
  windowMs: number;
  /** Under attack, the wait after an address's first wrong code; doubles with each next one. */
  backoffMs: number;
}

export const defaultGuardLimits: GuardLimits = {
  perAddress: 10,
  perSpace: 50,
  windowMs: 10 * 60_000,
  backoffMs: 30_000,
};

/**
 * Counts wrong access codes over a sliding window, per address and space and per space. An address
 * that reached `perAddress` wrong codes for a space waits until the window moves on (for that
 * space only: other spaces are other codes). A space with `perSpace` wrong codes from every address
 * is under attack: an address that has failed there waits `backoffMs` after its first wrong code,
 * doubling with each one after (at most the window); an address that has not failed there is never
 * refused, so the right code still opens the space for everyone else (docs/decisions/0004).
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
    const { windowMs } = this.limits;
    const mine = this.recent(pairKey(address, spaceId), now);
    const first = mine[0];
    const last = mine[mine.length - 1];
    if (first === undefined || last === undefined) return 0;
    let until = 0;
    if (mine.length >= this.limits.perAddress) until = first + windowMs;
    if (this.recent(spaceKey(spaceId), now).length >= this.limits.perSpace) {
      const backoff = Math.min(windowMs, this.limits.backoffMs * 2 ** (mine.length - 1));
      until = Math.max(until, last + backoff);
    }
    return until > now ? Math.max(1, Math.ceil((until - now) / 1000)) : 0;
  }

  recordFailure(address: string, spaceId: string): void {
    const now = this.clock.now().getTime();
    for (const key of [pairKey(address, spaceId), spaceKey(spaceId)]) {
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

const pairKey = (address: string, spaceId: string) => `a:${spaceId}:${address}`;
const spaceKey = (spaceId: string) => `s:${spaceId}`;
