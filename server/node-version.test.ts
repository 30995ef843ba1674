import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '@server/paths';

/** The two calls of `semver` used here (the package ships no types of its own). */
interface Semver {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string } | null;
}
const semver = createRequire(import.meta.url)('semver') as Semver;

interface LockEntry {
  version?: string;
  engines?: { node?: string };
}

const read = (file: string) => readFileSync(join(projectRoot, file), 'utf8');

/**
 * The README promises a Node version; `npm ci` warns (EBADENGINE) about every installed package
 * whose `engines.node` leaves it out. docs/decisions/0001-node-20-versions.md says what we hold back.
 */
describe('the Node version the README promises', () => {
  const readme = /Node\.js (\d+\.\d+) or newer/.exec(read('README.md'));
  const promised = `${readme?.[1] ?? 'missing'}.0`;

  it('is the lowest that package.json allows', () => {
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines;
    expect(semver.minVersion(engines.node)?.version).toBe(promised);
  });

  it('is allowed by every package in package-lock.json', () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, LockEntry>;
    };
    const entries = Object.entries(lock.packages);
    expect(entries.length).toBeGreaterThan(100);
    const excluding = entries
      .map(([path, p]) => ({ path, version: p.version, node: p.engines?.node }))
      .filter((p) => p.node !== undefined && !semver.satisfies(promised, p.node))
      .map((p) => `${p.path}@${p.version ?? '?'} wants node ${p.node ?? ''}`);
    expect(excluding).toEqual([]);
  });
});
