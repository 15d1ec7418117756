import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  planImport,
  planImportSteps,
  type ImportInput,
  type ImportPlan,
  type MembershipRow,
  type PersonRow,
  type RosterSnapshot,
  type SnapshotMembership,
  type UnitRow,
} from '../src/index.ts';

const TODAY = '2026-11-28';

function emptyOrg(): RosterSnapshot {
  return {
    rootId: 'root',
    units: [
      { id: 'root', code: 'C', name: 'Korps', kind: 'corps', parentId: null, archived: false },
    ],
    foreignUnitCodes: new Set(['OTHER']),
    people: [],
    memberships: [],
  };
}

let seq = 0;

/** What the API does with a plan, over plain data: the roster after applying it. */
function applyPlan(s: RosterSnapshot, plan: ImportPlan, today = TODAY): RosterSnapshot {
  const id = (prefix: string) => `${prefix}${++seq}`;
  const units = s.units.map((u) => ({ ...u }));
  const byCode = new Map(units.map((u) => [u.code, u]));
  for (const c of plan.ops.createUnits) {
    const u = {
      id: id('u'),
      code: c.code,
      name: c.name,
      kind: c.kind,
      parentId: byCode.get(c.parentCode)!.id,
      archived: false,
    };
    units.push(u);
    byCode.set(u.code, u);
  }
  for (const c of plan.ops.updateUnits) {
    const u = units.find((x) => x.id === c.id)!;
    Object.assign(u, {
      name: c.name,
      kind: c.kind,
      parentId: byCode.get(c.parentCode)!.id,
      archived: false,
    });
  }
  for (const a of plan.ops.archiveUnits) units.find((x) => x.id === a)!.archived = true;
  const people = s.people.map((p) => ({ ...p }));
  for (const c of plan.ops.createPeople)
    people.push({ ...c, id: id('p'), active: true, organisation: 'none' });
  for (const c of plan.ops.updatePeople) {
    const { id: pid, reactivate: _r, ...fields } = c;
    Object.assign(
      people.find((p) => p.id === pid)!,
      fields,
      { active: true },
    );
  }
  for (const d of plan.ops.deactivatePeople) people.find((p) => p.id === d)!.active = false;
  let memberships: SnapshotMembership[] = s.memberships.map((m) => ({ ...m }));
  for (const e of plan.ops.setLeftOn) memberships.find((m) => m.id === e.id)!.leftOn = e.leftOn;
  memberships = memberships.filter((m) => !plan.ops.deleteMemberships.includes(m.id));
  for (const a of plan.ops.addMemberships) {
    memberships.push({
      id: id('m'),
      personId: people.find((p) => p.employeeNumber === a.employeeNumber)!.id,
      unitId: byCode.get(a.unitCode)!.id,
      kind: a.kind,
      joinedOn: a.joinedOn,
      leftOn: a.leftOn,
    });
  }
  for (const p of people) if (memberships.some((m) => m.personId === p.id)) p.organisation = 'this';
  void today;
  return { ...s, units, people, memberships };
}

const unit = (
  line: number,
  code: string,
  name: string,
  kind: UnitRow['kind'],
  parentCode: string | null,
): UnitRow => ({
  line,
  code,
  name,
  kind,
  parentCode,
});
const person = (line: number, n: string, given = `Given${n}`): PersonRow => ({
  line,
  employeeNumber: n,
  givenName: given,
  familyName: `Family${n}`,
  email: `p${n}@politie.nl`,
  language: 'nl',
});
const member = (
  line: number,
  n: string,
  unitCode: string,
  joinedOn = '2026-01-01',
  lastDay: string | null = null,
  kind: MembershipRow['kind'] = 'member',
): MembershipRow => ({
  line,
  employeeNumber: n,
  unitCode,
  kind,
  joinedOn,
  lastDay,
});

