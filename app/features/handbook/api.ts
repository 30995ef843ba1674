/** The handbook API (common/api/handbook.ts, routes under /api/v1/handbook), as the app calls it. */
import type { AccountListDto } from '@common/api/auth';
import {
  isDotSegment,
  type CircleView,
  type DiagramView,
  type HandbookSettings,
  type Item,
  type PageView,
  type SearchResult,
} from '@common/api/handbook';
import { ApiError, API_BASE, api } from '@app/lib/api';

export type { CircleView, HandbookSettings, Item, PageView, SearchResult };

/** The settings as the API answers them: with what the asker may do. */
export type SettingsView = HandbookSettings & { canEdit: boolean; canAdminister: boolean };

/** One story item as safe HTML, drawn by the server (graphviz: its SVG). */
export type RenderedItem = PageView['rendered'][number];

/** The page as the reader sees it, its items rendered by the server. */
export type Page = PageView;

export interface PageSummary {
  slug: string;
  title: string;
}

export interface HistoryEntry {
  index: number;
  type: string;
  date: number | null;
  author: string | null;
  itemId: string | null;
}

export type Diagram = DiagramView;

export interface SectionTree {
  sections: (PageSummary & { pages: (PageSummary & { depth: number })[] })[];
}

export interface RenameResult {
  page: Page;
  oldSlug: string;
  oldTitle: string;
  linkingPages: PageSummary[];
}

/** What the server sends with a 409 edit_conflict: both versions of the item. */
export interface ConflictDetails {
  yours: Item;
  theirs: Item | null;
  version: number;
}

const base = '/handbook';
const p = (slug: string) => `${base}/pages/${encodeURIComponent(slug)}`;

/**
 * Calls `send` with an item's URL, or refuses without sending when the id is `.` or `..`: no
 * encoding survives fetch there (it resolves `%2E%2E` as `..` too), and
 * DELETE …/items/.. would arrive as DELETE of the page. The server takes no such ids any more;
 * a page saved before that may still hold one.
 */
function atItem<T>(slug: string, id: string, send: (url: string) => Promise<T>): Promise<T> {
  const segment = encodeURIComponent(id);
  if (isDotSegment(segment)) {
    return Promise.reject(
      new ApiError(400, 'validation_failed', `The item id "${id}" cannot be named in a URL.`),
    );
  }
  return send(`${p(slug)}/items/${segment}`);
}

