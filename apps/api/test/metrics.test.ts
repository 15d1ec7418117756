/**
 * GET /metrics (Prometheus) and readiness: operational figures behind a bearer token, never
 * anything about people or participation (INV-6, A2, A14).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ANSWER_JOURNEY_ROUTES, COUNTED_ROUTES } from '../src/metrics/metrics.ts';
import { DEMO_PASSWORD, buildTestApp, withTestApp } from './helpers.ts';
import {
  accountForPerson,
  answersFor,
  cellMembers,
  openWave,
  submit,
  takeToken,
} from './pulse-support.ts';
import { Browser, browserAs, unitIdByCode } from './support.ts';
import type { MyWaves, ResultsOverview } from '@teamspiegel/contracts';

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
    assert.is((await admin.get('/api/v1/health')).statusCode, 200);
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
  // The login (and the CSRF token before it) just happened, and is not counted.
  assert.not.ok(body.includes('route="/api/v1/auth/'), 'no login or CSRF counter');
  // An administrator's page is.
  const admin = await browserAs(t.app, 'demo-admin');
  assert.is((await admin.get('/api/v1/units')).statusCode, 200);
  const after = (await scrape()).body;
  assert.is(
    value(
      after,
      'teamspiegel_http_requests_total{method="GET",route="/api/v1/units",status_class="2xx"}',
    ),
    1,
  );
});

metrics('every counted route exists, and none of them is one the answer journey calls', () => {
  for (const entry of COUNTED_ROUTES) {
    const [method, url] = entry.split(' ') as ['GET', string];
    assert.ok(t.app.hasRoute({ method, url }), entry);
    assert.not.ok(ANSWER_JOURNEY_ROUTES.has(entry), entry);
  }
  for (const entry of ANSWER_JOURNEY_ROUTES) {
    const [method, url] = entry.split(' ') as ['GET', string];
    assert.ok(t.app.hasRoute({ method, url }), entry);
  }
});

metrics(
  'an officer logging in, answering and logging out as the web app does leaves /metrics as it was',
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
    const username = await accountForPerson(t.db, officer!);
    const before = (await scrape()).body;

    // The request sequence of apps/web (lib/api.ts, lib/auth.ts, routes/+layout.ts, routes/+page.ts,
    // routes/pulse): the browser holds no CSRF token until a state-changing request needs one.
    const browser = new Browser(t.app);
    const sent: string[] = [];
    const send = browser.request.bind(browser);
    // Every request the browser makes, the CSRF fetches Browser.request makes by itself included
    // (a POST without a token fetches one first, as lib/api.ts does), in the order
    // they reached the server (a request made inside another is recorded first).
    browser.request = async (method, url, ...rest) => {
      const response = await send(method, url, ...rest);
      sent.push(`${method} ${url.split('?')[0]}`);
      return response;
    };
    const request = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      browser.request(method, url, method === 'POST' ? (body ?? {}) : undefined);
    // The login page: the layout asks for the session (401), then the login.
    assert.is((await request('GET', '/api/v1/me')).statusCode, 401);
    const login = await request('POST', '/api/v1/auth/login', {
      username,
      password: DEMO_PASSWORD,
    });
    assert.is(login.statusCode, 200, login.body);
    browser.csrf = undefined; // lib/auth.ts login(): forgetCsrfToken()
    // The home page, then the answer page's load: open waves, manifest, the team action
    // (overview, then the team's actions), the support links.
    assert.is((await request('GET', '/api/v1/me/waves')).statusCode, 200);
    const waves = await request('GET', '/api/v1/me/waves');
    const wave = waves.json<MyWaves>().items.find((w) => w.waveId === waveId)!;
    assert.ok(wave, waves.body);
    assert.is((await request('GET', `/api/v1/waves/${waveId}/manifest`)).statusCode, 200);
    const overview = await request('GET', '/api/v1/results/overview');
    assert.is(overview.statusCode, 200, overview.body);
    const { home, nodes } = overview.json<ResultsOverview>();
    const team = home.find((id) => nodes.find((node) => node.nodeId === id)?.kind === 'team');
    if (team) await request('GET', `/api/v1/results/nodes/${team}/actions`);
    assert.is((await request('GET', '/api/v1/me/support')).statusCode, 200);
    // "Send": the lazy CSRF fetch and the token (takeToken posts through the same browser),
    // then the answers to the anonymous origin.
    const csrfBefore = browser.csrf;
    const { token, response } = await takeToken(browser, wave);
    assert.is(response.statusCode, 200, response.body);
    assert.is(csrfBefore, undefined);
    assert.ok(browser.csrf, 'the token request fetched a CSRF token first');
    const answered = await submit(
      t.app,
      token!,
      answersFor(wave, () => 3),
      'Een opmerking',
    );
    assert.is(answered.statusCode, 202, answered.body);
    // The transparency page the answer page links to, and the logout.
    await request('GET', `/api/v1/waves/${waveId}/transparency`);
    assert.is((await request('POST', '/api/v1/auth/logout')).statusCode, 204);

    const after = (await scrape()).body;
    assert.is(ours(after), ours(before));
    assert.not.ok(after.includes('route="/submit'), '/submit');
    // Exactly the requests of the web app, each of them on the journey's list and not counted.
    const expected = [
      'GET /api/v1/me',
      'GET /api/v1/auth/csrf',
      'POST /api/v1/auth/login',
      'GET /api/v1/me/waves',
      'GET /api/v1/me/waves',
      'GET /api/v1/waves/:waveId/manifest',
      'GET /api/v1/results/overview',
      ...(team ? ['GET /api/v1/results/nodes/:nodeId/actions'] : []),
      'GET /api/v1/me/support',
      'GET /api/v1/auth/csrf',
      'POST /api/v1/waves/:waveId/tokens',
      'GET /api/v1/waves/:waveId/transparency',
      'POST /api/v1/auth/logout',
    ];
    const patterns = sent.map((entry) =>
      entry.replace(waveId, ':waveId').replace(team ?? waveId, ':nodeId'),
    );
    assert.equal(patterns, expected);
    for (const pattern of patterns) {
      assert.ok(ANSWER_JOURNEY_ROUTES.has(pattern), pattern);
      assert.not.ok(COUNTED_ROUTES.has(pattern), pattern);
      assert.not.ok(after.includes(`route="${pattern.split(' ')[1]}"`), pattern);
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
