/**
 * The first administrator of a fresh installation (`pnpm teamspiegel init-organisation`,
 * docs/operations.md "First start"): on a database without any account it creates the root
 * unit, a person, an account with a one-time password and the administrator role at the root,
 * audited, in one transaction; the administrator logs in with that password and must change it
 * before anything else; taken codes and bad input are refused without changing anything.
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type {
  AuditPage,
  CreateAccountResponse,
  MeResponse,
  PersonDetail,
  RosterChange,
  UnitList,
} from '@teamspiegel/contracts';
import {
  addAdministrator,
  InitOrganisationError,
  initOrganisation,
  parseAddAdministratorArgs,
  parseInitOrganisationArgs,
  type InitOrganisationInput,
} from '../src/cli/init-organisation.ts';
import { proposeRosterChange } from '../src/roster/freeze.ts';
import { ORIGIN, withTestApp } from './helpers.ts';
import {
  Browser,
  browserAs as browserOf,
  expectNoChange,
  expectRefused,
  rowCount,
  type SnapshotTable,
} from './support.ts';

const init = suite('init-organisation');
// A production install: the database is migrated and holds nothing, not even a demo account.
const t = withTestApp(init, {}, { seed: false });

const ALL_TABLES: readonly SnapshotTable[] = [
  'unit',
  'person',
  'account',
  'membership',
  'role_assignment',
  'audit_event',
];

const CORPS_ARGS = [
  '--unit-code',
  'NL-POL',
  '--unit-name',
  'Politie Nederland',
  '--unit-kind',
  'corps',
  '--employee-number',
  'FB-0001',
  '--given-name',
  'Femke',
  '--family-name',
  'Bakker',
  '--email',
  'femke.bakker@politie.example',
  '--username',
  'femke.bakker',
];

/** The arguments with one flag's value replaced (or the flag removed when `value` is null). */
function withFlag(args: readonly string[], flag: string, value: string | null): string[] {
  const i = args.indexOf(flag);
  if (i < 0) return value === null ? [...args] : [...args, flag, value];
  const copy = [...args];
  if (value === null) copy.splice(i, 2);
  else copy[i + 1] = value;
  return copy;
}

function refusedInput(args: readonly string[]): string {
  try {
    parseInitOrganisationArgs(args);
  } catch (err) {
    assert.instance(err, InitOrganisationError);
    return (err as Error).message;
  }
  throw new Error(`accepted: ${args.join(' ')}`);
}

let corps: Awaited<ReturnType<typeof initOrganisation>>;

init('creates the root unit, the person, the account and the admin role, audited', async () => {
  assert.is(await rowCount(t.db, 'account'), 0, 'a production install starts without accounts');
  const input = parseInitOrganisationArgs(CORPS_ARGS);
  assert.is(input.person.language, 'nl', 'the language defaults to Dutch');
  corps = await initOrganisation(t.db, input, { now: t.clock.now() });

  const unit = await t.db
    .selectFrom('unit')
    .selectAll()
    .where('id', '=', corps.unitId)
    .executeTakeFirstOrThrow();
  assert.equal(
    { parent: unit.parent_id, code: unit.code, name: unit.name, kind: unit.kind, path: unit.path },
    {
      parent: null,
      code: 'NL-POL',
      name: 'Politie Nederland',
      kind: 'corps',
      path: `/${corps.unitId}/`,
    },
  );
  const person = await t.db
    .selectFrom('person')
    .selectAll()
    .where('id', '=', corps.personId)
    .executeTakeFirstOrThrow();
  assert.is(person.employee_number, 'FB-0001');
  assert.is(person.email, 'femke.bakker@politie.example');
  const account = await t.db
    .selectFrom('account')
    .selectAll()
    .where('person_id', '=', corps.personId)
    .executeTakeFirstOrThrow();
  assert.is(account.username, 'femke.bakker');
  assert.is(account.must_change_password, 1);
  assert.ok(account.password_hash.startsWith('$argon2id$'), 'stored as an Argon2id hash');
  assert.not.ok(account.password_hash.includes(corps.temporaryPassword));
  assert.ok(corps.temporaryPassword.length >= 16, 'a long random one-time password');
  const roles = await t.db
    .selectFrom('role_assignment')
    .select(['role', 'unit_id'])
    .where('person_id', '=', corps.personId)
    .execute();
  assert.equal(roles, [{ role: 'admin', unit_id: corps.unitId }]);

  const audit = await t.db
    .selectFrom('audit_event')
    .select(['action', 'actor_person_id', 'organisation_path', 'target_id', 'details'])
    .orderBy('action')
    .execute();
  assert.equal(
    audit.map((e) => e.action),
    ['person.account_created', 'person.created', 'role.assigned', 'unit.created'],
  );
  for (const event of audit) {
    assert.is(event.actor_person_id, null, 'the operator CLI is no person');
    assert.is(event.organisation_path, unit.path, 'filed under the new organisation');
    assert.is((JSON.parse(event.details) as { via?: string }).via, 'operator CLI');
    assert.not.ok(event.details.includes(corps.temporaryPassword), 'never the password');
  }
});

