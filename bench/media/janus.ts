/**
 * Debian's Janus (apt package `janus`) as the reference SFU for the media benchmark, bound to
 * 127.0.0.1 only. Janus skips every interface flagged loopback when it gathers ICE candidates
 * (even one named in ice_enforce_list), so ICE would fail against our 127.0.0.1 clients: a
 * few lines of C, compiled here with gcc into the temp dir and loaded with LD_PRELOAD, wrap
 * getifaddrs() and clear the loopback flag. Nothing compiled is kept: the temp dir goes at stop.
 * See ../shared/janus-notes.md for how this was found.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const JANUS = '/usr/bin/janus';
const LIB = '/usr/lib/x86_64-linux-gnu/janus';

const SHIM_C = `#define _GNU_SOURCE
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>
/* Janus never gathers candidates on a loopback interface: pretend none is. */
int getifaddrs(struct ifaddrs **ifap) {
  static int (*real)(struct ifaddrs **) = 0;
  if (!real) real = (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
  int r = real(ifap);
  if (r == 0)
    for (struct ifaddrs *i = *ifap; i; i = i->ifa_next) i->ifa_flags &= ~IFF_LOOPBACK;
  return r;
}
`;

const OTHER_PLUGINS = [
  'audiobridge',
  'duktape',
  'echotest',
  'lua',
  'nosip',
  'recordplay',
  'sip',
  'streaming',
  'textroom',
  'videocall',
  'voicemail',
].map((p) => `libjanus_${p}.so`);
const OTHER_TRANSPORTS = ['mqtt', 'nanomsg', 'pfunix', 'rabbitmq', 'websockets'].map(
  (t) => `libjanus_${t}.so`,
);

export interface JanusOptions {
  /** Janus's `event_loops` (general section): 0 = default (a thread per handle). */
  eventLoops: number;
  /** CPU list for taskset (the engine's core). */
  cores: string;
}

export interface RunningJanus {
  pid: number;
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:PORT/janus */
  url: string;
  stop: () => Promise<void>;
}

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Why Janus cannot run here, or undefined when it can. */
export function janusUnavailable(): string | undefined {
  if (!existsSync(JANUS)) return `${JANUS} is missing (apt-get install -y janus)`;
  if (!existsSync(`${LIB}/plugins/libjanus_videoroom.so`)) return 'Janus VideoRoom plugin missing';
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'gcc is missing: the getifaddrs shim cannot be compiled';
  }
  return undefined;
}

export async function startJanus(o: JanusOptions): Promise<RunningJanus> {
  const dir = mkdtempSync(join(tmpdir(), 'commonhall-janus-'));
  writeFileSync(join(dir, 'shim.c'), SHIM_C);
  execFileSync('gcc', [
    '-shared',
    '-fPIC',
    '-O2',
    '-o',
    join(dir, 'shim.so'),
    join(dir, 'shim.c'),
    '-ldl',
  ]);
  const httpPort = await freeTcpPort();
  // A UDP range of its own, away from other benchmarks' ports.
  const rtpBase = 31000 + Math.floor(Math.random() * 200) * 20;
  writeFileSync(
    join(dir, 'janus.jcfg'),
    `general: {
  configs_folder = "${dir}"
  plugins_folder = "${LIB}/plugins"
  transports_folder = "${LIB}/transports"
  events_folder = "${LIB}/events"
  loggers_folder = "${LIB}/loggers"
  debug_level = 3
  admin_secret = "bench"
  interface = "127.0.0.1"
  session_timeout = 0
${o.eventLoops > 0 ? `  event_loops = ${o.eventLoops}\n` : ''}}
certificates: {
}
media: {
  rtp_port_range = "${rtpBase}-${rtpBase + 1999}"
}
nat: {
  ice_enforce_list = "127.0.0.1"
  ignore_mdns = true
}
plugins: {
  disable = "${OTHER_PLUGINS.join(',')}"
}
transports: {
  disable = "${OTHER_TRANSPORTS.join(',')}"
}
loggers: {
  disable = "libjanus_jsonlog.so"
}
events: {
  broadcast = false
}
`,
  );
  writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), 'general: {\n}\n');
  writeFileSync(
    join(dir, 'janus.transport.http.jcfg'),
    `general: {
  json = "compact"
  base_path = "/janus"
  http = true
  port = ${httpPort}
  ip = "127.0.0.1"
  https = false
}
admin: {
  admin_http = false
  admin_https = false
}
`,
  );
  const child: ChildProcess = spawn(
    'taskset',
    ['-c', o.cores, JANUS, '-C', join(dir, 'janus.jcfg'), '-F', dir, '-P', `${LIB}/plugins`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LD_PRELOAD: join(dir, 'shim.so') },
    },
  );
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${httpPort}/janus`;
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) console.error(`Janus exited (${code ?? signal}):\n${log.slice(-4000)}`);
  });
  const stop = async () => {
    stopping = true;
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          r();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/info`);
      if (res.ok) return { pid: child.pid!, url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`Janus did not start:\n${log.slice(-3000)}`);
}
