import { SIGNAL_LIMITS } from '@common/protocol';
import type { Clock } from '@server/platform/clock';

/** The flood limits on joining meetings (per node); tests of other things raise them. */
export interface FloodLimits {
  joinTicketsPerAddressPerMinute: number;
  guestJoinTicketsPerSpacePerMinute: number;
  socketsPerAddress: number;
  socketOpensPerAddressPerMinute: number;
}

export const defaultFloodLimits: FloodLimits = {
  joinTicketsPerAddressPerMinute: SIGNAL_LIMITS.joinTicketsPerAddressPerMinute,
  guestJoinTicketsPerSpacePerMinute: SIGNAL_LIMITS.guestJoinTicketsPerSpacePerMinute,
  socketsPerAddress: SIGNAL_LIMITS.socketsPerAddress,
  socketOpensPerAddressPerMinute: SIGNAL_LIMITS.socketOpensPerAddressPerMinute,
};

/**
 * Token buckets by key (an address, a space): each key may take `perMinute` at once and then
 * refills at that rate. In memory, so with several nodes each node limits on its own (the
 * bound per address is then per node; a meeting's lobby bound is exact, it lives on one node).
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly perMinute: number,
    /** Keys kept at most; full buckets are forgotten first (they hold nothing to remember). */
    private readonly maxKeys = 50_000,
  ) {}

  /** Takes one for `key`; false when its bucket is empty (the caller refuses). */
  take(key: string): boolean {
    const now = this.clock.now().getTime();
    const b = this.refilled(key, now);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > this.maxKeys) this.sweep(now);
    return true;
  }

  /** Seconds until `key` may take one again (0: now). */
  retryAfter(key: string): number {
    const b = this.refilled(key, this.clock.now().getTime());
    return b.tokens >= 1 ? 0 : Math.max(1, Math.ceil(((1 - b.tokens) * 60) / this.perMinute));
  }

  private refilled(key: string, now: number): { tokens: number; at: number } {
    const b = this.buckets.get(key);
    if (b === undefined) return { tokens: this.perMinute, at: now };
    const tokens = Math.min(this.perMinute, b.tokens + ((now - b.at) / 60_000) * this.perMinute);
    return { tokens, at: now };
  }

  private sweep(now: number): void {
    for (const key of [...this.buckets.keys()]) {
      if (this.refilled(key, now).tokens >= this.perMinute) this.buckets.delete(key);
    }
    // Still too many (a flood of fresh keys): the oldest go; they are the least likely to matter.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

/** Counts what is open per key (sockets per address), with a ceiling. */
export class KeyedCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts one more for `key`; false (and nothing counted) at the ceiling. */
  acquire(key: string): boolean {
    const n = this.counts.get(key) ?? 0;
    if (n >= this.max) return false;
    this.counts.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n <= 0) this.counts.delete(key);
    else this.counts.set(key, n);
  }
}
