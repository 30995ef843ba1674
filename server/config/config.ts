import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { handbookStarterLanguages, type HandbookStarterLanguage } from '@common/api/handbook';

/** Log levels pino understands. */
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function splitList(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `192.168.0.0/16`, `fd00::/8`: an IP address and a prefix length that fits it. */
function isCidr(v: string): boolean {
  const [address = '', prefix = '', ...rest] = v.split('/');
  const family = isIP(address);
  return (
    family !== 0 &&
    rest.length === 0 &&
    /^\d{1,3}$/.test(prefix) &&
    Number(prefix) <= (family === 4 ? 32 : 128)
  );
}

const port = z.coerce.number().int().min(0).max(65535);

/** proxy-addr's names for address ranges (Fastify's trustProxy understands them). */
const proxyRangeNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(v: string): boolean {
  if (proxyRangeNames.has(v)) return true;
  const [ip = '', bits, ...rest] = v.split('/');
  const family = isIP(ip);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: unset or `off` trusts no proxy (request.ip is the socket's peer); a number trusts
 * that many hops of X-Forwarded-For; otherwise the addresses, CIDRs or proxy-addr names
 * (loopback, linklocal, uniquelocal) of the proxies in front.
 */
export type TrustProxy = false | number | string[];

function parseTrustProxy(v: string | undefined): TrustProxy {
  const t = (v ?? '').trim();
  if (t === '' || t === 'off') return false;
  if (/^\d+$/.test(t)) return Number(t) === 0 ? false : Number(t);
  return splitList(t);
}
const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((v) => protocols.some((p) => v.startsWith(p)), {
      message: `must start with ${protocols.join(' or ')}`,
    })
    .optional();

/**
 * The environment, as the process reads it. Every variable the server knows is listed here, with
 * its default: this schema is the documentation (see README "Configuration").
 */
export const envSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: optionalUrl(['http://', 'https://']),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().min(1).optional(),
  REDIS_URL: optionalUrl(['redis://', 'rediss://']),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  SMTP_URL: optionalUrl(['smtp://', 'smtps://']),
  MAIL_FROM: z.string().min(3).default('Commonhall <commonhall@localhost>'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  TRUST_PROXY: z
    .string()
    .refine((v) => /^\s*(\d+|off)?\s*$/.test(v) || splitList(v).every(isProxyAddress), {
      message:
        'must be off, a hop count, or a comma-separated list of addresses or CIDRs (or loopback, linklocal, uniquelocal)',
    })
    .optional(),
  MEDIA_PORT: port.default(40000),
  MEDIA_BIND_ADDRESS: z.string().min(1).optional(),
  MEDIA_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
  /** Networks whose ICE candidates the media engine takes from anyone (realtime/sfu/candidates.ts). */
  MEDIA_CANDIDATE_NETWORKS: z
    .string()
    .refine((v) => splitList(v).every(isCidr), {
      message: 'must be a comma-separated list of networks such as 192.168.0.0/16 or fd00::/8',
    })
    .optional(),
  TURN_SERVERS: z
    .string()
    .refine((v) => splitList(v).every((s) => /^(turns?|stun):/.test(s)), {
      message: 'must be a comma-separated list of turn:, turns: or stun: URLs',
    })
    .optional(),
  HANDBOOK_STARTER: z.enum(['on', 'off']).default('on'),
  /** The language the starter handbook is seeded in at first start (one a starter is written in). */
  HANDBOOK_STARTER_LANGUAGE: z
    .enum(handbookStarterLanguages, {
      message: `must be one of ${handbookStarterLanguages.join(', ')} (the languages a starter handbook is written in)`,
    })
    .default('en'),
  /** Worker threads that lay out diagrams, and the wall-clock limit of one layout. */
  DIAGRAM_WORKERS: z.coerce.number().int().min(1).max(16).default(1),
  DIAGRAM_TIME_LIMIT_MS: z.coerce.number().int().min(10).max(120_000).default(5000),
  /** Read only to report at start whether glibc's arenas are limited (README "Operations"). */
  MALLOC_ARENA_MAX: z.string().optional(),
  GLIBC_TUNABLES: z.string().optional(),
});

export type EnvInput = Partial<Record<keyof z.input<typeof envSchema>, string>>;

export type Database =
  | { dialect: 'sqlite'; filename: string }
  | { dialect: 'postgres'; connectionString: string; schema?: string };

/** The parsed, checked configuration every part of the server receives. */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  secureCookies: boolean;
  dataDir: string;
  database: Database;
  redisUrl: string | undefined;
  sessionSecret: string;
  logLevel: (typeof logLevels)[number];
  smtpUrl: string | undefined;
  mailFrom: string;
  metricsToken: string | undefined;
  /** Which proxies' X-Forwarded-For to believe for request.ip (rate limits, /metrics, media). */
  trustProxy: TrustProxy;
  media: {
    port: number;
    bindAddress: string | undefined;
    announcedAddress: string | undefined;
    /** MEDIA_CANDIDATE_NETWORKS: CIDRs. */
    candidateNetworks: string[];
    turnServers: string[];
  };
  handbookStarter: boolean;
  handbookStarterLanguage: HandbookStarterLanguage;
  /** Diagram layout: worker threads, and the time limit past which a diagram is "too complex". */
  diagramWorkers: number;
  diagramTimeLimitMs: number;
  /** Whether the environment limits glibc's malloc arenas (glibc reads it only at start). */
  mallocArenasLimited: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parseDatabase(url: string | undefined, dataDir: string): Database {
  if (url === undefined || url === '')
    return { dialect: 'sqlite', filename: join(dataDir, 'commonhall.sqlite') };
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { dialect: 'postgres', connectionString: url };
  }
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (path === ':memory:') return { dialect: 'sqlite', filename: ':memory:' };
  return { dialect: 'sqlite', filename: isAbsolute(path) ? path : resolve(path) };
}

/** Reads the session secret kept in DATA_DIR, creating it on first start. */
function loadOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/**
 * Parses the environment (and flags, which the CLI merges in before) into a Config.
 * Throws ConfigError listing every problem at once, never just the first.
 */
export function loadConfig(env: EnvInput, options: { persistSecret?: boolean } = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`),
    );
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  const turnServers = splitList(e.TURN_SERVERS);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const sessionSecret =
    e.SESSION_SECRET ??
    (options.persistSecret === false
      ? randomBytes(48).toString('base64url')
      : loadOrCreateSecret(dataDir));
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    dataDir,
    database: parseDatabase(e.DATABASE_URL, dataDir),
    redisUrl: e.REDIS_URL,
    sessionSecret,
    logLevel: e.LOG_LEVEL,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    metricsToken: e.METRICS_TOKEN,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    media: {
      port: e.MEDIA_PORT,
      bindAddress: e.MEDIA_BIND_ADDRESS,
      announcedAddress: e.MEDIA_ANNOUNCED_ADDRESS,
      candidateNetworks: splitList(e.MEDIA_CANDIDATE_NETWORKS),
      turnServers,
    },
    handbookStarter: e.HANDBOOK_STARTER === 'on',
    handbookStarterLanguage: e.HANDBOOK_STARTER_LANGUAGE,
    diagramWorkers: e.DIAGRAM_WORKERS,
    diagramTimeLimitMs: e.DIAGRAM_TIME_LIMIT_MS,
    mallocArenasLimited:
      e.MALLOC_ARENA_MAX !== undefined || (e.GLIBC_TUNABLES ?? '').includes('arena_max'),
  };
}

/** The only reader of process.env in the codebase. */
export function envFromProcess(): EnvInput {
  const out: EnvInput = {};
  for (const key of Object.keys(envSchema.shape) as (keyof EnvInput)[]) {
    const v = process.env[key];
    if (v !== undefined && v !== '') out[key] = v;
  }
  return out;
}
