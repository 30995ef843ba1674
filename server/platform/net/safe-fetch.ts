import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Every request the server makes to a URL someone else chose (imports, callbacks) goes through
 * safeFetch: it refuses addresses inside the host's own networks (loopback, private, link-local,
 * CGNAT, unspecified, multicast, and IPv6 forms of them), connects to the very address it checked
 * (the check happens in the socket's own lookup, so a name cannot resolve once to a public address
 * for the check and again to 127.0.0.1 for the connection), follows redirects itself and checks
 * every hop, and caps the size and the time of the answer.
 */

/** Why safeFetch gave up; `message` says it for a person. */
export type SafeFetchErrorCode =
  | 'url_unsupported'
  | 'address_not_allowed'
  | 'too_many_redirects'
  | 'response_too_large'
  | 'timed_out'
  | 'fetch_failed';

export class SafeFetchError extends Error {
  constructor(
    readonly code: SafeFetchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SafeFetchError';
  }
}

/** Resolves a host name to every address it has (node:dns lookup with all: true by default). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface SafeFetchOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * Allow addresses of the host's own networks (an import from a wiki on the same machine). A
   * function decides per hop (0 = the URL given, 1 = the first redirect's target, …).
   */
  allowPrivate?: boolean | ((url: URL, hop: number) => boolean);
  /** Redirects followed at most (default 5); one more is `too_many_redirects`. */
  maxRedirects?: number;
  /** The most bytes of body read (default 32 MiB); more is `response_too_large`. */
  maxBytes?: number;
  /** The whole exchange, redirects included (default 30 s). */
  timeoutMs?: number;
  /** Replaces DNS (tests). */
  resolve?: Resolver;
}

export interface SafeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  url: string;
  body: Buffer;
}

const DEFAULT_MAX_REDIRECTS = 5;
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** The 16 bytes of an IPv6 address (already checked with isIP). */
function ipv6Bytes(address: string): number[] {
  let text = address.split('%')[0] ?? address;
  const tail: number[] = [];
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    tail.push(...dotted.slice(1, 5).map(Number));
    text = text.slice(0, dotted.index) + '0:0';
  }
  const [head = '', rest] = text.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const r = rest === undefined ? [] : groups(rest);
  const all = [...h, ...Array<number>(8 - h.length - r.length).fill(0), ...r];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** The IPv4 address an IPv6 one stands for (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d). */
function embeddedIPv4(address: string): string | undefined {
  const b = ipv6Bytes(address);
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  const nat64 =
    [0x00, 0x64, 0xff, 0x9b].every((x, i) => b[i] === x) && b.slice(4, 12).every((x) => x === 0);
  return mapped || nat64 ? b.slice(12).join('.') : undefined;
}

/** True for an address of the host's own networks, which safeFetch refuses unless allowed. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true; // not an address at all: refuse rather than guess
  const v4 = embeddedIPv4(address);
  if (v4 !== undefined) return blocked.check(v4, 'ipv4');
  return blocked.check(address.split('%')[0] ?? address, 'ipv6');
}

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) =>
      err === null ? resolve(addresses) : reject(err),
    );
  });

const refused = (host: string, address: string) =>
  new SafeFetchError(
    'address_not_allowed',
    `${host} is at ${address}, an address of this host's own networks (loopback, private or ` +
      `link-local); pass --allow-private to fetch from it`,
  );

/**
 * A socket lookup that resolves every address of the name, refuses the lot when any one is
 * private (a name with one public and one private address is not fetched), and hands the socket
 * exactly the addresses it checked.
 */
