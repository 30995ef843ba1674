#!/usr/bin/env node
// Checks the module graph of DESIGN.md §5: which server module imports which (through
// @server/modules/<name>), and fails when the graph has a cycle. ESLint enforces the rest of the
// import direction (common ← server, app; modules only through index.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = 'server/modules';
const modules = readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory());

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory()
      ? files(p)
      : /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f)
        ? [p]
        : [];
  });
}

const graph = new Map();
for (const m of modules) {
  const deps = new Set();
  for (const f of files(join(root, m))) {
    for (const match of readFileSync(f, 'utf8').matchAll(
      /from\s+['"]@server\/modules\/([^/'"]+)/g,
    )) {
      if (match[1] !== m) deps.add(match[1]);
    }
  }
  graph.set(m, deps);
}

const state = new Map();
const stack = [];
function visit(m) {
  if (state.get(m) === 'done') return;
  if (state.get(m) === 'open') {
    const cycle = [...stack.slice(stack.indexOf(m)), m].join(' → ');
    console.error(`Module import cycle: ${cycle}`);
    process.exit(1);
  }
  state.set(m, 'open');
  stack.push(m);
  for (const d of graph.get(m) ?? []) visit(d);
  stack.pop();
  state.set(m, 'done');
}
for (const m of modules) visit(m);
console.log(
  `Module graph is acyclic: ${[...graph].map(([m, d]) => `${m} ← ${[...d].join(', ') || '∅'}`).join('; ')}`,
);
