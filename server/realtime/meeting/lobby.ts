import type { LobbyEntry } from '@common/protocol';

/**
 * The lobby of one meeting: people waiting to be admitted, in arrival order. A moderator admits
 * or denies one at a time; moderators get the whole list once, then each change.
 */
export class Lobby {
  private readonly waiting = new Map<string, LobbyEntry>();

  /** Adds someone at the end of the queue (again: keeps their place); returns their entry. */
  enqueue(entry: LobbyEntry): LobbyEntry {
    const known = this.waiting.get(entry.id);
    if (known !== undefined) return known;
    this.waiting.set(entry.id, entry);
    return entry;
  }

  has(id: string): boolean {
    return this.waiting.has(id);
  }

  /** Takes someone out (admitted, denied or gone); returns their entry if they were waiting. */
  take(id: string): LobbyEntry | undefined {
    const entry = this.waiting.get(id);
    this.waiting.delete(id);
    return entry;
  }

  /** Everyone waiting, first come first. */
  list(): LobbyEntry[] {
    return [...this.waiting.values()];
  }

  get size(): number {
    return this.waiting.size;
  }
}
