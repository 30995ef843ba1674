import type { Item, JournalAction } from '@common/api/handbook';

export interface PageState {
  title: string;
  story: Item[];
}

function asItem(v: unknown): Item | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  return typeof o.id === 'string' && typeof o.type === 'string' ? (o as Item) : undefined;
}

/**
 * Applies one journal action to a page state the way Federated Wiki replays a journal:
 * create (and our restore and rename, which are creates) resets title/story from `item`;
 * add inserts after `after` (or at the end); edit replaces by id; move reorders; remove deletes;
 * fork changes nothing.
 */
export function applyAction(state: PageState, action: JournalAction): PageState {
  const story = state.story.slice();
  switch (action.type) {
    case 'create': {
      const item = action.item as { title?: unknown; story?: unknown } | undefined;
      const title = typeof item?.title === 'string' ? item.title : state.title;
      const next = Array.isArray(item?.story)
        ? item.story.map(asItem).filter((i): i is Item => i !== undefined)
        : story;
      return { title, story: next.map((i) => ({ ...i })) };
    }
    case 'add': {
      const item = asItem(action.item);
      if (item === undefined) return state;
      const at = action.after === undefined ? -1 : story.findIndex((i) => i.id === action.after);
      if (action.after !== undefined && at >= 0) story.splice(at + 1, 0, { ...item });
      else story.push({ ...item });
      return { title: state.title, story };
    }
    case 'edit': {
      const item = asItem(action.item);
      if (item === undefined) return state;
      const at = story.findIndex((i) => i.id === (action.id ?? item.id));
      if (at >= 0) story[at] = { ...item };
      else story.push({ ...item });
      return { title: state.title, story };
    }
    case 'move': {
      if (!Array.isArray(action.order)) return state;
      const byId = new Map(story.map((i) => [i.id, i]));
      const moved = action.order.flatMap((id) => {
        const i = byId.get(id);
        if (i === undefined) return [];
        byId.delete(id);
        return [i];
      });
      return { title: state.title, story: [...moved, ...byId.values()] };
    }
    case 'remove':
      return { title: state.title, story: story.filter((i) => i.id !== action.id) };
    default:
      return state;
  }
}

/** The page as it was after journal action `index` (0-based), replayed from the start. */
export function replay(
  journal: readonly JournalAction[],
  index: number,
  fallbackTitle: string,
): PageState {
  let state: PageState = { title: fallbackTitle, story: [] };
  for (const action of journal.slice(0, index + 1)) state = applyAction(state, action);
  return state;
}

/** True when journal actions from `fromIndex` on changed (edited, removed or reset) item `id`. */
export function itemChangedSince(
  journal: readonly JournalAction[],
  fromIndex: number,
  id: string,
): boolean {
  return journal.slice(Math.max(0, fromIndex)).some((a) => {
    // A rename is a create that keeps the story; a restore resets every item.
    if (a.type === 'create') return a.renamedFrom === undefined;
    if (a.type === 'remove') return a.id === id;
    if (a.type === 'edit') return (a.id ?? asItem(a.item)?.id) === id;
    return false;
  });
}
