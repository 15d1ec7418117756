// Helpers shared by the bench scenarios (run.ts, collection.ts, server-memory.ts, results.ts,
// results-history.ts): settings, formatting, listening and logging in over HTTP, the server in a
// child process, its resident memory, one signing key for a whole wave, and a close timed with a
// stall witness. Nothing here measures on its own; see README.md for what the scenarios report.

import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { Db } from '@teamspiegel/db';
// Not part of the api package's public exports; the bench reaches in, as collection.ts does.
import type { Config } from '../apps/api/src/config.ts';
import { toBase64url } from '../apps/api/src/collection/crypto/encoding.ts';
import { generateCellKey } from '../apps/api/src/collection/crypto/keys.ts';
import { KeyExistsError, saveCellKey } from '../apps/api/src/collection/crypto/keystore.ts';
import type { Row } from './collection.ts';

/** The public origin every bench server runs with. */
export const BENCH_ORIGIN = 'http://bench.localhost';

/**
 * The environment of a bench server on data directory `dir`: `test` keeps the session cookie
 * usable over plain HTTP on 127.0.0.1 (production sets Secure and __Host-; everything on the
 * request path is otherwise the same), and the per-address rate limit (600/min by default) is
 * set out of reach so the limiter's bookkeeping is measured, not its refusals.
 */
export function benchEnv(dir: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    TEAMSPIEGEL_DATA_DIR: dir,
    TEAMSPIEGEL_PUBLIC_ORIGIN: BENCH_ORIGIN,
    TEAMSPIEGEL_RATE_LIMIT_PER_MINUTE: '1000000000',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  };
}

/** A whole number above zero from a setting, or the fallback. */
export function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Milliseconds with `digits` decimals, or seconds with one from 10 s on. */
export const formatMs = (t: number, digits: number) =>
  t >= 10_000 ? `${(t / 1000).toFixed(1)} s` : `${t.toFixed(digits)} ms`;

export const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** Listens on a free port of 127.0.0.1; returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  return `http://127.0.0.1:${address.port}`;
}

/** A port of 127.0.0.1 free at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** The cookies a browser keeps: `keep` takes a response's Set-Cookie, `header` sends them. */
export interface CookieJar {
  keep(res: Response): void;
  header(): string;
}

export function cookieJar(): CookieJar {
  const jar = new Map<string, string>();
  return {
    keep(res) {
      for (const header of res.headers.getSetCookie()) {
        const [pair = ''] = header.split(';');
        const eq = pair.indexOf('=');
        if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
    },
    header: () => [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
  };
}

/**
 * The real login flow over HTTP: a CSRF token (bound to a pre-login session), then the login.
 * Returns the jar holding the logged-in session's cookie.
 */
export async function logInOverHttp(
  url: string,
  origin: string,
  username: string,
  password: string,
): Promise<CookieJar> {
  const jar = cookieJar();
  const csrf = await fetch(`${url}/api/v1/auth/csrf`);
  if (!csrf.ok) throw new Error(`GET /api/v1/auth/csrf: HTTP ${csrf.status} ${await csrf.text()}`);
  jar.keep(csrf);
  const { token } = (await csrf.json()) as { token: string };
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin,
      'x-csrf-token': token,
      cookie: jar.header(),
    },
    body: JSON.stringify({ username, password }),
  });
  if (!login.ok) {
    throw new Error(`POST /api/v1/auth/login: HTTP ${login.status} ${await login.text()}`);
  }
  jar.keep(login);
  return jar;
}

