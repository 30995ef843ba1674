/**
 * Handbook diagrams: Federated Wiki's algorithmic Graphviz markup evaluated against a handbook,
 * laid out to SVG, cached until a page it read changes. Used by the handbook module.
 */
export {
  evaluateMarkup,
  DiagramMarkupError,
  DEFAULT_DIAGRAM_LIMITS,
  pageHref,
  withoutSnapshot,
  type DiagramLimits,
  type DiagramCut,
  type EvaluatedDiagram,
} from './markup';
export {
  renderSvg,
  safeLinks,
  MAX_DOT_CHARS,
  DEFAULT_RENDER_TIME_LIMIT_MS,
  TOO_COMPLEX_MESSAGE,
  type DiagramProblem,
  type RenderResult,
} from './render';
export { RenderPool, renderPoolStats } from './pool';
export { DOT_BOUNDS, ALLOWED_ENGINES } from './dot-guard';
export {
  storedRenderer,
  renderKey,
  type RenderStore,
  type StoredRender,
  type Renderer,
} from './stored';
export { DiagramCache, markupHash, type CachedDiagram } from './cache';
export { drawDiagram, type DrawDiagramProps } from './diagram';
export {
  PREVIEW_NEXT_DIAGRAM_MARKUP,
  PREVIEW_NEXT_DIAGRAM_SLUG,
  PREVIEW_NEXT_DIAGRAM_TITLE,
} from './preview-next';
export {
  memoryReader,
  linksIn,
  slugForTitle,
  type HandbookReader,
  type DiagramPage,
  type DiagramItem,
} from './reader';
