import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '@common/api/errors';
import type { EnvInput } from '@server/config';
import {
  TEST_PASSWORD,
  authHeaders,
  buildAuthTestApp,
  guestSession,
  signUpAndLogIn,
  type TestSession,
} from './accounts';
import { rawRequest } from './raw-request';
import { testDialect, type TestApp } from './test-app';

/**
 * A fuzz harness for any module's HTTP API: fast-check throws generated bad bodies, path
 * parameters and query strings at routes through app.inject(), acting as a guest, a member or a
 * steward (real sessions with their CSRF token), and expects no 5xx and a stable error code (one
 * of common/api/errors.ts) on every 4xx.
 *
 * Each suite draws from one seed: FUZZ_SEED when set, else a fresh one. Every failure, the
 * after-check's included, names it; running the same file again with FUZZ_SEED (and FUZZ_RUNS,
 * if it was set) replays the same requests in the same order.
 */

/** Who sends the requests. */
export type As = 'guest' | 'member' | 'steward';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a suite's fixtures and hooks get: the app and the people acting on it. */
export interface FuzzContext {
  t: TestApp;
  steward: TestSession;
  member: TestSession;
  /** Fills the `:name` placeholders of every path (from the suite's fixtures). */
  params: Record<string, string>;
}

export interface BodyEndpointOptions {
  /** The route reads no body: only "no 5xx, coded 4xx" is checked, not that bodies were refused. */
  ignoresBody?: boolean;
  /** Also send raw bytes, multipart and image bodies (upload routes). */
  bytes?: boolean;
  /**
   * A body the endpoint accepts: about half the bodies are this one with one to three fields
   * replaced by bad values, removed, or joined by unknown ones (near misses reach deeper than noise).
   */
  valid?: unknown;
  /** Runs after a 2xx answer, to put back what a valid body changed (a renamed slug, a deletion). */
  restore?: (ctx: FuzzContext, res: LightMyRequestResponse) => Promise<void>;
}

/** method, path (with `:name` placeholders), who sends it, options. */
export type BodyEndpoint = [Method, string, As, BodyEndpointOptions?];
/** method, path whose every `:name` placeholder gets bad values, who sends it. */
export type ParamsEndpoint = [Method, string, As];
/** method, path (placeholders filled), who sends it, a query it accepts (for near misses). */
export type QueryEndpoint = [Method, string, As, Record<string, string>?];

export interface FuzzSuite {
  /** Environment for the app (defaults: buildAuthTestApp's). */
  env?: EnvInput;
  /** Generated requests per endpoint. */
  runs: number;
  /** Field names the module's bodies and queries use: sent with wrong types, huge, unknown. */
  fields: string[];
  /** Creates what the routes act on (after the steward and the member exist); returns path params. */
  fixtures?: (ctx: Omit<FuzzContext, 'params'>) => Promise<Record<string, string>>;
  bodies?: BodyEndpoint[];
  params?: ParamsEndpoint[];
  queries?: QueryEndpoint[];
  /** GET paths whose placeholders get literal dot segments over a real socket (rawPathSegments). */
  rawPaths?: [string, As][];
  /** Checked at the end: the app still works (by default /readyz and the steward's /me). */
  afterwards?: (ctx: FuzzContext) => Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Generators

/** What one request carries; `payload` undefined sends no body at all. */
export interface BadRequest {
  contentType: string | undefined;
  payload: string | Buffer | undefined;
}

const big = ['x'.repeat(10_000), 'é'.repeat(30_000), 'y'.repeat(1_100_000)];

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map(String.fromCharCode),
});