/** A field of /proc/<pid>/status in bytes (VmRSS, VmHWM); 0 once the process is gone. */
export function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Node/V8 flags for the server process only (BENCH_SERVER_NODE_OPTIONS, heap limits, say). */
export const serverNodeFlags = (): string[] =>
  (process.env.BENCH_SERVER_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * The real server (apps/api/src/server.ts, as `pnpm start` runs it) in a child process on data
 * directory `dir`, listening on 127.0.0.1:`port`, without the demo seed, with the
 * BENCH_SERVER_NODE_OPTIONS flags.
 */
export function spawnServer(dir: string, port: number, stdio: StdioOptions): ChildProcess {
  return spawn(
    process.execPath,
    [...serverNodeFlags(), '--import', 'tsx', join(ROOT, 'apps/api/src/server.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...benchEnv(dir),
        TEAMSPIEGEL_SEED_DEMO: 'false',
        PORT: String(port),
        HOST: '127.0.0.1',
      },
      stdio,
    },
  );
}

/**
 * Polls GET /api/v1/health every `pollMs` until it answers 200; throws when the child exits or
 * `timeoutMs` pass, with the server's last `output` where it is kept.
 */
export async function waitForHealth(
  url: string,
  child: ChildProcess,
  options: { timeoutMs: number; pollMs: number; output?: () => string },
): Promise<void> {
  const output = () => (options.output ? `:\n${options.output()}` : '');
  const start = Date.now();
  while (Date.now() - start < options.timeoutMs) {
    if (child.exitCode !== null) {
      throw new Error(`the server exited (code ${child.exitCode})${output()}`);
    }
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
  throw new Error(`the server did not become healthy in ${options.timeoutMs / 1000} s${output()}`);
}

/** Samples a process's resident set (VmRSS) every 100 ms; stop() returns its VmHWM. */
export class RssSampler {
  peak = 0;
  #phasePeak = 0;
  #timer: NodeJS.Timeout;
  constructor(private readonly pid: number) {
    this.sample();
    this.#timer = setInterval(() => this.sample(), 100);
  }
  sample(): number {
    const rss = procStatusBytes(this.pid, 'VmRSS');
    this.peak = Math.max(this.peak, rss);
    this.#phasePeak = Math.max(this.#phasePeak, rss);
    return rss;
  }
  /** Starts a phase: phasePeak() is the highest sample since. */
  phase() {
    this.#phasePeak = this.sample();
  }
  phasePeak(): number {
    this.sample();
    return this.#phasePeak;
  }
  /** The kernel's high-water mark of the process (VmHWM). */
  hwm(): number {
    return procStatusBytes(this.pid, 'VmHWM');
  }
  stop(): number {
    clearInterval(this.#timer);
    this.sample();
    return this.hwm();
  }
}

/**
 * BENCH ONLY: one signing key shared by every cell of a preparing wave (one key file per cell,
 * as the server stores them), so a wave opens without minutes of key generation. The runner's
 * own generation, already started by prepare(), finds the files and records them; a cell whose
 * own key got there first keeps it. Returns the shared key.
 */
/**
 * Accounts `bench-0`, `bench-1`, ... for the given people, all with one password hash: one real
 * Argon2id hash serves every login, since a hash per account would only measure Argon2id.
 */
export async function insertBenchAccounts(
  db: Db,
  personIds: readonly string[],
  passwordHash: string,
  changedAt: string,
): Promise<void> {
  for (let i = 0; i < personIds.length; i += 200) {
    await db
      .insertInto('account')
      .values(
        personIds.slice(i, i + 200).map((personId, j) => ({
          person_id: personId,
          username: `bench-${i + j}`,
          password_hash: passwordHash,
          must_change_password: 0,
          password_changed_at: changedAt,
        })),
      )
      .execute();
  }
}

export async function shareOneCellKey(
  db: Db,
  config: Config,
  waveId: string,
  cells: readonly { id: string }[],
): Promise<Awaited<ReturnType<typeof generateCellKey>>> {
  const shared = await generateCellKey();
  const spki = toBase64url(shared.publicKeySpki);
  for (const cell of cells) {
    try {
      await saveCellKey(config.keyDir, waveId, cell.id, shared.privateKeyPkcs8);
    } catch (err) {
      if (err instanceof KeyExistsError) continue; // the runner's own key got there first
      throw err;
    }
    await db
      .updateTable('wave_cell')
      .set({ key_id: shared.keyId, public_key: spki })
      .where('id', '=', cell.id)
      .where('key_id', 'is', null)
      .execute();
  }
  return shared;
}

/** What a watched close took, and what the server's event loop and a client saw meanwhile. */
export interface WatchedClose {
  ms: number;
  /** The longest event-loop stall (monitorEventLoopDelay max), ms. */
  stall: number;
  /** The longest gap between two ticks of a plain 10 ms interval beyond its 10 ms, ms. */
  gap: number;
  /** The slowest GET /api/v1/health sent back to back meanwhile, ms. */
  probeMax: number;
  probes: number;
  failed: number;
}

/**
 * Runs `close` (a wave's close in this process) timed, while two witnesses watch this event
 * loop (monitorEventLoopDelay and a 10 ms interval) and GET /api/v1/health, which needs the
 * database (`select 1`), is sent to `url` back to back.
 */
export async function watchedClose(url: string, close: () => Promise<void>): Promise<WatchedClose> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  let lastTick = 0;
  let gap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    if (lastTick) gap = Math.max(gap, now - lastTick - 10);
    lastTick = now;
  }, 10);
  let probing = true;
  let probeMax = 0;
  let probes = 0;
  let failed = 0;
  const probe = (async () => {
    while (probing) {
      const t = performance.now();
      try {
        const res = await fetch(`${url}/api/v1/health`);
        await res.arrayBuffer();
        if (!res.ok) failed++;
      } catch {
        failed++; // a request held long enough is dropped by the server's timeouts
      }
      probeMax = Math.max(probeMax, performance.now() - t);
      probes++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await new Promise((r) => setTimeout(r, 100));
  histogram.enable();
  const t = performance.now();
  await close();
  const closeMs = performance.now() - t;
  histogram.disable();
  clearInterval(ticker);
  probing = false;
  await probe;
  return { ms: closeMs, stall: histogram.max / 1e6, gap, probeMax, probes, failed };
}

/**
 * BENCH ONLY: logged-in sessions without a login each (a login per person would measure
 * Argon2id, not the endpoint): copies of `templatePersonId`'s session row with each person's
 * own id and a new session id, written straight into the database, and their cookies signed as
 * the server signs them. The CSRF secret is the template's, so is the token. Returns the
 * cookies in the order of `personIds`.
 */
export async function copySessions(
  db: Db,
  sessionSecret: string,
  templatePersonId: string,
  personIds: readonly string[],
): Promise<string[]> {
  const template = await db
    .selectFrom('session')
    .select(['data', 'expires_at'])
    .where('person_id', '=', templatePersonId)
    .executeTakeFirstOrThrow();
  const data = JSON.parse(template.data) as Record<string, unknown>;
  const cookies: string[] = [];
  const sessions = personIds.map((personId) => {
    const sid = randomBytes(24).toString('base64url');
    const signed = `${sid}.${createHmac('sha256', sessionSecret).update(sid).digest('base64').replace(/=+$/, '')}`;
    cookies.push(`teamspiegel=${encodeURIComponent(signed)}`);
    return {
      sid,
      person_id: personId,
      expires_at: template.expires_at,
      data: JSON.stringify({ ...data, personId }),
    };
  });
  for (let i = 0; i < sessions.length; i += 200) {
    await db
      .insertInto('session')
      .values(sessions.slice(i, i + 200))
      .execute();
  }
  return cookies;
}

/** Prints `title`, the load average now, and the rows as one Markdown table. */
export function printRows(title: string, rows: readonly Row[]) {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  console.log(`\n${title}, load average now ${load}`);
  const head = ['scenario', 'measure', 'value', 'judgement / reference'];
  const cells = rows.map((r) => [r.scenario, r.measure, r.value, r.judgement]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const c of cells) console.log(line(c));
}
