import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createDb,
  migrateToLatest,
  type Db,
  type Membership,
  type Person,
  type Unit,
} from '../src/index.ts';
import {
  DEMO_ACCOUNTS,
  buildDemoPlan,
  isDatabaseEmpty,
  seedDemo,
  type SeedSummary,
} from '../seed/index.ts';

const TODAY = '2026-11-23';
const PASSWORD = 'demo-password-1';
const dir = mkdtempSync(join(tmpdir(), 'teamspiegel-seed-'));
const opened: Db[] = [];

async function freshDb(name: string): Promise<Db> {
  const db = createDb(join(dir, `${name}.sqlite`));
  opened.push(db);
  await migrateToLatest(db);
  return db;
}

/** A cheap stand-in for the real password hash that records its calls. */
function countingHash() {
  const calls: string[] = [];
  const hash = async (plain: string) => {
    calls.push(plain);
    return `hash:${plain}`;
  };
  return { hash, calls };
}
const fakeHash = countingHash().hash;
const sharedHash = countingHash();

interface Data {
  units: Unit[];
  people: Person[];
  memberships: Membership[];
  roles: { person_id: string; role: string; unit_id: string }[];
  accounts: {
    person_id: string;
    username: string;
    password_hash: string;
    must_change_password: number;
  }[];
}

async function load(db: Db): Promise<Data> {
  return {
    units: await db.selectFrom('unit').selectAll().orderBy('id').execute(),
    people: await db.selectFrom('person').selectAll().orderBy('id').execute(),
    memberships: await db.selectFrom('membership').selectAll().orderBy('id').execute(),
    roles: await db
      .selectFrom('role_assignment')
      .select(['person_id', 'role', 'unit_id', 'id', 'created_at'])
      .orderBy('id')
      .execute(),
    accounts: await db.selectFrom('account').selectAll().orderBy('username').execute(),
  };
}

// One seeded database shared by the read-only tests below.
let db: Db;
let data: Data;
let summary: SeedSummary;

const current = (m: Membership) => m.left_on === null || m.left_on > TODAY;
const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));
const unitByCode = (code: string) => {
  const unit = data.units.find((u) => u.code === code);
  if (!unit) throw new Error(`no unit ${code}`);
  return unit;
};
const roots = () => data.units.filter((u) => u.parent_id === null);
const corps = () => {
  const c = roots().find((u) => u.kind === 'corps');
  if (!c) throw new Error('no corps');
  return c;
};
const zone = () => {
  const z = roots().find((u) => u.kind === 'zone');
  if (!z) throw new Error('no zone');
  return z;
};
const childrenOf = (unit: Unit) => data.units.filter((u) => u.parent_id === unit.id);
const teamSizes = () => {
  const sizes = new Map<string, number>();
  for (const t of data.units.filter((u) => u.kind === 'team')) sizes.set(t.id, 0);
  for (const m of data.memberships.filter(current)) {
    if (sizes.has(m.unit_id)) sizes.set(m.unit_id, (sizes.get(m.unit_id) ?? 0) + 1);
  }
  return sizes;
};
/** The organisation (root unit id) a person belongs to, from any of their memberships. */
const orgOf = (personId: string) => {
  const units = byId(data.units);
  const m = data.memberships.find((x) => x.person_id === personId);
  return m ? units.get(m.unit_id)?.path.split('/')[1] : undefined;
};

test.before(async () => {
  db = await freshDb('shared');
  summary = await seedDemo(db, {
    today: TODAY,
    hashPassword: sharedHash.hash,
    demoPassword: PASSWORD,
  });
  data = await load(db);
});

