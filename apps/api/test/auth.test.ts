import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { LightMyRequestResponse } from 'fastify';
import type { MeResponse } from '@teamspiegel/contracts';
import { ACCOUNT_THROTTLE } from '@teamspiegel/core';
import { DEMO_PASSWORD, withTestApp } from './helpers.ts';
import {
  auditCount,
  auditEvents,
  Browser,
  browserAs,
  errorOf,
  expectNoChange,
  expectRefused,
  freshAccount,
  HOUR,
  MINUTE,
  personIdByUsername,
  rowCount,
  unitIdByCode,
} from './support.ts';

const auth = suite('auth');
const t = withTestApp(auth);

const setCookieOf = (response: LightMyRequestResponse): string => {
  const header = response.headers['set-cookie'];
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) throw new Error('no Set-Cookie header');
  return value;
};

/** A new account and a browser logged in to it. */
async function loggedInFreshAccount(username: string) {
  const account = await freshAccount(t.db, username);
  return { account, browser: await browserAs(t.app, account.username) };
}

/** Runs `run` and checks that the account's password hash and the audit log did not change. */
async function passwordKept(personId: string, run: () => Promise<unknown>) {
  const hash = await accountHash(personId);
  await expectNoChange(t.db, [], run);
  assert.is(await accountHash(personId), hash, 'the password hash changed');
}

const accountHash = async (personId: string) =>
  (
    await t.db
      .selectFrom('account')
      .select('password_hash')
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow()
  ).password_hash;

auth('a login with the right password returns the person with roles and permissions', async () => {
  const browser = new Browser(t.app);
  const response = await browser.login('demo-admin');
  assert.is(response.statusCode, 200);
  const me = response.json<MeResponse>();
  assert.is(me.username, 'demo-admin');
  assert.is(me.person.id, await personIdByUsername(t.db, 'demo-admin'));
  assert.is(me.person.familyName, 'de Wit');
  assert.is(me.mustChangePassword, false);
  const corps = await unitIdByCode(t.db, 'NL');
  const zone = await unitIdByCode(t.db, 'BE-SCH');
  assert.ok(
    me.roles.some((r) => r.role === 'admin' && r.unitId === corps && r.unitKind === 'corps'),
  );
  assert.ok(me.roles.some((r) => r.role === 'admin' && r.unitId === zone && r.unitKind === 'zone'));
  for (const p of [
    'org:read',
    'org:manage',
    'people:read',
    'people:manage',
    'roles:manage',
    'audit:read',
  ]) {
    assert.ok(me.permissions.includes(p as MeResponse['permissions'][number]), p);
  }
  assert.not.ok('passwordHash' in me || 'password_hash' in me);
  assert.is((await browser.get('/api/v1/me')).statusCode, 200);
});

auth('an officer logs in with no management permissions', async () => {
  const response = await new Browser(t.app).login('demo-officer');
  assert.is(response.statusCode, 200);
  const me = response.json<MeResponse>();
  assert.equal(
    me.roles.map((r) => r.role),
    ['officer'],
  );
  assert.equal([...me.permissions].sort(), ['public', 'session']);
});

auth('refuses a wrong password with exactly the same answer as an unknown user', async () => {
  const wrongBrowser = new Browser(t.app, { remoteAddress: '10.1.0.1' });
  const unknownBrowser = new Browser(t.app, { remoteAddress: '10.1.0.1' });
  const wrong = await wrongBrowser.login('demo-hr', 'not-the-password-1');
  const unknown = await unknownBrowser.login('nobody-at-all', 'not-the-password-1');
  assert.is(wrong.statusCode, 401);
  assert.is(unknown.statusCode, 401);
  assert.is(errorOf(wrong).code, 'invalid_credentials');
  assert.is(wrong.body, unknown.body);
  assert.equal(Object.keys(wrong.headers).sort(), Object.keys(unknown.headers).sort());
  // Neither came away with a logged-in session.
  assert.is((await wrongBrowser.get('/api/v1/me')).statusCode, 401);
  assert.is((await unknownBrowser.get('/api/v1/me')).statusCode, 401);
});