init('the administrator logs in with the one-time password and must change it first', async () => {
  const browser = new Browser(t.app);
  assert.is((await browser.login(corps.username, 'not-the-password')).statusCode, 401);
  const login = await browser.login(corps.username, corps.temporaryPassword);
  assert.is(login.statusCode, 200, login.body);
  const me = login.json<MeResponse>();
  assert.is(me.mustChangePassword, true);
  assert.equal(
    me.roles.map((r) => [r.role, r.unitId, r.unitKind]),
    [['admin', corps.unitId, 'corps']],
  );

  expectRefused(await browser.get('/api/v1/units'), 403, 'password_change_required');
  expectRefused(await browser.get('/api/v1/audit'), 403, 'password_change_required');
  expectRefused(
    await browser.post('/api/v1/units', {
      parentId: corps.unitId,
      code: 'NL-RE-1',
      name: 'Eenheid Een',
      kind: 'regional_unit',
    }),
    403,
    'password_change_required',
  );
  assert.is(await rowCount(t.db, 'unit'), 1);

  const change = await browser.post('/api/v1/auth/password', {
    currentPassword: corps.temporaryPassword,
    newPassword: 'a long passphrase of my own',
  });
  assert.is(change.statusCode, 204, change.body);
  await browser.csrfToken();

  const units = await browser.get('/api/v1/units');
  assert.is(units.statusCode, 200, units.body);
  assert.equal(
    units.json<UnitList>().items.map((u) => u.code),
    ['NL-POL'],
  );
  // The administrator can now build the organisation below the root.
  const created = await browser.post('/api/v1/units', {
    parentId: corps.unitId,
    code: 'NL-RE-1',
    name: 'Eenheid Een',
    kind: 'regional_unit',
  });
  assert.is(created.statusCode, 201, created.body);
  // The audit log shows the CLI's events, without a person as actor.
  const audit = await browser.get('/api/v1/audit?action=role.assigned');
  assert.is(audit.statusCode, 200, audit.body);
  const [assigned] = audit.json<AuditPage>().items;
  assert.is(assigned?.actorId, null);
  assert.is(assigned?.targetId, corps.personId);

  // The one-time password is spent.
  assert.is(
    (await new Browser(t.app).login(corps.username, corps.temporaryPassword)).statusCode,
    401,
  );
});

init(
  'a second run with a taken unit code, employee number or username changes nothing',
  async () => {
    const taken: [string, string, RegExp][] = [
      ['--unit-code', 'NL-POL', /code NL-POL/],
      ['--employee-number', 'FB-0001', /employee number FB-0001/],
      ['--username', 'femke.bakker', /username femke\.bakker/],
    ];
    // All three taken, then each alone with everything else new: refused every time.
    const fresh = (args: string[]) =>
      withFlag(
        withFlag(withFlag(args, '--unit-code', 'BE-ZONE'), '--employee-number', 'BE-0002'),
        '--username',
        'piet.peeters',
      );
    const runs = [
      CORPS_ARGS,
      ...taken.map(([flag, value]) => withFlag(fresh(CORPS_ARGS), flag, value)),
    ];
    const hashBefore = await t.db
      .selectFrom('account')
      .select('password_hash')
      .executeTakeFirstOrThrow();
    await expectNoChange(t.db, ALL_TABLES, async () => {
      for (const [i, args] of runs.entries()) {
        const input = parseInitOrganisationArgs(args);
        try {
          await initOrganisation(t.db, input, { now: t.clock.now() });
          assert.unreachable(`run ${i} was accepted`);
        } catch (err) {
          assert.instance(err, InitOrganisationError, String(err));
          const message = (err as Error).message;
          assert.match(message, /nothing was changed/);
          if (i === 0) for (const [, , pattern] of taken) assert.match(message, pattern);
          else assert.match(message, taken[i - 1]![2]);
        }
      }
    });
    const hashAfter = await t.db
      .selectFrom('account')
      .select('password_hash')
      .executeTakeFirstOrThrow();
    assert.is(hashAfter.password_hash, hashBefore.password_hash, 'the first password still holds');
  },
);

