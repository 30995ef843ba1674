import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

const tmp = () => mkdtempSync(join(tmpdir(), 'commonhall-config-'));

describe('loadConfig', () => {
  it('defaults to SQLite under DATA_DIR on port 8080', () => {
    const dir = tmp();
    const c = loadConfig({ DATA_DIR: dir });
    expect(c.port).toBe(8080);
    expect(c.database).toEqual({ dialect: 'sqlite', filename: join(dir, 'commonhall.sqlite') });
    expect(c.publicUrl).toBe('http://localhost:8080');
    expect(c.secureCookies).toBe(false);
    expect(c.handbookStarter).toBe(true);
    expect(c.handbookStarterLanguage).toBe('en');
  });

  it('seeds the starter handbook in a language a starter is written in, and refuses others', () => {
    expect(
      loadConfig({ DATA_DIR: tmp(), HANDBOOK_STARTER_LANGUAGE: 'es' }).handbookStarterLanguage,
    ).toBe('es');
    expect(() => loadConfig({ DATA_DIR: tmp(), HANDBOOK_STARTER_LANGUAGE: 'xx' })).toThrow(
      /HANDBOOK_STARTER_LANGUAGE: must be one of en, es, ca, fr, de/,
    );
  });

  it('notes whether glibc malloc arenas are limited, from MALLOC_ARENA_MAX or GLIBC_TUNABLES', () => {
    expect(loadConfig({ DATA_DIR: tmp() }).mallocArenasLimited).toBe(false);
    expect(loadConfig({ DATA_DIR: tmp(), MALLOC_ARENA_MAX: '1' }).mallocArenasLimited).toBe(true);
    expect(
      loadConfig({ DATA_DIR: tmp(), GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })
        .mallocArenasLimited,
    ).toBe(true);
    expect(
      loadConfig({ DATA_DIR: tmp(), GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=0' })
        .mallocArenasLimited,
    ).toBe(false);
  });

  it('generates the session secret once and keeps it in DATA_DIR', () => {
    const dir = tmp();
    const a = loadConfig({ DATA_DIR: dir });
    const b = loadConfig({ DATA_DIR: dir });
    expect(a.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(b.sessionSecret).toBe(a.sessionSecret);
    expect(readFileSync(join(dir, 'session-secret'), 'utf8').trim()).toBe(a.sessionSecret);
  });

  it('chooses PostgreSQL for postgres:// URLs and Secure cookies for https', () => {
    const c = loadConfig({
      DATA_DIR: tmp(),
      DATABASE_URL: 'postgres://u@db/x',
      PUBLIC_URL: 'https://hall.example.coop/',
      TURN_SERVERS: 'turn:turn.example.coop:3478, stun:stun.example.coop',
      MEDIA_CANDIDATE_NETWORKS: '192.168.0.0/16, fd00::/8',
    });
    expect(c.database).toEqual({ dialect: 'postgres', connectionString: 'postgres://u@db/x' });
    expect(c.publicUrl).toBe('https://hall.example.coop');
    expect(c.secureCookies).toBe(true);
    expect(c.media.turnServers).toEqual(['turn:turn.example.coop:3478', 'stun:stun.example.coop']);
    expect(c.media.candidateNetworks).toEqual(['192.168.0.0/16', 'fd00::/8']);
  });

  it('reads TRUST_PROXY as off, a hop count, or proxy addresses, and refuses anything else', () => {
    const env = { DATA_DIR: tmp(), SESSION_SECRET: 's'.repeat(32) };
    expect(loadConfig(env).trustProxy).toBe(false);
    expect(loadConfig({ ...env, TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ ...env, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...env, TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      '::1',
    ]);
    for (const bad of ['yes', '10.0.0.0/33', 'proxy.example.org', '1.2.3'])
      expect(() => loadConfig({ ...env, TRUST_PROXY: bad }), bad).toThrow(ConfigError);
  });

  it('lists every problem at once', () => {
    let caught: unknown;
    try {
      loadConfig({
        DATA_DIR: tmp(),
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        PUBLIC_URL: 'ftp://x',
        REDIS_URL: 'http://redis',
        SESSION_SECRET: 'short',
        TURN_SERVERS: 'http://nope',
        MEDIA_PORT: '70000',
        MEDIA_CANDIDATE_NETWORKS: '10.0.0.0/33, lan',
        HANDBOOK_STARTER: 'maybe',
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    for (const key of [
      'PORT',
      'LOG_LEVEL',
      'PUBLIC_URL',
      'REDIS_URL',
      'SESSION_SECRET',
      'TURN_SERVERS',
      'MEDIA_PORT',
      'MEDIA_CANDIDATE_NETWORKS',
      'HANDBOOK_STARTER',
    ]) {
      expect(problems).toContain(key);
    }
  });
});
