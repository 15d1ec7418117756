// Published-results benchmarks (issue 5, "Benchmarks"), in one run on a generated organisation
// (reference-org.ts) with 12 waves of history and a 13th run through the pipeline
// (results-history.ts), against the real application (buildApp) listening on 127.0.0.1:
//
// - results: close     the 13th wave's close with publishing, end to end, with the longest
//                      event-loop stall and the slowest GET /api/v1/health sent meanwhile;
// - results: team      GET /api/v1/results/waves/:waveId/nodes/:teamNodeId as the team's lead
//                      (several leads, each asking for their own team), p95;
// - results: heatmap   GET /api/v1/results/waves/:waveId/heatmap as HR (the whole corps), p95;
// - results: memory    resident memory of the server process during those requests.
//
// The close runs in this process (the wave runner is called directly); the requests go to the
// real server started as a child process on the same data directory, so the client does not
// share its event loop and its memory is its own. The two request scenarios are reported next
// to a bare Fastify route measured by the same client in the same run (latency and throughput
// ratios). Used by run.ts; see README.md.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '@teamspiegel/api/app';
import { createDb, migrateToLatest, type Db } from '@teamspiegel/db';
// Not part of the api package's public exports; the bench reaches in, as collection.ts does.
import { hashPassword } from '../apps/api/src/auth/passwords.ts';
import { systemClock, dateOf } from '../apps/api/src/clock.ts';
import { loadConfig, type Config } from '../apps/api/src/config.ts';
import type { Row } from './collection.ts';
import { buildReferenceOrg, describeOrg, REFERENCE_PEOPLE } from './reference-org.ts';
import { buildResultsHistory } from './results-history.ts';
import {
  benchEnv,
  formatMs,
  freePort,
  listen,
  logInOverHttp,
  met,
  printRows,
  RssSampler,
  spawnServer,
  waitForHealth,
  watchedClose,
} from './support.ts';

export const RESULTS_SCENARIOS = [
  'results: close',
  'results: team',
  'results: heatmap',
  'results: memory',
] as const;

export interface ResultsOptions {
  scenarios: readonly string[];
  people: number;
  connections: number;
  /** Seconds measured per request scenario (after a warm-up of a fifth of it, at least 1 s). */
  seconds: number;
}

const PASSWORD = 'bench-results-password';
const TEAM_P95_BUDGET_MS = 50;
const HEATMAP_P95_BUDGET_MS = 300;
const CLOSE_BUDGET_S = 60;
const STALL_BUDGET_MS = 1000;
const RSS_BUDGET_MB = 300;
/** Team leads taking turns in the team scenario, each asking for their own team. */
const LEADS = 20;

const ms = (t: number) => formatMs(t, 1);

