/**
 * `npm run bench:handbook`: a generated handbook (5,000 pages) served by Commonhall and by the
 * Federated Wiki server side by side in the same run; page JSON throughput and latency over
 * loopback with autocannon; the preview-next diagram of a page with 50 links, uncached and cached;
 * search latency. Results are printed as Markdown (copied into docs/benchmarks.md by hand).
 *
 * Flags: --pages N (5000) --duration S per load run (10) --connections C (20) --rounds R (2).
 */
import autocannon from 'autocannon';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryReader } from '@server/modules/handbook/diagram';
import { groupCpuSeconds } from './cpu';
import { summarise, timeDiagram, type Timing } from './diagram-timing';
import { generateHandbook, HUB_LINKS, type GeneratedPage } from './generate';
import { importHandbook, startOurs } from './ours';
import { startWiki, writeWikiPages, type RunningServer } from './wiki-server';

const repoRoot = resolve(import.meta.dirname, '../..');

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const PAGES = flag('pages', 5000);
const DURATION = flag('duration', 10);
const CONNECTIONS = flag('connections', 20);
const ROUNDS = flag('rounds', 2);

const out = (line = '') => process.stdout.write(`${line}\n`);
const ms = (n: number) => `${n < 10 ? n.toFixed(2) : n.toFixed(0)} ms`;

interface Load {
  rps: number;
  /** Requests answered per CPU-second the server's processes used. */
  perCpuSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

/** Page JSON requests over random slugs for `duration` seconds. */
async function loadPages(
  server: RunningServer,
  pages: GeneratedPage[],
  duration: number,
): Promise<Load> {
  let i = 0;
  const paths = pages.map((page) => `/${page.slug}.json`);
  // A fixed stride through the pages: every page is asked for, none twice in a row.
  const next = () => paths[(i = (i + 7919) % paths.length)] ?? '/';
  const cpuBefore = await groupCpuSeconds(server.pid);
  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    duration,
    requests: [{ setupRequest: (request) => ({ ...request, method: 'GET', path: next() }) }],
  });
  const cpu = (await groupCpuSeconds(server.pid)) - cpuBefore;
  return {
    rps: result.requests.average,
    perCpuSecond: (result['2xx'] + result.non2xx) / Math.max(cpu, 0.01),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result['2xx'] + result.non2xx,
  };
}

/** Waits (at most 60 s) until a server's processes use under 5% of a CPU over a second. */
async function untilIdle(pid: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  let before = await groupCpuSeconds(pid);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await groupCpuSeconds(pid);
    if (now - before < 0.05) return;
    before = now;
  }
}

async function checkPage(server: RunningServer, page: GeneratedPage): Promise<void> {
  const response = await fetch(`${server.url}/${page.slug}.json`);
  if (!response.ok) throw new Error(`GET /${page.slug}.json → ${response.status}`);
  const json = (await response.json()) as { title?: string; story?: unknown[] };
  if (json.title !== page.title || json.story?.length !== page.story.length) {
    throw new Error(`GET /${page.slug}.json returned a different page`);
  }
}

async function searchLatency(url: string): Promise<{ sequential: Timing; load: Load }> {
  const words = ['commons', 'assembly', 'stewards', 'patience', 'asamblea', 'cooperativa', 'care'];
  const samples: number[] = [];
  for (let n = 0; n < 200; n++) {
    const q = encodeURIComponent(words[n % words.length] ?? 'care');
    const start = performance.now();
    const response = await fetch(`${url}/api/v1/handbook/search?q=${q}`);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`search → ${response.status}`);
    samples.push(performance.now() - start);
  }
  let i = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: Math.max(3, Math.round(DURATION / 2)),
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          path: `/api/v1/handbook/search?q=${encodeURIComponent(words[i++ % words.length] ?? 'care')}`,
        }),
      },
    ],
  });
  return {
    sequential: summarise(samples),
    load: {
      rps: result.requests.average,
      perCpuSecond: 0,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      total: result['2xx'] + result.non2xx,
    },
  };
}

async function httpDiagram(url: string, slug: string): Promise<{ first: number; again: Timing }> {
  const path = `${url}/api/v1/handbook/pages/${encodeURIComponent(slug)}/diagram`;
  // A pooled keep-alive socket may have been closed by the server while idle: ask once to open a
  // fresh one, on a page other than the one measured.
  await fetch(`${url}/healthz`, { headers: { connection: 'close' } }).catch(() => undefined);
  let start = performance.now();
  const first = await fetch(path, { headers: { connection: 'close' } });
  await first.arrayBuffer();
  if (!first.ok) throw new Error(`GET diagram → ${first.status}`);
  const firstMs = performance.now() - start;
  const samples: number[] = [];
  for (let n = 0; n < 200; n++) {
    start = performance.now();
    const response = await fetch(path);
    await response.arrayBuffer();
    samples.push(performance.now() - start);
  }
  return { first: firstMs, again: summarise(samples) };
}

