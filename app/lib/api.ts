/**
 * The one way the app talks to the server: JSON over fetch under /api/v1, the CSRF token on every
 * write, and every failure turned into an ApiError carrying the server's stable error code.
 */
import type { ErrorBody } from '@common/api/errors';

/** Codes the app itself produces (no server involved); translated like server codes. */
export type ClientErrorCode = 'network_error' | 'bad_response';

/** A failed API call: HTTP status (0 when the network failed), stable code, server message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const API_BASE = '/api/v1';

let csrfToken: string | undefined;
let refreshCsrf: (() => Promise<string | undefined>) | undefined;

/** Called by the session hook whenever it learns the session's CSRF token. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** How to fetch a fresh token when the server says ours is stale (the session hook sets this). */
export function onCsrfRefresh(fn: () => Promise<string | undefined>): void {
  refreshCsrf = fn;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function isErrorBody(v: unknown): v is ErrorBody {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = v.error;
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e;
}

async function send(method: Method, path: string, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  try {
    return await fetch(API_BASE + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'network_error', err instanceof Error ? err.message : 'Network error');
  }
}

async function parse<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = undefined;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(
        res.status,
        res.ok ? 'bad_response' : 'internal_error',
        text.slice(0, 200),
      );
    }
  }
  if (res.ok) return json as T;
  if (isErrorBody(json)) {
    throw new ApiError(res.status, json.error.code, json.error.message, json.error.details);
  }
  throw new ApiError(res.status, 'internal_error', res.statusText);
}

/** Sends one request; retries a write once with a fresh token when the server says csrf_invalid. */
export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  try {
    return await parse<T>(await send(method, path, body));
  } catch (err) {
    if (
      err instanceof ApiError &&
      err.code === 'csrf_invalid' &&
      method !== 'GET' &&
      refreshCsrf !== undefined
    ) {
      csrfToken = await refreshCsrf();
      return parse<T>(await send(method, path, body));
    }
    throw err;
  }
}

/** `api.get('/session')`, `api.post('/accounts', body)` … paths are relative to /api/v1. */
export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body ?? {}),
  delete: <T>(path: string, body?: unknown) => request<T>('DELETE', path, body),
};

/** Field-level messages from a validation_failed error, keyed by the body field name. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return out;
  for (const d of err.details as unknown[]) {
    if (typeof d !== 'object' || d === null) continue;
    const { path, message } = d as { path?: unknown; message?: unknown };
    if (typeof path !== 'string' || typeof message !== 'string') continue;
    const field = path.replace(/^\//, '').split('/')[0];
    if (field !== undefined && field !== '' && out[field] === undefined) out[field] = message;
  }
  return out;
}
