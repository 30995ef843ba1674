/**
 * DOT → SVG with Graphviz compiled to WebAssembly (@viz-js/viz). One instance is created on first
 * use and reused: creating it compiles the module, which is the slow part.
 */
import { instance, type Viz } from '@viz-js/viz';

/** Largest DOT text handed to Graphviz; layout time grows fast with size and cannot be stopped. */
export const MAX_DOT_CHARS = 200_000;

/**
 * Above this many edges, layout trades polish for time: straight edges and shorter searches for
 * crossings and positions (spline routing and crossing minimisation dominate dot's time, growing
 * much faster than the graph). Attributes written in the DOT itself still win.
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

let viz: Promise<Viz> | undefined;

function graphviz(): Promise<Viz> {
  viz ??= instance();
  return viz;
}

/**
 * Lays out `dot` and returns the SVG, or Graphviz's own error text when the DOT does not lay out.
 * Links in the SVG are limited to http(s), mailto and same-site addresses.
 */
export async function renderSvg(dot: string): Promise<{ svg: string } | { error: string }> {
  if (dot.length > MAX_DOT_CHARS) {
    return { error: `Diagram too large: ${dot.length} characters, at most ${MAX_DOT_CHARS}.` };
  }
  const engine = await graphviz();
  let result: ReturnType<Viz['render']>;
  try {
    const edges = dot.match(/->|--/g)?.length ?? 0;
    result = engine.render(dot, {
      format: 'svg',
      ...(edges > LARGE_GRAPH_EDGES ? { graphAttributes: LARGE_GRAPH_ATTRIBUTES } : {}),
    });
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  if (result.status !== 'success') {
    const text = result.errors
      .filter((e) => e.level !== 'warning')
      .map((e) => e.message.trim())
      .join('\n');
    return { error: text || 'Graphviz could not lay out this diagram.' };
  }
  return { svg: safeLinks(result.output) };
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