async function main(): Promise<void> {
  const began = Date.now();
  out(`# Handbook benchmark — ${new Date().toISOString()}`);
  out(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}; ` +
      `load average at start ${loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')}`,
  );
  out(`Pages: ${PAGES}; load runs: ${DURATION} s × ${CONNECTIONS} connections, ${ROUNDS} rounds`);
  out();

  const pages = generateHandbook(PAGES);
  const hub = pages[0];
  if (!hub) throw new Error('no pages');
  const dir = await mkdtemp(join(tmpdir(), 'commonhall-bench-handbook-'));
  const servers: RunningServer[] = [];
  try {
    // The same pages, as wiki page files and as a Federated Wiki export file.
    await writeWikiPages(join(dir, 'wiki'), pages);
    const exportFile = join(dir, 'export.json');
    await writeFile(
      exportFile,
      JSON.stringify(Object.fromEntries(pages.map(({ slug, ...page }) => [slug, page]))),
    );

    const wiki = await startWiki(join(dir, 'wiki'), repoRoot);
    servers.push(wiki);
    await checkPage(wiki, hub);
    // The wiki builds its sitemap and search index after starting; let it finish first.
    const settling = performance.now();
    for (const path of ['/system/sitemap.json', '/system/site-index.json']) {
      await (await fetch(`${wiki.url}${path}`)).arrayBuffer();
    }
    await untilIdle(wiki.pid);
    out(`Federated Wiki sitemap and search index built: ${ms(performance.now() - settling)}`);

    let ours: RunningServer | undefined;
    let oursMissing: string | undefined;
    try {
      const started = performance.now();
      const loaded = await importHandbook(repoRoot, join(dir, 'ours'), exportFile);
      out(`Commonhall loaded ${PAGES} pages via ${loaded.via}: ${ms(performance.now() - started)}`);
      ours = await startOurs(repoRoot, join(dir, 'ours'));
      servers.push(ours);
      await checkPage(ours, hub);
    } catch (error) {
      oursMissing = (error as Error).message.split('\n').slice(0, 6).join('\n');
      out(`Commonhall side not measured: ${oursMissing}`);
    }

    // Warm both up (JIT, file caches), then alternate rounds so drift hits both alike.
    await loadPages(wiki, pages, 2);
    if (ours) await loadPages(ours, pages, 2);
    const wikiRuns: Load[] = [];
    const ourRuns: Load[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      wikiRuns.push(await loadPages(wiki, pages, DURATION));
      if (ours) ourRuns.push(await loadPages(ours, pages, DURATION));
    }

    out();
    out('## Page JSON (`GET /<slug>.json`, random pages)');
    out();
    out('| server | round | req/s | p50 | p99 | req per server CPU-second | errors | non-2xx |');
    out('|---|---|---|---|---|---|---|---|');
    const row = (name: string, runs: Load[]) =>
      runs.forEach((r, n) =>
        out(
          `| ${name} | ${n + 1} | ${r.rps.toFixed(0)} | ${r.p50} ms | ${r.p99} ms | ` +
            `${r.perCpuSecond.toFixed(0)} | ${r.errors} | ${r.non2xx} |`,
        ),
      );
    row('Federated Wiki (wiki)', wikiRuns);
    row('Commonhall', ourRuns);
    const mean = (runs: Load[]) => runs.reduce((a, r) => a + r.rps, 0) / Math.max(1, runs.length);
    if (ours) {
      const ratio = mean(ourRuns) / mean(wikiRuns);
      const perCpu = (runs: Load[]) =>
        runs.reduce((a, r) => a + r.perCpuSecond, 0) / Math.max(1, runs.length);
      out();
      out(`Commonhall / wiki requests per second: **${ratio.toFixed(1)}×** (target ≥ 5×)`);
      out(
        `Commonhall / wiki requests per server CPU-second: ${(perCpu(ourRuns) / perCpu(wikiRuns)).toFixed(1)}×`,
      );
    }

    out();
    out(`## Preview-next diagram of a page with ${HUB_LINKS} links (in process, memory reader)`);
    const timings = await timeDiagram(memoryReader(pages), hub.slug);
    out();
    out(`${timings.nodes} nodes, ${timings.edges} edges, SVG ${timings.svgBytes} bytes`);
    out();
    out('| | runs | p50 | p99 | mean |');
    out('|---|---|---|---|---|');
    out(`| first render (compiles Graphviz) | 1 | ${ms(timings.firstRenderMs)} | | |`);
    for (const [name, t] of [
      ['uncached (evaluate + lay out), wall', timings.uncached],
      ['uncached, CPU time of the process', timings.uncachedCpu],
      ['evaluate only', timings.evaluateOnly],
      ['cached', timings.cached],
    ] as const) {
      out(`| ${name} | ${t.runs} | ${ms(t.p50)} | ${ms(t.p99)} | ${ms(t.mean)} |`);
    }
    out();
    out('Targets: uncached < 100 ms, cached < 2 ms.');

    if (ours) {
      out();
      out('## Over HTTP (Commonhall)');
      try {
        const d = await httpDiagram(ours.url, hub.slug);
        out();
        out(
          `Diagram route, first request (uncached): ${ms(d.first)}; ` +
            `then ${d.again.runs} requests: p50 ${ms(d.again.p50)}, p99 ${ms(d.again.p99)}`,
        );
      } catch (error) {
        const cause = (error as Error).cause;
        const why = cause instanceof Error ? ` (${cause.message})` : '';
        out(`Diagram route not measured: ${(error as Error).message}${why}`);
      }
      try {
        const s = await searchLatency(ours.url);
        out();
        out(
          `Search, ${s.sequential.runs} sequential queries: p50 ${ms(s.sequential.p50)}, ` +
            `p99 ${ms(s.sequential.p99)}; under load (${CONNECTIONS} connections): ` +
            `${s.load.rps.toFixed(0)} req/s, p50 ${s.load.p50} ms, p99 ${s.load.p99} ms, ` +
            `non-2xx ${s.load.non2xx}`,
        );
      } catch (error) {
        out(`Search not measured: ${(error as Error).message}`);
      }
    }
    out();
    out(
      `Load average at end ${loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')}; ` + `total ${((Date.now() - began) / 1000).toFixed(0)} s`,
    );
  } finally {
    for (const server of servers) await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