init('bad input is refused before anything is opened, naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [withFlag(CORPS_ARGS, '--unit-kind', 'team'), /--unit-kind: must be one of corps, zone/],
    [withFlag(CORPS_ARGS, '--unit-kind', 'regional_unit'), /--unit-kind/],
    [withFlag(CORPS_ARGS, '--unit-code', 'NL POL'), /--unit-code/],
    [withFlag(CORPS_ARGS, '--unit-name', ''), /--unit-name/],
    [withFlag(CORPS_ARGS, '--employee-number', 'FB/0001'), /--employee-number/],
    [withFlag(CORPS_ARGS, '--email', 'femke.bakker'), /--email/],
    [withFlag(CORPS_ARGS, '--language', 'fr'), /--language: must be one of nl, nl-BE, en/],
    [withFlag(CORPS_ARGS, '--username', 'Femke.Bakker'), /--username/],
    [withFlag(CORPS_ARGS, '--username', 'fb'), /--username/],
    [withFlag(CORPS_ARGS, '--family-name', null), /--family-name is required/],
    [withFlag(CORPS_ARGS, '--username', null), /--username is required/],
    [[...CORPS_ARGS, '--role', 'chief'], /--role/],
    [[...CORPS_ARGS, 'extra'], /extra/],
  ];
  for (const [args, pattern] of cases) {
    const message = refusedInput(args);
    assert.match(message, pattern, `${args.join(' ')}: ${message}`);
    assert.match(message, /Usage:/);
  }
  // A Belgian zone in English is as valid as a Dutch corps.
  const zone = parseInitOrganisationArgs(
    withFlag(withFlag(CORPS_ARGS, '--unit-kind', 'zone'), '--language', 'nl-BE'),
  );
  assert.is(zone.unit.kind, 'zone');
  assert.is(zone.person.language, 'nl-BE');
});

init('a failure midway leaves nothing behind: one transaction', async () => {
  const input: InitOrganisationInput = parseInitOrganisationArgs(
    withFlag(
      withFlag(withFlag(CORPS_ARGS, '--unit-code', 'BE-HAZODI'), '--employee-number', 'HZ-7'),
      '--username',
      'jan.janssens',
    ),
  );
  // The last insert (the role) fails; the unit, person, account and audit lines go with it.
  await sql`create trigger refuse_role before insert on role_assignment
    begin select raise(abort, 'refused by the test'); end`.execute(t.db);
  try {
    await expectNoChange(t.db, ALL_TABLES, async () => {
      try {
        await initOrganisation(t.db, input, { now: t.clock.now() });
        assert.unreachable('accepted');
      } catch (err) {
        assert.match(String(err), /refused by the test/);
      }
    });
  } finally {
    await sql`drop trigger refuse_role`.execute(t.db);
  }
  const again = await initOrganisation(t.db, input, { now: t.clock.now() });
  assert.is(again.username, 'jan.janssens', 'the same input goes through once nothing blocks it');
});

// ---------------------------------------------------------------------------------------------
// The command itself, on the database file of the running app.

const here = dirname(fileURLToPath(import.meta.url));
const CLI = resolve(here, '../src/cli/teamspiegel.ts');

