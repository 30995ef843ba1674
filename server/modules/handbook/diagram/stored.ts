/**
 * Renders kept in the database, so a restart (or another node) does not lay out again what one
 * process already drew, and a diagram too complex to draw is tried once, not on every read.
 * Keyed by the DOT text itself (with the Graphviz version and the guard's revision): the same DOT
 * always gives the same picture, so an entry never goes stale and needs no invalidation.
 */
import { createHash } from 'node:crypto';
import { graphvizVersion } from '@viz-js/viz';
import { type RenderPool } from './pool';
import { renderSvg, type DiagramProblem, type RenderResult } from './render';

/** Bumped when the guard or the render options change what a DOT text draws. */
const RENDER_REVISION = 1;

/** One stored render: the SVG or the error, and the time limit it was drawn under. */
export interface StoredRender {
  svg: string | null;
  error: string | null;
  problem: DiagramProblem | null;
  timeLimitMs: number;
}

/** Where renders are kept (the handbook's repository implements it). */
export interface RenderStore {
  find(key: string): Promise<StoredRender | undefined>;
  save(key: string, render: StoredRender): Promise<void>;
}

/** The key of a DOT text's render. */
export function renderKey(dot: string): string {
  return createHash('sha256')
    .update(`${graphvizVersion}\u0000${RENDER_REVISION}\u0000${dot}`)
    .digest('base64url');
}

/** A render function over `pool` that reads and fills `store`. */
export type Renderer = (dot: string) => Promise<RenderResult>;

/**
 * Renders through the store: a stored render is returned as it is, except a "too complex" one
 * drawn under a shorter limit than the pool's now (tried again). Renders of the same DOT asked for
 * at once share one layout. A store that fails to read or write costs a render, never the answer.
 */
export function storedRenderer(pool: RenderPool, store: RenderStore): Renderer {
  const inFlight = new Map<string, Promise<RenderResult>>();
  const render = async (key: string, dot: string): Promise<RenderResult> => {
    const found = await store.find(key).catch(() => undefined);
    if (
      found !== undefined &&
      !(found.problem === 'too_complex' && found.timeLimitMs < pool.timeLimitMs)
    ) {
      if (found.svg !== null) return { svg: found.svg };
      return {
        error: found.error ?? '',
        ...(found.problem !== null ? { problem: found.problem } : {}),
      };
    }
    const result = await renderSvg(dot, pool);
    if ('transient' in result) return result;
    await store
      .save(key, {
        svg: 'svg' in result ? result.svg : null,
        error: 'error' in result ? result.error : null,
        problem: ('problem' in result ? result.problem : undefined) ?? null,
        timeLimitMs: pool.timeLimitMs,
      })
      .catch(() => undefined);
    return result;
  };
  return (dot) => {
    const key = renderKey(dot);
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = render(key, dot).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };
}
