// Throughput harness: requests per second of a bare Fastify route (the ceiling on this machine)
// and of real application endpoints, measured one after the other in the same process, with the
// same duration and connections. See README.md for how to read the ratio.
//
// To measure another endpoint, add a Scenario to `scenarios` below.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { buildApp } from '@teamspiegel/api/app';
import { createDb, migrateToLatest, type Db } from '@teamspiegel/db';
import { seedDemo } from '@teamspiegel/db/seed';
// Not part of the api package's public exports; the bench is a development tool, so it reaches in.
import { hashPassword } from '../apps/api/src/auth/passwords.ts';
import { systemClock, dateOf } from '../apps/api/src/clock.ts';
import { loadConfig, type Config } from '../apps/api/src/config.ts';
import { COLLECTION_SCENARIOS, runCollection, type Row } from './collection.ts';
import { IMPORT_SCENARIOS, runImport } from './import.ts';
import { REFERENCE_PEOPLE } from './reference-org.ts';
import { RESULTS_SCENARIOS, runResults } from './results.ts';
import { runServerMemory, SERVER_MEMORY_SCENARIO } from './server-memory.ts';
import { benchEnv, listen, logInOverHttp, positiveInt, printRows } from './support.ts';

const DURATION_S = positiveInt(process.env.BENCH_DURATION, 10);
const CONNECTIONS = positiveInt(process.env.BENCH_CONNECTIONS, 10);
const WARMUP_S = positiveInt(process.env.BENCH_WARMUP, 2);
const DEMO_PASSWORD = 'bench-demo-password';
/** BENCH_SCALE=reference: the collection scenarios on the full reference organisation. */
const REFERENCE = process.env.BENCH_SCALE === 'reference';
const PEOPLE = positiveInt(process.env.BENCH_PEOPLE, REFERENCE ? REFERENCE_PEOPLE : 5000);

/** A target: something listening on 127.0.0.1, built fresh for its scenarios and closed after. */
interface Target {
  name: string;
  start(): Promise<{ url: string; headers: Record<string, string>; close(): Promise<void> }>;
}

interface Scenario {
  name: string;
  target: Target;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: string;
  /** The scenario that this one is compared with (its "ceiling"). */
  baseline?: string;
}

