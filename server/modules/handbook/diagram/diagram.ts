/**
 * One graphviz item from markup to picture: evaluate, lay out, cache.
 */
import { type CachedDiagram, type DiagramCache } from './cache';
import { DiagramMarkupError, evaluateMarkup, type DiagramLimits } from './markup';
import { type HandbookReader } from './reader';
import { renderSvg, type RenderResult } from './render';

export interface DrawDiagramProps {
  /** The graphviz item's text (raw DOT or algorithmic markup). */
  text: string;
  /** Slug of the page the item is on (the context of HERE). */
  page: string;
  /** The item's id. */
  itemId: string;
  reader: HandbookReader;
  cache?: DiagramCache;
  limits?: DiagramLimits;
  /** Lays out the evaluated DOT (default: {@link renderSvg} on the shared pool). */
  render?: (dot: string) => Promise<RenderResult>;
}

/**
 * The picture of a graphviz item: from the cache when a diagram of the same text on the same item
 * is there, else evaluated and laid out (and cached). Markup the evaluator cannot do and DOT that
 * does not lay out give `error` (the text to show instead of the picture); `dot` is then whatever
 * was evaluated.
 */
export async function drawDiagram(props: DrawDiagramProps): Promise<CachedDiagram> {
  const cached = props.cache?.get(props.page, props.itemId, props.text);
  if (cached) return cached;
  let diagram: CachedDiagram;
  try {
    const evaluated = await evaluateMarkup(props.text, props.page, props.reader, props.limits);
    const picture = await (props.render ?? renderSvg)(evaluated.dot);
    const { transient, ...shown } =
      'transient' in picture ? picture : { ...picture, transient: false };
    diagram = {
      ...shown,
      dot: evaluated.dot,
      truncated: evaluated.truncated,
      visited: evaluated.visited,
      usesBacklinks: evaluated.usesBacklinks,
    };
    // Not tried (the server is stopping or busy): the next read tries again.
    if (transient === true) return diagram;
  } catch (error) {
    if (!(error instanceof DiagramMarkupError)) throw error;
    // Not cached: what the markup read before failing is unknown, so nothing could invalidate it.
    return { error: error.message, dot: '', truncated: false, visited: [props.page] };
  }
  props.cache?.set(props.page, props.itemId, props.text, diagram);
  return diagram;
}
