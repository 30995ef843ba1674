/**
 * Active speakers from RFC 6464 audio levels, and the last-N selection of whose video is
 * forwarded. Pure: the engine feeds levels and the clock in.
 */

export interface SpeakerOptions {
  /** Levels at or below this (−dBov; 0 is loudest) count as speech. */
  speechLevel?: number;
  /** Window over which speech is counted (ms). */
  windowMs?: number;
  /** Fraction of the window's packets that must be speech to be an active speaker. */
  minSpeechRatio?: number;
}

interface Activity {
  /** Start of the current window. */
  windowStart: number;
  speech: number;
  packets: number;
  loudness: number;
  /** Result of the last completed window. */
  active: boolean;
  score: number;
  lastActiveMs: number;
}

/**
 * Tracks which peers are speaking. `observe` per audio packet (cheap), `tick` a few times a
 * second to get the active speakers (loudest first) and the recency order used for last-N.
 */
export class SpeakerTracker {
  private readonly peers = new Map<string, Activity>();
  /** Peers ordered by how recently they were an active speaker, most recent first. */
  private recency: string[] = [];
  private readonly speechLevel: number;
  private readonly windowMs: number;
  private readonly minSpeechRatio: number;

  constructor(o: SpeakerOptions = {}) {
    this.speechLevel = o.speechLevel ?? 60;
    this.windowMs = o.windowMs ?? 1000;
    this.minSpeechRatio = o.minSpeechRatio ?? 0.2;
  }

  observe(peerId: string, level: number, nowMs: number): void {
    let a = this.peers.get(peerId);
    if (a === undefined) {
      a = {
        windowStart: nowMs,
        speech: 0,
        packets: 0,
        loudness: 0,
        active: false,
        score: 0,
        lastActiveMs: 0,
      };
      this.peers.set(peerId, a);
    }
    a.packets++;
    if (level >= 0 && level <= this.speechLevel) {
      a.speech++;
      a.loudness += 127 - level;
    }
  }

  remove(peerId: string): void {
    this.peers.delete(peerId);
    this.recency = this.recency.filter((p) => p !== peerId);
  }

  /**
   * Closes windows that have ended and returns the current active speakers, loudest first.
   * A peer that sent no audio for a whole window (muted, or DTX silence) is not active.
   */
  tick(nowMs: number): string[] {
    for (const [id, a] of this.peers) {
      if (nowMs - a.windowStart < this.windowMs) continue;
      const ratio = a.packets > 0 ? a.speech / a.packets : 0;
      a.active = a.speech > 0 && ratio >= this.minSpeechRatio;
      a.score = a.active ? a.loudness / Math.max(1, a.packets) : 0;
      if (a.active) {
        a.lastActiveMs = nowMs;
        this.recency = [id, ...this.recency.filter((p) => p !== id)];
      }
      a.windowStart = nowMs;
      a.speech = 0;
      a.packets = 0;
      a.loudness = 0;
    }
    return [...this.peers.entries()]
      .filter(([, a]) => a.active)
      .sort((x, y) => y[1].score - x[1].score)
      .map(([id]) => id);
  }

  /** Peers that have ever spoken, most recent speaker first. */
  recentSpeakers(): readonly string[] {
    return this.recency;
  }
}

/**
 * Whose video is forwarded: the `n` most recent speakers, then (to fill the remaining slots) the
 * other video publishers in the order they joined. With no more publishers than `n`, everyone.
 */
export function selectLastN(
  recentSpeakers: readonly string[],
  publishers: readonly string[],
  n: number,
): Set<string> {
  if (publishers.length <= n) return new Set(publishers);
  const present = new Set(publishers);
  const out = new Set<string>();
  for (const p of recentSpeakers) {
    if (out.size >= n) break;
    if (present.has(p)) out.add(p);
  }
  for (const p of publishers) {
    if (out.size >= n) break;
    out.add(p);
  }
  return out;
}

/**
 * The camera bitrate cap (bits/s) for a meeting of `participants`: generous for a small
 * meeting, falling as the meeting grows so every subscriber's downlink stays reasonable.
 */
export function bitrateCapFor(participants: number): number {
  if (participants <= 2) return 2_000_000;
  if (participants <= 4) return 1_200_000;
  if (participants <= 9) return 800_000;
  if (participants <= 16) return 500_000;
  if (participants <= 30) return 350_000;
  return 250_000;
}