/** A value of any JSON type, weighted toward strings, including NUL and other edge values. */
function weirdValue(): fc.Arbitrary<unknown> {
  return fc
    .oneof(
      { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 3 },
      { arbitrary: fc.string(), weight: 3 },
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        '',
        ' ',
        '\u0000',
        'a\u0000b',
        '\ud800',
        '\u202e',
        'a@b',
        'steward',
        'open',
        'en',
        'x'.repeat(301),
        TEST_PASSWORD,
        -1,
        0,
        2 ** 53,
        1e308,
        -1e308,
      ),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      // Stands for an array nested n deep: json() writes it out (JSON.stringify could not).
      { arbitrary: fc.integer({ min: 50, max: 20_000 }).map((n) => `⟦deep:${n}⟧`), weight: 2 },
    )
    .map((v) => v as unknown);
}

const deepMarker = /"⟦deep:(\d+)⟧"/g;

const json = (v: unknown): BadRequest => ({
  contentType: 'application/json',
  payload: (JSON.stringify(v) ?? 'null').replace(deepMarker, (_m, n: string) => {
    const depth = Number(n);
    return '['.repeat(depth) + ']'.repeat(depth);
  }),
});

/** JSON bodies (and not-quite JSON) a careless or hostile client might send to `fields`. */
export function badJsonBody(fields: string[]): fc.Arbitrary<BadRequest> {
  const names = fc.constantFrom(...fields, '__proto__', 'constructor');
  const value = weirdValue();
  return fc.oneof(
    // Any JSON value at all.
    fc.jsonValue().map(json),
    // The right field names with wrong types, huge strings, unknown extras.
    fc.dictionary(names, value, { maxKeys: 6 }).map(json),
    // Nested: the right names one level down (items, settings, sections …).
    fc
      .dictionary(
        names,
        fc.oneof(
          fc.dictionary(names, value, { maxKeys: 4 }),
          fc.array(fc.dictionary(names, value, { maxKeys: 4 }), { maxLength: 3 }),
        ),
        { maxKeys: 4 },
      )
      .map(json),
    fc
      .tuple(
        fc.dictionary(names, value, { maxKeys: 4 }),
        fc.string({ minLength: 1, maxLength: 20 }),
        value,
      )
      .map(([o, k, v]) => json({ ...o, [k]: v })),
    fc.array(value, { maxLength: 5 }).map(json),
    // Huge strings (the last one over the body limit).
    fc.tuple(names, fc.constantFrom(...big)).map(([k, v]) => json({ [k]: v })),
    // Malformed JSON text.
    fc
      .string({ maxLength: 200 })
      .filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      })
      .map((payload) => ({ contentType: 'application/json', payload })),
    fc
      .jsonValue()
      .map((v) => JSON.stringify(v) ?? 'null')
      .filter((s) => s.length > 1)
      .map((s) => ({ contentType: 'application/json', payload: s.slice(0, -1) })),
    // Deep nesting.
    fc
      .integer({ min: 100, max: 5000 })
      .map((n) => ({ contentType: 'application/json', payload: '['.repeat(n) + ']'.repeat(n) })),
    // Wrong content types, or none.
    fc
      .tuple(
        fc.oneof(
          fc.constantFrom(
            undefined,
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=xyz',
            'application/xml',
            'application/json; charset=utf-16',
            'application/octet-stream',
            '*/*',
            'garbage',
          ),
          printable,
        ),
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
        ),
      )
      .map(([contentType, payload]) => ({ contentType, payload })),
  );
}

const imageTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
const signatures = [
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from([0xff, 0xd8, 0xff]),
  Buffer.from('GIF89a', 'latin1'),
  Buffer.from('RIFF\0\0\0\0WEBP', 'latin1'),
];