function runCli(
  args: string[],
  command = 'init-organisation',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, command, ...args], {
    cwd: resolve(here, '..'),
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      TEAMSPIEGEL_DATA_DIR: t.config.dataDir,
      TEAMSPIEGEL_KEY_DIR: t.config.keyDir,
      TEAMSPIEGEL_PUBLIC_ORIGIN: ORIGIN,
      TEAMSPIEGEL_SEED_DEMO: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

init(
  'the command prints the username and the one-time password only, while the server runs',
  async () => {
    const args = withFlag(
      withFlag(
        withFlag(withFlag(CORPS_ARGS, '--unit-code', 'BE-ZONE'), '--unit-kind', 'zone'),
        '--employee-number',
        'PP-3',
      ),
      '--username',
      'piet.peeters',
    );
    const run = await runCli(args);
    assert.is(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.is(lines.length, 2, run.stdout);
    assert.is(lines[0], 'username: piet.peeters');
    const password = /^temporary password: (\S{16,})$/.exec(lines[1] ?? '')?.[1];
    assert.ok(password, run.stdout);
    assert.not.match(run.stderr, password, 'the password appears once, on stdout');

    // The running app sees the new organisation at once and lets the administrator in.
    const login = await new Browser(t.app).login('piet.peeters', password);
    assert.is(login.statusCode, 200, login.body);
    assert.is(login.json<MeResponse>().mustChangePassword, true);

    // Run again: refused with a message on stderr, nothing on stdout, nothing changed.
    await expectNoChange(t.db, ALL_TABLES, async () => {
      const second = await runCli(args);
      assert.is(second.code, 1);
      assert.is(second.stdout, '');
      assert.match(second.stderr, /code BE-ZONE/);
      const bad = await runCli(withFlag(args, '--unit-kind', 'team'));
      assert.is(bad.code, 1);
      assert.is(bad.stdout, '');
      assert.match(bad.stderr, /--unit-kind/);
    });
  },
);

// ---------------------------------------------------------------------------------------------
// Further administrators (`pnpm teamspiegel add-administrator`): four eyes refuses an approval
// between two administrators one of whom made the other, so the operator appoints at least two.

const FEMKE_PASSWORD = 'a long passphrase of my own';
const browserAs = (username: string, password: string) => browserOf(t.app, username, password);

let logins = 0;

/** Logs in with a one-time password, sets an own one and logs in again with it. */
async function firstLogin(username: string, temporary: string): Promise<Browser> {
  const browser = new Browser(t.app);
  const login = await browser.login(username, temporary);
  assert.is(login.statusCode, 200, login.body);
  const own = `a passphrase of my very own, number ${++logins}`;
  const changed = await browser.post('/api/v1/auth/password', {
    currentPassword: temporary,
    newPassword: own,
  });
  assert.is(changed.statusCode, 204, changed.body);
  const again = new Browser(t.app);
  assert.is((await again.login(username, own)).statusCode, 200);
  return again;
}

/** A new regional unit under the corps, proposed by `proposer` as a frozen roster would. */
async function proposeUnit(proposer: string, code: string): Promise<string> {
  return t.db.transaction().execute((trx) =>
    proposeRosterChange(trx, {
      organisationPath: `/${corps.unitId}/`,
      kind: 'unit_create',
      summary: `Create regional_unit ${code}`,
      payload: { parentId: corps.unitId, code, name: `Eenheid ${code}`, kind: 'regional_unit' },
      unitIds: [corps.unitId],
      proposedBy: proposer,
      at: t.clock.now(),
    }),
  );
}

const SANNE_ARGS = [
  '--organisation',
  'NL-POL',
  '--employee-number',
  'SV-0002',
  '--given-name',
  'Sanne',
  '--family-name',
  'de Vries',
  '--email',
  'sanne.devries@politie.example',
  '--username',
  'sanne.devries',
];

let sanne: Awaited<ReturnType<typeof addAdministrator>>;
let uiAdminId: string;

init(
  'two administrators made by the operator approve each other; one an administrator made does not',
  async () => {
    const before = await rowCount(t.db, 'audit_event');
    sanne = await addAdministrator(t.db, parseAddAdministratorArgs(SANNE_ARGS), {
      now: t.clock.now(),
    });
    assert.ok(sanne.temporaryPassword && sanne.temporaryPassword.length >= 16);
    assert.is(sanne.madeByAdministrators, 0);
    const roles = await t.db
      .selectFrom('role_assignment')
      .select(['role', 'unit_id'])
      .where('person_id', '=', sanne.personId)
      .execute();
    assert.equal(roles, [{ role: 'admin', unit_id: corps.unitId }]);
    const audit = await t.db
      .selectFrom('audit_event')
      .select(['action', 'actor_person_id', 'organisation_path', 'details'])
      .where('target_id', '=', sanne.personId)
      .orderBy('action')
      .execute();
    assert.is(await rowCount(t.db, 'audit_event'), before + 3);
    assert.equal(
      audit.map((e) => [e.action, e.actor_person_id, e.organisation_path]),
      [
        ['person.account_created', null, `/${corps.unitId}/`],
        ['person.created', null, `/${corps.unitId}/`],
        ['role.assigned', null, `/${corps.unitId}/`],
      ],
    );
    for (const event of audit) {
      assert.is((JSON.parse(event.details) as { via?: string }).via, 'operator CLI');
      assert.not.ok(event.details.includes(sanne.temporaryPassword), 'never the password');
    }

    const femke = await browserAs(corps.username, FEMKE_PASSWORD);
    const second = await firstLogin(sanne.username, sanne.temporaryPassword);

    // Femke proposes, Sanne approves; Sanne proposes, Femke approves.
    const first = await proposeUnit(corps.personId, 'NL-RE-2');
    const seen = (await second.get(`/api/v1/roster-changes/${first}`)).json<RosterChange>();
    assert.equal([seen.canApprove, seen.approvalBlock], [true, null]);
    const own = (await femke.get(`/api/v1/roster-changes/${first}`)).json<RosterChange>();
    assert.equal([own.canApprove, own.approvalBlock], [false, 'own_proposal']);
    expectRefused(
      await femke.post(`/api/v1/roster-changes/${first}/approve`),
      409,
      'four_eyes_required',
    );
    const approved = await second.post(`/api/v1/roster-changes/${first}/approve`);
    assert.is(approved.statusCode, 200, approved.body);
    const reverse = await proposeUnit(sanne.personId, 'NL-RE-3');
    const back = await femke.post(`/api/v1/roster-changes/${reverse}/approve`);
    assert.is(back.statusCode, 200, back.body);
    const codes = await t.db
      .selectFrom('unit')
      .select('code')
      .where('parent_id', '=', corps.unitId)
      .execute();
    for (const code of ['NL-RE-2', 'NL-RE-3']) {
      assert.ok(
        codes.some((u) => u.code === code),
        `${code} was created on approval`,
      );
    }

    // An administrator Femke makes in the screens (person, account, role) is one pair of eyes
    // with her: told so, and refused with its own reason.
    const person = await femke.post('/api/v1/people', {
      employeeNumber: 'UI-0003',
      givenName: 'Ufuk',
      familyName: 'Ilhan',
      email: 'ufuk.ilhan@politie.example',
      language: 'nl',
    });
    assert.is(person.statusCode, 201, person.body);
    uiAdminId = person.json<PersonDetail>().id;
    const account = await femke.post(`/api/v1/people/${uiAdminId}/account`, {
      username: 'ufuk.ilhan',
    });
    assert.is(account.statusCode, 201, account.body);
    const role = await femke.post(`/api/v1/people/${uiAdminId}/roles`, {
      role: 'admin',
      unitId: corps.unitId,
    });
    assert.is(role.statusCode, 201, role.body);
    const ufuk = await firstLogin(
      'ufuk.ilhan',
      account.json<CreateAccountResponse>().temporaryPassword,
    );
    const third = await proposeUnit(corps.personId, 'NL-RE-4');
    const told = (await ufuk.get(`/api/v1/roster-changes/${third}`)).json<RosterChange>();
    assert.equal([told.canApprove, told.approvalBlock], [false, 'related']);
    const refused = await ufuk.post(`/api/v1/roster-changes/${third}/approve`);
    expectRefused(refused, 409, 'four_eyes_related');
    assert.match(refused.json<{ message: string }>().message, /second pair of eyes/);
    // Sanne, appointed by the operator, is a second pair of eyes for either of them.
    const byList = await second.get('/api/v1/roster-changes?state=pending');
    const listed = byList.json<{ items: RosterChange[] }>().items.find((c) => c.id === third);
    assert.equal([listed?.canApprove, listed?.approvalBlock], [true, null]);
    assert.is((await second.post(`/api/v1/roster-changes/${third}/approve`)).statusCode, 200);
  },
);

const APPOINT = (employeeNumber: string, ...rest: string[]) => [
  '--organisation',
  'NL-POL',
  '--employee-number',
  employeeNumber,
  ...rest,
];

init(
  'add-administrator appoints an existing person, and refuses what it cannot do, changing nothing',
  async () => {
    const femke = await browserAs(corps.username, FEMKE_PASSWORD);
    const created = await femke.post('/api/v1/people', {
      employeeNumber: 'EX-0005',
      givenName: 'Eva',
      familyName: 'Bos',
      email: 'eva.bos@politie.example',
      language: 'en',
    });
    assert.is(created.statusCode, 201, created.body);
    const evaId = created.json<PersonDetail>().id;

    const refusals: [string[], RegExp][] = [
      [APPOINT('EX-0005'), /--username is required/],
      [
        withFlag(APPOINT('EX-0005', '--username', 'eva.bos'), '--organisation', 'NL-XX'),
        /no unit has the code NL-XX/,
      ],
      [
        withFlag(APPOINT('EX-0005', '--username', 'eva.bos'), '--organisation', 'NL-RE-2'),
        /not the root unit/,
      ],
      [
        APPOINT('EX-0005', '--username', 'sanne.devries'),
        /username sanne\.devries is already in use/,
      ],
      [
        APPOINT('NO-0404', '--username', 'nobody.here'),
        /no person has the employee number NO-0404/,
      ],
      [withFlag(SANNE_ARGS, '--username', 'sanne.twee'), /already has the employee number SV-0002/],
      [APPOINT('UI-0003', '--username', 'ufuk.other'), /has the account ufuk\.ilhan already/],
      [APPOINT('SV-0002'), /administrator there already/],
    ];
    await expectNoChange(t.db, ALL_TABLES, async () => {
      for (const [args, pattern] of refusals) {
        try {
          await addAdministrator(t.db, parseAddAdministratorArgs(args), { now: t.clock.now() });
          assert.unreachable(`accepted: ${args.join(' ')}`);
        } catch (err) {
          assert.instance(err, InitOrganisationError, String(err));
          assert.match((err as Error).message, pattern);
          assert.match((err as Error).message, /nothing was changed/);
        }
      }
    });
    // Bad flags are refused before the database is opened, naming the flag.
    for (const [args, pattern] of [
      [APPOINT('EX-0005', '--email', 'eva'), /--email/],
      [APPOINT('EX 0005'), /--employee-number/],
      [['--employee-number', 'EX-0005'], /--organisation is required/],
      [APPOINT('EX-0005', '--username', 'Eva'), /--username/],
      [APPOINT('EX-0005', '--unit-kind', 'corps'), /--unit-kind/],
    ] as [string[], RegExp][]) {
      try {
        parseAddAdministratorArgs(args);
        assert.unreachable(`accepted: ${args.join(' ')}`);
      } catch (err) {
        assert.instance(err, InitOrganisationError);
        assert.match((err as Error).message, pattern);
        assert.match((err as Error).message, /Usage:/);
      }
    }

    // Eva, whose record Femke made, gets an account and the role from the operator; the
    // operator is told that Femke and Eva are one pair of eyes.
    const eva = await addAdministrator(
      t.db,
      parseAddAdministratorArgs(APPOINT('EX-0005', '--username', 'eva.bos')),
      {
        now: t.clock.now(),
      },
    );
    assert.is(eva.personId, evaId);
    assert.is(eva.madeByAdministrators, 1);
    assert.ok(eva.temporaryPassword);
    await firstLogin('eva.bos', eva.temporaryPassword);

    // Ufuk keeps his account and password when the operator appoints him in another organisation.
    const hash = await t.db
      .selectFrom('account')
      .select('password_hash')
      .where('person_id', '=', uiAdminId)
      .executeTakeFirstOrThrow();
    const ufuk = await addAdministrator(
      t.db,
      parseAddAdministratorArgs(withFlag(APPOINT('UI-0003'), '--organisation', 'BE-ZONE')),
      { now: t.clock.now() },
    );
    assert.equal([ufuk.username, ufuk.temporaryPassword], ['ufuk.ilhan', null]);
    const after = await t.db
      .selectFrom('account')
      .select('password_hash')
      .where('person_id', '=', uiAdminId)
      .executeTakeFirstOrThrow();
    assert.is(after.password_hash, hash.password_hash);
  },
);

init(
  'the add-administrator command prints the username and the one-time password only',
  async () => {
    const args = APPOINT(
      'CL-0006',
      '--given-name',
      'Cor',
      '--family-name',
      'Lievens',
      '--email',
      'cor.lievens@politie.example',
      '--language',
      'nl-BE',
      '--username',
      'cor.lievens',
    );
    const run = await runCli(args, 'add-administrator');
    assert.is(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.is(lines.length, 2, run.stdout);
    assert.is(lines[0], 'username: cor.lievens');
    const password = /^temporary password: (\S{16,})$/.exec(lines[1] ?? '')?.[1];
    assert.ok(password, run.stdout);
    assert.not.match(run.stderr, password);
    const login = await new Browser(t.app).login('cor.lievens', password);
    assert.is(login.statusCode, 200, login.body);

    await expectNoChange(t.db, ALL_TABLES, async () => {
      const again = await runCli(args, 'add-administrator');
      assert.is(again.code, 1);
      assert.is(again.stdout, '');
      assert.match(again.stderr, /employee number CL-0006/);
      const help = await runCli(['--help'], 'add-administrator');
      assert.is(help.code, 2);
      assert.match(help.stderr, /--organisation/);
    });
  },
);

init.run();
