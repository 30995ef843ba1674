import { diffWords } from 'diff';
import type { Item } from './api';

/** One run of words: kept, inserted or deleted. */
export interface WordRun {
  text: string;
  kind: 'same' | 'inserted' | 'deleted';
}

/** What became of one item between two versions of a page. */
export type ItemChange =
  | { kind: 'added'; id: string; type: string; runs: WordRun[] }
  | { kind: 'removed'; id: string; type: string; runs: WordRun[] }
  | { kind: 'changed'; id: string; type: string; runs: WordRun[] };

export interface VersionDiff {
  /** The title's words, when the title changed. */
  title: WordRun[] | null;
  items: ItemChange[];
  /** The items both versions hold stand in another order. */
  moved: boolean;
}

interface Version {
  title: string;
  story: Item[];
}

/** The words of `before` and `after`, as the word diff (jsdiff's diffWords) runs them. */
export function wordRuns(before: string, after: string): WordRun[] {
  return diffWords(before, after).map((c) => ({
    text: c.value,
    kind: c.added ? 'inserted' : c.removed ? 'deleted' : 'same',
  }));
}

/** An item's words, as its text (or, for items without text, its caption or nothing). */
const textOf = (item: Item): string => {
  const text = (item as { text?: unknown }).text;
  return typeof text === 'string' ? text : '';
};

/**
 * What changed from one version of a page to the next: items matched by id, each added, removed
 * or edited item with its word diff (in the newer version's order, removed ones where they stood),
 * the title's diff when it changed, and whether the remaining items were reordered.
 */
export function diffVersions(before: Version | null, after: Version): VersionDiff {
  const old = before?.story ?? [];
  const oldById = new Map(old.map((i) => [i.id, i]));
  const newIds = new Set(after.story.map((i) => i.id));
  const items: ItemChange[] = [];
  const removedAt = (index: number) => old.slice(index).filter((i) => !newIds.has(i.id));
  // Removed items that stood before the first kept one come first.
  let oldIndex = 0;
  const flushRemovedBefore = (id: string | undefined) => {
    while (oldIndex < old.length) {
      const o = old[oldIndex];
      if (o === undefined || o.id === id) break;
      if (!newIds.has(o.id))
        items.push({
          kind: 'removed',
          id: o.id,
          type: o.type,
          runs: [{ text: textOf(o), kind: 'deleted' }],
        });
      oldIndex++;
    }
  };
  for (const item of after.story) {
    const prev = oldById.get(item.id);
    if (prev === undefined) {
      items.push({
        kind: 'added',
        id: item.id,
        type: item.type,
        runs: [{ text: textOf(item), kind: 'inserted' }],
      });
      continue;
    }
    flushRemovedBefore(item.id);
    if (oldIndex < old.length && old[oldIndex]?.id === item.id) oldIndex++;
    if (JSON.stringify(prev) !== JSON.stringify(item)) {
      items.push({
        kind: 'changed',
        id: item.id,
        type: item.type,
        runs: wordRuns(textOf(prev), textOf(item)),
      });
    }
  }
  for (const o of removedAt(oldIndex))
    items.push({
      kind: 'removed',
      id: o.id,
      type: o.type,
      runs: [{ text: textOf(o), kind: 'deleted' }],
    });
  const keptOld = old.filter((i) => newIds.has(i.id)).map((i) => i.id);
  const keptNew = after.story.filter((i) => oldById.has(i.id)).map((i) => i.id);
  return {
    title:
      before !== null && before.title !== after.title ? wordRuns(before.title, after.title) : null,
    items,
    moved: keptOld.join('\n') !== keptNew.join('\n'),
  };
}
