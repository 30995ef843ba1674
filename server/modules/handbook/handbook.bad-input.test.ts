import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authHeaders,
  buildAuthTestApp,
  signUpAndLogIn,
  type TestSession,
} from '@server/test/accounts';
import { testDialect, type TestApp } from '@server/test/test-app';

const api = '/api/v1/handbook';
const p = (id: string, text: string) => ({ id, type: 'paragraph', text });
const nest = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

// Regressions found by handbook.fuzz.test.ts: a NUL was a 500 on PostgreSQL (titles, search
// text, links, keywords, sections, circles, slugs in every lookup); deep nesting in a story item's
// extra field overflowed JSON.stringify (a 500, or a 409 without our code on an edit conflict).
describe(`the handbook refuses what the fuzzer found, on ${testDialect()}`, () => {
  let t: TestApp;
  let member: TestSession;
  let steward: TestSession;
  beforeAll(async () => {
    t = await buildAuthTestApp({ env: { HANDBOOK_STARTER: 'off' } });
    steward = await signUpAndLogIn(t.app, { steward: true });
    member = await signUpAndLogIn(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: `${api}/pages`,
      headers: authHeaders(member),
      payload: { title: 'Ok', story: [p('a1', 'hello')] },
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const send = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: string | object,
    as = member,
  ) =>
    t.app.inject({
      method,
      url,
      headers: { ...authHeaders(as), 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload }),
    });

  it.each([
    ['POST', `${api}/pages`, { title: 'a\u0000b' }],
    ['POST', `${api}/pages`, { title: 'P', story: [p('x', 'text\u0000')] }],
    ['POST', `${api}/pages`, { title: 'P', story: [p('x', '[[a\u0000]]')] }],
    ['POST', `${api}/pages`, { title: 'P', story: [p('x', '#key\u0000')] }],
    ['POST', `${api}/pages/ok/items`, { item: p('y', 'text\u0000') }],
    ['PUT', `${api}/pages/ok/items/a1`, { item: p('a1', 'text\u0000'), baseVersion: 1 }],
    ['POST', `${api}/pages/ok/rename`, { title: 'a\u0000' }],
    ['GET', `${api}/pages/%00`, undefined],
    ['GET', `${api}/pages/%00/history`, undefined],
    ['GET', `${api}/pages/%00/versions/0`, undefined],
    ['GET', `${api}/pages/%00/diagram`, undefined],
    ['GET', '/a%00b.json', undefined],
  ] as const)('%s %s with a NUL is 400 validation_failed', async (method, url, payload) => {
    const res = await send(method, url, payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('refuses a NUL in sections and circles (stewards)', async () => {
    for (const [url, payload] of [
      [`${api}/sections`, { sections: [{ slug: 'ok\u0000', pages: [] }] }],
      [`${api}/circles/tech`, { name: 'Te\u0000ch', members: [] }],
    ] as const) {
      const res = await send('PUT', url, payload, steward);
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });

  it('refuses an item field nested 20,000 deep when creating, adding and editing', async () => {
    const deep = nest(20_000);
    for (const [method, url, body] of [
      ['POST', `${api}/pages`, `{"title":"Deep","story":[{"id":"d","type":"x","data":${deep}}]}`],
      ['POST', `${api}/pages/ok/items`, `{"item":{"id":"d","type":"x","data":${deep}}}`],
      // baseVersion 0 is stale: this was the edit_conflict whose answer could not be written.
      [
        'PUT',
        `${api}/pages/ok/items/a1`,
        `{"item":{"id":"a1","type":"x","data":${deep}},"baseVersion":0}`,
      ],
    ] as const) {
      const res = await send(method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
    // Ordinary nesting in an item's extra fields (plugins keep their own data) is kept.
    const ok = await send('POST', `${api}/pages/ok/items`, {
      item: { id: 'n', type: 'x', data: { a: [{ b: [1, 2] }] } },
    });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('answers a broken or over-long slug on the Federated Wiki route with a code', async () => {
    const bad = await send('GET', '/%zz.json');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'validation_failed' } });
    const long = await send('GET', `/${'a'.repeat(600)}.json`);
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });
});
