import { seqDiff } from './rtp';

/** How the NACK generator treats a packet it was shown. */
export type SeqVerdict = 'new' | 'recovered' | 'duplicate' | 'late';

export interface NackOptions {
  /** Wait between NACKs for the same packet (ms). */
  retryMs?: number;
  /** NACKs per lost packet before giving up. */
  maxTries?: number;
  /** A jump larger than this is a stream restart, not loss: nothing is requested. */
  maxGap?: number;
  /** Most packets tracked as missing at once. */
  maxMissing?: number;
}

interface Missing {
  nextAtMs: number;
  tries: number;
}

/**
 * Receiver-side loss detection for one RTP stream: notices sequence gaps and says which
 * sequence numbers to NACK, and when. libdatachannel has no NACK generator, so the engine uses
 * this on every publisher track.
 */
export class NackGenerator {
  private highest = -1;
  private readonly missing = new Map<number, Missing>();
  private readonly retryMs: number;
  private readonly maxTries: number;
  private readonly maxGap: number;
  private readonly maxMissing: number;
  /** Packets given up on since the last call to takeLost(). */
  private lost = 0;

  constructor(o: NackOptions = {}) {
    this.retryMs = o.retryMs ?? 50;
    this.maxTries = o.maxTries ?? 6;
    this.maxGap = o.maxGap ?? 256;
    this.maxMissing = o.maxMissing ?? 512;
  }

  /** Records an arriving sequence number. */
  receive(seq: number, nowMs: number): SeqVerdict {
    if (this.highest < 0) {
      this.highest = seq;
      return 'new';
    }
    const d = seqDiff(seq, this.highest);
    if (d > 0) {
      if (d > 1 && d <= this.maxGap) {
        for (let i = 1; i < d; i++)
          this.missing.set((this.highest + i) & 0xffff, { nextAtMs: nowMs, tries: 0 });
        while (this.missing.size > this.maxMissing) {
          const oldest = this.missing.keys().next().value as number;
          this.missing.delete(oldest);
          this.lost++;
        }
      } else if (d > this.maxGap) {
        this.missing.clear();
      }
      this.highest = seq;
      return 'new';
    }
    if (d === 0) return 'duplicate';
    if (this.missing.delete(seq)) return 'recovered';
    return 'late';
  }

  /** Sequence numbers to NACK now (and schedules their retries). */
  due(nowMs: number): number[] {
    if (this.missing.size === 0) return [];
    const out: number[] = [];
    for (const [seq, m] of this.missing) {
      if (m.nextAtMs > nowMs) continue;
      if (m.tries >= this.maxTries) {
        this.missing.delete(seq);
        this.lost++;
        continue;
      }
      m.tries++;
      m.nextAtMs = nowMs + this.retryMs;
      out.push(seq);
    }
    return out;
  }

  /** True while some packet is still awaited. */
  pending(): boolean {
    return this.missing.size > 0;
  }

  /** Packets given up on since the last call (the engine asks for a keyframe when > 0). */
  takeLost(): number {
    const n = this.lost;
    this.lost = 0;
    return n;
  }
}