export async function runResults(options: ResultsOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const row = (scenario: string, measure: string, value: string, judgement = '') => {
    rows.push({ scenario, measure, value, judgement });
    console.log(`  ${measure}: ${value}${judgement ? `  (${judgement})` : ''}`);
  };
  const wants = (name: (typeof RESULTS_SCENARIOS)[number]) => options.scenarios.includes(name);
  const scale = options.people >= REFERENCE_PEOPLE ? 'reference' : 'reduced';

  const dir = mkdtempSync(join(tmpdir(), 'teamspiegel-bench-results-'));
  const config: Config = loadConfig({ ...benchEnv(dir), TEAMSPIEGEL_SCHEDULER_INTERVAL_MS: '0' });
  const db = createDb(join(dir, 'teamspiegel.sqlite'));
  let app: FastifyInstance | undefined;
  let bare: FastifyInstance | undefined;
  let server: ChildServer | undefined;
  try {
    await migrateToLatest(db);
    const today = dateOf(systemClock.now());
    console.log(`\nResults — generating the organisation (${options.people} people) …`);
    const org = await buildReferenceOrg(db, { people: options.people, today });
    row('results: setup', 'organisation generated', ms(org.ms), describeOrg(org));
    app = await buildApp({ db, config, clock: systemClock });
    let url = await listen(app);

    console.log('Results — writing 12 waves of history and running the 13th (untimed) …');
    const history = await buildResultsHistory({
      db,
      app,
      config,
      rootUnitId: org.rootUnitId,
      today,
      log: console.log,
    });
    row(
      'results: setup',
      '12 waves written as tallies + published',
      ms(history.timings.historyMs),
      `${history.publishedNodes} published nodes per wave; slowest wave ` +
        ms(Math.max(...history.timings.perWaveMs)),
    );
    row(
      'results: setup',
      'wave 13: open, tokens and /submit',
      ms(history.timings.openMs + history.timings.submitMs),
      `${history.cells} cells, ${history.responses} answers`,
    );

    // --- Close with publishing ------------------------------------------------------------
    const close = await timeClose(app, url, history.currentWaveId);
    const published = await db
      .selectFrom('published_node')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('wave_id', '=', history.currentWaveId)
      .executeTakeFirstOrThrow();
    if (wants('results: close')) {
      const scenario = 'results: close';
      row(
        scenario,
        `close ${history.responses} answers in ${history.cells} cells with publishing ` +
          `(${published.n} rows, wave and quarter)`,
        ms(close.ms),
        `budget < ${CLOSE_BUDGET_S} s: ${met(close.ms < CLOSE_BUDGET_S * 1000)}`,
      );
      row(
        scenario,
        'longest event-loop stall (monitorEventLoopDelay max / 10 ms interval gap)',
        `${ms(close.stall)} / ${ms(close.gap)}`,
        `budget <= ${STALL_BUDGET_MS} ms: ${met(Math.max(close.stall, close.gap) <= STALL_BUDGET_MS)}`,
      );
      row(
        scenario,
        `slowest GET /api/v1/health during close (${close.probes} requests, ${close.failed} failed)`,
        ms(close.probeMax),
        `budget <= ${STALL_BUDGET_MS} ms: ${met(close.probeMax <= STALL_BUDGET_MS && close.failed === 0)}`,
      );
    }

    // --- The real server in a child process, for requests and memory ---------------------
    // It runs as `pnpm start` runs it, on the same data directory, so its resident memory is
    // its own and the load generator does not share its event loop.
    await app.close();
    app = undefined;
    const doTeam = wants('results: team');
    const doHeatmap = wants('results: heatmap');
    if (doTeam || doHeatmap || wants('results: memory')) {
      console.log('Results — starting the server in a child process …');
      server = await startServer(dir);
      url = server.url;
      const flags = process.env.BENCH_SERVER_NODE_OPTIONS?.trim();
      row(
        'results: setup',
        'server started (child process, same database)',
        ms(server.startMs),
        flags ? `server flags: ${flags}` : '',
      );
    }

    // --- Request scenarios against a bare route -----------------------------------------
    const waveId = history.currentWaveId;
    const warmup = Math.max(1, Math.round(options.seconds / 5));
    const load = { connections: options.connections, seconds: options.seconds, warmup };
    if (doTeam || doHeatmap) {
      bare = Fastify({ logger: false });
      bare.get('/bare', () => ({ ok: true, name: 'Teamspiegel', version: 1 }));
      const bareUrl = await listen(bare);
      console.log('Results — bare route …');
      const baseline = await fireBoth(load, () => ({ url: `${bareUrl}/bare`, headers: {} }));
      row(
        'results: baseline',
        'bare GET /bare (same client), 1 connection',
        `p95 ${ms(baseline.one.p95)}`,
        `${baseline.one.rps.toFixed(0)} req/s, p50 ${ms(baseline.one.p50)}`,
      );
      row(
        'results: baseline',
        `bare GET /bare (same client), ${load.connections} connections`,
        `p95 ${ms(baseline.many.p95)}`,
        `${baseline.many.rps.toFixed(0)} req/s, p50 ${ms(baseline.many.p50)}`,
      );
      const passwordHash = await hashPassword(PASSWORD);

      if (doTeam) {
        const leads = await teamLeads(db, waveId, LEADS);
        if (!leads.length) throw new Error('no published team with a current lead');
        const sessions: { nodeId: string; personId: string; cookie: string }[] = [];
        for (const lead of leads) {
          const username = await account(db, lead.personId, passwordHash);
          sessions.push({ ...lead, cookie: await logIn(url, config.publicOrigin, username) });
        }
        console.log(`Results — team results as ${sessions.length} team leads …`);
        let turn = 0;
        const team = await fireBoth(load, () => {
          const s = sessions[turn++ % sessions.length]!;
          return {
            url: `${url}/api/v1/results/waves/${waveId}/nodes/${s.nodeId}`,
            headers: { cookie: s.cookie },
          };
        });
        requestRows(
          row,
          'results: team',
          team,
          baseline,
          TEAM_P95_BUDGET_MS,
          `GET /api/v1/results/waves/:waveId/nodes/:teamNodeId as the team's lead (${sessions.length} leads)`,
        );
      }

      if (doHeatmap) {
        const hr = await hrAccount(db, org.rootUnitId, passwordHash);
        const cookie = await logIn(url, config.publicOrigin, hr);
        const check = await fetch(`${url}/api/v1/results/waves/${waveId}/heatmap`, {
          headers: { cookie },
        });
        const body = (await check.json()) as { rows?: unknown[] };
        if (!check.ok) throw new Error(`heatmap as HR: HTTP ${check.status}`);
        console.log('Results — heatmap of the corps as HR …');
        const heatmap = await fireBoth(load, () => ({
          url: `${url}/api/v1/results/waves/${waveId}/heatmap`,
          headers: { cookie },
        }));
        requestRows(
          row,
          'results: heatmap',
          heatmap,
          baseline,
          HEATMAP_P95_BUDGET_MS,
          `GET /api/v1/results/waves/:waveId/heatmap as HR, the corps and its ${body.rows?.length ?? 0} units`,
        );
      }
    }

    if (wants('results: memory') && server) {
      const { peak, hwm } = await server.memory();
      const peakMb = peak / 2 ** 20;
      row(
        'results: memory',
        `server resident memory, highest sample (VmRSS every 100 ms, ${scale} scale)`,
        `${peakMb.toFixed(0)} MB`,
        `budget < ${RSS_BUDGET_MB} MB: ${met(peakMb < RSS_BUDGET_MB)}; the server process only`,
      );
      row(
        'results: memory',
        '  kernel high-water mark of the server (VmHWM)',
        `${(hwm / 2 ** 20).toFixed(0)} MB`,
        `since its start: migrations, the results requests above`,
      );
    }
  } finally {
    await app?.close();
    await server?.stop();
    await bare?.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  printRows(`Results at ${options.people} people`, rows);
  return rows;
}

type RowFn = (scenario: string, measure: string, value: string, judgement?: string) => void;

/**
 * The budget is judged on one connection (what one person waits for, the server otherwise
 * idle); the run with several connections shows how latency grows when requests queue on the
 * one event loop. Ratios are to the bare route under the same client and connections.
 */
function requestRows(
  row: RowFn,
  scenario: string,
  result: Both,
  baseline: Both,
  budgetMs: number,
  what: string,
) {
  const { one, many } = result;
  row(
    scenario,
    `${what}, 1 connection`,
    `p95 ${ms(one.p95)}`,
    `budget < ${budgetMs} ms: ${met(one.p95 < budgetMs && one.bad === 0)}; ` +
      `p50 ${ms(one.p50)}, p99 ${ms(one.p99)}, ${one.requests} requests, ${one.bad} bad`,
  );
  row(
    scenario,
    `  the same, ${result.connections} connections`,
    `p95 ${ms(many.p95)}`,
    `${many.p95 < budgetMs ? 'within' : 'over'} the budget under load; p50 ${ms(many.p50)}, ` +
      `p99 ${ms(many.p99)}, ${many.requests} requests, ${many.bad} bad`,
  );
  row(
    scenario,
    '  ratio to bare GET /bare',
    `${((many.rps / baseline.many.rps) * 100).toFixed(1)} % of req/s`,
    `${many.rps.toFixed(0)} vs ${baseline.many.rps.toFixed(0)} req/s at ${result.connections} ` +
      `connections; p95 at 1 connection ${(one.p95 / baseline.one.p95).toFixed(1)} x bare`,
  );
}

// ------------------------------------------------------------------------------------------
// Close, timed, with a stall witness and a health probe

function timeClose(app: FastifyInstance, url: string, waveId: string) {
  console.log('Results — closing wave 13 with publishing …');
  return watchedClose(url, async () => {
    await app.waves.close(waveId, null);
  });
}

// ------------------------------------------------------------------------------------------
// A closed-loop client: `connections` requests in flight, each latency kept, so p95 is exact.

interface Fired {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  bad: number;
}

interface Both {
  one: Fired;
  many: Fired;
  connections: number;
}

/** The same requests at one connection, then at `load.connections`. */
async function fireBoth(
  load: { connections: number; seconds: number; warmup: number },
  next: () => { url: string; headers: Record<string, string> },
): Promise<Both> {
  const one = await fire({ ...load, connections: 1 }, next);
  const many = await fire(load, next);
  return { one, many, connections: load.connections };
}

async function fire(
  load: { connections: number; seconds: number; warmup: number },
  next: () => { url: string; headers: Record<string, string> },
): Promise<Fired> {
  const run = async (seconds: number) => {
    const latencies: number[] = [];
    let bad = 0;
    const end = performance.now() + seconds * 1000;
    const worker = async () => {
      while (performance.now() < end) {
        const { url, headers } = next();
        const t = performance.now();
        try {
          const res = await fetch(url, { headers });
          await res.arrayBuffer();
          if (!res.ok) bad++;
        } catch {
          bad++;
        }
        latencies.push(performance.now() - t);
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: load.connections }, worker));
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    return {
      rps: latencies.length / elapsed,
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
      requests: latencies.length,
      bad,
    };
  };
  await run(load.warmup);
  return run(load.seconds);
}