interface Result {
  scenario: Scenario;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

// -------------------------------------------------------------------------------------------
// Targets

const bare: Target = {
  name: 'bare fastify',
  async start() {
    const app = Fastify({ logger: false });
    app.get('/bare', () => ({ ok: true, name: 'Teamspiegel', version: 1 }));
    return { url: await listen(app), headers: {}, close: () => app.close() };
  },
};

/** The real app on a fresh, migrated, demo-seeded SQLite file, logged in as one demo account. */
function realApp(username: string): Target {
  return {
    name: `app as ${username}`,
    async start() {
      const dir = mkdtempSync(join(tmpdir(), 'teamspiegel-bench-'));
      // benchEnv: `test` keeps the session cookie usable over plain HTTP on 127.0.0.1; the rate
      // limit is out of reach, so the run measures the limiter's bookkeeping, not its 429s.
      const config: Config = loadConfig({
        ...benchEnv(dir),
        TEAMSPIEGEL_DEMO_PASSWORD: DEMO_PASSWORD,
      });
      const db: Db = createDb(join(dir, 'teamspiegel.sqlite'));
      await migrateToLatest(db);
      await seedDemo(db, {
        today: dateOf(systemClock.now()),
        hashPassword,
        demoPassword: DEMO_PASSWORD,
      });
      const app = await buildApp({ db, config, clock: systemClock });
      const url = await listen(app);
      const cookie = await logIn(url, config.publicOrigin, username);
      return {
        url,
        headers: { cookie },
        async close() {
          await app.close();
          await db.destroy();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

const officer = realApp('demo-officer');

// -------------------------------------------------------------------------------------------
// Scenarios: later capabilities add their paths here.

const scenarios: Scenario[] = [
  { name: 'bare GET /bare', target: bare, path: '/bare' },
  { name: 'GET /api/v1/me', target: officer, path: '/api/v1/me', baseline: 'bare GET /bare' },
];

// -------------------------------------------------------------------------------------------

async function main() {
  // BENCH_ONLY: a substring of scenario names; their baselines always run too.
  const only = process.env.BENCH_ONLY;
  const picked = scenarios.filter((s) => !only || s.name.includes(only));
  const needed = new Set(picked.flatMap((s) => [s.name, ...(s.baseline ? [s.baseline] : [])]));
  const chosen = scenarios.filter((s) => needed.has(s.name));
  const collection = COLLECTION_SCENARIOS.filter((name) => !only || name.includes(only));

  console.log(`Teamspiegel bench — commit ${commit()}, Node ${process.version}, ${cpuInfo()}`);
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  console.log(
    `${DURATION_S} s per scenario after a ${WARMUP_S} s warm-up, ${CONNECTIONS} connections, ` +
      `one scenario at a time (client and server share this machine)\n`,
  );

  const results: Result[] = [];
  // Scenarios sharing a target share one server, started once.
  const targets = [...new Set(chosen.map((s) => s.target))];
  for (const target of targets) {
    const server = await target.start();
    try {
      for (const scenario of chosen.filter((s) => s.target === target)) {
        process.stdout.write(`${scenario.name} … `);
        await measure(server, scenario, WARMUP_S); // warm-up: JIT, caches, SQLite pages
        const result = await measure(server, scenario, DURATION_S);
        results.push(result);
        console.log(`${Math.round(result.rps)} req/s`);
      }
    } finally {
      await server.close();
    }
  }

  if (results.length) printTable(results);

  if (collection.length) {
    const rows = await runCollection({
      scenarios: collection,
      reference: REFERENCE,
      people: PEOPLE,
      connections: CONNECTIONS,
    });
    printCollection(rows);
  }

  // The server alone in a child process, at reference scale unless BENCH_PEOPLE says otherwise.
  if (!only || SERVER_MEMORY_SCENARIO.includes(only)) {
    const rows = await runServerMemory({
      people: process.env.BENCH_PEOPLE ? PEOPLE : REFERENCE_PEOPLE,
      connections: CONNECTIONS,
    });
    printCollection(rows);
  }

  const resultScenarios = RESULTS_SCENARIOS.filter((name) => !only || name.includes(only));
  if (resultScenarios.length) {
    await runResults({
      scenarios: resultScenarios,
      people: PEOPLE,
      connections: CONNECTIONS,
      seconds: DURATION_S,
    });
  }

  // The HR import at reference scale unless BENCH_PEOPLE says otherwise (import.ts).
  const importScenarios = IMPORT_SCENARIOS.filter((name) => !only || name.includes(only));
  if (importScenarios.length) {
    const people = process.env.BENCH_PEOPLE ? PEOPLE : REFERENCE_PEOPLE;
    printRows(
      `HR import (${people} people)`,
      await runImport({ scenarios: importScenarios, people }),
    );
  }

  const broken = results.filter((r) => r.non2xx > 0 || r.errors > 0);
  if (broken.length) {
    console.error(
      `\n✘ ${broken.map((r) => r.scenario.name).join(', ')}: non-2xx responses or errors; ` +
        'those numbers measure failures, not the endpoint.',
    );
    process.exitCode = 1;
  }
}

async function measure(
  server: { url: string; headers: Record<string, string> },
  scenario: Scenario,
  seconds: number,
): Promise<Result> {
  const out = await autocannon({
    url: server.url + scenario.path,
    method: scenario.method ?? 'GET',
    headers: {
      ...server.headers,
      ...(scenario.body ? { 'content-type': 'application/json' } : {}),
    },
    ...(scenario.body ? { body: scenario.body } : {}),
    connections: CONNECTIONS,
    duration: seconds,
  });
  return {
    scenario,
    rps: out.requests.average,
    p50: out.latency.p50,
    p99: out.latency.p99,
    requests: out.requests.total,
    non2xx: out.non2xx,
    errors: out.errors + out.timeouts,
  };
}

function printTable(results: Result[]) {
  const rows = results.map((r) => {
    const base = r.scenario.baseline
      ? results.find((b) => b.scenario.name === r.scenario.baseline)
      : undefined;
    return [
      r.scenario.name,
      Math.round(r.rps).toString(),
      `${r.p50} ms`,
      `${r.p99} ms`,
      r.requests.toString(),
      (r.non2xx + r.errors).toString(),
      base ? `${((r.rps / base.rps) * 100).toFixed(1)} % of ${base.scenario.name}` : '',
    ];
  });
  const head = ['scenario', 'req/s', 'p50', 'p99', 'requests', 'bad', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(line(r));

  const me = results.find((r) => r.scenario.path === '/api/v1/me');
  const bareResult = results.find((r) => r.scenario.target === bare);
  if (me && bareResult) {
    console.log(`\nratio me / bare = ${(me.rps / bareResult.rps).toFixed(3)}`);
  }
}

function printCollection(rows: Row[]) {
  printRows(`Collection at ${REFERENCE ? 'reference' : 'default'} scale (${PEOPLE} people)`, rows);
}

// -------------------------------------------------------------------------------------------
// Helpers

/** The real login flow over HTTP (CSRF token, then the login), checked with GET /api/v1/me. */
async function logIn(url: string, origin: string, username: string): Promise<string> {
  const jar = await logInOverHttp(url, origin, username, DEMO_PASSWORD);
  const me = await fetch(`${url}/api/v1/me`, { headers: { cookie: jar.header() } });
  if (!me.ok) throw new Error(`GET /api/v1/me after login: HTTP ${me.status} ${await me.text()}`);
  return jar.header();
}

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).trim();
    return dirty ? `${sha} (+ uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

function cpuInfo(): string {
  const list = cpus();
  return `${list.length} × ${list[0]?.model.trim() ?? 'unknown CPU'}`;
}

await main();
