import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { safeFetch } from '@server/platform/net';
import { HANDBOOK_IMAGE_MAX_BYTES } from '@common/api/handbook';
import type { Refusal } from './handbook.transfer';

/**
 * Reads an image file the source holds, named by an image item's `url`: a Federated Wiki upload
 * (`/assets/plugins/image/<file>`, or the same on the site's own origin). Returns undefined for
 * any other URL (left as it is); throws when the file cannot be read.
 */
export type AssetReader = (url: string) => Promise<Buffer | undefined>;

/** Pages read from a source, keyed by slug, plus what could not even be read. */
export interface LoadedSource {
  pages: Record<string, unknown>;
  refused: Refusal[];
  /** How many pages the source says it has (a site: its sitemap and slugs.json together). */
  sourcePages: number;
  /** Where the source's uploaded images are read from (a site or a wiki folder; not a file). */
  assets?: AssetReader;
}

/** The file name of a Federated Wiki image upload path, or undefined. */
export function assetFile(path: string): string | undefined {
  const m = /^\/assets\/plugins\/image\/([A-Za-z0-9][A-Za-z0-9._-]{0,200})$/.exec(path);
  return m?.[1];
}

export type Progress = (done: number, total: number, label: string) => void;

const MAX_PAGES = 50_000;

/**
 * An object with no prototype to hold pages by slug: a page file or sitemap slug named
 * `__proto__` stays a page instead of becoming the object's prototype (and being lost).
 */
const keyedBySlug = (): Record<string, unknown> => Object.create(null) as Record<string, unknown>;
const FETCH_TIMEOUT_MS = 30_000;

export interface SourceOptions {
  /** Fetch from addresses of this host's own networks (`--allow-private`); refused otherwise. */
  allowPrivate?: boolean;
}

/**
 * Reads an import source: a running Federated Wiki site (http(s) URL: its sitemap and slugs.json,
 * then each page),
 * a folder of page files (Federated Wiki's `pages/` folder or files named `<slug>.json`), or an
 * export file (a JSON object keyed by slug).
 */