// ------------------------------------------------------------------------------------------
// Viewers

/** Leads of teams published in the wave, each with their team's node (the team's unit id). */
async function teamLeads(db: Db, waveId: string, limit: number) {
  const today = dateOf(systemClock.now());
  const rows = await db
    .selectFrom('published_node')
    .innerJoin('membership', 'membership.unit_id', 'published_node.unit_id')
    .select(['published_node.node_id as nodeId', 'membership.person_id as personId'])
    .where('published_node.wave_id', '=', waveId)
    .where('published_node.period', '=', 'wave')
    .where('published_node.kind', '=', 'team')
    .where('published_node.payload', 'is not', null)
    .where('membership.kind', '=', 'lead')
    .where('membership.joined_on', '<=', today)
    .where((eb) =>
      eb.or([eb('membership.left_on', 'is', null), eb('membership.left_on', '>', today)]),
    )
    .orderBy('published_node.node_id')
    .execute();
  // Spread over the tree rather than the first few teams of one district.
  const step = Math.max(1, Math.floor(rows.length / limit));
  const seen = new Set<string>();
  const picked = [];
  for (let i = 0; i < rows.length && picked.length < limit; i += step) {
    const r = rows[i]!;
    if (seen.has(r.personId)) continue;
    seen.add(r.personId);
    picked.push(r);
  }
  return picked;
}

