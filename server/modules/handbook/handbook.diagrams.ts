import type { Item } from '@common/api/handbook';
import {
  DiagramCache,
  drawDiagram,
  PREVIEW_NEXT_DIAGRAM_SLUG,
  type HandbookReader,
} from './diagram';
import type { DiagramPort, HandbookService } from './handbook.service';

/** The item id under which a page's one-click neighbourhood diagram is cached. */
const NEIGHBOURHOOD_ITEM = '__neighbourhood';

/**
 * Connects the diagram module to the handbook: a reader over the handbook's pages (with their
 * section Previous/Next lines) and one cache, invalidated by every change the service saves.
 */
export function wireDiagrams(service: HandbookService, cache = new DiagramCache()): DiagramPort {
  const reader: HandbookReader = {
    page: (slug) => service.readerPage(slug),
    backlinks: (slug) => service.readerBacklinks(slug),
    resolve: (titleOrSlug) => service.readerResolve(titleOrSlug),
  };
  const draw = async (here: string, itemId: string, text: string) => {
    const d = await drawDiagram({ text, page: here, itemId, reader, cache });
    return {
      dot: d.dot,
      truncated: d.truncated,
      ...(d.svg !== undefined ? { svg: d.svg } : {}),
      ...(d.error !== undefined ? { error: d.error } : {}),
    };
  };
  const port: DiagramPort = {
    renderItem: (here: string, item: Item) =>
      draw(here, item.id, typeof item.text === 'string' ? item.text : ''),
    // Through FROM, so a handbook's own preview-next-diagram page replaces the built-in markup.
    neighbourhood: (here: string) =>
      draw(here, NEIGHBOURHOOD_ITEM, `DOT FROM ${PREVIEW_NEXT_DIAGRAM_SLUG}`),
    invalidate: (slug: string) => cache.invalidate(slug),
    clear: () => cache.clear(),
  };
  service.diagrams = port;
  return port;
}