export async function loadSource(
  source: string,
  progress?: Progress,
  options: SourceOptions = {},
): Promise<LoadedSource> {
  if (/^https?:\/\//i.test(source)) return loadSite(source, progress, options);
  const info = await stat(source);
  if (info.isDirectory()) return loadFolder(source, progress);
  const text = await readFile(source, 'utf8');
  try {
    const pages = JSON.parse(text) as Record<string, unknown>;
    const sourcePages =
      typeof pages === 'object' && pages !== null && !Array.isArray(pages)
        ? Object.keys(pages).length
        : 0;
    return { pages, refused: [], sourcePages };
  } catch (err) {
    return {
      pages: {},
      refused: [{ page: '(file)', reason: `not valid JSON: ${(err as Error).message}` }],
      sourcePages: 0,
    };
  }
}

async function loadFolder(dir: string, progress?: Progress): Promise<LoadedSource> {
  const isWikiDir = (await readdir(dir)).includes('pages');
  const pagesDir = isWikiDir ? join(dir, 'pages') : dir;
  // A wiki's data folder keeps uploads in assets/plugins/image beside pages/ (a pages/ folder given
  // itself: beside it). Without that folder, image URLs are left as they are (and reported).
  const assetsDir = join(isWikiDir ? dir : join(dir, '..'), 'assets', 'plugins', 'image');
  const hasAssets = await stat(assetsDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  const assets: AssetReader = async (url) => {
    const file = url.startsWith('/') ? assetFile(url) : undefined;
    return file === undefined ? undefined : readFile(join(assetsDir, file));
  };
  const names = (await readdir(pagesDir, { withFileTypes: true }))
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
    .slice(0, MAX_PAGES);
  const pages = keyedBySlug();
  const refused: Refusal[] = [];
  for (const [i, name] of names.entries()) {
    const key = name.replace(/\.json$/, '');
    try {
      pages[key] = JSON.parse(await readFile(join(pagesDir, name), 'utf8'));
    } catch (err) {
      refused.push({ page: key, reason: `not valid JSON: ${(err as Error).message}` });
    }
    progress?.(i + 1, names.length, key);
  }
  return { pages, refused, sourcePages: names.length, ...(hasAssets ? { assets } : {}) };
}

async function getJson(url: string, options: SourceOptions): Promise<unknown> {
  return JSON.parse((await getBytes(url, options, 'application/json')).toString('utf8')) as unknown;
}

async function getBytes(
  url: string,
  options: SourceOptions,
  accept: string,
  maxBytes?: number,
): Promise<Buffer> {
  // Redirects are followed by safeFetch, which checks every hop's address.
  const res = await safeFetch(url, {
    timeoutMs: FETCH_TIMEOUT_MS,
    headers: { accept },
    allowPrivate: options.allowPrivate === true,
    ...(maxBytes !== undefined ? { maxBytes } : {}),
  });
  if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status}`);
  return res.body;
}

/** The slugs a sitemap (entries with `slug`) or slugs.json (strings) names, in order. */
function slugsIn(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((e: unknown) =>
      typeof e === 'string'
        ? e
        : typeof e === 'object' && e !== null
          ? (e as { slug?: unknown }).slug
          : undefined,
    )
    .filter((s): s is string => typeof s === 'string' && /^[^/?#]+$/.test(s));
}

/**
 * A site's pages: the union of its sitemap and `/system/slugs.json` (the page files it holds; a
 * Federated Wiki server's sitemap can lag its pages just after they are written), then each page.
 * Either list may be missing (an older server, another kind of site), not both.
 */
async function loadSite(
  base: string,
  progress: Progress | undefined,
  options: SourceOptions,
): Promise<LoadedSource> {
  const root = base.replace(/\/+$/, '');
  const lists = await Promise.all(
    ['sitemap', 'slugs'].map(async (name) => {
      const url = `${root}/system/${name}.json`;
      try {
        const list = await getJson(url, options);
        if (!Array.isArray(list)) return { error: `${url} is not a JSON array` };
        return { slugs: slugsIn(list) };
      } catch (err) {
        return { error: `could not read ${url}: ${(err as Error).message}` };
      }
    }),
  );
  const [fromSitemap, fromSlugs] = lists;
  if (fromSitemap?.slugs === undefined && fromSlugs?.slugs === undefined) {
    return {
      pages: {},
      refused: [{ page: '(sitemap)', reason: fromSitemap?.error ?? 'no sitemap' }],
      sourcePages: 0,
    };
  }
  const slugs = [...new Set([...(fromSitemap?.slugs ?? []), ...(fromSlugs?.slugs ?? [])])];
  const pages = keyedBySlug();
  const refused: Refusal[] = [];
  if (slugs.length > MAX_PAGES) {
    refused.push({
      page: '(sitemap)',
      reason: `the site has ${slugs.length} pages; an import takes at most ${MAX_PAGES}`,
    });
    return { pages, refused, sourcePages: slugs.length };
  }
  for (const [i, slug] of slugs.entries()) {
    try {
      pages[slug] = await getJson(`${root}/${encodeURIComponent(slug)}.json`, options);
    } catch (err) {
      refused.push({ page: slug, reason: `could not fetch it: ${(err as Error).message}` });
    }
    progress?.(i + 1, slugs.length, slug);
  }
  const origin = new URL(root).origin;
  const assets: AssetReader = async (url) => {
    let path: string;
    try {
      const u = new URL(url, `${origin}/`);
      if (u.origin !== origin || u.search !== '' || u.hash !== '') return undefined;
      path = u.pathname;
    } catch {
      return undefined;
    }
    if (assetFile(path) === undefined) return undefined;
    // One byte past the image limit is enough to know it is too large.
    return getBytes(`${origin}${path}`, options, 'image/*', HANDBOOK_IMAGE_MAX_BYTES + 1);
  };
  return { pages, refused, sourcePages: slugs.length, assets };
}
