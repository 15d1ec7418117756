import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImportRun, ImportRunsPage } from '@teamspiegel/contracts';
import type { ImportPlan } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import type { FastifyInstance } from 'fastify';
import { applyPlan } from '../src/import/import.apply.ts';
import { ConfigError } from '../src/config.ts';
import { testConfig, withTestApp } from './helpers.ts';
import { type Browser, browserAs, personIdByUsername, unitIdByCode } from './support.ts';

const BOUNDARY = '----teamspiegel-import-org-test';

function multipart(files: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [field, content] of Object.entries(files))
    parts.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${field}.csv"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n`,
      ),
    );
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}

const upload = (app: FastifyInstance, b: Browser, files: Record<string, string>, query = '') =>
  app.inject({
    method: 'POST',
    url: `/api/v1/imports${query}`,
    headers: {
      cookie: b.cookie ?? '',
      origin: b.origin,
      'x-csrf-token': b.csrf ?? '',
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
    },
    payload: multipart(files),
  });

/** Someone of the zone who holds only a role there (no membership anywhere): its administrator. */
async function zoneRoleOnly(db: Db): Promise<{ id: string; number: string }> {
  const id = randomUUID();
  const number = 'ZR-0001';
  await db
    .insertInto('person')
    .values({
      id,
      employee_number: number,
      given_name: 'Zita',
      family_name: 'Rol',
      email: 'zita.rol@zone.example',
      language: 'nl-BE',
      deactivated_at: null,
      created_at: new Date('2026-01-01T00:00:00Z').toISOString(),
    })
    .execute();
  await db
    .insertInto('role_assignment')
    .values({
      id: randomUUID(),
      person_id: id,
      role: 'admin',
      unit_id: await unitIdByCode(db, 'BE-SCH'),
      created_at: new Date('2026-01-01T00:00:00Z').toISOString(),
    })
    .execute();
  return { id, number };
}

const takeover = suite('import: another organisation stays out of reach');
const t = withTestApp(takeover);

takeover(
  "a corps import neither changes nor places the zone's administrator who holds only a role there",
  async () => {
    const zone = await zoneRoleOnly(t.db);
    const admin = await browserAs(t.app, 'demo-admin-2');
    const team = await t.db
      .selectFrom('unit')
      .select('code')
      .where('kind', '=', 'team')
      .where('path', 'like', `/${await unitIdByCode(t.db, 'NL')}/%`)
      .where('archived_at', 'is', null)
      .executeTakeFirstOrThrow();
    const response = await upload(t.app, admin, {
      people: `employee_number;given_name;family_name;email;language\n${zone.number};Zita;Rol;attacker@example.org;nl\n`,
      memberships: `employee_number;unit_code;role;start;end\n${zone.number};${team.code};member;01-01-2026;\n`,
    });
    assert.is(response.statusCode, 201, response.body);
    const run = response.json<ImportRun>();
    const rows = run.rejected.rows.map((r) => `${r.file}:${r.line}:${r.reason.code}`);
    assert.ok(rows.includes('people:2:other_organisation'), JSON.stringify(rows));
    assert.ok(
      rows.some((r) => r.startsWith('memberships:2:')),
      `the membership row is rejected too: ${JSON.stringify(rows)}`,
    );
    const applied = await admin.post(`/api/v1/imports/${run.id}/apply`, { acceptValidPart: true });
    assert.is(applied.statusCode, 200, applied.body);
    const person = await t.db
      .selectFrom('person')
      .select(['email', 'deactivated_at'])
      .where('id', '=', zone.id)
      .executeTakeFirstOrThrow();
    assert.equal(person, { email: 'zita.rol@zone.example', deactivated_at: null });
    const memberships = await t.db
      .selectFrom('membership')
      .select('id')
      .where('person_id', '=', zone.id)
      .execute();
    assert.is(memberships.length, 0, 'not placed in the corps');
    const roles = await t.db
      .selectFrom('role_assignment')
      .select('role')
      .where('person_id', '=', zone.id)
      .execute();
    assert.equal(roles, [{ role: 'admin' }]);
  },
);

const keep = suite('import: a full sync keeps who also belongs elsewhere');
const k = withTestApp(keep);

keep(
  "a person placed in the corps who administers the zone is not deactivated by the corps' full sync",
  async () => {
    const t = k;
    // demo-admin: a member of the corps and administrator of the zone.
    const admin = await browserAs(t.app, 'demo-admin-2');
    const target = await personIdByUsername(t.db, 'demo-admin');
    const response = await upload(t.app, admin, {
      people: `employee_number;given_name;family_name;email;language\nNOBODY-1;Nora;Niemand;nora@politie.nl;nl\n`,
    });
    assert.is(response.statusCode, 201, response.body);
    const run = response.json<ImportRun>();
    assert.ok(run.summary.people.deactivate > 0, 'the full sync deactivates the rest of the corps');
    const applied = await admin.post(`/api/v1/imports/${run.id}/apply`, { acceptValidPart: true });
    assert.is(applied.statusCode, 200, applied.body);
    const person = await t.db
      .selectFrom('person')
      .select('deactivated_at')
      .where('id', '=', target)
      .executeTakeFirstOrThrow();
    assert.is(person.deactivated_at, null);
    const zoneRoles = await t.db
      .selectFrom('role_assignment')
      .select('role')
      .where('person_id', '=', target)
      .where('unit_id', '=', await unitIdByCode(t.db, 'BE-SCH'))
      .execute();
    assert.equal(zoneRoles, [{ role: 'admin' }]);
  },
);

