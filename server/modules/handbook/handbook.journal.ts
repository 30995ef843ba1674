import { randomBytes } from 'node:crypto';
import {
  HANDBOOK_JOURNAL_SERVED_MAX_ACTIONS,
  HANDBOOK_JOURNAL_SERVED_MAX_BYTES,
  HANDBOOK_PAGE_MAX_BYTES,
  isDotSegment,
  type Item,
  type JournalAction,
} from '@common/api/handbook';

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

/** What the history list and the edit-conflict check read of an action, kept beside it. */
export interface ActionSummary {
  type: string;
  date: number | null;
  author: string | null;
  itemId: string | null;
  /** A create that keeps the story (a rename). */
  renamed?: true;
}

export function summaryOf(a: JournalAction): ActionSummary {
  const itemId = a.id ?? asItem(a.item)?.id ?? null;
  return {
    type: a.type,
    date: typeof a.date === 'number' ? a.date : null,
    author: typeof a.author === 'string' ? a.author : null,
    itemId,
    ...(a.type === 'create' && a.renamedFrom !== undefined ? { renamed: true as const } : {}),
  };
}

/** True when a replay may start at this action: a create carrying the whole story. */
export function isSnapshot(a: JournalAction): boolean {
  const item = a.item as { story?: unknown } | undefined;
  return a.type === 'create' && Array.isArray(item?.story);
}

/** itemChangedSince over summaries of the actions from the editor's base version on. */
export function changedSince(summaries: readonly ActionSummary[], id: string): boolean {
  return summaries.some((a) => {
    if (a.type === 'create') return a.renamed !== true;
    return (a.type === 'remove' || a.type === 'edit') && a.itemId === id;
  });
}

const jsonBytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v), 'utf8');

/** How many history actions a served action stands for (a folded create says so). */
const countOf = (a: JournalAction): number =>
  typeof a.compacted === 'number' && a.compacted > 0 ? a.compacted : 1;

/**
 * A journal as served: at most HANDBOOK_JOURNAL_SERVED_MAX_ACTIONS actions after the first, and at
 * most HANDBOOK_JOURNAL_SERVED_MAX_BYTES of them. The oldest are folded into the first action, a
 * `create` of the page as it was after them (`compacted`: how many actions it stands for), so the
 * served journal replays, as Federated Wiki replays it, to the same page. A first create larger
 * than a page may be (imported states are not checked) becomes a create of `current` alone.
 * The full history is kept elsewhere (the history table); this only bounds what is sent.
 */
export function compactJournal(
  journal: readonly JournalAction[],
  current: PageState,
): JournalAction[] {
  if (journal.length === 0) return [];
  const sizes = journal.map(jsonBytes);
  let tail = sizes.reduce((a, b) => a + b, 0) - (sizes[0] ?? 0);
  let first = journal[0] as JournalAction;
  let i = 1;
  if (
    journal.length - 1 > HANDBOOK_JOURNAL_SERVED_MAX_ACTIONS ||
    tail > HANDBOOK_JOURNAL_SERVED_MAX_BYTES
  ) {
    let state = applyAction({ title: current.title, story: [] }, first);
    let count = countOf(first);
    let date = first.date;
    while (
      i < journal.length &&
      (journal.length - i > HANDBOOK_JOURNAL_SERVED_MAX_ACTIONS ||
        tail > HANDBOOK_JOURNAL_SERVED_MAX_BYTES)
    ) {
      const next = journal[i] as JournalAction;
      state = applyAction(state, next);
      count += countOf(next);
      if (typeof next.date === 'number') date = next.date;
      tail -= sizes[i] ?? 0;
      i++;
    }
    first = folded(state, count, date);
  }
  if (jsonBytes(first) > HANDBOOK_PAGE_MAX_BYTES + 4096) {
    const total = journal.reduce((n, a) => n + countOf(a), 0);
    return [folded(current, total, journal[journal.length - 1]?.date)];
  }
  return [first, ...journal.slice(i)];
}

function folded(state: PageState, count: number, date: number | undefined): JournalAction {
  return {
    type: 'create',
    item: { title: state.title, story: state.story },
    ...(typeof date === 'number' ? { date } : {}),
    compacted: count,
  };
}

/** A short random item id, the form Federated Wiki uses (16 hex digits). */
export const newItemId = (): string => randomBytes(8).toString('hex');

/** An item whose id no URL could name (see isDotSegment), given a new one by an import or a restore. */
export interface RenamedItem {
  page: string;
  from: string;
  to: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A page with every item id that is a dot segment (`.`, `..`, `%2e%2e` …) replaced by a fresh id,
 * the same one wherever the journal names it (an action's `id`, `after`, `order`, its item, and
 * the story a `create` carries), so the item's text and history are kept and a URL can name it.
 * Anything not shaped like a page comes back as it was, for the schema to refuse.
 */
export function renameDotIds(key: string, raw: unknown): { page: unknown; renamed: RenamedItem[] } {
  if (!isRecord(raw) || !Array.isArray(raw.story)) return { page: raw, renamed: [] };
  const taken = new Set<string>();
  const collect = (item: unknown) => {
    if (isRecord(item) && typeof item.id === 'string') taken.add(item.id);
  };
  raw.story.forEach(collect);
  const journal: unknown[] = Array.isArray(raw.journal) ? raw.journal : [];
  for (const a of journal) {
    if (!isRecord(a)) continue;
    collect(a.item);
    if (isRecord(a.item) && Array.isArray(a.item.story)) a.item.story.forEach(collect);
  }
  const renamed = new Map<string, string>();
  const to = (id: unknown): unknown => {
    if (typeof id !== 'string' || !isDotSegment(id)) return id;
    let fresh = renamed.get(id);
    if (fresh === undefined) {
      do fresh = newItemId();
      while (taken.has(fresh));
      taken.add(fresh);
      renamed.set(id, fresh);
    }
    return fresh;
  };
  const item = (v: unknown): unknown => (isRecord(v) && 'id' in v ? { ...v, id: to(v.id) } : v);
  const story = raw.story.map(item);
  const page: Record<string, unknown> = { ...raw, story };
  if (Array.isArray(raw.journal)) {
    page.journal = journal.map((a) => {
      if (!isRecord(a)) return a;
      const out: Record<string, unknown> = { ...a };
      if ('id' in a) out.id = to(a.id);
      if ('after' in a) out.after = to(a.after);
      if (Array.isArray(a.order)) out.order = a.order.map(to);
      if (isRecord(a.item)) {
        const it = item(a.item) as Record<string, unknown>;
        out.item = Array.isArray(it.story) ? { ...it, story: it.story.map(item) } : it;
      }
      return out;
    });
  }
  return {
    page,
    renamed: [...renamed].map(([from, fresh]) => ({ page: key, from, to: fresh })),
  };
}

/**
 * A story to bring back (a past version, a deleted page) with every dot-segment id renamed as an
 * import renames it (see renameDotIds): a page saved before such ids were refused may hold one.
 */
export function storyWithoutDotIds(story: readonly Item[]): Item[] {
  return (renameDotIds('', { story }).page as PageState).story;
}
