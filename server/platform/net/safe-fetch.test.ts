import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isPrivateAddress, safeFetch, SafeFetchError, type Resolver } from './safe-fetch';

const servers: Server[] = [];

async function serve(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function failure(p: Promise<unknown>): Promise<SafeFetchError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SafeFetchError) return err;
    throw err;
  }
  throw new Error('expected a SafeFetchError');
}

describe('isPrivateAddress', () => {
  it('refuses the host’s own networks in every spelling, and lets public addresses through', () => {
    const own = [
      '127.0.0.1',
      '127.8.9.10',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'fe80::1%eth0',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::192.168.0.1',
      'not-an-address',
    ];
    for (const a of own) expect(isPrivateAddress(a), a).toBe(true);
    const open = [
      '93.184.216.34',
      '8.8.8.8',
      '172.32.0.1',
      '100.128.0.1',
      '2606:4700::1111',
      '::ffff:93.184.216.34',
    ];
    for (const a of open) expect(isPrivateAddress(a), a).toBe(false);
  });
});

describe('safeFetch', () => {
  it('refuses a loopback server by default and fetches it with allowPrivate', async () => {
    const url = await serve((_req, res) => res.end('hello'));
    const err = await failure(safeFetch(`${url}/x`));
    expect(err.code).toBe('address_not_allowed');
    expect(err.message).toContain('--allow-private');

    const ok = await safeFetch(`${url}/x`, { allowPrivate: true });
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toBe('hello');
  });

  it('checks the addresses a name resolves to, all of them, in the socket’s own lookup', async () => {
    const url = await serve((_req, res) => res.end('inside'));
    const port = new URL(url).port;
    const asked: string[] = [];
    // A name with a public address and a loopback one: refused, whichever the socket would pick.
    const mixed: Resolver = async (host) => {
      asked.push(host);
      return [
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ];
    };
    const err = await failure(safeFetch(`http://wiki.example.test:${port}/`, { resolve: mixed }));
    expect(err.code).toBe('address_not_allowed');
    expect(asked).toEqual(['wiki.example.test']);
    // The socket connects to the address the lookup checked (here loopback, allowed).
    const loopback: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const ok = await safeFetch(`http://wiki.example.test:${port}/`, {
      resolve: loopback,
      allowPrivate: true,
    });
    expect(ok.body.toString()).toBe('inside');
    expect(
      (await failure(safeFetch(`http://wiki.example.test:${port}/`, { resolve: loopback }))).code,
    ).toBe('address_not_allowed');
  });

  it('refuses literal addresses of its own networks, IPv6 and IPv4-mapped ones too', async () => {
    for (const u of [
      'http://127.0.0.1:1/',
      'http://[::1]:1/',
      'http://[::ffff:127.0.0.1]:1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://0.0.0.0:1/',
    ]) {
      expect((await failure(safeFetch(u))).code, u).toBe('address_not_allowed');
    }
  });

  it('checks every redirect: an allowed start that redirects to loopback is refused', async () => {
    const inside = await serve((_req, res) => res.end('secret'));
    const start = await serve((_req, res) => {
      res.writeHead(302, { location: `${inside}/admin` });
      res.end();
    });
    // Only the first hop may be private (it stands for a public site in this test).
    const err = await failure(
      safeFetch(`${start}/page`, { allowPrivate: (_url, hop) => hop === 0 }),
    );
    expect(err.code).toBe('address_not_allowed');
    // With allowPrivate for every hop, the redirect is followed.
    const ok = await safeFetch(`${start}/page`, { allowPrivate: true });
    expect(ok.body.toString()).toBe('secret');
    expect(ok.url).toBe(`${inside}/admin`);
  });

  it('follows a bounded number of redirects and only to http(s)', async () => {
    let hits = 0;
    const loop = await serve((req, res) => {
      hits++;
      res.writeHead(301, { location: `/again${req.url ?? ''}` });
      res.end();
    });
    const err = await failure(safeFetch(loop, { allowPrivate: true, maxRedirects: 3 }));
    expect(err.code).toBe('too_many_redirects');
    expect(hits).toBe(4);
    const toFile = await serve((_req, res) => {
      res.writeHead(302, { location: 'file:///etc/passwd' });
      res.end();
    });
    expect((await failure(safeFetch(toFile, { allowPrivate: true }))).code).toBe('url_unsupported');
    expect((await failure(safeFetch('ftp://example.test/'))).code).toBe('url_unsupported');
  });

  it('caps the size of the answer, declared or streamed', async () => {
    const declared = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '5000' });
      res.end(Buffer.alloc(5000, 0x61));
    });
    const streamed = await serve((_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 5; i++) res.write(Buffer.alloc(1000, 0x61));
      res.end();
    });
    for (const u of [declared, streamed]) {
      const err = await failure(safeFetch(u, { allowPrivate: true, maxBytes: 2000 }));
      expect(err.code, u).toBe('response_too_large');
    }
    const fits = await safeFetch(streamed, { allowPrivate: true, maxBytes: 5000 });
    expect(fits.body.length).toBe(5000);
  });

  it('names a failed connection as fetch_failed', async () => {
    const url = await serve((_req, res) => res.end());
    const port = new URL(url).port;
    const s = servers.pop();
    await new Promise((resolve) => s?.close(resolve));
    const err = await failure(safeFetch(`http://127.0.0.1:${port}/`, { allowPrivate: true }));
    expect(err.code).toBe('fetch_failed');
  });
});