auth('audits a failed login with the username but never the password', async () => {
  const before = await auditCount(t.db);
  const secret = 'Tr0ub4dor-wrong-guess';
  const response = await new Browser(t.app, { remoteAddress: '10.1.0.2' }).login(
    'demo-lead',
    secret,
  );
  assert.is(response.statusCode, 401);
  assert.is(await auditCount(t.db), before + 1);
  const [event] = await auditEvents(t.db, 'auth.login_failed');
  assert.ok(event);
  assert.is(event.actor_person_id, null);
  assert.equal(JSON.parse(event.details), { username: 'demo-lead' });
  const all = await t.db.selectFrom('audit_event').select('details').execute();
  assert.not.ok(all.some((r) => r.details.includes(secret)));
});

auth('a successful login is audited with the person as actor', async () => {
  const before = await auditCount(t.db);
  await browserAs(t.app, 'demo-hr');
  assert.is(await auditCount(t.db), before + 1);
  const [event] = await auditEvents(t.db, 'auth.login');
  const hr = await personIdByUsername(t.db, 'demo-hr');
  assert.is(event?.actor_person_id, hr);
  assert.is(event?.target_id, hr);
});

auth(
  'after four failures an account is throttled even for the right password, then works after the delay',
  async () => {
    const browser = new Browser(t.app, { remoteAddress: '10.1.0.3' });
    for (let i = 0; i < 4; i++) {
      const response = await browser.login('demo-officer', `wrong-password-${i}`);
      expectRefused(response, 401, 'invalid_credentials', `attempt ${i + 1}`);
    }
    const auditBefore = await auditCount(t.db);
    const throttled = await browser.login('demo-officer');
    expectRefused(throttled, 429, 'login_throttled');
    assert.is(throttled.headers['retry-after'], '1');
    assert.is(await auditCount(t.db), auditBefore, 'a throttled attempt records no login');
    assert.is((await browser.get('/api/v1/me')).statusCode, 401);
    // The same account from another address is held by the same per-account counter.
    const elsewhere = await new Browser(t.app, { remoteAddress: '10.1.0.4' }).login('demo-officer');
    assert.is(elsewhere.statusCode, 429);

    t.clock.advance(1_001);
    const later = await browser.login('demo-officer');
    assert.is(later.statusCode, 200, later.body);
    // A success clears the account counter.
    assert.not.ok(
      await t.db
        .selectFrom('login_throttle')
        .select('key')
        .where('key', '=', 'account:demo-officer')
        .executeTakeFirst(),
    );
  },
);

