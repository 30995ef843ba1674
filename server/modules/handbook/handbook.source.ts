import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { safeFetch } from '@server/platform/net';
import type { Refusal } from './handbook.transfer';

/** Pages read from a source, keyed by slug, plus what could not even be read. */
export interface LoadedSource {
  pages: Record<string, unknown>;
  refused: Refusal[];
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
 * Reads an import source: a running Federated Wiki site (http(s) URL: its sitemap, then each page),
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
    return { pages: JSON.parse(text) as Record<string, unknown>, refused: [] };
  } catch (err) {
    return {
      pages: {},
      refused: [{ page: '(file)', reason: `not valid JSON: ${(err as Error).message}` }],
    };
  }
}

async function loadFolder(dir: string, progress?: Progress): Promise<LoadedSource> {
  const pagesDir = (await readdir(dir)).includes('pages') ? join(dir, 'pages') : dir;
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
  return { pages, refused };
}

async function getJson(url: string, options: SourceOptions): Promise<unknown> {
  // Redirects are followed by safeFetch, which checks every hop's address.
  const res = await safeFetch(url, {
    timeoutMs: FETCH_TIMEOUT_MS,
    headers: { accept: 'application/json' },
    allowPrivate: options.allowPrivate === true,
  });
  if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status}`);
  return JSON.parse(res.body.toString('utf8')) as unknown;
}

async function loadSite(
  base: string,
  progress: Progress | undefined,
  options: SourceOptions,
): Promise<LoadedSource> {
  const root = base.replace(/\/+$/, '');
  let sitemap: unknown;
  try {
    sitemap = await getJson(`${root}/system/sitemap.json`, options);
  } catch (err) {
    return {
      pages: {},
      refused: [
        {
          page: '(sitemap)',
          reason: `could not read ${root}/system/sitemap.json: ${(err as Error).message}`,
        },
      ],
    };
  }
  if (!Array.isArray(sitemap)) {
    return {
      pages: {},
      refused: [{ page: '(sitemap)', reason: 'the sitemap is not a JSON array' }],
    };
  }
  const slugs = sitemap
    .map((e: unknown) =>
      typeof e === 'object' && e !== null ? (e as { slug?: unknown }).slug : undefined,
    )
    .filter((s): s is string => typeof s === 'string' && /^[^/?#]+$/.test(s))
    .slice(0, MAX_PAGES);
  const pages = keyedBySlug();
  const refused: Refusal[] = [];
  for (const [i, slug] of slugs.entries()) {
    try {
      pages[slug] = await getJson(`${root}/${encodeURIComponent(slug)}.json`, options);
    } catch (err) {
      refused.push({ page: slug, reason: `could not fetch it: ${(err as Error).message}` });
    }
    progress?.(i + 1, slugs.length, slug);
  }
  return { pages, refused };
}
