#!/usr/bin/env node
// The whole suite, as the README and CI run it: lint, typecheck, the server suite on SQLite and on
// PostgreSQL, the app build, then the browser end-to-end tests. Stops at the first failing step.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const only = process.argv[2]; // e.g. `npm test -- e2e` to run one step
mkdirSync('.tmp', { recursive: true });

let passed = 0;
let failed = 0;

function vitest(name, project, env) {
  const report = `.tmp/vitest-${name}.json`;
  rmSync(report, { force: true });
  return {
    name,
    cmd: [
      'npx',
      'vitest',
      'run',
      '--project',
      project,
      '--reporter=default',
      `--reporter=json`,
      `--outputFile.json=${report}`,
    ],
    env,
    report,
  };
}

const steps = [
  { name: 'lint', cmd: ['npx', 'eslint', '.', '--max-warnings=0'] },
  { name: 'boundaries', cmd: ['node', 'scripts/check-boundaries.mjs'] },
  { name: 'format', cmd: ['npx', 'prettier', '--check', '.'] },
  { name: 'typecheck', cmd: ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit'] },
  vitest('sqlite', 'server', { COMMONHALL_TEST_DB: 'sqlite' }),
  vitest('postgres', 'server', { COMMONHALL_TEST_DB: 'postgres' }),
  { name: 'build', cmd: ['npx', 'vite', 'build', '--logLevel', 'warn'] },
  vitest('e2e', 'e2e', {}),
];

const started = Date.now();
for (const step of steps) {
  if (only !== undefined && step.name !== only) continue;
  const t0 = Date.now();
  console.log(`\n━━ ${step.name} ━━ ${step.cmd.join(' ')}`);
  const r = spawnSync(step.cmd[0], step.cmd.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, ...(step.env ?? {}) },
  });
  if (step.report !== undefined && existsSync(step.report)) {
    const j = JSON.parse(readFileSync(step.report, 'utf8'));
    passed += j.numPassedTests;
    failed += j.numFailedTests;
  }
  console.log(
    `━━ ${step.name}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (r.status !== 0) {
    if (step.report === undefined) failed += 1;
    console.log(`\nTests: ${passed} passed, ${failed} failed`);
    process.exit(r.status ?? 1);
  }
}
console.log(`\nWhole suite in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`Tests: ${passed} passed, ${failed} failed`);