const direct = suite('import: applyPlan removes roles only under the organisation');
const d = withTestApp(direct);

direct('deactivating a person removes their corps roles and keeps their zone role', async () => {
  const target = await personIdByUsername(d.db, 'demo-admin');
  const plan = {
    rejected: [],
    changes: [],
    summary: {} as ImportPlan['summary'],
    ops: {
      createUnits: [],
      updateUnits: [],
      archiveUnits: [],
      createPeople: [],
      updatePeople: [],
      deactivatePeople: [target],
      addMemberships: [],
      setLeftOn: [],
      deleteMemberships: [],
      touchedUnitIds: [],
    },
  } as ImportPlan;
  const corps = await unitIdByCode(d.db, 'NL');
  await d.db
    .transaction()
    .execute((trx) =>
      applyPlan(trx, plan, { rootId: corps, now: new Date('2026-11-23T09:00:00Z') }),
    );
  const roles = await d.db
    .selectFrom('role_assignment')
    .innerJoin('unit', 'unit.id', 'role_assignment.unit_id')
    .select(['role_assignment.role', 'unit.code'])
    .where('person_id', '=', target)
    .execute();
  assert.equal(roles, [{ role: 'admin', code: 'BE-SCH' }]);
});

const choose = suite('import: an administrator of two organisations names one');
const c = withTestApp(choose);

choose('demo-admin names the organisation; without it the upload says so', async () => {
  const admin = await browserAs(c.app, 'demo-admin');
  const units = 'unit_code;name;kind;parent_code\nZ-T;Team Z;team;BE-SCH\n';
  const missing = await upload(c.app, admin, { units });
  assert.is(missing.statusCode, 400, missing.body);
  assert.is(missing.json<{ code: string }>().code, 'import_organisation_required');

  const zone = await unitIdByCode(c.db, 'BE-SCH');
  const corps = await unitIdByCode(c.db, 'NL');
  const list = (await admin.get('/api/v1/imports')).json<ImportRunsPage>();
  assert.equal(list.organisations.map((o) => o.id).sort(), [corps, zone].sort());

  const ok = await upload(c.app, admin, { units }, `?organisationId=${zone}`);
  assert.is(ok.statusCode, 201, ok.body);
  const run = ok.json<ImportRun>();
  assert.is(run.summary.units.create, 1);
  const zoneRuns = (
    await admin.get(`/api/v1/imports?organisationId=${zone}`)
  ).json<ImportRunsPage>();
  assert.equal(
    zoneRuns.items.map((r) => r.id),
    [run.id],
  );
  const corpsRuns = (
    await admin.get(`/api/v1/imports?organisationId=${corps}`)
  ).json<ImportRunsPage>();
  assert.is(corpsRuns.total, 0);

  // An administrator of the corps only may not name the zone, nor read its runs.
  const corpsOnly = await browserAs(c.app, 'demo-admin-2');
  const refused = await upload(c.app, corpsOnly, { units }, `?organisationId=${zone}`);
  assert.is(refused.statusCode, 403, refused.body);
  assert.is((await corpsOnly.get(`/api/v1/imports/${run.id}`)).statusCode, 404);
  // ...while their own single organisation needs no name.
  const own = await upload(c.app, corpsOnly, {
    units: 'unit_code;name;kind;parent_code\nC-T;Team C;team;NL\n',
  });
  assert.is(own.statusCode, 201, own.body);
});

const limit = suite('import: TEAMSPIEGEL_IMPORT_MAX_BYTES is part of the configuration');
const l = withTestApp(limit, { TEAMSPIEGEL_IMPORT_MAX_BYTES: '2048' });

limit(
  'a file past the configured limit is refused; a limit below 1 KB is no configuration',
  async () => {
    assert.throws(
      () => testConfig(l.config.dataDir, { TEAMSPIEGEL_IMPORT_MAX_BYTES: '12' }),
      (e: unknown) => e instanceof ConfigError && /importMaxBytes/.test(e.message),
    );
    assert.throws(
      () => testConfig(l.config.dataDir, { TEAMSPIEGEL_IMPORT_MAX_BYTES: 'lots' }),
      (e: unknown) => e instanceof ConfigError,
    );
    const admin = await browserAs(l.app, 'demo-admin-2');
    const rows = Array.from({ length: 100 }, (_, i) => `P${i};Anna;Jansen;a${i}@politie.nl;nl`);
    const big = await upload(l.app, admin, {
      people: `employee_number;given_name;family_name;email;language\n${rows.join('\n')}\n`,
    });
    assert.is(l.config.importMaxBytes, 2048);
    assert.is(big.statusCode, 413, big.body);
    assert.is(big.json<{ code: string }>().code, 'import_too_large');
  },
);

takeover.run();
limit.run();
keep.run();
direct.run();
choose.run();
