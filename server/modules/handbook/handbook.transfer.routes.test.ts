import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ImportJobView } from '@common/api/handbook.transfer';
import { HANDBOOK_IMPORT_MAX_BYTES } from '@common/api/handbook.transfer';
import type { WikiExport } from '@common/api/handbook';
import { testDialect } from '@server/test/test-app';
import {
  buildHandbookTestApp,
  createPage,
  member,
  steward,
  type HandbookTestApp,
} from './handbook.test-helpers';

const base = '/api/v1/handbook';

const wiki: WikiExport = {
  'tide-pools': {
    title: 'Tide Pools',
    story: [{ type: 'paragraph', id: 'a1', text: 'Read the [[Harbour Rules]].' }],
    journal: [{ type: 'create', date: 1700000000000, item: { title: 'Tide Pools', story: [] } }],
  },
  'harbour-rules': {
    title: 'Harbour Rules',
    story: [{ type: 'paragraph', id: 'b1', text: 'Boats keep clear.' }],
    journal: [],
  },
};

async function upload(t: HandbookTestApp, body: string | Buffer, headers = steward, query = '') {
  return t.app.inject({
    method: 'POST',
    url: `${base}/import/file${query}`,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: body,
  });
}

/** The job's status once it has finished (the jobs' own promise, not a timer). */
async function finished(t: HandbookTestApp, id: string): Promise<ImportJobView> {
  await t.handbook.imports.idle();
  const res = await t.app.inject({
    method: 'GET',
    url: `${base}/import/jobs/${id}`,
    headers: steward,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ job: ImportJobView }>().job;
}

const titles = async (t: HandbookTestApp) =>
  (await t.app.inject({ method: 'GET', url: `${base}/pages`, headers: steward }))
    .json<{ pages: { title: string }[] }>()
    .pages.map((p) => p.title)
    .sort();

describe(`import and export from the app, on ${testDialect()}`, () => {
  let t: HandbookTestApp;
  beforeEach(async () => {
    t = await buildHandbookTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  it('lets only stewards import, poll and export (anonymous, member, another member, owner)', async () => {
    // The owner: a member who wrote a page of this handbook.
    await createPage(t, 'Owned Page', [], member('Owen'));
    const first = await upload(t, JSON.stringify(wiki));
    expect(first.statusCode, first.body).toBe(202);
    const id = first.json<{ job: ImportJobView }>().job.id;
    await t.handbook.imports.idle();
    const who: [string, Record<string, string>, number, string][] = [
      ['anonymous', {}, 401, 'unauthenticated'],
      ['member', member('Bea'), 403, 'forbidden'],
      ['another member', member('Cai'), 403, 'forbidden'],
      ['owner', member('Owen'), 403, 'forbidden'],
    ];
    const routes = [
      { method: 'POST', url: `${base}/import/file`, payload: JSON.stringify(wiki), json: true },
      { method: 'POST', url: `${base}/import/site`, payload: { url: 'https://example.org' } },
      { method: 'GET', url: `${base}/import/jobs/${id}` },
      { method: 'GET', url: `${base}/export` },
    ] as const;
    for (const [name, headers, status, code] of who) {
      for (const r of routes) {
        const res = await t.app.inject({
          method: r.method,
          url: r.url,
          headers: { ...headers, ...('json' in r ? { 'content-type': 'application/json' } : {}) },
          ...('payload' in r ? { payload: r.payload } : {}),
        });
        expect(
          `${name} ${r.method} ${r.url}: ${res.statusCode} ${res.json<{ error: { code: string } }>().error.code}`,
        ).toBe(`${name} ${r.method} ${r.url}: ${status} ${code}`);
      }
    }
    // The steward reaches every one of them.
    const job = await t.app.inject({
      method: 'GET',
      url: `${base}/import/jobs/${id}`,
      headers: steward,
    });
    expect(job.statusCode).toBe(200);
    const exp = await t.app.inject({ method: 'GET', url: `${base}/export`, headers: steward });
    expect(exp.statusCode).toBe(200);
  });

  it('imports an uploaded export and reports it; the download holds every page, named by date', async () => {
    const res = await upload(t, JSON.stringify(wiki));
    expect(res.statusCode, res.body).toBe(202);
    const started = res.json<{ job: ImportJobView }>().job;
    expect(started).toMatchObject({ status: 'running', source: 'file' });
    const job = await finished(t, started.id);
    expect(job).toMatchObject({
      status: 'done',
      done: 2,
      total: 2,
      report: { imported: 2, refused: [], replacedStarter: 0 },
    });
    expect(job.finishedAt).not.toBeNull();
    expect(await titles(t)).toEqual(['Harbour Rules', 'Tide Pools']);

    const exp = await t.app.inject({ method: 'GET', url: `${base}/export`, headers: steward });
    expect(exp.statusCode).toBe(200);
    expect(exp.headers['content-disposition']).toBe(
      'attachment; filename="handbook-2026-11-26.json"',
    );
    expect(exp.headers['content-type']).toMatch(/^application\/json/);
    const data = exp.json<WikiExport>();
    expect(
      Object.values(data)
        .map((p) => p.title)
        .sort(),
    ).toEqual(['Harbour Rules', 'Tide Pools']);
    expect(data['tide-pools']?.story).toEqual(wiki['tide-pools']?.story);
  });

  it('writes nothing when one page is refused, and says which and why', async () => {
    await createPage(t, 'Existing');
    const bad = { ...wiki, broken: { title: 'Broken', story: 'not a list' } };
    const job = await finished(
      t,
      (await upload(t, JSON.stringify(bad))).json<{ job: ImportJobView }>().job.id,
    );
    expect(job.status).toBe('refused');
    expect(job.report?.imported).toBe(0);
    expect(job.report?.refused).toEqual([
      { page: 'broken', reason: expect.stringMatching(/story/) as string },
    ]);
    expect(await titles(t)).toEqual(['Existing']);
  });

  it('refuses a page whose slug exists unless asked to replace it', async () => {
    await createPage(t, 'Tide Pools', [{ type: 'paragraph', id: 'x1', text: 'Ours.' }]);
    const refused = await finished(
      t,
      (await upload(t, JSON.stringify(wiki))).json<{ job: ImportJobView }>().job.id,
    );
    expect(refused.status).toBe('refused');
    expect(refused.report?.refused.map((r) => r.page)).toEqual(['tide-pools']);
    expect(await titles(t)).toEqual(['Tide Pools']);
    const replaced = await finished(
      t,
      (await upload(t, JSON.stringify(wiki), steward, '?replace=true')).json<{
        job: ImportJobView;
      }>().job.id,
    );
    expect(replaced.report).toMatchObject({ imported: 2, refused: [] });
  });

  it('gives a file that is not JSON, or not an export, the refusal the CLI gives', async () => {
    const notJson = await finished(
      t,
      (await upload(t, '{"a": ')).json<{ job: ImportJobView }>().job.id,
    );
    expect(notJson.status).toBe('refused');
    expect(notJson.report?.refused[0]).toEqual({
      page: '(file)',
      reason: expect.stringMatching(/^not valid JSON/) as string,
    });
    const list = await finished(
      t,
      (await upload(t, '[1,2]')).json<{ job: ImportJobView }>().job.id,
    );
    expect(list.report?.refused[0]?.page).toBe('(file)');
    const empty = await upload(t, '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json<{ error: { code: string } }>().error.code).toBe('validation_failed');
  });

  it('refuses an upload past the limit with 413 payload_too_large', async () => {
    const huge = Buffer.alloc(HANDBOOK_IMPORT_MAX_BYTES + 1, 0x20);
    const res = await upload(t, huge);
    expect(res.statusCode).toBe(413);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('payload_too_large');
    expect(await titles(t)).toEqual([]);
  });

  it('refuses a site on the server’s own networks before fetching anything', async () => {
    for (const url of [
      'http://127.0.0.1:3000/',
      'http://localhost/',
      'http://[::1]/',
      'http://10.0.0.5/',
      'http://169.254.169.254/latest',
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: `${base}/import/site`,
        headers: steward,
        payload: { url },
      });
      expect(`${url} ${res.statusCode} ${res.json<{ error: { code: string } }>().error.code}`).toBe(
        `${url} 400 import_address_not_allowed`,
      );
    }
    for (const url of [
      'file:///etc/passwd',
      'ftp://example.org/',
      '/etc/passwd',
      'https://u:p@example.org/',
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: `${base}/import/site`,
        headers: steward,
        payload: { url },
      });
      expect(`${url} ${res.statusCode}`).toBe(`${url} 400`);
    }
  });

  it('never runs two imports of uploads sent at once: 409 import_running, or one after the other', async () => {
    const all = await Promise.all(Array.from({ length: 6 }, () => upload(t, JSON.stringify(wiki))));
    // Whether a job is still running when the next upload arrives depends on the machine; what
    // may not happen is two running at once, which would import the pages twice.
    for (const r of all) {
      expect([202, 409]).toContain(r.statusCode);
      if (r.statusCode === 409)
        expect(r.json<{ error: { code: string } }>().error.code).toBe('import_running');
    }
    await t.handbook.imports.idle();
    const jobs = await Promise.all(
      all
        .filter((r) => r.statusCode === 202)
        .map((r) => finished(t, r.json<{ job: ImportJobView }>().job.id)),
    );
    expect(jobs.filter((j) => j.status === 'done').map((j) => j.report?.imported)).toEqual([2]);
    expect(jobs.filter((j) => j.status !== 'done').every((j) => j.status === 'refused')).toBe(true);
    expect(await titles(t)).toEqual(['Harbour Rules', 'Tide Pools']);
  });

  it('answers 404 import_job_not_found for an unknown job', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `${base}/import/jobs/nope`,
      headers: steward,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('import_job_not_found');
  });
});

describe(`importing a site from the app, on ${testDialect()}`, () => {
  let server: Server;
  let url = '';
  // The page request waits here until the test lets it go: the import is running meanwhile.
  let held: ServerResponse[] = [];
  let holding = false;
  const page = (title: string) => JSON.stringify({ title, story: [], journal: [] });
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/system/sitemap.json')
        res.end(JSON.stringify([{ slug: 'hello' }, { slug: 'world' }]));
      else if (req.url === '/hello.json') res.end(page('Hello'));
      else if (req.url === '/world.json') {
        if (holding) held.push(res);
        else res.end(page('World'));
      } else res.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  let t: HandbookTestApp;
  beforeEach(async () => {
    // This suite's site is on loopback, which an import from the app refuses otherwise.
    t = await buildHandbookTestApp({ importAllowPrivate: true });
    held = [];
  });
  afterEach(async () => {
    await t.close();
  });

  it('shows progress while it runs, refuses a second import with 409, then reports', async () => {
    holding = true;
    const start = await t.app.inject({
      method: 'POST',
      url: `${base}/import/site`,
      headers: steward,
      payload: { url },
    });
    expect(start.statusCode, start.body).toBe(202);
    const id = start.json<{ job: ImportJobView }>().job.id;
    // Wait (on the site, not a timer) until the import asks for its second page.
    await expect.poll(() => held.length).toBe(1);
    const status = await t.app.inject({
      method: 'GET',
      url: `${base}/import/jobs/${id}`,
      headers: steward,
    });
    expect(status.json<{ job: ImportJobView }>().job).toMatchObject({
      status: 'running',
      phase: 'reading',
      source: 'site',
      done: 1,
      total: 2,
    });

    // One import at a time per hall, whichever way the second one comes.
    const again = [
      await t.app.inject({
        method: 'POST',
        url: `${base}/import/site`,
        headers: steward,
        payload: { url },
      }),
      await upload(t, JSON.stringify(wiki)),
    ];
    for (const res of again) {
      expect(res.statusCode).toBe(409);
      expect(res.json<{ error: { code: string; details: unknown } }>().error).toMatchObject({
        code: 'import_running',
        details: { job: id },
      });
    }

    holding = false;
    for (const res of held) res.end(page('World'));
    const job = await finished(t, id);
    expect(job).toMatchObject({ status: 'done', report: { imported: 2, refused: [] } });
    expect(await titles(t)).toEqual(['Hello', 'World']);
  });

  it('writes nothing when a page of the site cannot be read', async () => {
    const start = await t.app.inject({
      method: 'POST',
      url: `${base}/import/site`,
      headers: steward,
      payload: { url: `${url}/missing-site` },
    });
    const job = await finished(t, start.json<{ job: ImportJobView }>().job.id);
    expect(job.status).toBe('refused');
    expect(job.report?.refused[0]?.page).toBe('(sitemap)');
    expect(await titles(t)).toEqual([]);
  });
});