function multipart(boundary: string, parts: { name: string; body: string }[]): string {
  return (
    parts
      .map(
        (p) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="x.png"\r\n` +
          `Content-Type: image/png\r\n\r\n${p.body}\r\n`,
      )
      .join('') + `--${boundary}--\r\n`
  );
}

/** Raw bodies for upload routes: random bytes, truncated or lying images, multipart, oversized. */
export function badBytesBody(): fc.Arbitrary<BadRequest> {
  const bytes = fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a));
  const anyType = fc.oneof(
    fc.constantFrom(...imageTypes, 'image/svg+xml', 'application/octet-stream', undefined),
    fc.constantFrom(...imageTypes).map((t) => `${t}; charset=utf-8`),
    printable,
  );
  // Over the 2 MiB image limit with a PNG signature; built once, sent now and then.
  const oversized = Buffer.concat([
    signatures[0] ?? Buffer.alloc(0),
    Buffer.alloc(2 * 1024 * 1024),
  ]);
  return fc.oneof(
    // Random bytes under an image type (or another).
    {
      arbitrary: fc
        .tuple(anyType, bytes)
        .map(([contentType, payload]) => ({ contentType, payload })),
      weight: 3,
    },
    // A real signature, cut short or followed by junk, under any image type.
    fc
      .tuple(fc.constantFrom(...imageTypes), fc.constantFrom(...signatures), fc.nat(12), bytes)
      .map(([contentType, sig, cut, junk]) => ({
        contentType,
        payload: Buffer.concat([sig.subarray(0, cut), junk]),
      })),
    // An image type with no body, or an empty one.
    fc.constantFrom(...imageTypes).map((contentType) => ({ contentType, payload: undefined })),
    fc.constantFrom(...imageTypes).map((contentType) => ({ contentType, payload: '' })),
    // Multipart, well-formed or broken.
    fc
      .tuple(fc.string({ maxLength: 70 }), fc.string({ maxLength: 300 }), fc.boolean())
      .map(([boundary, body, broken]) => ({
        contentType: `multipart/form-data; boundary=${boundary}`,
        payload: broken ? body : multipart(boundary, [{ name: 'file', body }]),
      })),
    fc.constantFrom(...imageTypes).map((contentType) => ({ contentType, payload: oversized })),
  );
}

type Path = (string | number)[];

/** Every path into a JSON value (the root included). */
function pathsOf(v: unknown, at: Path = []): Path[] {
  if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => pathsOf(x, [...at, i]))];
  if (typeof v === 'object' && v !== null)
    return [at, ...Object.entries(v).flatMap(([k, x]) => pathsOf(x, [...at, k]))];
  return [at];
}

type Mutation = { path: Path; op: 'replace' | 'remove' | 'extra'; key: string; value: unknown };

/** A deep copy of `v` with one mutation applied. */
function mutate(v: unknown, m: Mutation, depth = 0): unknown {
  const head = m.path[depth];
  if (head === undefined) {
    if (m.op === 'replace') return m.value;
    if (m.op === 'extra' && typeof v === 'object' && v !== null && !Array.isArray(v))
      return { ...v, [m.key]: m.value };
    if (m.op === 'extra' && Array.isArray(v)) return [...(v as unknown[]), m.value];
    return v;
  }
  if (Array.isArray(v)) {
    const copy = [...(v as unknown[])];
    if (m.op === 'remove' && depth === m.path.length - 1) copy.splice(Number(head), 1);
    else copy[Number(head)] = mutate(copy[Number(head)], m, depth + 1);
    return copy;
  }
  if (typeof v === 'object' && v !== null) {
    const copy: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    if (m.op === 'remove' && depth === m.path.length - 1) delete copy[String(head)];
    else copy[String(head)] = mutate(copy[String(head)], m, depth + 1);
    return copy;
  }
  return v;
}

/** `valid` with one to three fields made bad. */
export function nearMiss(valid: unknown, fields: string[]): fc.Arbitrary<BadRequest> {
  const mutation: fc.Arbitrary<Mutation> = fc.record({
    path: fc.constantFrom(...pathsOf(valid)),
    op: fc.constantFrom('replace', 'replace', 'remove', 'extra', 'extra'),
    key: fc.oneof(fc.constantFrom(...fields, '__proto__'), fc.string({ maxLength: 10 })),
    value: weirdValue(),
  });
  return fc
    .array(mutation, { minLength: 1, maxLength: 3 })
    .map((ms) => json(ms.reduce<unknown>((body, m) => mutate(body, m), valid)));
}

/** The bodies an endpoint gets. */
function bodiesFor(fields: string[], opts: BodyEndpointOptions): fc.Arbitrary<BadRequest> {
  const bodies: fc.WeightedArbitrary<BadRequest>[] = [
    { arbitrary: badJsonBody(fields), weight: 2 },
  ];
  if (opts.valid !== undefined) bodies.push({ arbitrary: nearMiss(opts.valid, fields), weight: 2 });
  if (opts.bytes === true) bodies.push({ arbitrary: badBytesBody(), weight: 3 });
  return fc.oneof(...bodies);
}

const hex = fc.integer({ min: 0, max: 255 }).map((n) => `%${n.toString(16).padStart(2, '0')}`);

/** Encodes every code point; lone surrogates become their raw %ED%A0%80-style bytes. */
function encodeAll(s: string): string {
  let out = '';
  for (const ch of s) {
    try {
      out += encodeURIComponent(ch);
    } catch {
      const c = ch.charCodeAt(0);
      out += `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`;
    }
  }
  return out;
}

/**
 * One bad path segment as it appears in the URL (already percent-encoded where a client would):
 * very long, any Unicode, percent-encoding garbage, dot segments in disguise, separators.
 * Some are `.` or `..` in disguise, which app.inject resolves: inject gets injectSegment, and
 * rawPathSegments sends dot segments over a socket.
 */
export const badSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '..%2F..%2Fetc%2Fpasswd',
    '..%2f',
    '%2e%2e%2f',
    '...',
    '%2F',
    '%5C..%5C',
    '%00',
    'a%00b',
    '%',
    '%%',
    '%zz',
    '%C0%AF',
    '%ff%fe',
    '%E2%82',
    '%ED%A0%80',
    '%uFFFF',
    '%25',
    '%2525',
    '+',
    '%20',
    '%0A',
    '%0D%0A',
    ';',
    '*',
    '~',
    'CON',
    'null',
    'undefined',
    '__proto__',
    'constructor',
    '0',
    '-1',
    '1e308',
    'NaN',
    '9'.repeat(400),
    'a'.repeat(200),
    'a'.repeat(301),
    'a'.repeat(499),
    'a'.repeat(501),
    'a'.repeat(100_000),
    encodeURIComponent('é'.repeat(120)),
    encodeURIComponent('\u202e\u0301\ufeff'),
    'x.json',
    'x.json.json',
  ),
  fc.string({ minLength: 1, unit: 'binary' }).map(encodeAll),
  fc.string({ minLength: 1, unit: 'grapheme' }).map(encodeAll),
  fc
    .integer({ min: 200, max: 20_000 })
    .map((n) => 'ü'.repeat(n))
    .map(encodeURIComponent),
  fc
    .array(fc.oneof(hex, fc.constantFrom('%', '%g', '%1', 'a', '.', '-', '%2e', '%2f', '%u00')), {
      minLength: 1,
      maxLength: 30,
    })
    .map((parts) => parts.join('')),
);

/** Literal dot segments and traversals, sent over a real socket because inject resolves them. */
export const rawPathSegments = [
  '..',
  '.',
  '../..',
  '..%2f..%2fetc%2fpasswd',
  '.%2e',
  '%2e.',
  '%2e%2e',
  '..;',
];

/**
 * A segment app.inject (like fetch) resolves away: `.` or `..`, dots plain or as %2e. Sent through
 * inject it fuzzes another URL, not the parameter (rawPathSegments sends them as written).
 */
const dotSegment = /^(?:\.|%2e){1,2}$/i;

/** badSegment without what inject would resolve away: the path parameters inject fuzzes. */
export const injectSegment: fc.Arbitrary<string> = badSegment.filter((s) => !dotSegment.test(s));

/** A bad query string (without the `?`) for a route whose query knows `fields`. */
export function badQuery(
  fields: string[],
  valid: Record<string, string> = {},
): fc.Arbitrary<string> {
  const key = fc.oneof(
    fc.constantFrom(...fields),
    fc.constantFrom('__proto__', 'constructor[prototype]', `${fields[0] ?? 'q'}[]`, ''),
    fc.string({ maxLength: 20 }).map(encodeAll),
  );
  const value = fc.oneof(badSegment, fc.string().map(encodeAll), fc.constantFrom('', '=', '&'));
  const pairs = Object.entries(valid).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return fc.oneof(
    fc
      .array(fc.tuple(key, fc.option(value, { nil: undefined })), { maxLength: 6 })
      .map((kv) => kv.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join('&')),
    fc.string({ maxLength: 200 }).map(encodeAll),
    printable,
    // A query the route accepts, with one value made bad or one pair repeated or added.
    fc
      .tuple(fc.nat(), fc.constantFrom('replace', 'repeat', 'extra'), key, value)
      .map(([i, op, k, v]) => {
        const at = pairs.length === 0 ? 0 : i % pairs.length;
        const [name = k] = (pairs[at] ?? '').split('=');
        const out = [...pairs];
        if (op === 'replace') out[at] = `${name}=${v}`;
        else if (op === 'repeat') out.push(`${name}=${v}`);
        else out.push(`${k}=${v}`);
        return out.join('&');
      }),
  );
}

/** One character as `%xx`, in lower- or upper-case hex. */
function pct(ch: string, upper: boolean): string {
  const h = ch.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${upper ? h.toUpperCase() : h}`;
}

/**
 * Spellings of a filled path that the router still matches to the same route but whose raw URL
 * is not the plain one: a letter of `/api` or of the last static segment percent-encoded (lower
 * and upper hex), `v1` encoded, a leading double slash. A CSRF check on the raw URL misses them.
 */
export function encodedSpellings(path: string): string[] {
  const out = new Set<string>();
  if (path.startsWith('/api/')) {
    out.add(`/${pct('a', false)}${path.slice(2)}`);
    out.add(`/a${pct('p', true)}i${path.slice(4)}`);
  }
  out.add(path.replace('/v1/', `/${pct('v', false)}${pct('1', true)}/`));
  const segments = path.split('/');
  const last = segments.findLastIndex((seg) => /^[a-z-]+$/.test(seg) && seg !== 'api');
  const word = segments[last];
  if (last > 0 && word !== undefined) {
    const at = [...word].findIndex((c) => /[a-z]/.test(c));
    const letter = word.charAt(at);
    for (const upper of [false, true]) {
      const copy = [...segments];
      copy[last] = word.slice(0, at) + pct(letter, upper) + word.slice(at + 1);
      out.add(copy.join('/'));
    }
  }
  out.add(`/${path}`);
  out.delete(path);
  return [...out];
}

// ---------------------------------------------------------------------------------------------
// Seeds

/** The seed of one suite: FUZZ_SEED when set (to replay a failure), else a fresh one. */
export function fuzzSeed(env: Record<string, string | undefined> = process.env): number {
  const raw = env.FUZZ_SEED;
  if (raw === undefined || raw.trim() === '') return Math.floor(Math.random() * 0x7fffffff);
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not "${raw}".`);
  return seed;
}

/** The line a failure ends with: how to run the same requests again. */
export function replayHint(seed: number, env: Record<string, string | undefined> = process.env) {
  const runs = env.FUZZ_RUNS === undefined ? '' : ` FUZZ_RUNS=${env.FUZZ_RUNS}`;
  return `fuzz seed ${seed}: replay with FUZZ_SEED=${seed}${runs} COMMONHALL_TEST_DB=${testDialect()} (the whole file: each test starts from what the ones before left)`;
}

/** Runs `fn`; an error it throws leaves with `hint` added to its message. */
export async function withHint(hint: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof Error) err.message = `${err.message}\n${hint}`;
    throw err;
  }
}

/** fc.assert with the suite's seed and number of runs. */
export function fuzzAssert<Ts extends [unknown, ...unknown[]]>(
  property: fc.IAsyncPropertyWithHooks<Ts>,
  seed: number,
  numRuns: number,
): Promise<void> {
  return fc.assert(property, { seed, numRuns });
}

// ---------------------------------------------------------------------------------------------
// The harness

function fill(path: string, params: Record<string, string>): string {
  return path.replace(/:(\w+)/g, (m, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`fuzz: no fixture for ${m} in ${path}`);
    return encodeURIComponent(v);
  });
}

/** The checks every answer passes: no 5xx; a 4xx is `{error:{code}}` with a known code. */
export function expectHandled(res: LightMyRequestResponse): void {
  expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500);
  if (res.statusCode >= 400) {
    const body = res.json<{ error?: { code?: unknown } }>();
    expect(errorCodes, res.body.slice(0, 300)).toContain(body.error?.code);
  }
}

const count = (m: Map<number, number>, s: number) => m.set(s, (m.get(s) ?? 0) + 1);

/** FUZZ_VERBOSE=1 prints how each route answered (status → count), to see what a suite reaches. */
function report(what: string, statuses: Map<number, number>): void {
  if (process.env.FUZZ_VERBOSE === undefined) return;
  const sorted = [...statuses].sort(([a], [b]) => a - b);
  process.stderr.write(`${what}: ${sorted.map(([s, c]) => `${s}×${c}`).join(' ')}\n`);
}

/**
 * Describes one fuzz suite: for each body endpoint `runs` bad bodies (and, for bodies that are
 * refused, checks they were refused in more than one way); for each params endpoint `runs` URLs
 * with one or every placeholder bad; for each query endpoint `runs` bad query strings.
 */
export function describeFuzz(title: string, suite: FuzzSuite): void {
  describe(`${title} on ${testDialect()}`, { timeout: 300_000 }, () => {
    const ctx = {} as FuzzContext;
    // FUZZ_RUNS=5000 fuzzes deeper locally; the suite's own number is what CI runs.
    const runs = Number(process.env.FUZZ_RUNS ?? '') || suite.runs;
    const seed = fuzzSeed();
    const hint = replayHint(seed);
    /** `it` whose failure names the seed. */
    const fuzzIt = (name: string, fn: () => Promise<void>) => it(name, () => withHint(hint, fn));
    if (process.env.FUZZ_VERBOSE !== undefined) process.stderr.write(`${title}: ${hint}\n`);
    const headersFor = async (as: As) =>
      authHeaders(as === 'guest' ? await guestSession(ctx.t.app) : ctx[as]);

    beforeAll(async () => {
      ctx.t = await buildAuthTestApp(suite.env === undefined ? {} : { env: suite.env });
      ctx.steward = await signUpAndLogIn(ctx.t.app, { steward: true });
      ctx.member = await signUpAndLogIn(ctx.t.app);
      ctx.params = (await suite.fixtures?.(ctx)) ?? {};
    });
    afterAll(async () => {
      await ctx.t.close();
    });

    for (const [method, path, as, opts = {}] of suite.bodies ?? []) {
      fuzzIt(`${method} ${path} (as ${as}) refuses bad bodies without a 5xx`, async () => {
        const headers = await headersFor(as);
        const statuses = new Map<number, number>();
        await fuzzAssert(
          fc.asyncProperty(bodiesFor(suite.fields, opts), async (bad) => {
            const res = await ctx.t.app.inject({
              method,
              url: fill(path, ctx.params),
              headers: {
                ...headers,
                ...(bad.contentType === undefined ? {} : { 'content-type': bad.contentType }),
              },
              ...(bad.payload === undefined ? {} : { payload: bad.payload }),
            });
            count(statuses, res.statusCode);
            expectHandled(res);
            if (res.statusCode < 300) await opts.restore?.(ctx, res);
          }),
          seed,
          runs,
        );
        report(`${method} ${path} bodies`, statuses);
        if (opts.ignoresBody === true) return;
        // The bodies really were refused in several ways, not waved through.
        const refused = [...statuses].filter(([s]) => s >= 400).reduce((n, [, c]) => n + c, 0);
        expect(refused, JSON.stringify([...statuses])).toBeGreaterThan(runs / 2);
        expect(statuses.has(415) || statuses.has(400)).toBe(true);
      });
    }

    for (const [method, path, as] of suite.params ?? []) {
      const names = [...path.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');
      fuzzIt(`${method} ${path} (as ${as}) refuses bad path parameters without a 5xx`, async () => {
        const headers = await headersFor(as);
        const statuses = new Map<number, number>();
        await fuzzAssert(
          fc.asyncProperty(
            fc.constantFrom(...names, '*'),
            injectSegment,
            async (which, segment) => {
              let i = 0;
              const url = path.replace(/:(\w+)/g, (_m, name: string) => {
                i++;
                return which === '*' || which === name
                  ? segment
                  : encodeURIComponent(ctx.params[name] ?? `p${i}`);
              });
              const res = await ctx.t.app.inject({ method, url, headers });
              count(statuses, res.statusCode);
              expectHandled(res);
            },
          ),
          seed,
          runs,
        );
        report(`${method} ${path} params`, statuses);
        expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
      });
    }

    for (const [method, path, as, valid] of suite.queries ?? []) {
      fuzzIt(`${method} ${path} (as ${as}) refuses bad query strings without a 5xx`, async () => {
        const headers = await headersFor(as);
        const statuses = new Map<number, number>();
        await fuzzAssert(
          fc.asyncProperty(badQuery(suite.fields, valid), async (query) => {
            const res = await ctx.t.app.inject({
              method,
              url: `${fill(path, ctx.params)}?${query}`,
              headers,
            });
            count(statuses, res.statusCode);
            expectHandled(res);
          }),
          seed,
          runs,
        );
        report(`${method} ${path} queries`, statuses);
        expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
      });
    }

    if (suite.rawPaths !== undefined) {
      const rawPaths = suite.rawPaths;
      fuzzIt('answers literal dot segments in paths without a 5xx', async () => {
        for (const [path, as] of rawPaths) {
          const headers = await headersFor(as);
          for (const segment of rawPathSegments) {
            const url = path.replace(/:(\w+)/g, segment);
            const res = await rawRequest(ctx.t.app, 'GET', url, headers);
            report(`raw GET ${url}`, new Map([[res.status, 1]]));
            expect(res.status, `${url}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
            if (res.status >= 400) {
              const body = JSON.parse(res.body) as { error?: { code?: unknown } };
              expect(errorCodes, `${url}: ${res.body.slice(0, 300)}`).toContain(body.error?.code);
            }
          }
        }
      });
    }

    const writes = (suite.bodies ?? []).filter(([method]) => method !== 'GET');
    if (writes.length > 0) {
      fuzzIt('refuses encoded spellings of every write route without the CSRF token', async () => {
        for (const [method, path, as] of writes) {
          const { cookie } = await headersFor(as);
          for (const url of encodedSpellings(fill(path, ctx.params))) {
            // Over a real socket, so the path reaches the server exactly as written.
            const body = method === 'DELETE' ? undefined : {};
            const res = await rawRequest(ctx.t.app, method, url, { cookie }, body);
            expect(res.status, `${method} ${url}: ${res.body.slice(0, 300)}`).toBe(403);
            const answer = JSON.parse(res.body) as { error?: { code?: unknown } };
            expect(answer.error?.code, `${method} ${url}`).toBe('csrf_invalid');
          }
        }
      });
    }

    fuzzIt('still works afterwards', async () => {
      if (suite.afterwards !== undefined) {
        await suite.afterwards(ctx);
        return;
      }
      const me = await ctx.t.app.inject({ url: '/api/v1/me', headers: authHeaders(ctx.steward) });
      expect(me.statusCode).toBe(200);
      expect((await ctx.t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    });
  });
}