const baseInput = () => ({
  units: [
    unit(2, 'C', 'Korps', 'corps', null),
    unit(3, 'D1', 'District Noord', 'district', 'C'),
    unit(4, 'B1', 'Basisteam Centrum', 'basisteam', 'D1'),
    unit(5, 'T1', 'Team A', 'team', 'B1'),
    unit(6, 'T2', 'Team B', 'team', 'B1'),
  ],
  people: [person(2, '1001'), person(3, '1002'), person(4, '1003')],
  memberships: [
    member(2, '1001', 'T1'),
    member(3, '1002', 'T1'),
    member(4, '1003', 'T2', '2026-01-01', null, 'lead'),
  ],
});

const plan = suite('import plan');

plan('an empty organisation gets every unit, person and membership of the files', () => {
  const p = planImport({ snapshot: emptyOrg(), input: baseInput(), today: TODAY });
  assert.equal(p.rejected, []);
  assert.equal(p.summary, {
    // The root's own row is counted unchanged: the counts add up to the file's rows.
    units: { create: 4, change: 0, move: 0, archive: 0, unchanged: 1 },
    people: { create: 3, change: 0, deactivate: 0, unchanged: 0 },
    memberships: { add: 3, end: 0, change: 0, unchanged: 0 },
  });
  assert.equal(
    p.ops.createUnits.map((u) => u.code),
    ['D1', 'B1', 'T1', 'T2'],
  );
});

plan('the same files twice plan nothing the second time', () => {
  const first = applyPlan(
    emptyOrg(),
    planImport({ snapshot: emptyOrg(), input: baseInput(), today: TODAY }),
  );
  const again = planImport({ snapshot: first, input: baseInput(), today: TODAY });
  assert.equal(again.changes, []);
  assert.equal(again.summary.units, { create: 0, change: 0, move: 0, archive: 0, unchanged: 5 });
  assert.equal(again.summary.people.unchanged, 3);
  assert.equal(again.summary.memberships.unchanged, 3);
});

plan('a full sync archives, deactivates and ends what the files no longer hold', () => {
  const roster = applyPlan(
    emptyOrg(),
    planImport({ snapshot: emptyOrg(), input: baseInput(), today: TODAY }),
  );
  const input = baseInput();
  input.units = input.units.filter((u) => u.code !== 'T2');
  input.people = input.people.filter((p) => p.employeeNumber !== '1003');
  input.memberships = input.memberships.filter((m) => m.employeeNumber !== '1003');
  const p = planImport({ snapshot: roster, input, today: TODAY });
  assert.equal(p.rejected, []);
  assert.is(p.summary.units.archive, 1);
  assert.is(p.summary.people.deactivate, 1);
  assert.is(p.summary.memberships.end, 1);
  const ended = p.changes.find((c) => c.kind === 'membership' && c.action === 'end')!;
  assert.is(ended.key, '1003');
});

plan('a file that is not given changes nothing of its kind', () => {
  const roster = applyPlan(
    emptyOrg(),
    planImport({ snapshot: emptyOrg(), input: baseInput(), today: TODAY }),
  );
  const onlyPeople = planImport({
    snapshot: roster,
    input: { people: [person(2, '1001', 'Anna')] },
    today: TODAY,
  });
  assert.is(onlyPeople.summary.units.archive, 0);
  assert.is(onlyPeople.summary.people.change, 1);
  assert.is(onlyPeople.summary.people.deactivate, 2);
  // Deactivated people leave their teams, as the people screen does.
  assert.is(onlyPeople.summary.memberships.end, 2);
  const change = onlyPeople.changes.find((c) => c.action === 'change')!;
  assert.equal(change.fields, [{ field: 'givenName', from: 'Given1001', to: 'Anna' }]);
});

