import { describe, expect, it } from 'vitest';
import { evaluateMarkup } from './markup';
import { memoryReader, type HandbookReader } from './reader';
import { handbook, page, statements } from './test-handbook';

/** Markup that follows links `depth` levels deep, drawing every edge. */
function deepMarkup(depth: number): string {
  const lines = ['DOT strict digraph'];
  for (let level = 0; level < depth; level++) {
    const indent = '  '.repeat(2 * level + 1);
    lines.push(`${indent}HERE`, `${indent}  LINKS HERE -> NODE`);
  }
  return lines.join('\n');
}

describe('evaluateMarkup: bounds', () => {
  it('a cycle followed deep stops at the page-visit limit and says so', async () => {
    // Two pages linking to each other twice: the walk doubles at every level.
    const hb = handbook(page('Ping', '[[Pong]] [[Pong]]'), page('Pong', '[[Ping]] [[Ping]]'));
    const result = await evaluateMarkup(deepMarkup(30), 'ping', hb, { maxPages: 25 });
    expect(result.truncated).toBe(true);
    expect(result.cut).toBe('pages');
    expect(result.dot).toContain('label="Diagram cut: it would visit too many pages"');
    // Repeated reads of one page share one read of the store.
    expect(hb.reads).toBeLessThanOrEqual(3);
  });

  it('a huge fan-out stops at the node limit', async () => {
    const links = Array.from({ length: 5000 }, (_, i) => `[[Page ${i}]]`).join(' ');
    const hb = handbook(page('Hub', links));
    const result = await evaluateMarkup(
      'DOT digraph\n  HERE NODE\n    LINKS HERE -> NODE',
      'hub',
      hb,
      { maxNodes: 50 },
    );
    expect(result.truncated).toBe(true);
    expect(result.cut).toBe('nodes');
    const nodes = new Set(statements(result.dot).flatMap((line) => line.match(/"[^"]+"/g) ?? []));
    nodes.delete('"Diagram cut: it would draw too many nodes"');
    expect(nodes.size).toBe(50);
    expect(result.dot).toContain('label="Diagram cut: it would draw too many nodes"');
  });

  it('many duplicate edges are bounded too', async () => {
    const hb = handbook(page('Echo', '[[Again]] '.repeat(20_000)));
    const result = await evaluateMarkup('DOT digraph\n  LINKS HERE -> NODE', 'echo', hb, {
      maxNodes: 10,
    });
    expect(result.truncated).toBe(true);
    expect(statements(result.dot).length).toBeLessThanOrEqual(10 * 10 + 3);
  });

  it('a slow handbook stops at the time budget', async () => {
    const pages = Array.from({ length: 50 }, (_, i) => page(`Step ${i}`, `[[Step ${i + 1}]]`));
    const inner = memoryReader(pages);
    const slow: HandbookReader = {
      page: async (slug) => {
        await new Promise((resolve) => setTimeout(resolve, 15));
        return inner.page(slug);
      },
      resolve: (name) => inner.resolve(name),
      backlinks: (slug) => inner.backlinks(slug),
    };
    const result = await evaluateMarkup(deepMarkup(50), 'step-0', slow, {
      timeBudgetMs: 40,
      maxPages: 1000,
    });
    expect(result.truncated).toBe(true);
    expect(result.cut).toBe('time');
    expect(result.dot).toContain('Diagram cut: it took too long to evaluate');
    expect(statements(result.dot)).toContain('"Step 0" -> "Step 1"');
  });

  it('within the limits nothing is cut', async () => {
    const hb = handbook(page('Ping', '[[Pong]]'), page('Pong', '[[Ping]]'));
    const result = await evaluateMarkup(deepMarkup(4), 'ping', hb);
    expect(result.truncated).toBe(false);
    expect(result.dot).not.toContain('Diagram cut');
    // Four levels: the cycle is walked four times (strict digraph merges the repeats).
    expect(statements(result.dot)).toEqual([
      '"Ping" -> "Pong"',
      '"Pong" -> "Ping"',
      '"Ping" -> "Pong"',
      '"Pong" -> "Ping"',
    ]);
  });
});