auth('the throttle delay doubles up to 60 seconds and never becomes a lockout', async () => {
  const browser = new Browser(t.app, { remoteAddress: '10.1.0.5' });
  const waits: number[] = [];
  let failures = 0;
  while (waits.length < 8) {
    const response = await browser.login('demo-chief', 'still-the-wrong-one');
    if (response.statusCode === 429) {
      const wait = Number(response.headers['retry-after']);
      waits.push(wait);
      t.clock.advance(wait * 1000);
    } else {
      assert.is(response.statusCode, 401);
      failures += 1;
    }
  }
  assert.equal(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
  assert.is(failures, 11);
  // The loop ended by waiting out the last delay: the right password works again.
  assert.is((await browser.login('demo-chief')).statusCode, 200);
});

auth('one address spraying many usernames is throttled, other addresses are not', async () => {
  const spray = new Browser(t.app, { remoteAddress: '10.2.0.1' });
  for (let i = 0; i < 21; i++) {
    const response = await spray.login(`sprayed-user-${i}`, 'Winter2026!Winter');
    assert.is(response.statusCode, 401, `attempt ${i + 1}`);
  }
  const throttled = await spray.login('demo-council');
  expectRefused(throttled, 429, 'login_throttled');
  assert.ok(Number(throttled.headers['retry-after']) >= 1);

  const other = await new Browser(t.app, { remoteAddress: '10.2.0.2' }).login('demo-council');
  assert.is(other.statusCode, 200);

  t.clock.advance(Number(throttled.headers['retry-after']) * 1000 + 1);
  assert.is((await spray.login('demo-council')).statusCode, 200);
});

auth(
  'the session cookie is HttpOnly, SameSite=Strict, Path=/ and not Secure outside production',
  async () => {
    const browser = new Browser(t.app);
    const response = await browser.login('demo-admin');
    const cookie = setCookieOf(response);
    assert.match(cookie, /^teamspiegel=/);
    assert.match(cookie, /;\s*HttpOnly/i);
    assert.match(cookie, /;\s*SameSite=Strict/i);
    assert.match(cookie, /;\s*Path=\/(;|$)/);
    assert.not.match(cookie, /;\s*Secure/i);
    assert.not.match(cookie, /;\s*Domain=/i);
  },
);

auth('the session id changes at login and the pre-login session gives no access', async () => {
  const browser = new Browser(t.app);
  await browser.csrfToken();
  const before = browser.cookie;
  assert.ok(before);
  const response = await browser.request('POST', '/api/v1/auth/login', {
    username: 'demo-admin',
    password: DEMO_PASSWORD,
  });
  assert.is(response.statusCode, 200);
  assert.ok(browser.cookie);
  assert.is.not(browser.cookie, before);
  // An attacker who planted the pre-login cookie is not logged in.
  const planted = await t.app.inject({
    method: 'GET',
    url: '/api/v1/me',
    headers: { cookie: before },
  });
  assert.is(planted.statusCode, 401);
  assert.is((await browser.get('/api/v1/me')).statusCode, 200);
});

auth('logout ends the session and is audited', async () => {
  const browser = await browserAs(t.app, 'demo-admin');
  const admin = await personIdByUsername(t.db, 'demo-admin');
  const sessions = await rowCount(t.db, 'session');
  const before = await auditCount(t.db);
  const response = await browser.post('/api/v1/auth/logout');
  assert.is(response.statusCode, 204);
  assert.is(await rowCount(t.db, 'session'), sessions - 1);
  assert.is(await auditCount(t.db), before + 1);
  const [event] = await auditEvents(t.db, 'auth.logout');
  assert.is(event?.actor_person_id, admin);
  const me = await browser.get('/api/v1/me');
  expectRefused(me, 401, 'session_expired');
});

auth('a session idle for 31 minutes has expired', async () => {
  const browser = await browserAs(t.app, 'demo-admin');
  t.clock.advance(31 * MINUTE);
  const response = await browser.get('/api/v1/me');
  expectRefused(response, 401, 'session_expired');
  // And stays expired.
  t.clock.advance(MINUTE);
  assert.is((await browser.get('/api/v1/me')).statusCode, 401);
});

auth('activity within the idle window keeps the session alive', async () => {
  const browser = await browserAs(t.app, 'demo-admin');
  t.clock.advance(20 * MINUTE);
  assert.is((await browser.get('/api/v1/me')).statusCode, 200);
  t.clock.advance(20 * MINUTE);
  assert.is((await browser.get('/api/v1/me')).statusCode, 200);
  t.clock.advance(20 * MINUTE);
  assert.is((await browser.get('/api/v1/me')).statusCode, 200);
});

auth('the absolute timeout of 10 hours ends even an active session', async () => {
  const browser = await browserAs(t.app, 'demo-admin');
  let elapsed = 0;
  while (elapsed + 20 * MINUTE <= 10 * HOUR) {
    t.clock.advance(20 * MINUTE);
    elapsed += 20 * MINUTE;
    assert.is((await browser.get('/api/v1/me')).statusCode, 200, `after ${elapsed / MINUTE} min`);
  }
  t.clock.advance(20 * MINUTE);
  const response = await browser.get('/api/v1/me');
  expectRefused(response, 401, 'session_expired');
});

auth(
  'a password change with a wrong current password is refused, audited and changes nothing else',
  async () => {
    const { account, browser } = await loggedInFreshAccount('pw-wrong-current');
    const hash = await accountHash(account.personId);
    const before = await auditCount(t.db);
    const response = await browser.post('/api/v1/auth/password', {
      currentPassword: 'not-my-current-password',
      newPassword: 'a-completely-new-secret',
    });
    expectRefused(response, 401, 'invalid_credentials');
    assert.is(await accountHash(account.personId), hash, 'the password hash changed');
    assert.is(await auditCount(t.db), before + 1);
    const event = await t.db
      .selectFrom('audit_event')
      .selectAll()
      .orderBy('at', 'desc')
      .where('action', '=', 'auth.password_change_failed')
      .executeTakeFirstOrThrow();
    assert.is(event.target_id, account.personId);
    assert.not.ok(event.details.includes('not-my-current-password'));
  },
);

auth('guessing the current password at an open session is throttled like a login', async () => {
  const { browser } = await loggedInFreshAccount('pw-guess');
  const statuses: number[] = [];
  for (let i = 0; i < ACCOUNT_THROTTLE.freeFailures + 3; i++) {
    const response = await browser.post('/api/v1/auth/password', {
      currentPassword: `guess-number-${i}`,
      newPassword: 'a-completely-new-secret',
    });
    statuses.push(response.statusCode);
  }
  assert.equal(
    statuses.slice(0, ACCOUNT_THROTTLE.freeFailures + 1),
    Array(ACCOUNT_THROTTLE.freeFailures + 1).fill(401),
  );
  assert.ok(
    statuses.slice(ACCOUNT_THROTTLE.freeFailures + 1).every((s) => s === 429),
    statuses.join(','),
  );
});

auth('parallel login attempts cannot outrun the throttle', async () => {
  const account = await freshAccount(t.db, 'parallel-target');
  const attempts = await Promise.all(
    Array.from({ length: 30 }, async (_, i) => {
      const browser = new Browser(t.app, { remoteAddress: `10.9.0.${i + 1}` });
      await browser.csrfToken();
      return browser.request('POST', '/api/v1/auth/login', {
        username: account.username,
        password: `wrong-${i}`,
      });
    }),
  );
  const checked = attempts.filter((r) => r.statusCode === 401).length;
  const throttled = attempts.filter((r) => r.statusCode === 429).length;
  // Only the free failures plus the one that earns the first delay reach the password check.
  assert.is(checked, ACCOUNT_THROTTLE.freeFailures + 1);
  assert.is(throttled, 30 - checked);
});

auth('a new password that is too short or contains the username is too weak', async () => {
  const { account, browser } = await loggedInFreshAccount('pw-weak');
  await passwordKept(account.personId, async () => {
    for (const newPassword of ['short-pw', 'x-pw-weak-is-my-name-x']) {
      const response = await browser.post('/api/v1/auth/password', {
        currentPassword: DEMO_PASSWORD,
        newPassword,
      });
      expectRefused(response, 400, 'password_too_weak', newPassword);
    }
  });
});

auth('the current password cannot be chosen again', async () => {
  const { account, browser } = await loggedInFreshAccount('pw-reuse');
  await passwordKept(account.personId, async () => {
    const response = await browser.post('/api/v1/auth/password', {
      currentPassword: DEMO_PASSWORD,
      newPassword: DEMO_PASSWORD,
    });
    expectRefused(response, 400, 'password_reused');
  });
});

auth(
  'after a password change the old password fails, the new one works, and it is audited',
  async () => {
    const { account, browser } = await loggedInFreshAccount('pw-change');
    const cookieBefore = browser.cookie;
    const before = await auditCount(t.db);
    const newPassword = 'correct-horse-battery-staple';
    const response = await browser.post('/api/v1/auth/password', {
      currentPassword: DEMO_PASSWORD,
      newPassword,
    });
    assert.is(response.statusCode, 204);
    assert.is.not(browser.cookie, cookieBefore, 'a new session id after a credential change');
    assert.is((await browser.get('/api/v1/me')).statusCode, 200);
    assert.is(await auditCount(t.db), before + 1);
    const [event] = await auditEvents(t.db, 'auth.password_changed');
    assert.is(event?.actor_person_id, account.personId);
    assert.not.ok(event?.details.includes(newPassword));

    const old = await new Browser(t.app, { remoteAddress: '10.3.0.1' }).login(
      account.username,
      DEMO_PASSWORD,
    );
    expectRefused(old, 401, 'invalid_credentials');
    const fresh = await new Browser(t.app, { remoteAddress: '10.3.0.1' }).login(
      account.username,
      newPassword,
    );
    assert.is(fresh.statusCode, 200);
  },
);

auth(
  'an account created by an administrator must change its password before doing anything else',
  async () => {
    const admin = await browserAs(t.app, 'demo-admin');
    const created = await admin.post('/api/v1/people', {
      employeeNumber: 'NEW-ACC-1',
      givenName: 'Noor',
      familyName: 'Visser',
      email: 'noor.visser@politie.example',
      language: 'nl',
    });
    assert.is(created.statusCode, 201, created.body);
    const personId = created.json<{ id: string }>().id;
    const role = await admin.post(`/api/v1/people/${personId}/roles`, {
      role: 'hr_analyst',
      unitId: await unitIdByCode(t.db, 'NL'),
    });
    assert.is(role.statusCode, 201, role.body);
    const account = await admin.post(`/api/v1/people/${personId}/account`, {
      username: 'noor.visser',
    });
    assert.is(account.statusCode, 201);
    const { temporaryPassword } = account.json<{ temporaryPassword: string }>();

    const browser = new Browser(t.app);
    const login = await browser.login('noor.visser', temporaryPassword);
    assert.is(login.statusCode, 200);
    assert.is(login.json<MeResponse>().mustChangePassword, true);

    const units = await browser.get('/api/v1/units');
    expectRefused(units, 403, 'password_change_required');
    // Routes open to every logged-in person are closed too: whoever set the temporary
    // password must not read results or take a pulse token with it.
    expectRefused(await browser.get('/api/v1/results/overview'), 403, 'password_change_required');
    expectRefused(await browser.get('/api/v1/me/waves'), 403, 'password_change_required');
    assert.is((await browser.get('/api/v1/me')).statusCode, 200);

    const change = await browser.post('/api/v1/auth/password', {
      currentPassword: temporaryPassword,
      newPassword: 'my-own-long-password',
    });
    assert.is(change.statusCode, 204);
    await browser.csrfToken();
    const me = await browser.get('/api/v1/me');
    assert.is(me.json<MeResponse>().mustChangePassword, false);
    assert.is((await browser.get('/api/v1/units')).statusCode, 200);
  },
);

auth('changing the password logs out the other sessions of that person', async () => {
  const account = await freshAccount(t.db, 'two-stations');
  const stationA = await browserAs(t.app, account.username);
  const stationB = await browserAs(t.app, account.username);
  const newPassword = 'a brand new passphrase';
  const changed = await stationA.post('/api/v1/auth/password', {
    currentPassword: account.password,
    newPassword,
  });
  assert.is(changed.statusCode, 204, changed.body);
  assert.is((await stationA.get('/api/v1/me')).statusCode, 200);
  const other = await stationB.get('/api/v1/me');
  expectRefused(other, 401, 'session_expired');
});

auth(
  'a deactivated person cannot log in and their open session ends at the next request',
  async () => {
    const account = await freshAccount(t.db, 'to-be-deactivated');
    const victim = await browserAs(t.app, account.username);
    assert.is((await victim.get('/api/v1/me')).statusCode, 200);

    const admin = await browserAs(t.app, 'demo-admin');
    const response = await admin.post(`/api/v1/people/${account.personId}/deactivate`);
    assert.is(response.statusCode, 200, response.body);

    const me = await victim.get('/api/v1/me');
    assert.is(me.statusCode, 401);
    // Deactivation deletes the person's sessions, so the browser is told its session ended.
    assert.is(errorOf(me).code, 'session_expired');
    const left = await t.db
      .selectFrom('session')
      .select('sid')
      .where('person_id', '=', account.personId)
      .execute();
    assert.is(left.length, 0);
    const login = await new Browser(t.app, { remoteAddress: '10.3.0.2' }).login(account.username);
    expectRefused(login, 401, 'invalid_credentials');
  },
);

auth.run();

/** Production: `__Host-` cookie, Secure, behind a TLS-terminating proxy. */
const production = suite('auth in production');
const PROD_ORIGIN = 'https://teamspiegel.example';
const p = withTestApp(production, {
  NODE_ENV: 'production',
  TEAMSPIEGEL_PUBLIC_ORIGIN: PROD_ORIGIN,
  TEAMSPIEGEL_TRUST_PROXY: '1',
  LOG_LEVEL: 'silent',
});

production('the session cookie is named __Host-teamspiegel and is Secure', async () => {
  const browser = new Browser(p.app, {
    origin: PROD_ORIGIN,
    headers: { 'x-forwarded-proto': 'https' },
  });
  const response = await browser.login('demo-admin');
  assert.is(response.statusCode, 200, response.body);
  const cookie = setCookieOf(response);
  assert.match(cookie, /^__Host-teamspiegel=/);
  assert.match(cookie, /;\s*Secure/i);
  assert.match(cookie, /;\s*HttpOnly/i);
  assert.match(cookie, /;\s*SameSite=Strict/i);
  assert.match(cookie, /;\s*Path=\/(;|$)/);
  assert.not.match(cookie, /;\s*Domain=/i);
  assert.is((await browser.get('/api/v1/me')).statusCode, 200);
  assert.ok(response.headers['strict-transport-security']);
});

production(
  'a state-changing request from the plain-http origin is refused in production',
  async () => {
    const browser = new Browser(p.app, {
      origin: 'http://localhost:3000',
      headers: { 'x-forwarded-proto': 'https' },
    });
    await expectNoChange(p.db, [], async () =>
      expectRefused(await browser.login('demo-admin'), 403, 'origin_mismatch'),
    );
  },
);

production.run();