plan(
  'moving a unit and a person is reported as a move, the old team ending when the new starts',
  () => {
    const roster = applyPlan(
      emptyOrg(),
      planImport({ snapshot: emptyOrg(), input: baseInput(), today: TODAY }),
    );
    const input = baseInput();
    input.units = [...input.units, unit(7, 'B2', 'Basisteam Oost', 'basisteam', 'D1')];
    input.units[4] = unit(6, 'T2', 'Team B', 'team', 'B2');
    input.memberships = [
      member(2, '1001', 'T2', '2026-11-01'),
      member(3, '1002', 'T1'),
      member(4, '1003', 'T2', '2026-01-01', null, 'lead'),
    ];
    const p = planImport({ snapshot: roster, input, today: TODAY });
    assert.equal(p.rejected, []);
    assert.is(p.summary.units.move, 1);
    assert.is(p.summary.units.create, 1);
    assert.ok(
      p.changes.some((c) => c.kind === 'person' && c.action === 'move' && c.key === '1001'),
    );
    const old = roster.memberships.find(
      (m) => roster.people.find((x) => x.id === m.personId)!.employeeNumber === '1001',
    )!;
    assert.equal(p.ops.setLeftOn, [{ id: old.id, leftOn: '2026-11-01' }]);
    // And the result is stable.
    const again = planImport({ snapshot: applyPlan(roster, p), input, today: TODAY });
    assert.equal(again.changes, []);
  },
);

plan('every kind of rejected row is named with its line', () => {
  const input: ImportInput = {
    units: [
      unit(2, 'D1', 'District', 'district', 'C'),
      unit(3, 'T1', 'Team 1', 'team', 'D1'),
      unit(4, 'T1', 'Team 1 again', 'team', 'D1'),
      unit(5, 'X1', 'Loop one', 'district', 'X2'),
      unit(6, 'X2', 'Loop two', 'district', 'X1'),
      unit(7, 'Y1', 'Under a loop', 'team', 'X1'),
      unit(8, 'Z1', 'Nowhere', 'team', 'NOPE'),
      unit(9, 'R2', 'Second root', 'corps', null),
      unit(10, 'OTHER', 'Foreign', 'team', 'D1'),
      unit(11, 'K1', 'District under team', 'district', 'T2'),
      unit(12, 'T2', 'Team 2', 'team', 'D1'),
    ],
    people: [person(2, '1'), person(3, '2'), person(4, '2')],
    memberships: [
      member(2, '1', 'T2'),
      member(3, '1', 'GONE'),
      member(4, '1', 'GONE', '2026-01-01', null, 'lead'),
      member(5, '2', 'T2'),
      member(6, '9', 'T2'),
      member(7, '1', 'T2', '2026-06-01'),
    ],
  };
  const p = planImport({ snapshot: emptyOrg(), input, today: TODAY });
  const got = p.rejected.map((r) => `${r.file}:${r.line}:${r.code}`);
  assert.equal(got, [
    'units:3:duplicate_unit_code',
    'units:4:duplicate_unit_code',
    'units:5:unit_cycle',
    'units:6:unit_cycle',
    'units:7:unknown_parent',
    'units:8:unknown_parent',
    'units:9:second_root',
    'units:10:other_organisation',
    'units:11:kind_not_allowed',
    'people:3:duplicate_employee_number',
    'people:4:duplicate_employee_number',
    'memberships:3:unknown_team',
    'memberships:4:lead_of_unknown_team',
    'memberships:5:person_rejected',
    'memberships:6:unknown_person',
    'memberships:7:membership_overlap',
  ]);
  assert.match(p.rejected[0]!.text, /line 4/);
  assert.match(p.rejected[1]!.text, /line 3/);
  assert.match(p.rejected[2]!.text, /X1 → X2 → X1|X2 → X1 → X2/);
  // The valid part still plans.
  assert.equal(
    p.ops.createUnits.map((u) => u.code),
    ['D1', 'T2'],
  );
  assert.equal(p.ops.addMemberships.length, 1);
});

plan('a rejected row never archives, deactivates or ends what it names', () => {
  const roster = applyPlan(
    emptyOrg(),
    planImport({ snapshot: emptyOrg(), input: baseInput(), today: TODAY }),
  );
  const input = baseInput();
  // T2's row now has a kind the tree does not allow, 1003's row is duplicated.
  input.units[4] = unit(6, 'T2', 'Team B', 'district', 'B1');
  input.people = [...input.people, person(5, '1003')];
  const p = planImport({
    snapshot: roster,
    input,
    today: TODAY,
    readRejections: [
      {
        file: 'memberships',
        line: 9,
        code: 'formula_cell',
        text: 'formula',
        pairKey: '1002\u0000T1',
      },
    ],
  });
  assert.is(p.summary.units.archive, 0);
  assert.is(p.summary.people.deactivate, 0);
  assert.is(p.summary.memberships.end, 0);
  assert.ok(p.rejected.some((r) => r.file === 'memberships' && r.line === 9));
});