test.after(async () => {
  for (const d of opened) await d.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test('calls hashPassword once per demo account, with the demo password', () => {
  assert.equal(
    sharedHash.calls,
    DEMO_ACCOUNTS.map(() => PASSWORD),
  );
});

test('returns a summary that matches the inserted rows', () => {
  assert.equal(summary.units, data.units.length);
  assert.equal(summary.people, data.people.length);
  assert.equal(summary.memberships, data.memberships.length);
  assert.equal(summary.roleAssignments, data.roles.length);
  assert.equal([...summary.accounts].sort(), [...DEMO_ACCOUNTS].sort());
});

test('isDatabaseEmpty is true on a fresh database and false once seeded', async () => {
  const fresh = await freshDb('empty-check');
  assert.is(await isDatabaseEmpty(fresh), true);
  assert.is(await isDatabaseEmpty(db), false);
});

test('refuses to seed a database that already holds data, changing nothing', async () => {
  const second = countingHash();
  let error: unknown;
  try {
    await seedDemo(db, { today: TODAY, hashPassword: second.hash, demoPassword: PASSWORD });
  } catch (e) {
    error = e;
  }
  assert.instance(error, Error);
  assert.match((error as Error).message, /already holds/);
  assert.is(second.calls.length, 0, 'refused before spending time on hashing');
  assert.equal(await load(db), data);
});

test('inserts nothing when any insert fails (one transaction)', async () => {
  const broken = await freshDb('rollback');
  await sql`CREATE TRIGGER no_accounts BEFORE INSERT ON account BEGIN SELECT RAISE(ABORT, 'boom'); END`.execute(
    broken,
  );
  let failed = false;
  await seedDemo(broken, { today: TODAY, hashPassword: fakeHash, demoPassword: PASSWORD }).catch(
    () => {
      failed = true;
    },
  );
  assert.ok(failed);
  assert.is(await isDatabaseEmpty(broken), true);
  const memberships = await broken.selectFrom('membership').select('id').execute();
  assert.is(memberships.length, 0);
});

test('is deterministic: two fresh databases get the same rows, ids included', async () => {
  const other = await freshDb('second');
  await seedDemo(other, { today: TODAY, hashPassword: fakeHash, demoPassword: PASSWORD });
  const again = await load(other);
  assert.equal(again.units, data.units);
  assert.equal(again.people, data.people);
  assert.equal(again.memberships, data.memberships);
  assert.equal(again.roles, data.roles);
  assert.equal(again.accounts, data.accounts);
});

test('builds the same organisation for another today, with dates moved along', () => {
  const a = buildDemoPlan(TODAY);
  const b = buildDemoPlan('2027-03-01');
  assert.equal(
    b.units.map((u) => u.code),
    a.units.map((u) => u.code),
  );
  assert.ok(b.memberships.every((m) => m.joined_on < '2027-03-01'));
  assert.ok(
    b.memberships.some((m) => m.joined_on > TODAY),
    'newcomers after the old today',
  );
});

test('rejects a today that is not a calendar date', () => {
  assert.throws(() => buildDemoPlan('2026-02-30'));
  assert.throws(() => buildDemoPlan('23-11-2026'));
});

test('all ids are version-4 UUIDs and all codes unique', () => {
  const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const ids = [...data.units, ...data.people, ...data.memberships].map((r) => r.id);
  assert.ok(ids.every((id) => v4.test(id)));
  assert.is(new Set(ids).size, ids.length);
});

test('has one Dutch corps with two regional units, 2-3 districts each, 2 basisteams each, 4-7 teams each', () => {
  assert.is(roots().length, 2);
  const c = corps();
  assert.is(c.name, 'Politie Nederland (demo)');
  const regions = childrenOf(c).filter((u) => u.kind === 'regional_unit');
  assert.is(regions.length, 2);
  for (const region of regions) {
    const districts = childrenOf(region);
    assert.ok(districts.length >= 2 && districts.length <= 3, region.name);
    for (const district of districts) {
      assert.is(district.kind, 'district');
      const basisteams = childrenOf(district);
      assert.is(basisteams.length, 2);
      for (const bt of basisteams) {
        assert.is(bt.kind, 'basisteam');
        const teams = childrenOf(bt);
        assert.ok(teams.length >= 4 && teams.length <= 7, `${bt.name}: ${teams.length} teams`);
        assert.ok(teams.every((t) => t.kind === 'team'));
      }
    }
  }
});

test('has a Belgian zone with the seven services, each with teams, some with a single team', () => {
  const z = zone();
  assert.is(z.name, 'Politiezone Scheldeland (demo)');
  const services = childrenOf(z);
  assert.equal(services.map((s) => s.name).sort(), [
    'Interventie',
    'Lokale recherche',
    'Onthaal',
    'Openbare orde',
    'Slachtofferbejegening',
    'Verkeer',
    'Wijkwerking',
  ]);
  assert.ok(services.every((s) => s.kind === 'service'));
  const teamCounts = services.map((s) => childrenOf(s).filter((t) => t.kind === 'team').length);
  assert.ok(teamCounts.every((n) => n >= 1));
  assert.ok(teamCounts.filter((n) => n === 1).length >= 1);
});

test("every unit's path is its parent's path plus its own id, and kinds nest as the org model says", () => {
  const units = byId(data.units);
  const allowed: Record<string, string[]> = {
    corps: [],
    zone: [],
    regional_unit: ['corps'],
    district: ['regional_unit'],
    basisteam: ['district'],
    service: ['zone'],
    team: ['basisteam', 'service'],
  };
  for (const u of data.units) {
    if (u.parent_id === null) {
      assert.is(u.path, `/${u.id}/`);
      assert.ok(['corps', 'zone'].includes(u.kind));
      continue;
    }
    const parent = units.get(u.parent_id);
    assert.ok(parent, `parent of ${u.code}`);
    assert.is(u.path, `${parent.path}${u.id}/`, u.code);
    assert.ok(allowed[u.kind]?.includes(parent.kind), `${u.kind} under ${parent.kind}`);
  }
});

test('every team has exactly one current lead, who has no member row there', () => {
  for (const team of data.units.filter((u) => u.kind === 'team')) {
    const rows = data.memberships.filter((m) => m.unit_id === team.id && current(m));
    const leads = rows.filter((m) => m.kind === 'lead');
    assert.is(leads.length, 1, `${team.code} leads`);
    assert.is(
      rows.filter((m) => m.person_id === leads[0]?.person_id).length,
      1,
      `${team.code} lead also member`,
    );
  }
  assert.ok(data.memberships.every((m) => m.kind === 'member' || m.kind === 'lead'));
});

test('teams have 8-30 current members, except a few deliberately below five in both organisations', () => {
  const sizes = teamSizes();
  const units = byId(data.units);
  const small: Unit[] = [];
  for (const [id, size] of sizes) {
    const team = units.get(id);
    if (!team) throw new Error('unknown team');
    if (size < 5) {
      assert.ok(size >= 3, `${team.code} has ${size}`); // small, not empty
      small.push(team);
    } else {
      assert.ok(size >= 8 && size <= 30, `${team.code} has ${size}`);
      if (team.path.startsWith(zone().path)) assert.ok(size <= 25, `${team.code} has ${size}`);
    }
  }
  assert.ok(small.length >= 2, `${small.length} small teams`);
  assert.ok(small.some((t) => t.path.startsWith(corps().path)));
  assert.ok(small.some((t) => t.path.startsWith(zone().path)));
});

test('organisations have realistic head counts', () => {
  const corpsPeople = data.people.filter((p) => orgOf(p.id) === corps().id).length;
  const zonePeople = data.people.filter((p) => orgOf(p.id) === zone().id).length;
  assert.ok(corpsPeople >= 1000 && corpsPeople <= 1500, `corps ${corpsPeople}`);
  assert.ok(zonePeople >= 170 && zonePeople <= 210, `zone ${zonePeople}`);
  assert.is(corpsPeople + zonePeople, data.people.length, 'everyone has a membership');
});

test('no one is a current member of two teams at once', () => {
  const teams = new Set(data.units.filter((u) => u.kind === 'team').map((u) => u.id));
  const seen = new Set<string>();
  for (const m of data.memberships.filter((x) => current(x) && teams.has(x.unit_id))) {
    assert.not.ok(seen.has(m.person_id), m.person_id);
    seen.add(m.person_id);
  }
});

test('memberships end after they start, never overlap per person and unit, and lie in the past', () => {
  const groups = new Map<string, Membership[]>();
  for (const m of data.memberships) {
    assert.ok(m.joined_on <= TODAY, `joined ${m.joined_on}`);
    if (m.left_on !== null) {
      assert.ok(m.left_on > m.joined_on, `${m.joined_on}..${m.left_on}`);
      assert.ok(m.left_on <= TODAY);
    }
    const key = `${m.person_id}|${m.unit_id}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  for (const rows of groups.values()) {
    const sorted = [...rows].sort((a, b) => a.joined_on.localeCompare(b.joined_on));
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1];
      const next = sorted[i];
      assert.ok(prev && next && prev.left_on !== null && prev.left_on <= next.joined_on, 'overlap');
    }
  }
});

test('history: about 5% moved teams, about 3% left, a few newcomers, most joined since 2015', () => {
  const total = data.people.length;
  const byPerson = new Map<string, Membership[]>();
  for (const m of data.memberships)
    byPerson.set(m.person_id, [...(byPerson.get(m.person_id) ?? []), m]);

  let movers = 0;
  let leavers = 0;
  for (const [personId, rows] of byPerson) {
    const now = rows.filter(current);
    const past = rows.filter((m) => !current(m));
    if (now.length > 0 && past.length > 0) {
      movers++;
      // The earlier team ended before (or on the day) the current one started, in another unit.
      for (const p of past) {
        assert.ok(
          now.every(
            (n) => n.unit_id !== p.unit_id && p.left_on !== null && p.left_on <= n.joined_on,
          ),
        );
      }
    }
    if (now.length === 0) {
      leavers++;
      assert.ok(past.length > 0, personId);
    }
  }
  assert.ok(movers >= total * 0.03 && movers <= total * 0.07, `${movers} movers of ${total}`);
  assert.ok(leavers >= total * 0.02 && leavers <= total * 0.04, `${leavers} leavers of ${total}`);

  const deactivated = data.people.filter((p) => p.deactivated_at !== null);
  assert.ok(
    deactivated.length > 0 && deactivated.length < leavers,
    'some, not all, leavers deactivated',
  );
  for (const p of deactivated) {
    assert.is(byPerson.get(p.id)?.filter(current).length, 0, 'only leavers are deactivated');
    assert.ok(p.created_at <= (p.deactivated_at ?? ''), 'deactivated after creation');
  }

  const currentRows = data.memberships.filter(current);
  const newcomers = currentRows.filter((m) => m.joined_on >= '2026-10-26');
  assert.ok(
    newcomers.length >= 3 && newcomers.length <= total * 0.05,
    `${newcomers.length} newcomers`,
  );
  const since2015 = currentRows.filter((m) => m.joined_on >= '2015-01-01').length;
  assert.ok(since2015 >= currentRows.length * 0.95);
});

test('people have unique employee numbers and example e-mail addresses matching their organisation', () => {
  const numbers = new Set<string>();
  const emails = new Set<string>();
  for (const p of data.people) {
    const inCorps = orgOf(p.id) === corps().id;
    assert.match(p.employee_number, inCorps ? /^NL\d{6}$/ : /^BE\d{6}$/);
    assert.match(
      p.email,
      inCorps
        ? /^[a-z0-9]+\.[a-z0-9]+\d*@politie\.example$/
        : /^[a-z0-9]+\.[a-z0-9]+\d*@zone\.example$/,
    );
    assert.ok(inCorps ? ['nl', 'en'].includes(p.language) : p.language === 'nl-BE', p.language);
    assert.ok(p.given_name.length > 0 && p.family_name.length > 0);
    numbers.add(p.employee_number);
    emails.add(p.email);
  }
  assert.is(numbers.size, data.people.length);
  assert.is(emails.size, data.people.length);
  const english = data.people.filter((p) => p.language === 'en').length;
  assert.ok(english > 0 && english < data.people.length * 0.06);
});

test('every demo account belongs to an active person with the documented role or membership', () => {
  const account = (username: string) => {
    const a = data.accounts.find((x) => x.username === username);
    if (!a) throw new Error(`no account ${username}`);
    assert.is(a.password_hash, `hash:${PASSWORD}`);
    assert.is(a.must_change_password, 0);
    const person = data.people.find((p) => p.id === a.person_id);
    assert.ok(person && person.deactivated_at === null, username);
    return a.person_id;
  };
  const hasRole = (personId: string, role: string, unitId: string) =>
    data.roles.some((r) => r.person_id === personId && r.role === role && r.unit_id === unitId);
  const currentIn = (personId: string, kind: string) =>
    data.memberships.filter((m) => m.person_id === personId && current(m) && m.kind === kind);

  assert.is(data.accounts.length, DEMO_ACCOUNTS.length);

  const admin = account('demo-admin');
  assert.ok(hasRole(admin, 'admin', corps().id) && hasRole(admin, 'admin', zone().id));
  assert.ok(hasRole(account('demo-hr'), 'hr_analyst', corps().id));
  assert.ok(hasRole(account('demo-council'), 'works_council', corps().id));

  const chief = account('demo-chief');
  const chiefRole = data.roles.find((r) => r.person_id === chief && r.role === 'chief');
  const district = data.units.find((u) => u.id === chiefRole?.unit_id);
  assert.is(district?.kind, 'district');
  assert.ok(
    currentIn(chief, 'lead').some((m) => m.unit_id === district?.id),
    'chief leads the district',
  );

  const lead = account('demo-lead');
  const leadRows = currentIn(lead, 'lead');
  assert.is(leadRows.length, 1);
  const team = data.units.find((u) => u.id === leadRows[0]?.unit_id);
  assert.is(team?.kind, 'team');
  assert.ok(district && team?.path.startsWith(district.path), 'team lies in the chief’s district');

  const officer = account('demo-officer');
  assert.ok(
    currentIn(officer, 'member').some((m) => m.unit_id === team?.id),
    'officer is in the lead’s team',
  );
  assert.is(unitByCode('NL-NH-ZW-ZAA-NHB').id, team?.id);
});

test('other people hold chief roles for the other districts, and the zone has its own admin and HR analyst', () => {
  const districts = data.units.filter((u) => u.kind === 'district');
  for (const d of districts) {
    assert.is(data.roles.filter((r) => r.role === 'chief' && r.unit_id === d.id).length, 1, d.name);
  }
  const chiefs = new Set(data.roles.filter((r) => r.role === 'chief').map((r) => r.person_id));
  assert.ok(chiefs.size >= districts.length);
  const demoPeople = new Set(data.accounts.map((a) => a.person_id));
  const zoneRoles = data.roles.filter(
    (r) => r.unit_id === zone().id && !demoPeople.has(r.person_id),
  );
  assert.ok(zoneRoles.some((r) => r.role === 'admin'));
  assert.ok(zoneRoles.some((r) => r.role === 'hr_analyst'));
  // The zone-only admin has no role in the corps.
  const zoneAdmin = zoneRoles.find((r) => r.role === 'admin');
  assert.not.ok(
    data.roles.some((r) => r.person_id === zoneAdmin?.person_id && r.unit_id === corps().id),
  );
});

test.run();
