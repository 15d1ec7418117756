// Server memory at reference scale (product.md: resident memory < 300 MB). The real server
// (apps/api/src/server.ts, as `pnpm start` runs it) listens in a child process on a database
// seeded at reference scale; this process generates the organisation beforehand and then drives
// the load over HTTP: logins, /me, token issuance, anonymous submissions and a close. The
// child's resident set is read from /proc/<pid>/status every 100 ms (VmRSS) and, at the end, the
// kernel's own high-water mark (VmHWM), so the load generator's memory never counts.
//
// Used by run.ts (BENCH_ONLY="server memory"); see README.md.

import type { ChildProcess } from 'node:child_process';
import {
  constants,
  createPublicKey,
  randomBytes,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@teamspiegel/api/app';
import { createDb, migrateToLatest } from '@teamspiegel/db';
import { blind, clientKey, prepare } from './blind-client.ts';
import {
  fireEach,
  logIn,
  openWithSharedKey,
  PASSWORD,
  simulateAnswers,
  type Row,
} from './collection.ts';
import { buildReferenceOrg, describeOrg, Rng } from './reference-org.ts';
import {
  BENCH_ORIGIN,
  benchEnv,
  copySessions,
  freePort,
  positiveInt,
  RssSampler,
  serverNodeFlags,
  spawnServer,
  waitForHealth,
  insertBenchAccounts,
} from './support.ts';
// Not part of the api package's public exports; the bench reaches in, as collection.ts does.
import { hashPassword } from '../apps/api/src/auth/passwords.ts';
import { dateOf, systemClock } from '../apps/api/src/clock.ts';
import { loadConfig } from '../apps/api/src/config.ts';
import { tallyItems } from '../apps/api/src/collection/catalogue.ts';
import { createProgramme } from '../apps/api/src/collection/programmes.routes.ts';
import { toBase64url } from '../apps/api/src/collection/crypto/encoding.ts';
import { keyIdOf } from '../apps/api/src/collection/crypto/keys.ts';
import { loadWaveDataKey } from '../apps/api/src/collection/crypto/keystore.ts';
import { answersAad, seal } from '../apps/api/src/collection/crypto/seal.ts';
import { parseJsonArray } from '../apps/api/src/collection/waves.repository.ts';

export const SERVER_MEMORY_SCENARIO = 'server memory';
const BUDGET_MB = 300;
const ORIGIN = BENCH_ORIGIN;

export interface ServerMemoryOptions {
  people: number;
  connections: number;
}

export async function runServerMemory(options: ServerMemoryOptions): Promise<Row[]> {
  const logins = positiveInt(process.env.BENCH_MEMORY_LOGINS, 200);
  const tokens = positiveInt(process.env.BENCH_MEMORY_TOKENS, 5_000);
  const submissions = positiveInt(process.env.BENCH_MEMORY_SUBMISSIONS, 10_000);
  /** Share of eligible people whose answers are in the wave at close (HTTP plus direct). */
  const turnout = 0.7;
  const scenario = SERVER_MEMORY_SCENARIO;
  const rows: Row[] = [];
  const row = (measure: string, value: string, judgement = '') => {
    rows.push({ scenario, measure, value, judgement });
    console.log(`  ${measure}: ${value}${judgement ? `  (${judgement})` : ''}`);
  };

  const dir = mkdtempSync(join(tmpdir(), 'teamspiegel-bench-memory-'));
  const port = await freePort();
  const env = { ...benchEnv(dir), TEAMSPIEGEL_SEED_DEMO: 'false' };
  const file = join(dir, 'teamspiegel.sqlite');
  const db = createDb(file);
  let child: ChildProcess | undefined;
  try {
    // --- Untimed: the organisation, accounts, a programme and an open wave -----------------
    await migrateToLatest(db);
    const today = dateOf(systemClock.now());
    console.log(`\n${scenario} — generating the organisation (${options.people} people) …`);
    const org = await buildReferenceOrg(db, { people: options.people, today });
    row('organisation', describeOrg(org));
    const { waveId } = await createProgramme(db, systemClock, {
      rootUnitId: org.rootUnitId,
      name: 'Teamspiegel bench',
      firstOpensOn: today,
      cadenceDays: 28,
      windowDays: 14,
      commentQuestion: true,
    });
    // Prepared by the application itself (roster snapshot, cell plan), here with the scheduler
    // off; then one shared key (BENCH ONLY, see openWithSharedKey) and the app is closed again.
    const config = loadConfig({ ...env, TEAMSPIEGEL_SCHEDULER_INTERVAL_MS: '0' });
    const prepApp = await buildApp({ db, config, clock: systemClock });
    await prepApp.waves.prepare(waveId, null);
    const planned = await db
      .selectFrom('wave_cell')
      .select('id')
      .where('wave_id', '=', waveId)
      .execute();
    const signingKey = await openWithSharedKey(prepApp, db, config, waveId, planned);
    await prepApp.close();
    const cells = await db
      .selectFrom('wave_cell')
      .select(['id', 'eligible', 'key_id'])
      .where('wave_id', '=', waveId)
      .execute();
    const wave = await db
      .selectFrom('wave')
      .select(['state', 'item_ids'])
      .where('id', '=', waveId)
      .executeTakeFirstOrThrow();
    if (wave.state !== 'open') throw new Error(`wave is ${wave.state}, not open`);
    const items = tallyItems(parseJsonArray<string>(wave.item_ids));
    // A few cells keep the key the runner made before the shared one was written (see
    // openWithSharedKey); the load below uses only cells on the shared key.
    const spki = createPublicKey(signingKey).export({ format: 'der', type: 'spki' });
    const keyId = keyIdOf(spki);
    const shared = new Set(cells.filter((c) => c.key_id === keyId).map((c) => c.id));
    const eligible = cells.reduce((a, c) => a + c.eligible, 0);
    row('wave', `${cells.length} cells, ${eligible} eligible`, 'open, one shared key');

    // Accounts: an administrator of the whole organisation (for the close) and officers, all
    // with one real Argon2id hash.
    const officers = await db
      .selectFrom('wave_eligibility')
      .select(['person_id', 'cell_id'])
      .where('wave_id', '=', waveId)
      .orderBy('person_id') // random ids: a random mix of cells
      .execute()
      .then((all) =>
        all.filter((o) => shared.has(o.cell_id)).slice(0, Math.max(logins, tokens) + 1),
      );
    const hash = await hashPassword(PASSWORD);
    const now = new Date().toISOString();
    const admin = officers[0]!;
    await db
      .insertInto('role_assignment')
      .values({
        id: randomUUID(),
        person_id: admin.person_id,
        role: 'admin',
        unit_id: org.rootUnitId,
        created_at: now,
      })
      .execute();
    await insertBenchAccounts(
      db,
      officers.map((o) => o.person_id),
      hash,
      now,
    );

    // --- The server, alone in its process ------------------------------------------------
    // BENCH_SERVER_NODE_OPTIONS: Node/V8 flags for the server only (heap limits, say).
    const nodeFlags = serverNodeFlags();
    if (nodeFlags.length) row('server flags', nodeFlags.join(' '));
    child = spawnServer(dir, port, ['ignore', 'pipe', 'pipe']);
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const url = `http://127.0.0.1:${port}`;
    const start = Date.now();
    // Generous: on a busy machine, loading the TypeScript sources through tsx takes a while.
    await waitForHealth(url, child, { timeoutMs: 600_000, pollMs: 250, output: () => output });
    console.log(`  (server healthy after ${((Date.now() - start) / 1000).toFixed(1)} s)`);
    const memory = new RssSampler(child.pid!);
    const phase = async (name: string, work: () => Promise<string>) => {
      memory.phase();
      const t = performance.now();
      const what = await work();
      const peak = memory.phasePeak();
      row(
        `${name}`,
        `${mb(peak)} peak RSS`,
        `${what}; ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
    };

    await phase('idle after start', async () => {
      await sleep(2000);
      return 'health answered, 2 s idle';
    });

    // Logins: the real flow (CSRF, Argon2id), a few at a time, then /me and /me/waves.
    const sessions: { cookie: string; csrf: string }[] = [];
    await phase('logins', async () => {
      let next = 1;
      await Promise.all(
        Array.from({ length: Math.min(options.connections, logins) }, async () => {
          while (next <= logins) {
            const i = next++;
            // sessions[k] is officers[k + 1]'s (bench-0 is the administrator).
            sessions[i - 1] = await logIn(url, ORIGIN, `bench-${i}`);
          }
        }),
      );
      return `${logins} logins over HTTP, ${options.connections} at a time`;
    });
    await phase('GET /me and /me/waves', async () => {
      const r = await fireEach(url, options.connections, 0, sessions.length * 2, (i) => ({
        method: 'GET',
        path: i % 2 ? '/api/v1/me/waves' : '/api/v1/me',
        headers: { cookie: sessions[i >> 1]!.cookie },
      }));
      if (r.bad) throw new Error(`/me: ${r.bad} bad responses`);
      return `${r.requests} requests`;
    });

    // Token issuance: the first officers' real sessions, the rest copies of a session row (a
    // login each would measure Argon2id, as in collection.ts), written by this process into
    // the server's database while it runs.
    await phase('token issuance', async () => {
      const cookies = [
        ...sessions.map((s) => s.cookie),
        ...(await copySessions(
          db,
          config.sessionSecret,
          officers[1]!.person_id,
          officers.slice(1 + sessions.length, 1 + tokens).map((o) => o.person_id),
        )),
      ];
      const publicKey = clientKey(toBase64url(spki));
      const bodies = cookies.map((_, i) => {
        const o = officers[1 + i]!;
        const nonce = toBase64url(randomBytes(32));
        const message = prepare(`teamspiegel/v1|${waveId}|${o.cell_id}|${keyId}|${nonce}`);
        const { blinded } = blind(publicKey, message);
        return JSON.stringify({ cellId: o.cell_id, blindedMessage: toBase64url(blinded) });
      });
      const csrf = sessions[0]!.csrf; // one CSRF secret in every copied session
      const refused = new Refusals(200);
      const r = await fireEach(
        url,
        options.connections,
        0,
        cookies.length,
        (i) => ({
          method: 'POST',
          path: `/api/v1/waves/${waveId}/tokens`,
          headers: {
            cookie: cookies[i]!,
            'x-csrf-token': i < sessions.length ? sessions[i]!.csrf : csrf,
            origin: ORIGIN,
            'content-type': 'application/json',
          },
          body: bodies[i]!,
        }),
        refused.record,
      );
      return `${r.requests} tokens, ${(r.requests / r.seconds).toFixed(0)}/s${refused.describe(r.bad)}`;
    });

    // Anonymous submissions with tokens signed here under the shared key (a finalized token is
    // an ordinary PSS signature), each cell's officers answering in their own cell.
    const byCell = cells.map((c) => ({
      id: c.id,
      target: Math.round(c.eligible * turnout),
      http: shared.has(c.id),
    }));
    const rng = new Rng(17);
    await phase('submissions', async () => {
      const bodies: string[] = [];
      for (let i = 0; i < submissions; i++) {
        const cell = byCell[i % byCell.length]!;
        if (cell.target === 0 || !cell.http) continue;
        cell.target--;
        bodies.push(submissionBody(rng, signingKey, waveId, cell.id, keyId, items));
      }
      const refused = new Refusals(202);
      const r = await fireEach(
        url,
        options.connections,
        0,
        bodies.length,
        (i) => ({
          method: 'POST',
          path: '/submit/v1/responses',
          headers: { 'content-type': 'application/json' },
          body: bodies[i]!,
        }),
        refused.record,
      );
      return `${r.requests} over HTTP, ${(r.requests / r.seconds).toFixed(0)}/s${refused.describe(r.bad)}`;
    });

    // The rest of the turnout goes straight into the table, sealed as /submit seals it, so the
    // close counts a reference-sized wave without minutes of HTTP.
    const dataKey = await loadWaveDataKey(config.keyDir, waveId);
    if (!dataKey) throw new Error('the wave has no data key');
    let direct = 0;
    const batch: { token_key: string; wave_id: string; cell_id: string; sealed: string }[] = [];
    const flush = async () => {
      if (batch.length) await db.insertInto('response').values(batch.splice(0)).execute();
    };
    for (const cell of byCell) {
      for (; cell.target > 0; cell.target--) {
        const answers = simulateAnswers(rng, items, rng.normal() * 0.5, 0.05);
        const payload = Buffer.from(JSON.stringify({ answers }));
        batch.push({
          token_key: toBase64url(randomBytes(16)),
          wave_id: waveId,
          cell_id: cell.id,
          sealed: toBase64url(seal(dataKey, payload, answersAad(waveId, cell.id))),
        });
        direct++;
        if (batch.length === 500) await flush();
      }
    }
    await flush();

    await phase('close', async () => {
      const adminSession = await logIn(url, ORIGIN, 'bench-0');
      const close = await fetch(`${url}/api/v1/waves/${waveId}/close`, {
        method: 'POST',
        headers: { cookie: adminSession.cookie, 'x-csrf-token': adminSession.csrf, origin: ORIGIN },
      });
      if (close.status !== 202)
        throw new Error(`close: HTTP ${close.status} ${await close.text()}`);
      for (;;) {
        const state = await db
          .selectFrom('wave')
          .select('state')
          .where('id', '=', waveId)
          .executeTakeFirstOrThrow();
        if (state.state === 'closed') break;
        await sleep(250);
      }
      const counted = await db
        .selectFrom('wave_cell_tally')
        .select((eb) => eb.fn.sum<number>('respondents').as('n'))
        .where('wave_id', '=', waveId)
        .executeTakeFirstOrThrow();
      return `${Number(counted.n)} responses counted (${direct} inserted directly)`;
    });

    const hwm = memory.stop();
    const peak = Math.max(hwm, memory.peak);
    row(
      'whole run',
      `${mb(peak)} peak RSS (VmHWM of the server process)`,
      `budget < ${BUDGET_MB} MB: ${peak / 1024 / 1024 < BUDGET_MB ? 'met' : 'NOT met'}` +
        (options.people < 65_000 ? ' (not at reference scale)' : ''),
    );
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((res) => child!.once('exit', res));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function submissionBody(
  rng: Rng,
  key: KeyObject,
  waveId: string,
  cellId: string,
  keyId: string,
  items: Parameters<typeof simulateAnswers>[1],
): string {
  const message = `teamspiegel/v1|${waveId}|${cellId}|${keyId}|${toBase64url(randomBytes(32))}`;
  const prepared = Buffer.concat([randomBytes(32), Buffer.from(message)]);
  const signature = sign('sha384', prepared, {
    key,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 48,
  });
  return JSON.stringify({
    waveId,
    cellId,
    keyId,
    message: toBase64url(prepared),
    signature: toBase64url(signature),
    answers: simulateAnswers(rng, items, rng.normal() * 0.5, 0.05),
    ...(rng.chance(0.12) ? { comment: 'Goede samenwerking, maar de werkdruk is hoog.' } : {}),
  });
}

/**
 * Answers other than the expected status, by status and body. A few are reported, not fatal:
 * this scenario measures memory, and on a busy machine a request can time out.
 */
class Refusals {
  readonly seen = new Map<string, number>();
  constructor(private readonly expected: number) {}
  record = (_i: number, status: number, body: string) => {
    if (status === this.expected) return;
    const key = `${status} ${body.slice(0, 120)}`;
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
  };
  describe(bad: number): string {
    if (bad === 0) return '';
    const list = [...this.seen].map(([k, n]) => `${n} × ${k}`).join('; ');
    return `; ${bad} bad (${list || 'timeouts or errors'})`;
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