plan('the root may be listed but not changed, and no unit of another organisation is taken', () => {
  const input: ImportInput = {
    units: [unit(2, 'C', 'Ander korps', 'corps', null), unit(3, 'OTHER', 'x', 'team', 'C')],
  };
  const p = planImport({ snapshot: emptyOrg(), input, today: TODAY });
  assert.equal(
    p.rejected.map((r) => r.code),
    ['root_mismatch', 'other_organisation'],
  );
});

plan('people of another organisation are refused by employee number', () => {
  const s = emptyOrg();
  s.people = [
    {
      id: 'x',
      employeeNumber: '55',
      givenName: 'A',
      familyName: 'B',
      email: 'a@b.nl',
      language: 'nl',
      active: true,
      organisation: 'other',
    },
  ];
  const p = planImport({ snapshot: s, input: { people: [person(2, '55')] }, today: TODAY });
  assert.equal(
    p.rejected.map((r) => r.code),
    ['other_organisation'],
  );
  assert.is(p.summary.people.deactivate, 0);
});

plan('the administrator running the import is never deactivated by it', () => {
  const roster = applyPlan(
    emptyOrg(),
    planImport({ snapshot: emptyOrg(), input: baseInput(), today: TODAY }),
  );
  const admin = roster.people.find((p) => p.employeeNumber === '1001')!;
  const p = planImport({
    snapshot: roster,
    input: { people: [person(2, '1002')] },
    today: TODAY,
    keepPersonIds: new Set([admin.id]),
  });
  assert.is(p.summary.people.deactivate, 1);
  assert.ok(!p.ops.deactivatePeople.includes(admin.id));
});

plan('an end date in the file changes the membership; the file end date is the last day', () => {
  const roster = applyPlan(
    emptyOrg(),
    planImport({ snapshot: emptyOrg(), input: baseInput(), today: TODAY }),
  );
  const input = baseInput();
  input.memberships[0] = member(2, '1001', 'T1', '2026-01-01', '2026-12-31');
  const p = planImport({ snapshot: roster, input, today: TODAY });
  assert.is(p.summary.memberships.change, 1);
  assert.equal(
    p.ops.setLeftOn.map((e) => e.leftOn),
    ['2027-01-01'],
  );
});

plan('importing a random organisation twice changes nothing the second time (property)', () => {
  const arb = fc.record({
    teams: fc.integer({ min: 1, max: 6 }),
    people: fc.array(
      fc.record({
        team: fc.nat(10),
        lead: fc.boolean(),
        start: fc.integer({ min: 0, max: 400 }),
        ends: fc.option(fc.integer({ min: 0, max: 800 })),
      }),
      { maxLength: 20 },
    ),
    keepUnits: fc.boolean(),
  });
  fc.assert(
    fc.property(arb, arb, (a, b) => {
      const build = (x: typeof a): ImportInput => {
        const units: UnitRow[] = [unit(2, 'B', 'Basisteam', 'basisteam', 'C')];
        for (let t = 0; t < x.teams; t++)
          units.push(unit(3 + t, `T${t}`, `Team ${t}`, 'team', 'B'));
        const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n)).toISOString().slice(0, 10);
        return {
          units: x.keepUnits ? units : undefined,
          people: x.people.map((_, i) => person(2 + i, `${i}`)),
          memberships: x.people.map((p, i) => {
            const start = day(p.start);
            const last = p.ends === null ? null : day(p.start + p.ends);
            return member(
              2 + i,
              `${i}`,
              `T${p.team % x.teams}`,
              start,
              last,
              p.lead ? 'lead' : 'member',
            );
          }),
        };
      };
      // Start from a's import, then import b twice: the second import of b is a no-op.
      const withUnits = { ...build(a), units: build({ ...a, keepUnits: true }).units };
      let roster = applyPlan(
        emptyOrg(),
        planImport({ snapshot: emptyOrg(), input: withUnits, today: TODAY }),
      );
      const inputB = build(b);
      const first = planImport({ snapshot: roster, input: inputB, today: TODAY });
      roster = applyPlan(roster, first);
      const second = planImport({ snapshot: roster, input: inputB, today: TODAY });
      assert.equal(second.changes, []);
    }),
    { numRuns: 150 },
  );
});

