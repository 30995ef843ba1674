import { afterEach, describe, expect, it, vi } from 'vitest';
import { RenderPool, renderPoolStats } from './pool';
import { renderSvg, TOO_COMPLEX_MESSAGE } from './render';
import { costlyDot } from './test-handbook';

const innocent = 'digraph { "Mission" -> "Vision" }';

describe('RenderPool', () => {
  const pools: RenderPool[] = [];
  const pool = (timeLimitMs: number) => {
    const p = new RenderPool({ size: 1, timeLimitMs });
    pools.push(p);
    return p;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
    expect(renderPoolStats.liveWorkers).toBe(0);
  });

  it('an instance that threw is discarded: the next render works', async () => {
    const p = pool(30_000);
    // Straight to the pool, past the guard: the WebAssembly instance runs out of bounds.
    const poison = `digraph { a [shape=record label="${'{'.repeat(3000)}x${'}'.repeat(3000)}"] }`;
    expect(await p.run(poison, { format: 'svg' })).toMatchObject({ status: 'threw' });
    expect(await p.run(innocent, { format: 'svg' })).toMatchObject({ status: 'success' });
  });

  it('poison DOT gets an error and every later diagram is still drawn', async () => {
    const p = pool(30_000);
    const poisons = [
      `digraph { a [shape=record label="${'{'.repeat(3000)}x${'}'.repeat(3000)}"] }`,
      `digraph { a [label=<${'<table><tr><td>'.repeat(200)}x${'</td></tr></table>'.repeat(200)}>] }`,
      `digraph { ${'subgraph { '.repeat(5000)} a ${'}'.repeat(5000)} }`,
      `digraph { compound=true; ${Array.from({ length: 800 }, (_, i) => `subgraph cluster_${i} { c${i} } c0 -> c${i} [lhead=cluster_${i}]`).join('\n')} }`,
    ];
    for (const poison of poisons) {
      const bad = await renderSvg(poison, p);
      expect('error' in bad && bad.error).toMatch(/nested too deep|Too many/);
      const good = await renderSvg(innocent, p);
      expect('svg' in good && good.svg).toContain('<title>Mission</title>');
    }
  });

  it('a render past the time limit is too complex, its worker replaced', async () => {
    // Even clamped, laying out 3,540 edges takes far longer than a second; the innocent, far less.
    const p = pool(1000);
    const result = await renderSvg(costlyDot(60), p);
    expect(result).toEqual({ error: TOO_COMPLEX_MESSAGE, problem: 'too_complex' });
    expect('svg' in (await renderSvg(innocent, p))).toBe(true);
  });

  it('close ends a render in progress at once', async () => {
    const p = pool(600_000);
    const before = renderPoolStats.started;
    // Minutes of work, even clamped.
    const pending = renderSvg(costlyDot(60), p);
    await vi.waitFor(() => expect(renderPoolStats.started).toBe(before + 1), { timeout: 20_000 });
    await p.close();
    expect(await pending).toMatchObject({ transient: true });
    expect(renderPoolStats.liveWorkers).toBe(0);
    expect(await renderSvg(innocent, p)).toMatchObject({ transient: true });
  });
});
