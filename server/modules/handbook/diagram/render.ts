/**
 * DOT → SVG with Graphviz compiled to WebAssembly (@viz-js/viz), on a worker pool (pool.ts) with a
 * wall-clock limit, after the DOT is checked and its costly attributes clamped (dot-guard.ts).
 */
import { type RenderOptions } from '@viz-js/viz';
import { type DiagramProblem } from '@common/api/handbook';
import { DotRefused, guardDot } from './dot-guard';
import { RenderPool } from './pool';

/** Largest DOT text handed to Graphviz; layout time grows fast with size. */
export const MAX_DOT_CHARS = 200_000;

/**
 * Above this many edges, layout trades polish for time: straight edges and shorter searches for
 * crossings and positions (spline routing and crossing minimisation dominate dot's time, growing
 * much faster than the graph). The DOT's own attributes cannot ask for more (dot-guard.ts).
 */
export const LARGE_GRAPH_EDGES = 120;

const LARGE_GRAPH_ATTRIBUTES = {
  splines: 'false',
  mclimit: 0.01,
  nslimit: 0.05,
  nslimit1: 0.05,
  searchsize: 5,
  remincross: 'false',
  // One global ranking pass instead of one per component: the same picture here, ~12 % less CPU.
  newrank: 'true',
};

/** The default wall-clock limit of one render (DIAGRAM_TIME_LIMIT_MS). */
export const DEFAULT_RENDER_TIME_LIMIT_MS = 5000;

/** Why a diagram has no picture, for the reader's language (the app translates it). */
export type { DiagramProblem };

/** The English text of a diagram that ran past the time limit. */
export const TOO_COMPLEX_MESSAGE = 'This diagram is too complex to draw.';

/**
 * A render: the SVG, or the text to show instead. `problem` names a kind the app translates;
 * `transient` means it was not tried (the server is stopping or busy) and must not be kept.
 */
export type RenderResult =
  { svg: string } | { error: string; problem?: DiagramProblem; transient?: true };

let shared: RenderPool | undefined;

/** A pool for callers without their own (tests, benchmarks): one worker, the default limit. */
export function sharedRenderPool(): RenderPool {
  shared ??= new RenderPool({ size: 1, timeLimitMs: DEFAULT_RENDER_TIME_LIMIT_MS });
  return shared;
}

/**
 * Lays out `dot` on `pool` and returns the SVG, or the text to show instead: Graphviz's own error
 * when the DOT does not lay out, a refusal when it is past the guard's bounds, "too complex" past
 * the time limit. Links in the SVG are limited to http(s), mailto and same-site addresses.
 */
export async function renderSvg(dot: string, pool = sharedRenderPool()): Promise<RenderResult> {
  if (dot.length > MAX_DOT_CHARS) {
    return { error: `Diagram too large: ${dot.length} characters, at most ${MAX_DOT_CHARS}.` };
  }
  const large = (dot.match(/->|--/g)?.length ?? 0) > LARGE_GRAPH_EDGES;
  let guarded: string;
  try {
    guarded = guardDot(dot, large);
  } catch (error) {
    if (error instanceof DotRefused) return { error: error.message };
    throw error;
  }
  const options: RenderOptions = {
    format: 'svg',
    ...(large ? { graphAttributes: LARGE_GRAPH_ATTRIBUTES } : {}),
  };
  const outcome = await pool.run(guarded, options);
  switch (outcome.status) {
    case 'success':
      return { svg: safeLinks(outcome.output) };
    case 'failure': {
      const text = outcome.errors
        .filter((e) => e.level !== 'warning')
        .map((e) => e.message.trim())
        .join('\n');
      return { error: text || 'Graphviz could not lay out this diagram.' };
    }
    case 'threw':
      return { error: `Graphviz failed on this diagram: ${outcome.message}` };
    case 'timeout':
      return { error: TOO_COMPLEX_MESSAGE, problem: 'too_complex' };
    case 'unavailable':
      return {
        error: `Diagrams cannot be drawn just now (${outcome.reason}); try again.`,
        transient: true,
      };
  }
}

const SAFE_HREF = /^(?:https?:|mailto:|\/|#|\.{0,2}\/|[^:]*$)/i;

/** Replaces any link that is not http(s), mailto or relative (javascript:, data: …) by "#". */
export function safeLinks(svg: string): string {
  return svg.replace(
    /\b(xlink:href|href)="([^"]*)"/g,
    (whole, attribute: string, value: string) => {
      const decoded = value
        .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
        .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(parseInt(code, 16)))
        .replace(/&colon;/gi, ':')
        .replace(/&amp;/g, '&')
        // Browsers ignore control characters and spaces inside a scheme.
        .replace(/\s/g, '')
        .split('')
        .filter((c) => c.charCodeAt(0) > 0x20 && c.charCodeAt(0) !== 0x7f)
        .join('');
      return SAFE_HREF.test(decoded) ? whole : `${attribute}="#"`;
    },
  );
}
