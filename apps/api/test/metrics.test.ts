/**
 * GET /metrics (Prometheus) and readiness: operational figures behind a bearer token, never
 * anything about people or participation (INV-6, A2, A14).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UNCOUNTED_ROUTES } from '../src/metrics/metrics.ts';
import { buildTestApp, withTestApp } from './helpers.ts';
import {
  answersFor,
  browserForPerson,
  cellMembers,
  myWave,
  openWave,
  submit,
  takeToken,
} from './pulse-support.ts';
import { browserAs, unitIdByCode } from './support.ts';

const TOKEN = 'metrics-token-for-tests-0123456789abcdef';

const metrics = suite('metrics: behind a bearer token, about the server only');
const t = withTestApp(metrics, { TEAMSPIEGEL_METRICS_TOKEN: TOKEN });

/** GET /metrics with these headers; by default the right bearer token and nothing else. */
const scrape = (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
  t.app.inject({ method: 'GET', url: '/metrics', headers });

/** The value of one series, e.g. `teamspiegel_waves{state="open"}`. */
function value(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Everything but the process's own figures (CPU, memory, event loop), which move by themselves. */
const ours = (body: string) =>
  body
    .split('\n')
    .filter((l) => !/^(# (HELP|TYPE) )?(process_|nodejs_)/.test(l))
    .join('\n');

metrics(
  'no token, a wrong one or another scheme is refused without a cookie being set',
  async () => {
    for (const authorization of [
      undefined,
      'Bearer',
      'Bearer wrong-token-of-the-same-kind-0123456789ab',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString('base64')}`,
      TOKEN,
    ]) {
      const response = await scrape(authorization === undefined ? {} : { authorization });
      assert.is(response.statusCode, 401, String(authorization));
      assert.is(response.json<{ code: string }>().code, 'unauthenticated');
      assert.is(response.headers['www-authenticate'], 'Bearer');
      assert.is(response.headers['set-cookie'], undefined);
      assert.not.ok(response.body.includes('teamspiegel_'));
    }
  },
);

metrics(
  'a logged-in session does not open /metrics; the token does, without a cookie',
  async () => {
    const admin = await browserAs(t.app, 'demo-admin');
    const withSession = await scrape({ cookie: admin.cookie! });
    assert.is(withSession.statusCode, 401);
    const response = await scrape();
    assert.is(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.is(response.headers['set-cookie'], undefined);
    for (const name of [
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'teamspiegel_http_requests_total',
      'teamspiegel_http_request_duration_seconds_bucket',
      'teamspiegel_waves',
      'teamspiegel_key_generation_keys',
      'teamspiegel_scheduler_last_run_timestamp_seconds',
      'teamspiegel_retention_last_run_timestamp_seconds',
      'teamspiegel_database_size_bytes',
    ]) {
      assert.ok(response.body.includes(`\n${name}`), name);
    }
  },
);

metrics('requests are counted by route pattern and status class, never by URL', async () => {
  const hr = await browserAs(t.app, 'demo-hr');
  const waveId = randomUUID();
  const nodeId = await unitIdByCode(t.db, 'NL-NH');
  await hr.get(`/api/v1/results/waves/${waveId}/nodes/${nodeId}`);
  await hr.get(`/api/v1/results/waves/${waveId}/nodes/${nodeId}`);
  const body = (await scrape()).body;
  const series =
    'teamspiegel_http_requests_total{method="GET",route="/api/v1/results/waves/:waveId/nodes/:nodeId",status_class="4xx"}';
  assert.is(value(body, series), 2);
  assert.ok(
    (value(
      body,
      'teamspiegel_http_request_duration_seconds_count{method="GET",route="/api/v1/results/waves/:waveId/nodes/:nodeId",status_class="4xx"}',
    ) ?? 0) === 2,
  );
  assert.not.ok(body.includes(waveId), 'no id from a URL');
  assert.not.ok(body.includes(nodeId), 'no id from a URL');
  assert.ok(body.includes('route="/api/v1/auth/login",status_class="2xx"'));
});

metrics(
  'taking part (the answer page, a token, the answers) leaves /metrics as it was',
  async () => {
    const waveId = await openWave(t);
    const cell = (
      await t.db
        .selectFrom('wave_cell')
        .select('id')
        .where('wave_id', '=', waveId)
        .where('kind', '=', 'team')
        .where('eligible', '>=', 5)
        .executeTakeFirstOrThrow()
    ).id;
    const [officer] = await cellMembers(t.db, waveId, cell);
    const browser = await browserForPerson(t.app, t.db, officer!);
    await browser.csrfToken();
    const before = (await scrape()).body;
    // What the answer page loads of its own, then the token and the answers.
    const wave = await myWave(browser, waveId);
    for (const url of [`/api/v1/waves/${waveId}/manifest`, '/api/v1/me/support']) {
      const page = await browser.get(url);
      assert.is(page.statusCode, 200, `${url}: ${page.body}`);
    }
    const { token, response } = await takeToken(browser, wave);
    assert.is(response.statusCode, 200, response.body);
    const sent = await submit(
      t.app,
      token!,
      answersFor(wave, () => 3),
      'Een opmerking',
    );
    assert.is(sent.statusCode, 202, sent.body);
    const after = (await scrape()).body;
    assert.is(ours(after), ours(before));
    for (const route of [...UNCOUNTED_ROUTES, '/submit']) {
      assert.not.ok(after.includes(`route="${route}`), route);
    }
  },
);

metrics('waves by state and the key generation of preparing waves', async () => {
  const programme = await t.db.selectFrom('programme').select('id').executeTakeFirstOrThrow();
  const preparing = randomUUID();
  await t.db
    .insertInto('wave')
    .values({
      id: preparing,
      programme_id: programme.id,
      sequence: 99,
      state: 'preparing',
      opens_on: '2026-11-23',
      closes_on: '2026-12-07',
      item_ids: '[]',
      comment_question: 0,
      thresholds: null,
      keys_total: 40,
      keys_done: 15,
      unplaced: 0,
      opened_at: null,
      closed_at: null,
      created_at: '2026-11-23T09:00:00.000Z',
    })
    .execute();
  const body = (await scrape()).body;
  assert.is(value(body, 'teamspiegel_waves{state="open"}'), 1);
  assert.is(value(body, 'teamspiegel_waves{state="preparing"}'), 1);
  assert.is(value(body, 'teamspiegel_waves{state="closed"}'), 0);
  assert.is(value(body, 'teamspiegel_key_generation_keys{progress="done"}'), 15);
  assert.is(value(body, 'teamspiegel_key_generation_keys{progress="total"}'), 40);
  await t.db.deleteFrom('wave').where('id', '=', preparing).execute();
});

metrics(
  'the scheduler’s and retention’s last runs and the database size in whole MiB',
  async () => {
    const before = (await scrape()).body;
    assert.is(value(before, 'teamspiegel_scheduler_last_run_timestamp_seconds'), 0);
    assert.is(value(before, 'teamspiegel_retention_last_run_timestamp_seconds'), 0);
    await t.app.scheduler.tick();
    const body = (await scrape()).body;
    const now = t.clock.now().getTime() / 1000;
    assert.is(value(body, 'teamspiegel_scheduler_last_run_timestamp_seconds'), now);
    assert.is(value(body, 'teamspiegel_retention_last_run_timestamp_seconds'), now);
    const size = value(body, 'teamspiegel_database_size_bytes')!;
    assert.ok(size > 0);
    assert.is(size % (1024 * 1024), 0);
  },
);

metrics.run();

const off = suite('metrics: off without a token');
const plain = withTestApp(off);

off('/metrics does not exist when no token is configured', async () => {
  for (const authorization of [undefined, 'Bearer ', `Bearer ${TOKEN}`]) {
    const response = await plain.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: authorization === undefined ? {} : { authorization },
    });
    assert.is(response.statusCode, 404);
    assert.not.ok(response.body.includes('teamspiegel_'));
  }
});

off('readiness: database, scheduler off in tests, key directory writable', async () => {
  const response = await plain.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
  assert.is(response.statusCode, 200, response.body);
  assert.equal(response.json(), {
    status: 'ready',
    checks: { database: 'ok', scheduler: 'off', keyDirectory: 'ok' },
  });
  assert.is(response.headers['set-cookie'], undefined);
});

off.run();

const ready = suite('readiness: a late scheduler or an unusable key directory');

ready(
  'not ready once the scheduler has not run for three intervals (and five minutes)',
  async () => {
    const app = await buildTestApp({ TEAMSPIEGEL_SCHEDULER_INTERVAL_MS: '60000' });
    try {
      await app.app.scheduler.tick();
      const fresh = await app.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
      assert.is(fresh.statusCode, 200, fresh.body);
      assert.is(fresh.json<{ checks: { scheduler: string } }>().checks.scheduler, 'ok');
      app.clock.advance(5 * 60_000 + 1000);
      const late = await app.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
      assert.is(late.statusCode, 503);
      assert.equal(late.json(), {
        status: 'not_ready',
        checks: { database: 'ok', scheduler: 'late', keyDirectory: 'ok' },
      });
      // Liveness stays up: the process is alive, it is just not doing its schedule.
      const live = await app.app.inject({ method: 'GET', url: '/api/v1/health' });
      assert.is(live.statusCode, 200);
    } finally {
      await app.close();
    }
  },
);

ready('not ready when the key directory is not a writable directory', async () => {
  const probe = await buildTestApp({}, { seed: false });
  const notADirectory = join(probe.config.dataDir, 'keys-is-a-file');
  writeFileSync(notADirectory, 'x');
  const app = await buildTestApp({ TEAMSPIEGEL_KEY_DIR: notADirectory }, { seed: false });
  try {
    const response = await app.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
    assert.is(response.statusCode, 503);
    assert.equal(response.json<{ checks: object }>().checks, {
      database: 'ok',
      scheduler: 'off',
      keyDirectory: 'not_writable',
    });
  } finally {
    await app.close();
    await probe.close();
  }
});

ready.run();
