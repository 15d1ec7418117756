/**
 * A separate origin for /submit (anonymity.md 4.3, TEAMSPIEGEL_SUBMIT_ORIGIN): when set, the
 * pages learn it, the CSP lets them reach it, and the submission context answers CORS for the
 * public origin only, without credentials; the logged-in API never answers CORS. When unset,
 * nothing of this exists.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { MyWaves } from '@teamspiegel/contracts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { ORIGIN, withTestApp } from './helpers.ts';
import { answersFor, myWave, openWave, submit, takeToken } from './pulse-support.ts';
import { browserAs } from './support.ts';

const SUBMIT_ORIGIN = 'http://submit.localhost:3001';

const preflight = (origin: string, url = '/submit/v1/responses') => ({
  method: 'OPTIONS' as const,
  url,
  headers: {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type',
  },
});

const connectSrc = (csp: unknown) => /connect-src ([^;]*)/.exec(String(csp))?.[1];

const separate = suite('submit origin: set');

// Every line the logger writes (as in collection-storage.test.ts): the app is built with the
// capture in place and an 'info' level, as in production.
const logLines: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);
separate.before(() => {
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{"level"')) {
      logLines.push(...text.split('\n').filter(Boolean));
      return true;
    }
    return (originalWrite as (...args: unknown[]) => boolean)(chunk, ...rest);
  };
});
const t = withTestApp(separate, {
  TEAMSPIEGEL_SUBMIT_ORIGIN: `${SUBMIT_ORIGIN}/`,
  LOG_LEVEL: 'info',
});
separate.after(() => {
  process.stdout.write = originalWrite;
});

separate('the pulse page learns where to send answers', async () => {
  const officer = await browserAs(t.app, 'demo-officer');
  const waves = (await officer.get('/api/v1/me/waves')).json<MyWaves>();
  assert.is(waves.submitOrigin, SUBMIT_ORIGIN);
});

separate('the content security policy lets pages connect to it', async () => {
  const response = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
  assert.is(connectSrc(response.headers['content-security-policy']), `'self' ${SUBMIT_ORIGIN}`);
});

separate('a preflight from the public origin may POST JSON, without credentials', async () => {
  const response = await t.app.inject(preflight(ORIGIN));
  assert.is(response.statusCode, 204);
  assert.is(response.headers['access-control-allow-origin'], ORIGIN);
  assert.is(response.headers['access-control-allow-methods'], 'POST');
  assert.is(response.headers['access-control-allow-headers'], 'content-type');
  assert.is(response.headers['access-control-allow-credentials'], undefined);
});

separate('a preflight from any other origin is not allowed', async () => {
  for (const origin of ['https://evil.example', SUBMIT_ORIGIN, 'http://localhost:3000.evil']) {
    const response = await t.app.inject(preflight(origin));
    assert.is(response.headers['access-control-allow-origin'], undefined, origin);
  }
});

separate('the logged-in API answers no CORS, not even for the public origin', async () => {
  for (const url of ['/api/v1/health', '/api/v1/auth/login', '/api/v1/me/waves']) {
    const response = await t.app.inject(preflight(ORIGIN, url));
    assert.is(response.headers['access-control-allow-origin'], undefined, url);
    assert.is.not(response.statusCode, 204, url);
    const get = await t.app.inject({ method: 'GET', url, headers: { origin: ORIGIN } });
    assert.is(get.headers['access-control-allow-origin'], undefined, url);
  }
});

separate('answers sent from the public origin are accepted across origins', async () => {
  const waveId = await openWave(t, { commentQuestion: false });
  const officer = await browserAs(t.app, 'demo-officer');
  const mine = await myWave(officer, waveId);
  const { token } = await takeToken(officer, mine);
  assert.ok(token);
  const response = await submit(t.app, token, answersFor(mine), undefined, {
    origin: ORIGIN,
    'content-type': 'application/json',
  });
  assert.is(response.statusCode, 202, response.body);
  assert.is(response.headers['access-control-allow-origin'], ORIGIN);
  assert.is(response.headers['access-control-allow-credentials'], undefined);
  assert.is(response.headers['set-cookie'], undefined);
});

separate('preflights and answers across origins write no log line (A14)', () => {
  assert.ok(
    logLines.some((line) => line.includes('/api/v1/')),
    'the capture works: /api requests are logged',
  );
  for (const line of logLines) {
    assert.not.ok(line.includes('/submit'), `a log line mentions /submit: ${line}`);
  }
});

separate.run();

const same = suite('submit origin: unset');
const u = withTestApp(same);

same('nothing changes: no field, no CORS, the CSP connects to the page origin only', async () => {
  const officer = await browserAs(u.app, 'demo-officer');
  const waves = (await officer.get('/api/v1/me/waves')).json<MyWaves>();
  assert.not.ok('submitOrigin' in waves);
  const health = await u.app.inject({ method: 'GET', url: '/api/v1/health' });
  assert.is(connectSrc(health.headers['content-security-policy']), "'self'");
  const response = await u.app.inject(preflight(ORIGIN));
  assert.is.not(response.statusCode, 204);
  assert.is(response.headers['access-control-allow-origin'], undefined);
  const post = await u.app.inject({
    method: 'POST',
    url: '/submit/v1/responses',
    headers: { origin: ORIGIN },
    payload: {},
  });
  assert.is(post.statusCode, 400);
  assert.is(post.headers['access-control-allow-origin'], undefined);
});

same.run();

const config = suite('submit origin: configuration');

const env = (extra: Record<string, string>) => ({
  TEAMSPIEGEL_DATA_DIR: '/tmp/teamspiegel-config-test',
  TEAMSPIEGEL_SESSION_SECRET: 'x'.repeat(48),
  ...extra,
});

config('must be https in production, an origin, and not the public origin', () => {
  const production = {
    NODE_ENV: 'production',
    TEAMSPIEGEL_PUBLIC_ORIGIN: 'https://teamspiegel.example.org',
  };
  assert.is(
    loadConfig(env({ ...production, TEAMSPIEGEL_SUBMIT_ORIGIN: 'https://submit.example.org' }))
      .submitOrigin,
    'https://submit.example.org',
  );
  assert.is(loadConfig(env(production)).submitOrigin, null);
  for (const bad of [
    'http://submit.example.org',
    'https://teamspiegel.example.org',
    'https://submit.example.org/submit',
    'submit.example.org',
  ]) {
    assert.throws(
      () => loadConfig(env({ ...production, TEAMSPIEGEL_SUBMIT_ORIGIN: bad })),
      (err: unknown) => err instanceof ConfigError,
      bad,
    );
  }
});

config.run();