function checkingLookup(resolve: Resolver, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const bad = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
        if (bad !== undefined) return callback(refused(hostname, bad.address), '', 0);
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = addresses.filter((a) => wanted === 0 || a.family === wanted);
        const first = usable[0];
        if (first === undefined) {
          const err = Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
          return callback(err, '', 0);
        }
        if (options.all === true) return callback(null, usable);
        return callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

function hopAllowsPrivate(allow: SafeFetchOptions['allowPrivate'], url: URL, hop: number): boolean {
  return typeof allow === 'function' ? allow(url, hop) : allow === true;
}

/** One request, no redirects followed; the body read up to maxBytes. */
function requestOnce(
  url: URL,
  o: {
    method: string;
    headers: Record<string, string>;
    body: string | Buffer | undefined;
    lookup: LookupFunction;
    maxBytes: number;
    signal: AbortSignal;
  },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: o.method,
        headers: o.headers,
        lookup: o.lookup,
        signal: o.signal,
        // A fresh connection every time: a pooled socket would skip the lookup, and so the
        // check, and may have been opened under another hop's policy.
        agent: false,
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        // A redirect's body is not wanted.
        if (status >= 300 && status < 400 && res.headers.location !== undefined) {
          res.resume();
          resolve({ status, headers: res.headers, body: Buffer.alloc(0) });
          return;
        }
        const declared = Number(res.headers['content-length']);
        const tooLarge = () =>
          new SafeFetchError(
            'response_too_large',
            `${url.href} answered with more than ${o.maxBytes} bytes`,
          );
        if (Number.isFinite(declared) && declared > o.maxBytes) {
          res.destroy();
          reject(tooLarge());
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > o.maxBytes) {
            res.destroy();
            reject(tooLarge());
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/**
 * Fetches a URL someone else chose, under the rules above. Answers with the status, headers and
 * body of the last hop (any status: the caller decides what a 404 means); throws SafeFetchError
 * for a refused address, too many redirects, too large an answer or too slow a one, and for any
 * network failure (`fetch_failed`, the cause in the message).
 */
export async function safeFetch(
  input: string,
  options: SafeFetchOptions = {},
): Promise<SafeResponse> {
  const resolve = options.resolve ?? systemResolver;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new SafeFetchError('url_unsupported', `${input} is not a URL`);
  }
  let method: string = options.method ?? 'GET';
  let body = options.body;
  const headers = Object.fromEntries(
    Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const origin = url.origin;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SafeFetchError(
        'url_unsupported',
        `${url.href}: only http and https URLs are fetched`,
      );
    }
    if (url.username !== '' || url.password !== '') {
      throw new SafeFetchError(
        'url_unsupported',
        `${url.origin}: URLs with credentials are not fetched`,
      );
    }
    const allowPrivate = hopAllowsPrivate(options.allowPrivate, url, hop);
    // A literal address never reaches the lookup: check it here.
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && !allowPrivate && isPrivateAddress(host)) throw refused(host, host);
    let answer: Awaited<ReturnType<typeof requestOnce>>;
    try {
      answer = await requestOnce(url, {
        method,
        headers,
        body,
        lookup: checkingLookup(resolve, allowPrivate),
        maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
        signal,
      });
    } catch (err) {
      if (err instanceof SafeFetchError) throw err;
      if (signal.aborted) {
        throw new SafeFetchError('timed_out', `${url.href} did not answer within ${timeoutMs} ms`);
      }
      throw new SafeFetchError('fetch_failed', `${url.href}: ${(err as Error).message}`);
    }
    const location = answer.headers.location;
    if (answer.status < 300 || answer.status >= 400 || location === undefined) {
      return { ...answer, url: url.href };
    }
    if (hop >= maxRedirects) {
      throw new SafeFetchError(
        'too_many_redirects',
        `${input} redirected more than ${maxRedirects} times`,
      );
    }
    try {
      url = new URL(location, url);
    } catch {
      throw new SafeFetchError(
        'url_unsupported',
        `${url.href} redirected to ${location}, not a URL`,
      );
    }
    // As browsers do: 303, and 301/302 after a POST, continue as a GET without the body.
    if (
      answer.status === 303 ||
      ((answer.status === 301 || answer.status === 302) && method === 'POST')
    ) {
      method = 'GET';
      body = undefined;
      delete headers['content-type'];
    }
    // Credentials meant for the first origin stay with it.
    if (url.origin !== origin) {
      delete headers.authorization;
      delete headers.cookie;
    }
  }
}