export const handbookApi = {
  listPages: () => api.get<{ pages: (PageSummary & { updatedAt: string })[] }>(`${base}/pages`),
  getPage: (slug: string) => api.get<{ page: Page }>(p(slug)),
  createPage: (title: string, story?: Item[]) =>
    api.post<{ page: Page }>(`${base}/pages`, story === undefined ? { title } : { title, story }),
  addItem: (slug: string, item: Item, after: string | null, baseVersion: number) =>
    api.post<{ page: Page }>(`${p(slug)}/items`, { item, after, baseVersion }),
  editItem: (slug: string, item: Item, baseVersion: number) =>
    atItem(slug, item.id, (url) => api.put<{ page: Page }>(url, { item, baseVersion })),
  removeItem: (slug: string, id: string) =>
    atItem(slug, id, (url) => api.delete<{ page: Page }>(url)),
  moveItems: (slug: string, order: string[], baseVersion: number) =>
    api.put<{ page: Page }>(`${p(slug)}/order`, { order, baseVersion }),
  rename: (slug: string, title: string) => api.post<RenameResult>(`${p(slug)}/rename`, { title }),
  updateLinks: (slug: string, from: string) =>
    api.post<{ updated: string[] }>(`${p(slug)}/update-links`, { from }),
  /** The newest 1,000 entries of the page's history (`total`: how many it has in all). */
  history: (slug: string) =>
    api.get<{ history: HistoryEntry[]; total: number }>(`${p(slug)}/history`),
  version: (slug: string, index: number) =>
    api.get<{ title: string; story: Item[] }>(`${p(slug)}/versions/${index}`),
  restore: (slug: string, journalIndex: number) =>
    api.post<{ page: Page }>(`${p(slug)}/restore`, { journalIndex }),
  diagram: (slug: string) => api.get<Diagram>(`${p(slug)}/diagram`),
  search: (q: string) =>
    api.get<{ results: SearchResult[] }>(`${base}/search?q=${encodeURIComponent(q)}`),
  keywords: () =>
    api.get<{ keywords: { keyword: string; pages: PageSummary[] }[] }>(`${base}/keywords`),
  sections: () => api.get<SectionTree>(`${base}/sections`),
  setSections: (sections: { slug: string; pages: { slug: string; parent: string | null }[] }[]) =>
    api.put<SectionTree>(`${base}/sections`, { sections }),
  /** Puts a page at the end of a section (its head's slug), or takes it out of its section. */
  placeInSection: (slug: string, section: string | null) =>
    api.put<{ page: Page }>(`${p(slug)}/section`, { section }),
  deletePage: (slug: string) => api.delete<{ deleted: PageSummary }>(p(slug)),
  deletedPages: () =>
    api.get<{ pages: (PageSummary & { id: string; deletedAt: string })[] }>(
      `${base}/deleted-pages`,
    ),
  restoreDeleted: (id: string) =>
    api.post<{ page: Page }>(`${base}/deleted-pages/${encodeURIComponent(id)}/restore`),
  settings: () => api.get<SettingsView>(`${base}/settings`),
  putSettings: (s: HandbookSettings) => api.put<HandbookSettings>(`${base}/settings`, s),
  circles: () => api.get<{ circles: CircleView[] }>(`${base}/circles`),
  putCircle: (id: string, name: string, members: string[]) =>
    api.put<{ ok: true }>(`${base}/circles/${encodeURIComponent(id)}`, { name, members }),
  deleteCircle: (id: string) =>
    api.delete<{ ok: true }>(`${base}/circles/${encodeURIComponent(id)}`),
  /** Accounts whose name or email contains `q` (the stewards' account search). */
  findAccounts: (q: string) =>
    api.get<AccountListDto>(`/admin/accounts?q=${encodeURIComponent(q)}&status=active&limit=8`),
};

/** A circle id from its name: lower-case ASCII letters, digits and dashes. */
export function circleIdFor(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'circle';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

/**
 * Uploads an image as its raw bytes (the API takes the file's own content type, not JSON).
 * The JSON client cannot send a body like this, so this one call uses fetch directly.
 */
export async function uploadImage(
  file: File,
  csrfToken: string | undefined,
): Promise<{ id: string; url: string; contentType: string }> {
  let res: Response;
  try {
    res = await fetch(`${API_BASE}${base}/images`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'content-type': file.type,
        accept: 'application/json',
        ...(csrfToken === undefined ? {} : { 'x-csrf-token': csrfToken }),
      },
      body: file,
    });
  } catch (err) {
    throw new ApiError(0, 'network_error', err instanceof Error ? err.message : 'Network error');
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (res.ok) return json as { id: string; url: string; contentType: string };
  const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
    ?.error;
  throw new ApiError(
    res.status,
    e?.code ?? 'internal_error',
    e?.message ?? res.statusText,
    e?.details,
  );
}

/** A fresh id for a new story item (16 hex digits, as Federated Wiki makes them). */
export function newItemId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The query keys the handbook caches under. */
export const hbKeys = {
  page: (slug: string) => ['handbook', 'page', slug] as const,
  pages: ['handbook', 'pages'] as const,
  sections: ['handbook', 'sections'] as const,
  keywords: ['handbook', 'keywords'] as const,
  history: (slug: string) => ['handbook', 'history', slug] as const,
  search: (q: string) => ['handbook', 'search', q] as const,
  diagram: (slug: string) => ['handbook', 'diagram', slug] as const,
  settings: ['handbook', 'settings'] as const,
  circles: ['handbook', 'circles'] as const,
  deleted: ['handbook', 'deleted'] as const,
};
