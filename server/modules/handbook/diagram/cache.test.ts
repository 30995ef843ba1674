import { describe, expect, it } from 'vitest';
import { DiagramCache, type CachedDiagram } from './cache';
import { drawDiagram } from './diagram';
import { handbook, page } from './test-handbook';

const diagram = (visited: string[], extra: Partial<CachedDiagram> = {}): CachedDiagram => ({
  svg: '<svg/>',
  dot: 'digraph {}',
  truncated: false,
  visited,
  ...extra,
});

describe('DiagramCache', () => {
  it('keys by page, item and markup', () => {
    const cache = new DiagramCache();
    cache.set('home', 'item1', 'DOT digraph', diagram(['home']));
    expect(cache.get('home', 'item1', 'DOT digraph')?.svg).toBe('<svg/>');
    expect(cache.get('home', 'item1', 'DOT graph')).toBeUndefined();
    expect(cache.get('home', 'item2', 'DOT digraph')).toBeUndefined();
    expect(cache.get('other', 'item1', 'DOT digraph')).toBeUndefined();
  });

  it('drops the diagrams that read a changed page, and those of the page itself', () => {
    const cache = new DiagramCache();
    cache.set('home', 'a', 'x', diagram(['home', 'peace', 'love']));
    cache.set('joy', 'b', 'x', diagram(['joy']));
    cache.set('peace', 'c', 'x', diagram(['missing-slug']));
    cache.invalidate('love');
    expect(cache.get('home', 'a', 'x')).toBeUndefined();
    expect(cache.get('joy', 'b', 'x')).toBeDefined();
    cache.invalidate('peace');
    expect(cache.get('peace', 'c', 'x')).toBeUndefined();
    expect(cache.get('joy', 'b', 'x')).toBeDefined();
    cache.invalidate('joy');
    expect(cache.size).toBe(0);
  });

  it('drops diagrams that use backlinks on any change', () => {
    const cache = new DiagramCache();
    cache.set('home', 'a', 'x', diagram(['home'], { usesBacklinks: true }));
    cache.set('joy', 'b', 'x', diagram(['joy']));
    cache.invalidate('somewhere-else');
    expect(cache.get('home', 'a', 'x')).toBeUndefined();
    expect(cache.get('joy', 'b', 'x')).toBeDefined();
  });

  it('keeps at most its capacity, least recently used dropped first', () => {
    const cache = new DiagramCache(2);
    cache.set('a', 'i', 'x', diagram(['a']));
    cache.set('b', 'i', 'x', diagram(['b']));
    cache.get('a', 'i', 'x');
    cache.set('c', 'i', 'x', diagram(['c']));
    expect(cache.get('b', 'i', 'x')).toBeUndefined();
    expect(cache.get('a', 'i', 'x')).toBeDefined();
    expect(cache.get('c', 'i', 'x')).toBeDefined();
  });
});

describe('drawDiagram with a cache', () => {
  const markup =
    'DOT digraph\n  HERE NODE\n    LINKS HERE -> NODE\n      HERE\n        LINKS HERE -> NODE';

  it('serves the cached picture until a page it read changes', async () => {
    const hb = handbook(page('Home', '[[Peace]]'), page('Peace', '[[Love]]'));
    const cache = new DiagramCache();
    const draw = () => drawDiagram({ text: markup, page: 'home', itemId: 'g1', reader: hb, cache });

    const first = await draw();
    expect(first.dot).toContain('"Peace" -> "Love"');
    const reads = hb.reads;
    const second = await draw();
    expect(second).toBe(first);
    expect(hb.reads).toBe(reads);

    hb.put(page('Peace', '[[Joy]]'));
    cache.invalidate('unrelated');
    expect(await draw()).toBe(first);
    cache.invalidate('peace');
    const third = await draw();
    expect(third.dot).toContain('"Peace" -> "Joy"');
    expect(third.svg).toContain('<title>Joy</title>');
  });

  it('redraws when a missing page it linked to is created', async () => {
    const hb = handbook(page('Home', '[[Later]]'));
    const cache = new DiagramCache();
    const draw = () => drawDiagram({ text: markup, page: 'home', itemId: 'g1', reader: hb, cache });
    expect((await draw()).dot).not.toContain('"Later" ->');
    hb.put(page('Later', '[[Much later]]'));
    cache.invalidate('later');
    expect((await draw()).dot).toContain('"Later" -> "Much later"');
  });

  it('shows layout errors and markup errors instead of a picture', async () => {
    const hb = handbook(page('Home', '[[Peace]]'));
    const bad = await drawDiagram({
      text: 'digraph { a -> }',
      page: 'home',
      itemId: 'g',
      reader: hb,
    });
    expect(bad.svg).toBeUndefined();
    expect(bad.error).toContain('syntax error');
    const wrong = await drawDiagram({
      text: 'DOT digraph\n  SPIN',
      page: 'home',
      itemId: 'g',
      reader: hb,
    });
    expect(wrong.error).toBe("can't do\nSPIN");
  });
});
