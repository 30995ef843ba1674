/**
 * Times the preview-next diagram of the hub page (50 links): evaluation + layout uncached, and
 * a cache hit.
 */
import {
  DiagramCache,
  drawDiagram,
  PREVIEW_NEXT_DIAGRAM_MARKUP,
  type HandbookReader,
} from '@server/modules/handbook/diagram';
import { ownCpuMs } from './cpu';

export interface Timing {
  runs: number;
  p50: number;
  p99: number;
  mean: number;
}

export interface DiagramTimings {
  nodes: number;
  edges: number;
  svgBytes: number;
  firstRenderMs: number;
  uncached: Timing;
  /** CPU time of this process per uncached diagram: steadier than wall time on a busy machine. */
  uncachedCpu: Timing;
  evaluateOnly: Timing;
  cached: Timing;
}

export function summarise(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    runs: samples.length,
    p50: at(0.5),
    p99: at(0.99),
    mean: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length),
  };
}

export async function timeDiagram(
  reader: HandbookReader,
  slug: string,
  options: { uncachedRuns?: number; cachedRuns?: number } = {},
): Promise<DiagramTimings> {
  const { evaluateMarkup } = await import('@server/modules/handbook/diagram');
  const props = { text: PREVIEW_NEXT_DIAGRAM_MARKUP, page: slug, itemId: 'preview', reader };

  // The first render also compiles Graphviz's WebAssembly module (once per process).
  let start = performance.now();
  const first = await drawDiagram(props);
  const firstRenderMs = performance.now() - start;
  if (!first.svg) throw new Error(`diagram failed: ${first.error ?? 'no svg'}`);

  const uncached: number[] = [];
  const uncachedCpu: number[] = [];
  for (let i = 0; i < (options.uncachedRuns ?? 30); i++) {
    const cpu = ownCpuMs();
    start = performance.now();
    await drawDiagram(props);
    uncached.push(performance.now() - start);
    uncachedCpu.push(ownCpuMs() - cpu);
  }
  const evaluateOnly: number[] = [];
  for (let i = 0; i < (options.uncachedRuns ?? 30); i++) {
    start = performance.now();
    await evaluateMarkup(PREVIEW_NEXT_DIAGRAM_MARKUP, slug, reader);
    evaluateOnly.push(performance.now() - start);
  }

  const cache = new DiagramCache();
  await drawDiagram({ ...props, cache });
  const cached: number[] = [];
  for (let i = 0; i < (options.cachedRuns ?? 10_000); i++) {
    start = performance.now();
    await drawDiagram({ ...props, cache });
    cached.push(performance.now() - start);
  }

  const body = first.dot.split('\n');
  return {
    nodes: body.filter((line) => line.includes(' [URL=')).length,
    edges: body.filter((line) => line.includes(' -> ')).length,
    svgBytes: first.svg.length,
    firstRenderMs,
    uncached: summarise(uncached),
    uncachedCpu: summarise(uncachedCpu),
    evaluateOnly: summarise(evaluateOnly),
    cached: summarise(cached),
  };
}
