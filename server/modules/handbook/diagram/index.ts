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
export { renderSvg, safeLinks, MAX_DOT_CHARS } from './render';
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
