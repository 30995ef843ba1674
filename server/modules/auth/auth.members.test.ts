import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberLookupDto } from '@common/api/auth';
import {
  authHeaders,
  buildAuthTestApp,
  generousRateLimits,
  signUpAndLogIn,
  type TestSession,
} from '@server/test/accounts';
import { testDialect, type TestApp } from '@server/test/test-app';

/** GET /api/v1/members?q= — the member lookup behind the co-moderator picker. */
describe(`member lookup on ${testDialect()}`, () => {
  let t: TestApp;
  let steward: TestSession;
  let owner: TestSession;
  let ada: TestSession;

  beforeAll(async () => {
    t = await buildAuthTestApp({
      auth: {
        rateLimits: { ...generousRateLimits, memberLookup: { max: 3, timeWindowMs: 60_000 } },
      },
    });
    steward = await signUpAndLogIn(t.app, {
      name: 'Stella Board',
      email: 'stella@example.test',
      steward: true,
    });
    owner = await signUpAndLogIn(t.app, { name: 'Olga Owner', email: 'olga@example.test' });
    ada = await signUpAndLogIn(t.app, { name: 'Ada Lovelace', email: 'countess@example.test' });
    await signUpAndLogIn(t.app, { name: 'Adam Smith', email: 'adam@example.test' });
    await signUpAndLogIn(t.app, { name: 'Maria de la Cruz', email: 'cruz@example.test' });
    await signUpAndLogIn(t.app, { name: '50% Partner', email: 'partner@example.test' });
    const gone = await signUpAndLogIn(t.app, { name: 'Adela Gone', email: 'gone@example.test' });
    const off = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/accounts/${gone.account.id}`,
      headers: authHeaders(steward),
      payload: { status: 'disabled' },
    });
    expect(off.statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  // Each test gets its own address: the rate limit (3 per minute here) is per address.
  let address = 0;
  const lookUp = (q: string, as?: TestSession, remoteAddress = `10.1.0.${++address}`) =>
    t.app.inject({
      url: `/api/v1/members?q=${encodeURIComponent(q)}`,
      remoteAddress,
      ...(as !== undefined ? { headers: authHeaders(as) } : {}),
    });

  it('finds active members by the start of any word of their name, ignoring case', async () => {
    const res = await lookUp('ad', owner);
    expect(res.statusCode).toBe(200);
    const { members } = res.json<MemberLookupDto>();
    // By name; the disabled Adela is not offered.
    expect(members.map((m) => m.name)).toEqual(['Ada Lovelace', 'Adam Smith']);
    expect(members[0]?.id).toBe(ada.account.id);

    const word = await lookUp('CRU', owner);
    expect(word.json<MemberLookupDto>().members.map((m) => m.name)).toEqual(['Maria de la Cruz']);
    // Inside a word is not a prefix.
    expect((await lookUp('ovel', owner)).json<MemberLookupDto>().members).toEqual([]);
  });

  it('shows members ids and names only, never e-mails, and matches an e-mail only in full', async () => {
    const prefix = await lookUp('countess@', owner);
    expect(prefix.json<MemberLookupDto>().members).toEqual([]);
    const full = await lookUp('Countess@Example.test', owner);
    const { members } = full.json<MemberLookupDto>();
    expect(members).toEqual([{ id: ada.account.id, name: 'Ada Lovelace' }]);
    expect(full.body).not.toContain('@example.test');
    const byName = await lookUp('ada', owner);
    expect(byName.body).not.toContain('@');
  });

  it('lets stewards match e-mail prefixes and see addresses', async () => {
    const res = await lookUp('count', steward);
    expect(res.json<MemberLookupDto>().members).toEqual([
      { id: ada.account.id, name: 'Ada Lovelace', email: 'countess@example.test' },
    ]);
  });

  it('matches LIKE wildcards literally', async () => {
    const pct = await lookUp('50%', owner);
    expect(pct.json<MemberLookupDto>().members.map((m) => m.name)).toEqual(['50% Partner']);
    expect((await lookUp('%a', owner)).json<MemberLookupDto>().members).toEqual([]);
    expect((await lookUp('__', owner)).json<MemberLookupDto>().members).toEqual([]);
  });

  it('refuses guests, too-short and too-long queries with stable codes', async () => {
    const guest = await lookUp('ada');
    expect(guest.statusCode).toBe(401);
    expect(guest.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    for (const q of ['', 'a', '  a  ']) {
      const short = await lookUp(q, owner);
      expect(short.statusCode).toBe(400);
      expect(short.json()).toMatchObject({
        error: { code: 'query_too_short', details: { minLength: 2 } },
      });
    }
    const long = await lookUp('x'.repeat(400), owner);
    expect(long.statusCode).toBe(400);
    expect(long.json()).toMatchObject({ error: { code: 'validation_failed' } });
    const noQ = await t.app.inject({ url: '/api/v1/members', headers: authHeaders(owner) });
    expect(noQ.statusCode).toBe(400);
    expect(noQ.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('is rate-limited per address (429 rate_limited)', async () => {
    const from = '10.9.9.9';
    for (let i = 0; i < 3; i++) expect((await lookUp('ada', owner, from)).statusCode).toBe(200);
    const limited = await lookUp('ada', owner, from);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
  });

  it('returns at most ten members', async () => {
    for (let i = 0; i < 12; i++) {
      await signUpAndLogIn(t.app, { name: `Zed Number ${i}`, email: `zed${i}@example.test` });
    }
    const res = await lookUp('zed', owner);
    expect(res.json<MemberLookupDto>().members).toHaveLength(10);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/api/v1/openapi.json' })).json<{
      info: { description: string };
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    }>();
    expect(doc.paths['/api/v1/members']?.get?.parameters?.map((p) => p.name)).toContain('q');
    expect(doc.info.description).toContain('query_too_short');
  });
});
