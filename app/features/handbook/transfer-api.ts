/** Import and export of the handbook (stewards): routes under /api/v1/handbook/import and /export. */
import type { ImportJobView } from '@common/api/handbook.transfer';
import { ApiError, API_BASE, api } from '@app/lib/api';

export type { ImportJobView };

const base = '/handbook';

/** Where the browser downloads the export (a same-origin GET, so the session cookie goes along). */
export const exportUrl = `${API_BASE}${base}/export`;

export const transferApi = {
  importSite: (url: string, replace: boolean) =>
    api.post<{ job: ImportJobView }>(`${base}/import/site`, { url, replace }),
  job: (id: string) =>
    api.get<{ job: ImportJobView }>(`${base}/import/jobs/${encodeURIComponent(id)}`),
};

/**
 * Uploads an export file as its own bytes (the server parses it in the job, so a file that is not
 * JSON gets the same refusal as on the command line). The JSON client cannot send a body like this.
 */
export async function uploadExport(
  file: File,
  replace: boolean,
  csrfToken: string | undefined,
): Promise<{ job: ImportJobView }> {
  let res: Response;
  try {
    res = await fetch(`${API_BASE}${base}/import/file?replace=${String(replace)}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(csrfToken === undefined ? {} : { 'x-csrf-token': csrfToken }),
      },
      body: file,
    });
  } catch (err) {
    throw new ApiError(0, 'network_error', err instanceof Error ? err.message : 'Network error');
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (res.ok) return json as { job: ImportJobView };
  const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
    ?.error;
  throw new ApiError(
    res.status,
    e?.code ?? 'internal_error',
    e?.message ?? res.statusText,
    e?.details,
  );
}
