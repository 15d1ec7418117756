import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { IMPORT_MAX_BYTES_DEFAULT } from '@teamspiegel/contracts';
import { codeVersion } from './transparency/code-version.ts';

const NodeEnv = Type.Union([
  Type.Literal('production'),
  Type.Literal('development'),
  Type.Literal('test'),
]);

const ConfigSchema = Type.Object({
  nodeEnv: NodeEnv,
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  host: Type.String({ minLength: 1 }),
  dataDir: Type.String({ minLength: 1 }),
  /** The one origin browsers use; state-changing requests must come from it (or allowedOrigins). */
  publicOrigin: Type.String({ pattern: '^https?://[^/]+$' }),
  /** Extra origins allowed to send state-changing requests (the Vite dev server in development). */
  extraOrigins: Type.Array(Type.String({ pattern: '^https?://[^/]+$' })),
  /**
   * Where browsers send anonymous answers (anonymity.md 4.3), when not the public origin: a
   * host of its own, so that nothing of the logged-in site (cookies, logs) shares its origin.
   * null: /submit is served from the public origin.
   */
  submitOrigin: Type.Union([Type.String({ pattern: '^https?://[^/]+$' }), Type.Null()]),
  sessionSecret: Type.String({ minLength: 32 }),
  sessionIdleMinutes: Type.Integer({ minimum: 1, maximum: 24 * 60 }),
  sessionAbsoluteHours: Type.Integer({ minimum: 1, maximum: 7 * 24 }),
  /** Requests per minute per client address, across the whole API. */
  rateLimitPerMinute: Type.Integer({ minimum: 1 }),
  bodyLimitBytes: Type.Integer({ minimum: 1024 }),
  /** The largest HR import file, per file (TEAMSPIEGEL_IMPORT_MAX_BYTES, default 50 MB). */
  importMaxBytes: Type.Integer({ minimum: 1024 }),
  /**
   * Which proxies may say who the client is (X-Forwarded-For/-Proto): none, a number of hops,
   * or their addresses. Never "all": a client could then pick its own address and slip past
   * the per-address login throttle.
   */
  trustProxy: Type.Union([
    Type.Literal(false),
    Type.Integer({ minimum: 1, maximum: 10 }),
    Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  ]),
  seedDemo: Type.Boolean(),
  demoPassword: Type.Union([Type.String({ minLength: 12 }), Type.Null()]),
  webBuildDir: Type.String(),
  /** Signing keys and wave data keys: outside the database, never in a backup of it. */
  keyDir: Type.String({ minLength: 1 }),
  /** How often the scheduler looks at waves (open, close, bands); 0 turns it off (tests). */
  schedulerIntervalMs: Type.Integer({ minimum: 0 }),
  /** Threads generating signing keys. */
  keyWorkers: Type.Integer({ minimum: 1, maximum: 16 }),
  /**
   * Bearer token a Prometheus scraper sends to GET /metrics; null turns the endpoint off (404).
   * At least 32 characters: it guards operational data, and a short one is guessed.
   */
  metricsToken: Type.Union([Type.String({ minLength: 32 }), Type.Null()]),
  /** The code the server runs, shown on the transparency page. */
  codeVersion: Type.Object({
    version: Type.Union([Type.String(), Type.Null()]),
    commit: Type.Union([Type.String(), Type.Null()]),
  }),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
  ),
});
export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {}

const here = dirname(fileURLToPath(import.meta.url));
const DEFAULT_WEB_BUILD = resolve(here, '../../web/build');

function integer(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  return /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
}

function trustedProxies(value: string | undefined): false | number | string[] {
  if (value === undefined || value === '' || value.toLowerCase() === 'false') return false;
  if (value.toLowerCase() === 'true') {
    throw new ConfigError(
      'TEAMSPIEGEL_TRUST_PROXY=true would trust any X-Forwarded-For a client sends; give the number of proxies in front (e.g. 1) or their addresses',
    );
  }
  if (/^\d+$/.test(value)) return Number(value);
  return value
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
}

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

