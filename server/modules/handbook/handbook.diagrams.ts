import type { Item } from '@common/api/handbook';
import {
  DiagramCache,
  drawDiagram,
  PREVIEW_NEXT_DIAGRAM_SLUG,
  type HandbookReader,
  type Renderer,
} from './diagram';
import type { DiagramPort, HandbookService } from './handbook.service';

/** The item id under which a page's one-click neighbourhood diagram is cached. */
const NEIGHBOURHOOD_ITEM = '__neighbourhood';

/**
 * Connects the diagram module to the handbook: a reader over the handbook's pages (with their
 * section Previous/Next lines) and one cache, invalidated by every change the service saves.
 *
 * Writes from elsewhere (another server process, `commonhall handbook import`) cannot reach this
 * cache, so before drawing it reads the handbook's generation (one primary-key read): when the
 * generation moved by anything but this process's own writes, every cached diagram is dropped.
 */
export function wireDiagrams(
  service: HandbookService,
  cache = new DiagramCache(),
  render?: Renderer,
): DiagramPort {
  /** The generation the cache is known to agree with; undefined until first read. */
  let known: number | undefined;
  const fresh = async (): Promise<number> => {
    const now = await service.repo.generation();
    if (now !== known) {
      cache.clear();
      known = now;
    }
    return now;
  };
  const reader: HandbookReader = {
    page: (slug) => service.readerPage(slug),
    backlinks: (slug) => service.readerBacklinks(slug),
    resolve: (titleOrSlug) => service.readerResolve(titleOrSlug),
  };
  const draw = async (here: string, itemId: string, text: string) => {
    const before = await fresh();
    const miss = cache.get(here, itemId, text) === undefined;
    const d = await drawDiagram({
      text,
      page: here,
      itemId,
      reader,
      cache,
      ...(render !== undefined ? { render } : {}),
    });
    // A write committed while this picture was drawn (possible on PostgreSQL, where reads do not
    // wait for a writer's transaction): what it read may be stale, so it is not kept.
    if (miss && (await service.repo.generation()) !== before) cache.invalidate(here);
    return {
      dot: d.dot,
      truncated: d.truncated,
      ...(d.svg !== undefined ? { svg: d.svg } : {}),
      ...(d.error !== undefined ? { error: d.error } : {}),
      ...(d.problem !== undefined ? { problem: d.problem } : {}),
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
    committed: (generation: number) => {
      // Our own write, the next after the one we knew: its invalidations already ran.
      if (known !== undefined && generation === known + 1) known = generation;
    },
  };
  service.diagrams = port;
  return port;
}
