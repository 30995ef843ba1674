import { describeFuzz } from '@server/test/fuzz';

const api = '/api/v1/handbook';

// The import and export routes for stewards: uploads of any bytes, site addresses of any shape,
// job ids of any shape. A valid upload starts a job; while it runs the next ones get 409.
describeFuzz('fuzzing the handbook import and export API', {
  runs: 150,
  env: { HANDBOOK_STARTER: 'off' },
  fields: ['url', 'replace', 'title', 'story', 'journal', 'job', 'id'],
  bodies: [
    // The job reads the upload (a file that is not an export is refused in its report), so only
    // "no 5xx, a coded 4xx" is checked here; the refusals are in handbook.transfer.routes.test.ts.
    ['POST', `${api}/import/file`, 'steward', { bytes: true, ignoresBody: true }],
    // Refused before the body is read (403, 401): only "no 5xx" is checked.
    ['POST', `${api}/import/file`, 'member', { bytes: true, ignoresBody: true }],
    // Loopback: refused before anything is fetched.
    [
      'POST',
      `${api}/import/site`,
      'steward',
      { valid: { url: 'http://127.0.0.1:9/', replace: false } },
    ],
    [
      'POST',
      `${api}/import/site`,
      'guest',
      { valid: { url: 'https://example.org/' }, ignoresBody: true },
    ],
  ],
  params: [
    ['GET', `${api}/import/jobs/:id`, 'steward'],
    ['GET', `${api}/import/jobs/:id`, 'member'],
  ],
  queries: [
    ['POST', `${api}/import/file`, 'steward', { replace: 'true' }],
    ['GET', `${api}/export`, 'steward'],
  ],
});