let accounts = 0;
async function account(db: Db, personId: string, passwordHash: string): Promise<string> {
  const username = `bench-results-${++accounts}`;
  await db
    .insertInto('account')
    .values({
      person_id: personId,
      username,
      password_hash: passwordHash,
      must_change_password: 0,
      password_changed_at: new Date().toISOString(),
    })
    .execute();
  return username;
}

/** An HR analyst for the whole corps: a person of the organisation given the role on the root. */
async function hrAccount(db: Db, rootUnitId: string, passwordHash: string): Promise<string> {
  const person = await db
    .selectFrom('person')
    .leftJoin('account', 'account.person_id', 'person.id')
    .select('person.id')
    .where('account.person_id', 'is', null)
    .where('person.deactivated_at', 'is', null)
    .orderBy('person.id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('role_assignment')
    .values({
      id: randomUUID(),
      person_id: person.id,
      role: 'hr_analyst',
      unit_id: rootUnitId,
      created_at: new Date().toISOString(),
    })
    .execute();
  return account(db, person.id, passwordHash);
}

// ------------------------------------------------------------------------------------------
// The server as a child process

interface ChildServer {
  url: string;
  startMs: number;
  /** Highest VmRSS sampled so far and the kernel's high-water mark, in bytes. */
  memory(): Promise<{ peak: number; hwm: number }>;
  stop(): Promise<void>;
}

async function startServer(dir: string): Promise<ChildServer> {
  const port = await freePort();
  const t = performance.now();
  // With BENCH_SERVER_NODE_OPTIONS, Node/V8 flags for the server only (see spawnServer).
  const child = spawnServer(dir, port, ['ignore', 'ignore', 'inherit']);
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child, { timeoutMs: 120_000, pollMs: 200 });
  const startMs = performance.now() - t;
  const sampler = new RssSampler(child.pid!);
  return {
    url,
    startMs,
    memory() {
      sampler.sample();
      return Promise.resolve({ peak: sampler.peak, hwm: sampler.hwm() });
    },
    async stop() {
      sampler.stop();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

// ------------------------------------------------------------------------------------------
// Helpers

/** The real login flow over HTTP (CSRF token, then the login); returns the session cookie. */
async function logIn(url: string, origin: string, username: string): Promise<string> {
  return (await logInOverHttp(url, origin, username, PASSWORD)).header();
}
