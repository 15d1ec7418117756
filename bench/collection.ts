// Collection benchmarks (product.md "Budgets"; anonymity.md section 4): token issuance, anonymous
// submission, signing keys for a wave, and wave close, on a generated organisation (see
// reference-org.ts) with the real application (buildApp) listening on 127.0.0.1. Each scenario
// is reported next to the raw limit it is judged against, measured in the same run.
//
// Used by run.ts; see README.md for the scales, the settings and how to read the rows.

import { constants, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '@teamspiegel/api/app';
import { createDb, migrateToLatest, type Db } from '@teamspiegel/db';
import { blind, clientKey, finalize, prepare, type ClientKey } from './blind-client.ts';
// Not part of the api package's public exports; the bench reaches in, as signing.ts does.
import { hashPassword } from '../apps/api/src/auth/passwords.ts';
import { systemClock, dateOf } from '../apps/api/src/clock.ts';
import { loadConfig, type Config } from '../apps/api/src/config.ts';
import { tallyItems } from '../apps/api/src/collection/catalogue.ts';
import { createProgramme } from '../apps/api/src/collection/programmes.routes.ts';
import { blindSign } from '../apps/api/src/collection/crypto/blind-sign.ts';
import { toBase64url } from '../apps/api/src/collection/crypto/encoding.ts';
import { KeyGenerationPool } from '../apps/api/src/collection/crypto/keys.ts';
import {
  loadCellKey,
  loadWaveDataKey,
  saveCellKey,
} from '../apps/api/src/collection/crypto/keystore.ts';
import { answersAad, seal } from '../apps/api/src/collection/crypto/seal.ts';
import { parseJsonArray } from '../apps/api/src/collection/waves.repository.ts';
// @teamspiegel/core and kysely are not dependencies of the bench; core is reached by path.
import {
  answerProblems,
  scrubComment,
  type Answer,
  type TallyItem,
} from '../packages/core/src/index.ts';
import { buildReferenceOrg, describeOrg, REFERENCE_PEOPLE, Rng } from './reference-org.ts';
import {
  benchEnv,
  copySessions,
  formatMs,
  insertBenchAccounts,
  listen,
  logInOverHttp,
  met,
  positiveInt,
  shareOneCellKey,
  watchedClose,
} from './support.ts';

export const COLLECTION_SCENARIOS = [
  'collection: token issuance',
  'collection: submission',
  'collection: signing keys',
  'collection: close',
] as const;

export interface CollectionOptions {
  /** Which of COLLECTION_SCENARIOS to run. */
  scenarios: readonly string[];
  reference: boolean;
  people: number;
  connections: number;
}

export interface Row {
  scenario: string;
  measure: string;
  value: string;
  /** The budget and whether it is met, or the raw limit a ratio is taken against. */
  judgement: string;
}

export const PASSWORD = 'bench-officer-password';
const REFERENCE_CELLS = 4000;
const ISSUANCE_BUDGET = 500;
const SUBMIT_RATIO_BUDGET = 0.5;
const CLOSE_BUDGET_S = 60;
const STALL_BUDGET_MS = 1000;

const ms = (t: number) => formatMs(t, 0);

export async function runCollection(options: CollectionOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const row = (scenario: string, measure: string, value: string, judgement = '') => {
    rows.push({ scenario, measure, value, judgement });
    console.log(`  ${measure}: ${value}${judgement ? `  (${judgement})` : ''}`);
  };
  const wants = (name: (typeof COLLECTION_SCENARIOS)[number]) => options.scenarios.includes(name);

  const dir = mkdtempSync(join(tmpdir(), 'teamspiegel-bench-collection-'));
  const config: Config = loadConfig({
    ...benchEnv(dir),
    // The bench drives the waves itself.
    TEAMSPIEGEL_SCHEDULER_INTERVAL_MS: '0',
  });
  const file = join(dir, 'teamspiegel.sqlite');
  const rawDb = createDb(file);
  const timer = new QueryTimer();
  let app: FastifyInstance | undefined;
  try {
    await migrateToLatest(rawDb);
    const today = dateOf(systemClock.now());
    console.log(`\nCollection — generating the organisation (${options.people} people) …`);
    const org = await buildReferenceOrg(rawDb, { people: options.people, today });
    row('organisation', 'generated', ms(org.ms), describeOrg(org));

    // The app sees the database through the query timer (off except during close).
    const db = rawDb.withPlugin(timer);
    app = await buildApp({ db, config, clock: systemClock });
    const url = await listen(app);
    const { waveId } = await createProgramme(db, systemClock, {
      rootUnitId: org.rootUnitId,
      name: 'Teamspiegel bench',
      firstOpensOn: today,
      cadenceDays: 28,
      windowDays: 14,
      commentQuestion: true,
    });

    // --- Signing keys and opening the wave ------------------------------------------------
    if (options.reference && wants('collection: signing keys')) {
      // A sample with the pool the server uses, stored the way the server stores keys.
      const sample = positiveInt(process.env.BENCH_KEYS_SAMPLE, 200);
      const keyDir = join(dir, 'sample-keys');
      const pool = new KeyGenerationPool({ workers: config.keyWorkers });
      const t = performance.now();
      const keys = await pool.generate(sample);
      const genMs = performance.now() - t;
      for (const [i, key] of keys.entries()) {
        await saveCellKey(keyDir, 'sample', `cell-${i}`, key.privateKeyPkcs8);
      }
      const allMs = performance.now() - t;
      await pool.close();
      const perKey = allMs / sample;
      row(
        'collection: signing keys',
        `sample of ${sample} keys, pool of ${config.keyWorkers} workers`,
        `${((sample * 1000) / allMs).toFixed(1)} keys/s`,
        `${perKey.toFixed(0)} ms/key wall clock (generation ${(genMs / sample).toFixed(0)}, ` +
          `storage ${((allMs - genMs) / sample).toFixed(1)})`,
      );
      row(
        'collection: signing keys',
        `projected for ${REFERENCE_CELLS} cells`,
        `${((REFERENCE_CELLS * perKey) / 60_000).toFixed(1)} min`,
        'off the request path, with progress (budget: no time limit)',
      );
    }

    const tPrepare = performance.now();
    await app.waves.prepare(waveId, null);
    const prepareMs = performance.now() - tPrepare;
    const cells = await db
      .selectFrom('wave_cell')
      .select(['id', 'eligible', 'kind'])
      .where('wave_id', '=', waveId)
      .orderBy('id', 'desc')
      .execute();
    const eligible = cells.reduce((a, c) => a + c.eligible, 0);
    row(
      'collection: open',
      'prepare (roster snapshot, cell plan)',
      ms(prepareMs),
      `${cells.length} cells, ${eligible} eligible`,
    );

    if (options.reference) {
      const t = performance.now();
      await openWithSharedKey(app, db, config, waveId, cells);
      row(
        'collection: open',
        'keys (BENCH ONLY: one shared key for all cells)',
        ms(performance.now() - t),
        'key files written per cell, as the server does',
      );
    } else {
      const t = performance.now();
      await app.waves.keysReady(waveId);
      const keyMs = performance.now() - t;
      if (wants('collection: signing keys')) {
        const rate = (cells.length * 1000) / keyMs;
        row(
          'collection: signing keys',
          `all ${cells.length} keys via the wave runner (pool of ${config.keyWorkers})`,
          `${rate.toFixed(1)} keys/s`,
          `${ms(keyMs)}; generated, stored and recorded`,
        );
        row(
          'collection: signing keys',
          `projected for ${REFERENCE_CELLS} cells`,
          `${(REFERENCE_CELLS / rate / 60).toFixed(1)} min`,
          'off the request path, with progress (budget: no time limit)',
        );
      }
    }
    const wave = await db
      .selectFrom('wave')
      .select(['state', 'item_ids'])
      .where('id', '=', waveId)
      .executeTakeFirstOrThrow();
    if (wave.state !== 'open') throw new Error(`wave is ${wave.state}, not open`);
    const items = tallyItems(parseJsonArray<string>(wave.item_ids));

    const env: Env = { app, db, config, url, waveId, items, cells: cells.map((c) => c.id) };
    if (wants('collection: token issuance')) await issuance(env, options, row);
    if (wants('collection: submission')) await submission(env, options, row);
    if (wants('collection: close')) await closeWave(env, timer, file, row);
  } finally {
    await app?.close();
    await rawDb.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  const rss = process.resourceUsage().maxRSS / 1024;
  row(
    'process',
    'peak RSS (server and load generator in one process)',
    `${rss.toFixed(0)} MB`,
    `budget < 300 MB for the server at reference scale: ${met(rss < 300)}` +
      (options.people < REFERENCE_PEOPLE ? ' (not at reference scale)' : ''),
  );
  return rows;
}

/**
 * BENCH ONLY: one signing key shared by every cell of a preparing wave, so a reference-scale
 * wave opens without 4+ minutes of key generation. Token issuance, submission and close cost
 * the same per cell either way; a real wave has one key per cell (measured by sample).
 * Returns the shared private key; the wave is open when this resolves.
 */
export async function openWithSharedKey(
  app: FastifyInstance,
  db: Db,
  config: Config,
  waveId: string,
  cells: readonly { id: string }[],
): Promise<KeyObject> {
  const shared = await shareOneCellKey(db, config, waveId, cells);
  await app.waves.keysReady(waveId);
  return createPrivateKey({ key: shared.privateKeyPkcs8, format: 'der', type: 'pkcs8' });
}

interface Env {
  app: FastifyInstance;
  db: Db;
  config: Config;
  url: string;
  waveId: string;
  items: TallyItem[];
  cells: string[];
}

type RowFn = (scenario: string, measure: string, value: string, judgement?: string) => void;

// ------------------------------------------------------------------------------------------
// a. Token issuance

async function issuance(env: Env, options: CollectionOptions, row: RowFn) {
  const { db, url, waveId, config } = env;
  const scenario = 'collection: token issuance';
  console.log(`\n${scenario} — preparing officers (untimed) …`);
  const warm = 200;
  const wanted = positiveInt(process.env.BENCH_ISSUE_OFFICERS, 6000) + warm + 1;
  const officers = await db
    .selectFrom('wave_eligibility')
    .innerJoin('wave_cell', 'wave_cell.id', 'wave_eligibility.cell_id')
    .select([
      'wave_eligibility.person_id',
      'wave_cell.id',
      'wave_cell.key_id',
      'wave_cell.public_key',
    ])
    .where('wave_eligibility.wave_id', '=', waveId)
    .orderBy('wave_eligibility.person_id') // random ids: a random mix of cells
    .limit(wanted)
    .execute();

  // Accounts: one real hash, shared (only the first officer logs in with it).
  const hash = await hashPassword(PASSWORD);
  const changedAt = new Date().toISOString();
  await insertBenchAccounts(
    db,
    officers.map((o) => o.person_id),
    hash,
    changedAt,
  );
  // The first officer logs in through the real HTTP flow; the others get copies of that
  // session row with their own person id and session id (a login per officer would measure
  // Argon2id, ~20 ms each, not issuance). The CSRF secret is the same, so is the token.
  const first = await logIn(url, config.publicOrigin, 'bench-0');
  const cookies = [
    first.cookie,
    ...(await copySessions(
      db,
      config.sessionSecret,
      officers[0]!.person_id,
      officers.slice(1).map((o) => o.person_id),
    )),
  ];
  const check = await fetch(`${url}/api/v1/me/waves`, { headers: { cookie: cookies[1]! } });
  if (!check.ok) throw new Error(`copied session refused: HTTP ${check.status}`);

  // The browser's side, untimed: prepare and blind one message per officer (blind-client.ts).
  const publicKeys = new Map<string, ClientKey>();
  const prepared: {
    body: string;
    blinded: Buffer;
    prepared: Buffer;
    inv: bigint;
    pk: ClientKey;
  }[] = [];
  for (const o of officers) {
    let pk = publicKeys.get(o.id);
    if (!pk) publicKeys.set(o.id, (pk = clientKey(o.public_key!)));
    const nonce = toBase64url(randomBytes(32));
    const message = prepare(`teamspiegel/v1|${waveId}|${o.id}|${o.key_id}|${nonce}`);
    const { blinded, inv } = blind(pk, message);
    prepared.push({
      body: JSON.stringify({ cellId: o.id, blindedMessage: toBase64url(blinded) }),
      blinded,
      prepared: message,
      inv,
      pk,
    });
  }

  // Raw limit: blind signatures per second on one key, main thread, as the server signs.
  const key = await loadCellKey(config.keyDir, waveId, officers[0]!.id);
  const blinded = prepared
    .filter((p, i) => officers[i]!.id === officers[0]!.id)
    .map((p) => p.blinded);
  const raw = rate(2, (i) =>
    blindSign(key!.privateKey, key!.publicKey, blinded[i % blinded.length]!),
  );
  row(
    scenario,
    'raw: blind signatures/s (1 key, 1 thread, with self-check)',
    raw.toFixed(0),
    'signing.ts logic; the reference',
  );

  const headers = (i: number) => ({
    cookie: cookies[i]!,
    'x-csrf-token': first.csrf,
    origin: config.publicOrigin,
    'content-type': 'application/json',
  });
  const path = `/api/v1/waves/${waveId}/tokens`;
  const signatures = new Map<number, string>();
  const fire = (from: number, to: number) =>
    fireEach(
      url,
      options.connections,
      from,
      to,
      (i) => ({ method: 'POST', path, headers: headers(i), body: prepared[i]!.body }),
      (i, status, body) => {
        if (status === 200 && signatures.size < 20) signatures.set(i, body);
      },
    );

  await fire(1, warm); // warm-up: JIT, key cache, SQLite pages
  signatures.clear();
  const result = await fire(warm, officers.length);
  const perSecond = result.requests / result.seconds;
  row(
    scenario,
    `POST ${'/api/v1/waves/:id/tokens'}, ${result.requests} distinct officers, ${options.connections} connections`,
    `${perSecond.toFixed(0)} tokens/s`,
    `${((perSecond / raw) * 100).toFixed(0)} % of raw signing; budget >= ${ISSUANCE_BUDGET}/s: ${met(perSecond >= ISSUANCE_BUDGET)}` +
      `; p50 ${result.p50} ms, p99 ${result.p99} ms, bad ${result.bad}`,
  );
  // The tokens are real: finalize a sample as the browser does (throws on a bad signature).
  let good = 0;
  for (const [i, body] of signatures) {
    const p = prepared[i]!;
    const blindSignature = Buffer.from(
      (JSON.parse(body) as { blindSignature: string }).blindSignature,
      'base64url',
    );
    finalize(p.pk, p.prepared, blindSignature, p.inv); // throws unless it verifies
    good++;
  }
  if (good === 0 || result.bad > 0)
    throw new Error(`token issuance: ${result.bad} bad responses, ${good} finalized`);
}

// ------------------------------------------------------------------------------------------
// b. Anonymous submission against a bare route doing the same insert

async function submission(env: Env, options: CollectionOptions, row: RowFn) {
  const { db, url, waveId, config, items, cells } = env;
  const scenario = 'collection: submission';
  // Rounds alternate bare and app, so a change in the machine's load (other processes, the
  // other sessions on a shared host) touches both sides of the ratio alike; the median round
  // is the figure. Each app request uses a token of its own (a repeat would be a replacement).
  const perRound = positiveInt(process.env.BENCH_SUBMIT_TOKENS, 5_000);
  const rounds = positiveInt(process.env.BENCH_SUBMIT_ROUNDS, 3);
  const count = perRound * rounds;
  const warm = 500;
  console.log(`\n${scenario} — making ${count + warm} tokens (untimed) …`);
  const rng = new Rng(7);
  const keys = new Map<string, { privateKey: KeyObject; keyId: string }>();
  const bodies: string[] = [];
  for (let i = 0; i < count + warm; i++) {
    const cellId = rng.pick(cells);
    let cellKey = keys.get(cellId);
    if (!cellKey) {
      const k = await loadCellKey(config.keyDir, waveId, cellId);
      if (!k) throw new Error(`cell ${cellId} has no key`);
      cellKey = { privateKey: k.privateKey, keyId: k.keyId };
      keys.set(cellId, cellKey);
    }
    const { privateKey: key, keyId } = cellKey;
    const message = `teamspiegel/v1|${waveId}|${cellId}|${keyId}|${toBase64url(randomBytes(32))}`;
    const prepared = Buffer.concat([randomBytes(32), Buffer.from(message)]);
    // A finalized RFC 9474 signature is an ordinary PSS signature over the prepared message.
    const signature = sign('sha384', prepared, {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 48,
    });
    const answers = simulateAnswers(rng, items, rng.normal() * 0.5, 0.05);
    bodies.push(
      JSON.stringify({
        waveId,
        cellId,
        keyId,
        message: toBase64url(prepared),
        signature: toBase64url(signature),
        answers,
        ...(rng.chance(0.12) ? { comment: 'Goede samenwerking, maar de werkdruk is hoog.' } : {}),
      }),
    );
  }
  const json = { 'content-type': 'application/json' };

  // The bare route: parse the same body, insert a blob of the same size into the same
  // WITHOUT ROWID table on the same SQLite settings; no schema, no verification, no sealing.
  const bareDir = mkdtempSync(join(tmpdir(), 'teamspiegel-bench-bare-'));
  const bareDb = createDb(join(bareDir, 'bare.sqlite'));
  const bare = Fastify({ logger: false });
  const bareRounds: (Fired & { cpuUs: number })[] = [];
  const appRounds: (Fired & { cpuUs: number })[] = [];
  try {
    await migrateToLatest(bareDb);
    bare.post('/bare/submit', async (request, reply) => {
      const body = request.body as { waveId: string; cellId: string; answers: unknown };
      await bareDb
        .insertInto('response')
        .values({
          token_key: toBase64url(randomBytes(16)),
          wave_id: body.waveId,
          cell_id: body.cellId,
          sealed: toBase64url(
            Buffer.from(JSON.stringify(body.answers) + '0123456789abcdef0123456789ab'),
          ),
        })
        .execute();
      return reply.status(202).send({ status: 'received' });
    });
    const bareUrl = await listen(bare);
    const req = (path: string) => (i: number) => ({
      method: 'POST' as const,
      path,
      headers: json,
      body: bodies[i]!,
    });
    const bareReq = req('/bare/submit');
    const appReq = req('/submit/v1/responses');
    await fireEach(bareUrl, options.connections, 0, warm, bareReq);
    await fireEach(url, options.connections, 0, warm, appReq);
    // CPU time of this process (server and load generator) per request, beside the wall
    // clock: on a busy machine, throughput follows the neighbours; CPU per request does not.
    const timed = async (target: string, from: number, to: number, r: typeof bareReq) => {
      const cpu = process.cpuUsage();
      const fired = await fireEach(target, options.connections, from, to, r);
      const used = process.cpuUsage(cpu);
      return { ...fired, cpuUs: (used.user + used.system) / fired.requests };
    };
    for (let round = 0; round < rounds; round++) {
      const from = warm + round * perRound;
      bareRounds.push(await timed(bareUrl, from, from + perRound, bareReq));
      appRounds.push(await timed(url, from, from + perRound, appReq));
    }
  } finally {
    await bare.close();
    await bareDb.destroy();
    rmSync(bareDir, { recursive: true, force: true });
  }

  const rps = (r: Fired) => r.requests / r.seconds;
  const ratios = appRounds.map((r, i) => rps(r) / rps(bareRounds[i]!));
  const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
  const sum = (list: Fired[], f: (r: Fired) => number) => list.reduce((a, r) => a + f(r), 0);
  const bareRps = sum(bareRounds, (r) => r.requests) / sum(bareRounds, (r) => r.seconds);
  const appRps = sum(appRounds, (r) => r.requests) / sum(appRounds, (r) => r.seconds);
  const p = (list: Fired[]) =>
    `p50 ${Math.max(...list.map((r) => r.p50))} ms, p99 ${Math.max(...list.map((r) => r.p99))} ms`;
  const bad = sum(appRounds, (r) => r.bad);
  row(
    scenario,
    `raw: bare Fastify POST inserting into response (${rounds} × ${perRound} requests)`,
    `${bareRps.toFixed(0)} req/s`,
    `${p(bareRounds)}, bad ${sum(bareRounds, (r) => r.bad)}; the reference`,
  );
  row(
    scenario,
    `POST /submit/v1/responses, ${rounds} × ${perRound} distinct tokens, ${options.connections} connections`,
    `${appRps.toFixed(0)} req/s`,
    `${p(appRounds)}, bad ${bad}`,
  );
  row(
    scenario,
    `ratio to bare, median of ${rounds} alternating rounds`,
    median.toFixed(2),
    `rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}; budget >= ${SUBMIT_RATIO_BUDGET}: ` +
      met(median >= SUBMIT_RATIO_BUDGET),
  );
  const cpu = (list: { cpuUs: number }[]) =>
    [...list.map((r) => r.cpuUs)].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
  row(
    scenario,
    'CPU time per request, client and server together (median round)',
    `bare ${cpu(bareRounds).toFixed(0)} µs, app ${cpu(appRounds).toFixed(0)} µs`,
    `CPU ratio ${(cpu(bareRounds) / cpu(appRounds)).toFixed(2)}: the throughput ratio of a ` +
      'process bound by its own CPU, whatever the neighbours do',
  );
  const stored = await db
    .selectFrom('response')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('wave_id', '=', waveId)
    .executeTakeFirstOrThrow();
  if (bad > 0 || Number(stored.n) !== bodies.length) {
    throw new Error(`submission: ${bad} bad responses, ${stored.n} of ${bodies.length} stored`);
  }
  // Untimed: the close scenario starts from its own simulated responses.
  await db.deleteFrom('response').where('wave_id', '=', waveId).execute();
}

// ------------------------------------------------------------------------------------------
// d. Close at scale

async function closeWave(env: Env, timer: QueryTimer, file: string, row: RowFn) {
  const { db, url, waveId, config, items, app } = env;
  const scenario = 'collection: close';
  console.log(`\n${scenario} — simulating and sealing responses (untimed) …`);
  const dataKey = await loadWaveDataKey(config.keyDir, waveId);
  if (!dataKey) throw new Error('the wave has no data key');
  const roster = await db
    .selectFrom('wave_eligibility')
    .innerJoin('person', 'person.id', 'wave_eligibility.person_id')
    .select([
      'wave_eligibility.cell_id',
      'wave_eligibility.person_id',
      'person.given_name',
      'person.family_name',
    ])
    .where('wave_eligibility.wave_id', '=', waveId)
    .orderBy('wave_eligibility.cell_id')
    .execute();
  const byCell = new Map<string, typeof roster>();
  for (const r of roster) {
    let list = byCell.get(r.cell_id);
    if (!list) byCell.set(r.cell_id, (list = []));
    list.push(r);
  }
  const rng = new Rng(11);
  // Team effect: intra-class correlation drawn once for the wave, within 0.15-0.35.
  const icc = 0.15 + 0.2 * rng.next();
  let responses = 0;
  let comments = 0;
  const t0 = performance.now();
  await db.transaction().execute(async (trx) => {
    let batch: { token_key: string; wave_id: string; cell_id: string; sealed: string }[] = [];
    let taken: { wave_id: string; person_id: string }[] = [];
    const flush = async () => {
      if (batch.length) await trx.insertInto('response').values(batch).execute();
      if (taken.length) {
        await trx
          .insertInto('participation')
          .values(taken)
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      batch = [];
      taken = [];
    };
    for (const [cellId, members] of byCell) {
      const participation = Math.min(0.95, Math.max(0.35, 0.7 + 0.12 * rng.normal()));
      const effect = rng.normal() * Math.sqrt(icc);
      const dontKnow = 0.02 + 0.06 * rng.next();
      const aad = answersAad(waveId, cellId);
      for (const m of members) {
        if (!rng.chance(participation)) continue;
        const answers = simulateAnswers(rng, items, effect, dontKnow, Math.sqrt(1 - icc));
        let comment: string | undefined;
        if (rng.chance(0.12)) {
          const other = rng.pick(members);
          comment = rng.chance(0.3)
            ? `Ik heb het met ${other.given_name} ${other.family_name} over de sfeer gehad; bel 06-12345678.`
            : 'De werkdruk is hoog, maar we helpen elkaar.';
          comments++;
        }
        const payload = Buffer.from(JSON.stringify({ answers, ...(comment ? { comment } : {}) }));
        batch.push({
          token_key: toBase64url(randomBytes(16)),
          wave_id: waveId,
          cell_id: cellId,
          sealed: toBase64url(seal(dataKey, payload, aad)),
        });
        taken.push({ wave_id: waveId, person_id: m.person_id });
        responses++;
        if (batch.length >= 200) await flush();
      }
    }
    await flush();
  });
  row(
    scenario,
    'sealed responses inserted directly (untimed)',
    `${responses}`,
    `${((responses / roster.length) * 100).toFixed(0)} % of ${roster.length} eligible, ${comments} comments, ICC ${icc.toFixed(2)}; ${ms(performance.now() - t0)}`,
  );
  const sizeBefore = statSync(file).size + walSize(file);

  // While closing: the event loop's longest stall, and a request that needs the database
  // (GET /api/v1/health runs `select 1`) sent back to back.
  const close = await watchedClose(url, async () => {
    timer.reset(true);
    await app.waves.close(waveId, null);
    timer.reset(false);
  });
  const { ms: closeMs, stall, gap: maxGap, probeMax, probes, failed: probeFailures } = close;

  const after = await db
    .selectFrom('wave')
    .select('state')
    .where('id', '=', waveId)
    .executeTakeFirstOrThrow();
  const left = await db
    .selectFrom('response')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const tallied = await db
    .selectFrom('wave_cell_tally')
    .select((eb) => eb.fn.sum<number>('respondents').as('n'))
    .where('wave_id', '=', waveId)
    .executeTakeFirstOrThrow();
  if (after.state !== 'closed' || Number(left.n) !== 0 || Number(tallied.n) !== responses) {
    throw new Error(
      `close: state ${after.state}, ${left.n} responses left, ${tallied.n} tallied of ${responses}`,
    );
  }
  row(
    scenario,
    `close ${responses} responses in ${env.cells.length} cells, end to end (incl. erase + VACUUM)`,
    ms(closeMs),
    `budget < ${CLOSE_BUDGET_S} s: ${met(closeMs < CLOSE_BUDGET_S * 1000)}`,
  );
  row(
    scenario,
    'longest event-loop stall during close (monitorEventLoopDelay max)',
    ms(stall),
    `budget <= ${STALL_BUDGET_MS} ms: ${met(stall <= STALL_BUDGET_MS)}`,
  );
  row(
    scenario,
    'longest event-loop stall during close (gap between 10 ms interval ticks)',
    ms(maxGap),
    `budget <= ${STALL_BUDGET_MS} ms: ${met(maxGap <= STALL_BUDGET_MS)}`,
  );
  row(
    scenario,
    `longest GET /api/v1/health during close (${probes} requests, ${probeFailures} failed)`,
    ms(probeMax),
    `budget <= ${STALL_BUDGET_MS} ms: ${met(probeMax <= STALL_BUDGET_MS)}`,
  );
  for (const [label, s] of timer.top(8)) {
    row(scenario, `  time in: ${label}`, ms(s.ms), `${s.count} queries, longest ${ms(s.max)}`);
  }
  // Comment scrubbing, measured alone: close scrubs each comment against the wave's roster.
  const names = roster.map((r) => ({ givenName: r.given_name, familyName: r.family_name }));
  const sampleText = 'Ik heb het met Jan de Vries over de sfeer gehad; bel 06-12345678.';
  const tScrub = performance.now();
  for (let i = 0; i < 10; i++) scrubComment({ text: sampleText, names });
  const scrubMs = (performance.now() - tScrub) / 10;
  row(
    scenario,
    `  measured alone: scrubComment with ${names.length} roster names`,
    `${scrubMs.toFixed(1)} ms per comment`,
    `x ${comments} comments = ${ms(scrubMs * comments)}`,
  );
  row(
    scenario,
    '  database file + WAL before / after close',
    `${mb(sizeBefore)} / ${mb(statSync(file).size + walSize(file))}`,
  );
}

// ------------------------------------------------------------------------------------------
// Simulated answers

const normalCdf = (z: number) => 1 / (1 + Math.exp(-1.702 * z));

/**
 * One respondent's answers: a latent score (team effect + individual), mapped onto each item's
 * scale; "don't know" at the given rate where the item allows it; incident items mostly "never".
 */
export function simulateAnswers(
  rng: Rng,
  items: readonly TallyItem[],
  teamEffect: number,
  dontKnow: number,
  individualSd = 0.85,
): Answer[] {
  const person = rng.normal() * individualSd;
  const answers: Answer[] = [];
  for (const item of items) {
    if (rng.chance(0.01)) continue; // skipped
    if (item.dontKnow && rng.chance(dontKnow)) {
      answers.push({ itemId: item.id, value: null });
      continue;
    }
    let value: number;
    if (!item.scored && item.theme !== 'recommendation') {
      // Incidents: about 12% of people in 12 months.
      value = rng.chance(0.12 * Math.exp(-teamEffect))
        ? item.min + rng.int(1, item.max - item.min)
        : item.min;
    } else {
      const z = 0.6 + teamEffect + person + 0.4 * rng.normal();
      const share = normalCdf(item.reverseKeyed ? -z : z);
      value =
        item.min + Math.min(item.max - item.min, Math.floor(share * (item.max - item.min + 1)));
    }
    answers.push({ itemId: item.id, value });
  }
  if (answerProblems(items, answers).length) throw new Error('simulated answers do not fit');
  return answers;
}

// ------------------------------------------------------------------------------------------
// Helpers

interface Fired {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  bad: number;
}

/**
 * Sends requests from..to-1, each exactly once, over `connections` keep-alive connections
 * (autocannon with a shared cursor), and returns completed requests per wall-clock second.
 */
export async function fireEach(
  url: string,
  connections: number,
  from: number,
  to: number,
  request: (i: number) => {
    method: 'GET' | 'POST';
    path: string;
    headers: Record<string, string>;
    body?: string;
  },
  onResponse?: (i: number, status: number, body: string) => void,
): Promise<Fired> {
  let next = from;
  // Timed from the first request sent to the last response received: autocannon's own start
  // and stop (connecting, its 1-second ticker) are not part of the endpoint's throughput.
  let first = 0;
  let last = 0;
  const out = await autocannon({
    url,
    connections: Math.min(connections, to - from),
    amount: to - from,
    requests: [
      {
        setupRequest: (req, context) => {
          const i = next++;
          if (i === from) first = performance.now();
          (context as { i?: number }).i = i;
          return { ...req, ...request(i) };
        },
        onResponse: (status: number, body: string, context: object) => {
          last = performance.now();
          onResponse?.((context as { i: number }).i, status, body);
        },
      },
    ],
  });
  const seconds = (last - first) / 1000;
  return {
    requests: out.requests.total,
    seconds,
    p50: out.latency.p50,
    p99: out.latency.p99,
    bad: out.non2xx + out.errors + out.timeouts,
  };
}

/** Runs `fn` repeatedly for about `seconds`; returns calls per second. */
function rate(seconds: number, fn: (i: number) => void): number {
  for (let i = 0; i < 50; i++) fn(i);
  let count = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) for (let j = 0; j < 20; j++) fn(count++);
  return count / ((performance.now() - start) / 1000);
}

/** The real login flow (CSRF token, login), then the CSRF token of the logged-in session. */
export async function logIn(url: string, origin: string, username: string) {
  const jar = await logInOverHttp(url, origin, username, PASSWORD);
  const res = await fetch(`${url}/api/v1/auth/csrf`, { headers: { cookie: jar.header() } });
  if (!res.ok) throw new Error(`GET /api/v1/auth/csrf: HTTP ${res.status}`);
  jar.keep(res);
  const { token: csrf } = (await res.json()) as { token: string };
  return { cookie: jar.header(), csrf };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function walSize(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

/**
 * Times every query the app runs while enabled, by kind and table (for close: where the time
 * goes). better-sqlite3 runs a statement synchronously, so the time from compiling a query to
 * its result is the statement's own time plus a few microtask turns.
 */
type KyselyPlugin = Parameters<Db['withPlugin']>[0];
type QueryArgs = Parameters<KyselyPlugin['transformQuery']>[0];
type ResultArgs = Parameters<KyselyPlugin['transformResult']>[0];
type OperationNode = QueryArgs['node'];
type QueryId = QueryArgs['queryId'];

class QueryTimer implements KyselyPlugin {
  private enabled = false;
  private readonly started = new WeakMap<QueryId, { t: number; label: string }>();
  readonly totals = new Map<string, { ms: number; count: number; max: number }>();

  reset(enabled: boolean) {
    this.enabled = enabled;
    if (enabled) this.totals.clear();
  }

  transformQuery(args: QueryArgs) {
    if (this.enabled)
      this.started.set(args.queryId, { t: performance.now(), label: labelOf(args.node) });
    return args.node;
  }

  async transformResult(args: ResultArgs) {
    const start = this.started.get(args.queryId);
    if (start) {
      const elapsed = performance.now() - start.t;
      const total = this.totals.get(start.label) ?? { ms: 0, count: 0, max: 0 };
      total.ms += elapsed;
      total.count++;
      total.max = Math.max(total.max, elapsed);
      this.totals.set(start.label, total);
    }
    return args.result;
  }

  top(n: number) {
    return [...this.totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, n);
  }
}

function labelOf(node: OperationNode): string {
  const kind = node.kind
    .replace(/QueryNode$/, '')
    .replace(/Node$/, '')
    .toLowerCase();
  if (node.kind === 'RawNode') {
    const text = (node as unknown as { sqlFragments: string[] }).sqlFragments.join('?');
    return `raw ${text.trim().slice(0, 40)}`;
  }
  const table = firstTable(node);
  return table ? `${kind} ${table}` : kind;
}

function firstTable(node: unknown, depth = 0): string | undefined {
  if (!node || typeof node !== 'object' || depth > 6) return undefined;
  const n = node as { kind?: string; table?: { identifier?: { name?: string } } };
  if (n.kind === 'TableNode' && n.table?.identifier?.name) return n.table.identifier.name;
  for (const key of ['from', 'into', 'table', 'froms']) {
    const child = (node as Record<string, unknown>)[key];
    const list = Array.isArray(child) ? child : [child];
    for (const c of list) {
      const found =
        firstTable(c, depth + 1) ?? firstTable((c as { node?: unknown })?.node, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}