/**
 * The session-signing secret: from the environment when given, else one generated on first
 * start and kept in the data directory (readable by the server's user only), never in the
 * repository or the database.
 */
function sessionSecret(env: NodeJS.ProcessEnv, dataDir: string): string {
  const fromEnv = env.TEAMSPIEGEL_SESSION_SECRET;
  if (fromEnv) return fromEnv;
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Environment to typed configuration, validated once at start; throws a ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const port = integer(env.PORT, 3000);
  const dataDir = resolve(env.TEAMSPIEGEL_DATA_DIR ?? './data');
  const publicOrigin = (env.TEAMSPIEGEL_PUBLIC_ORIGIN ?? `http://localhost:${port}`).replace(
    /\/$/,
    '',
  );
  const extra = (env.TEAMSPIEGEL_EXTRA_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  // In development the same server is reached as localhost or 127.0.0.1, and through Vite.
  if (nodeEnv === 'development') {
    extra.push(
      `http://localhost:${port}`,
      `http://127.0.0.1:${port}`,
      'http://localhost:5173',
      'http://127.0.0.1:5173',
    );
  }

  const candidate = {
    nodeEnv,
    port,
    host: env.HOST ?? (nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1'),
    dataDir,
    publicOrigin,
    extraOrigins: extra,
    submitOrigin: env.TEAMSPIEGEL_SUBMIT_ORIGIN
      ? env.TEAMSPIEGEL_SUBMIT_ORIGIN.replace(/\/$/, '')
      : null,
    sessionSecret: sessionSecret(env, dataDir),
    sessionIdleMinutes: integer(env.TEAMSPIEGEL_SESSION_IDLE_MINUTES, 30),
    sessionAbsoluteHours: integer(env.TEAMSPIEGEL_SESSION_ABSOLUTE_HOURS, 10),
    rateLimitPerMinute: integer(env.TEAMSPIEGEL_RATE_LIMIT_PER_MINUTE, 600),
    bodyLimitBytes: integer(env.TEAMSPIEGEL_BODY_LIMIT_BYTES, 100 * 1024),
    importMaxBytes: integer(env.TEAMSPIEGEL_IMPORT_MAX_BYTES, IMPORT_MAX_BYTES_DEFAULT),
    trustProxy: trustedProxies(env.TEAMSPIEGEL_TRUST_PROXY),
    seedDemo: flag(env.TEAMSPIEGEL_SEED_DEMO, nodeEnv !== 'production'),
    demoPassword: env.TEAMSPIEGEL_DEMO_PASSWORD ?? null,
    webBuildDir: resolve(env.TEAMSPIEGEL_WEB_DIR ?? DEFAULT_WEB_BUILD),
    keyDir: resolve(env.TEAMSPIEGEL_KEY_DIR ?? join(dataDir, 'keys')),
    schedulerIntervalMs: integer(env.TEAMSPIEGEL_SCHEDULER_INTERVAL_MS, 60_000),
    keyWorkers: integer(env.TEAMSPIEGEL_KEY_WORKERS, 2),
    metricsToken: env.TEAMSPIEGEL_METRICS_TOKEN || null,
    codeVersion: codeVersion(env),
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
  };
  if (!Value.Check(ConfigSchema, candidate)) {
    const problems = [...Value.Errors(ConfigSchema, candidate)].map(
      (e) => `${e.instancePath || '/'} ${e.message}`,
    );
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  if (nodeEnv === 'production' && !publicOrigin.startsWith('https://')) {
    throw new ConfigError('TEAMSPIEGEL_PUBLIC_ORIGIN must be https:// in production');
  }
  if (candidate.submitOrigin === publicOrigin) {
    throw new ConfigError(
      'TEAMSPIEGEL_SUBMIT_ORIGIN is the public origin; leave it unset to serve /submit there',
    );
  }
  if (nodeEnv === 'production' && candidate.submitOrigin?.startsWith('http://')) {
    throw new ConfigError('TEAMSPIEGEL_SUBMIT_ORIGIN must be https:// in production');
  }
  return candidate;
}