plan('planned in steps, a large import pauses many times and plans exactly the same', () => {
  const base = baseInput();
  const input = {
    ...base,
    people: Array.from({ length: 5000 }, (_, i) => person(i + 2, String(10000 + i))),
    memberships: Array.from({ length: 5000 }, (_, i) =>
      member(i + 2, String(10000 + i), i % 2 ? 'T1' : 'T2'),
    ),
  };
  const steps = planImportSteps({ snapshot: emptyOrg(), input, today: TODAY });
  let pauses = 0;
  let step = steps.next();
  while (!step.done) {
    pauses++;
    step = steps.next();
  }
  assert.ok(pauses >= 10, `paused ${pauses} times`);
  assert.equal(step.value, planImport({ snapshot: emptyOrg(), input, today: TODAY }));
});

plan('the units counts add up to the rows of the units file, the root row included', () => {
  const input = baseInput();
  const p = planImport({ snapshot: emptyOrg(), input, today: TODAY });
  const u = p.summary.units;
  const counted = u.create + u.change + u.move + u.unchanged + p.rejected.length;
  assert.is(counted, input.units.length);
  assert.ok(
    input.units.some((r) => r.code === 'C'),
    'the file lists the root',
  );
});

plan('a membership of a person whose row was rejected says so and gives that row', () => {
  const input: ImportInput = {
    people: [person(2, '1'), person(3, '2'), person(101, '2')],
    memberships: [member(2, '1', 'C'), member(3, '2', 'C')],
  };
  const p = planImport({ snapshot: emptyOrg(), input, today: TODAY });
  const dup = p.rejected.filter((r) => r.code === 'duplicate_employee_number');
  assert.equal(
    dup.map((r) => [r.line, r.params, r.field]),
    [
      [3, { lines: [101] }, 'employee_number'],
      [101, { lines: [3] }, 'employee_number'],
    ],
  );
  const ms = p.rejected.find((r) => r.file === 'memberships')!;
  assert.is(ms.line, 3);
  assert.is(ms.code, 'person_rejected', 'the number is known: its row was rejected');
  assert.equal(ms.params, { lines: [3, 101], inFile: 'people' });
  assert.is(ms.field, 'employee_number', 'the plan names the field; the server, its header');
  assert.is(ms.column, undefined);
});

plan('a person rejected while reading is named by line in the memberships rejection', () => {
  const p = planImport({
    snapshot: emptyOrg(),
    input: { people: [person(2, '1')], memberships: [member(2, '7', 'C')] },
    today: TODAY,
    readRejections: [{ file: 'people', line: 5, code: 'formula_cell', text: 'formula', key: '7' }],
  });
  const ms = p.rejected.find((r) => r.file === 'memberships')!;
  assert.is(ms.code, 'person_rejected');
  assert.equal(ms.params, { lines: [5], inFile: 'people' });
});

plan('a kind not allowed names both kinds as codes, not in words', () => {
  const p = planImport({
    snapshot: emptyOrg(),
    input: { units: [unit(2, 'T1', 'Team', 'team', 'C'), unit(3, 'D1', 'D', 'district', 'T1')] },
    today: TODAY,
  });
  const r = p.rejected.find((x) => x.code === 'kind_not_allowed')!;
  assert.equal(r.params, { kind: 'district', parentKind: 'team' });
  assert.is(r.field, 'kind');
});

plan.run();
