import { describe, expect, it } from 'vitest';
import { diffVersions, wordRuns } from './history-diff';

const p = (id: string, text: string) => ({ id, type: 'paragraph', text });

describe('the history word diff', () => {
  it('marks the words inserted and deleted in an edited item, keeping the rest', () => {
    expect(
      wordRuns('Boats keep clear of the marsh.', 'Boats stay clear of the salt marsh.'),
    ).toEqual([
      { text: 'Boats ', kind: 'same' },
      { text: 'keep', kind: 'deleted' },
      { text: 'stay', kind: 'inserted' },
      { text: ' clear of the ', kind: 'same' },
      { text: 'salt ', kind: 'inserted' },
      { text: 'marsh.', kind: 'same' },
    ]);
  });

  it('matches items by id: added, removed where they stood, changed, reordered, renamed', () => {
    const before = {
      title: 'Harbour Rules',
      story: [p('a', 'one'), p('b', 'two'), p('c', 'three')],
    };
    const after = {
      title: 'Harbour Laws',
      story: [p('c', 'three'), p('a', 'one more'), p('d', 'four')],
    };
    const d = diffVersions(before, after);
    // b stood before c, the first item kept: it is shown there.
    expect(d.items.map((i) => `${i.kind} ${i.id}`)).toEqual(['removed b', 'changed a', 'added d']);
    expect(d.items[1]?.runs.filter((r) => r.kind === 'inserted').map((r) => r.text.trim())).toEqual(
      ['more'],
    );
    expect(d.moved).toBe(true);
    expect(d.title?.map((r) => `${r.kind}:${r.text}`)).toEqual([
      'same:Harbour ',
      'deleted:Rules',
      'inserted:Laws',
    ]);
  });

  it('shows the first version as every item added, and no change as nothing', () => {
    const v = { title: 'T', story: [p('a', 'one')] };
    expect(diffVersions(null, v).items).toEqual([
      { kind: 'added', id: 'a', type: 'paragraph', runs: [{ text: 'one', kind: 'inserted' }] },
    ]);
    expect(diffVersions(v, v)).toEqual({ title: null, items: [], moved: false });
  });
});
