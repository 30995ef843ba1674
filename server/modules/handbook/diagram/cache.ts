/**
 * Rendered diagrams, kept until a page they read changes.
 */
import { createHash } from 'node:crypto';
import { type DiagramProblem } from './render';

/** One rendered graphviz item. */
export interface CachedDiagram {
  /** The SVG, or Graphviz's error text when the DOT did not lay out. */
  svg?: string;
  error?: string;
  /** Set with `error` when the app shows a translated text instead (e.g. too complex to draw). */
  problem?: DiagramProblem;
  dot: string;
  truncated: boolean;
  /** Slugs of the pages the evaluation read (see EvaluatedDiagram.visited). */
  visited: string[];
  /** Depends on backlinks, so on any page's links: dropped on every change. */
  usesBacklinks?: boolean;
}

/** A short stable hash of a graphviz item's text. */
export function markupHash(markup: string): string {
  return createHash('sha256').update(markup).digest('base64url').slice(0, 22);
}

/**
 * Diagrams keyed by (page slug, item id, markup hash), at most `maxEntries` (least recently used
 * dropped first). `invalidate(slug)` drops every diagram of that page and every diagram that read it.
 */
export class DiagramCache {
  private readonly entries = new Map<string, { page: string; diagram: CachedDiagram }>();
  /** slug → keys of the entries that read it. */
  private readonly readers = new Map<string, Set<string>>();
  private readonly volatile = new Set<string>();

  constructor(private readonly maxEntries = 2000) {}

  get size(): number {
    return this.entries.size;
  }

  get(page: string, itemId: string, markup: string): CachedDiagram | undefined {
    const key = this.key(page, itemId, markup);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Refresh its place in the least-recently-used order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.diagram;
  }

  set(page: string, itemId: string, markup: string, diagram: CachedDiagram): void {
    const key = this.key(page, itemId, markup);
    this.drop(key);
    this.entries.set(key, { page, diagram });
    for (const slug of new Set([page, ...diagram.visited])) {
      let keys = this.readers.get(slug);
      if (!keys) this.readers.set(slug, (keys = new Set()));
      keys.add(key);
    }
    if (diagram.usesBacklinks) this.volatile.add(key);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.drop(oldest);
    }
  }

  /** Forget every diagram that depends on page `changedSlug` (created, edited, renamed, removed). */
  invalidate(changedSlug: string): void {
    for (const key of [...(this.readers.get(changedSlug) ?? []), ...this.volatile]) this.drop(key);
  }

  clear(): void {
    this.entries.clear();
    this.readers.clear();
    this.volatile.clear();
  }

  private key(page: string, itemId: string, markup: string): string {
    return `${page}\u0000${itemId}\u0000${markupHash(markup)}`;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.volatile.delete(key);
    for (const slug of new Set([entry.page, ...entry.diagram.visited])) {
      const keys = this.readers.get(slug);
      keys?.delete(key);
      if (keys?.size === 0) this.readers.delete(slug);
    }
  }
}
