import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  cellRosterChange,
  planCells,
  trendAllowed,
  type CellPlan,
  type PlanCellsOptions,
  type PlanMembership,
  type PlanUnit,
} from '../src/index.ts';

const plan = suite('planCells');

const LONG_AGO = '2015-03-01';

/** A small org builder: units and memberships with readable person ids. */
function org() {
  const units: PlanUnit[] = [];
  const roster: PlanMembership[] = [];
  const api = {
    units,
    roster,
    unit(id: string, parentId: string | null, kind = 'basisteam') {
      units.push({ id, parentId, kind });
      return api;
    },
    people(unitId: string, count: number, joinedOn = LONG_AGO, prefix = `${unitId}-m`) {
      for (let i = 1; i <= count; i++) {
        roster.push({ personId: `${prefix}${i}`, unitId, role: 'member', joinedOn });
      }
      return api;
    },
    lead(unitId: string, personId = `${unitId}-lead`) {
      roster.push({ personId, unitId, role: 'lead', joinedOn: LONG_AGO });
      return api;
    },
    /** A team with `size` ordinary members and one lead. */
    team(id: string, parentId: string, size: number) {
      return api.unit(id, parentId, 'team').people(id, size).lead(id);
    },
  };
  return api;
}

function run(
  o: { units: PlanUnit[]; roster: PlanMembership[] },
  extra: Partial<PlanCellsOptions> = {},
) {
  return planCells({ previousWaveOpenedOn: null, thresholds: { kE: 5 }, ...o, ...extra });
}

const cellOf = (result: CellPlan, personId: string) =>
  result.cells.find((c) => c.members.includes(personId))?.key;

/** District D > basisteam B (eight staff) > team T of `size` plus seven teams of ten. */
function boundaryOrg(size: number) {
  const o = org().unit('D', null, 'district').unit('B', 'D').people('B', 8).team('T', 'B', size);
  for (const id of ['U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'U7']) o.team(id, 'B', 10);
  return o;
}

for (const [kE, size, ownCell] of [
  [5, 4, false],
  [5, 5, true],
  [5, 6, true],
  [7, 6, false],
  [7, 7, true],
  [7, 8, true],
  // An organisation can never go below the floor of five.
  [3, 4, false],
  [3, 5, true],
] as const) {
  plan(`with K_E ${kE}, a team of ${size} ${ownCell ? 'is' : 'is not'} its own cell`, () => {
    const result = run(boundaryOrg(size), { thresholds: { kE } });
    const team = result.cells.find((c) => c.key === 'team:T');
    if (ownCell) {
      assert.equal(team?.members.length, size);
    } else {
      assert.is(team, undefined);
      assert.is(cellOf(result, 'T-m1'), 'remainder:B');
    }
    assert.is(result.unplaced.length, 0);
  });
}

plan('newcomers answer in the parent remainder in their first wave', () => {
  const o = boundaryOrg(6).people('T', 2, '2026-03-01', 'T-new');
  const result = run(o, { previousWaveOpenedOn: '2026-03-01' });
  assert.is(cellOf(result, 'T-new1'), 'remainder:B');
  assert.is(cellOf(result, 'T-new2'), 'remainder:B');
  assert.equal(result.cells.find((c) => c.key === 'team:T')?.members.length, 6);
});

plan('newcomers do not count towards E, so they can take a team below K_E', () => {
  const o = boundaryOrg(4).people('T', 1, '2026-04-01', 'T-new');
  const result = run(o, { previousWaveOpenedOn: '2026-03-01' });
  assert.is(cellOf(result, 'T-new1'), 'remainder:B');
  assert.is(cellOf(result, 'T-m1'), 'remainder:B');
  assert.not.ok(result.cells.some((c) => c.key === 'team:T'));
});

plan('in a first wave nobody is a newcomer', () => {
  const o = boundaryOrg(6).people('T', 2, '2026-03-01', 'T-new');
  const result = run(o, { previousWaveOpenedOn: null });
  assert.is(cellOf(result, 'T-new1'), 'team:T');
});

plan('team leads answer in the leadership cell of the parent, never in their team', () => {
  const result = run(boundaryOrg(6));
  for (const id of ['T', 'U1', 'U2', 'U3', 'U4']) {
    assert.is(cellOf(result, `${id}-lead`), 'leadership:B');
  }
  assert.equal(result.cells.find((c) => c.key === 'leadership:B')?.kind, 'leadership');
});

plan(
  'a member of one team who also leads another answers as a lead, away from their own lead',
  () => {
    const o = boundaryOrg(6).people('D', 5);
    o.roster.push({ personId: 'T-m1', unitId: 'U1', role: 'lead', joinedOn: LONG_AGO });
    const result = run(o);
    // The lead role wins, but leadership:B holds T-lead, who leads T-m1 in team T; the person
    // with two roles is the one who moves up, here to the district remainder.
    assert.is(cellOf(result, 'T-lead'), 'leadership:B');
    assert.is(cellOf(result, 'U1-lead'), 'leadership:B');
    assert.is(cellOf(result, 'T-m1'), 'remainder:D');
  },
);

plan('demo: a basisteam with five teams of 8-30 and one of three', () => {
  const o = org().unit('D', null, 'district').unit('B', 'D').people('B', 4);
  for (const [id, size] of [
    ['A', 8],
    ['C', 12],
    ['E', 17],
    ['F', 25],
    ['G', 30],
    ['S', 3],
  ] as const) {
    o.team(id, 'B', size);
  }
  const result = run(o);
  assert.not.ok(result.cells.some((c) => c.key === 'team:S'));
  const remainder = result.cells.find((c) => c.key === 'remainder:B')!;
  for (const p of ['S-m1', 'S-m2', 'S-m3']) assert.ok(remainder.members.includes(p));
  assert.is(remainder.members.length, 7);
  assert.is(cellOf(result, 'S-lead'), 'leadership:B');
  assert.is(result.unplaced.length, 0);
});

plan('a small basisteam remainder moves up to the district remainder', () => {
  const o = org().unit('D', null, 'district').people('D', 3).unit('B', 'D');
  o.team('A', 'B', 10).team('C', 'B', 10).team('E', 'B', 10).team('F', 'B', 10).team('S', 'B', 3);
  const result = run(o);
  assert.equal(result.cells.find((c) => c.key === 'remainder:D')?.members, [
    'D-m1',
    'D-m2',
    'D-m3',
    'S-m1',
    'S-m2',
    'S-m3',
  ]);
});

plan('people with nowhere to go without meeting their own lead are unplaced, with a reason', () => {
  const o = org().unit('B', null).team('S', 'B', 3);
  for (const id of ['A', 'C', 'E', 'F']) o.team(id, 'B', 10);
  const result = run(o);
  // remainder:B holds S's three; the only other root cell is leadership:B, where S-lead sits.
  assert.equal(result.unplaced, [
    { personId: 'S-m1', reason: 'too-few' },
    { personId: 'S-m2', reason: 'too-few' },
    { personId: 'S-m3', reason: 'too-few' },
  ]);
  assert.is(cellOf(result, 'S-lead'), 'leadership:B');
});

plan('small leadership cells of sibling basisteams meet in the district leadership cell', () => {
  const o = org().unit('D', null, 'district').people('D', 6).unit('B1', 'D').unit('B2', 'D');
  for (const id of ['a', 'b', 'c']) o.team(`B1${id}`, 'B1', 8).team(`B2${id}`, 'B2', 8);
  const result = run(o);
  const leadership = result.cells.find((c) => c.key === 'leadership:D');
  assert.is(leadership?.members.length, 6);
  assert.ok(leadership?.members.every((p) => p.endsWith('-lead')));
});

plan('the lead of the root unit leads everyone and is unplaced', () => {
  const o = org().unit('B', null).lead('B').team('A', 'B', 10);
  const result = run(o);
  assert.equal(
    result.unplaced.find((u) => u.personId === 'B-lead'),
    { personId: 'B-lead', reason: 'leads-root' },
  );
});

plan('memberships in units outside the tree are reported, not placed', () => {
  const o = boundaryOrg(6);
  o.roster.push({ personId: 'ghost', unitId: 'nowhere', role: 'member', joinedOn: LONG_AGO });
  assert.equal(run(o).unplaced, [{ personId: 'ghost', reason: 'unknown-unit' }]);
});

plan('a cycle in the tree is a programming error', () => {
  assert.throws(() =>
    run({
      units: [
        { id: 'a', parentId: 'b', kind: 'team' },
        { id: 'b', parentId: 'a', kind: 'basisteam' },
      ],
      roster: [],
    }),
  );
});

// ---- properties over random trees and rosters ----

const DATES = ['2014-01-01', '2020-06-01', '2026-01-15', '2026-02-01', '2026-03-01'];

const scenario = fc
  .record({
    parents: fc.array(fc.nat(), { minLength: 1, maxLength: 9 }),
    kinds: fc.array(fc.nat(9), { minLength: 9, maxLength: 9 }),
    people: fc.array(
      fc.array(
        fc.record({
          unit: fc.nat(),
          lead: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
          date: fc.constantFrom(...DATES),
        }),
        { minLength: 1, maxLength: 2 },
      ),
      { minLength: 0, maxLength: 150, size: 'max' },
    ),
    previous: fc.constantFrom(null, '2026-02-01'),
    kE: fc.integer({ min: 3, max: 8 }),
  })
  .map(({ parents, kinds, people, previous, kE }) => {
    // Unit 0 is the root; every other unit hangs below an earlier one, so there are no cycles.
    const units: PlanUnit[] = parents.map((p, i) => ({
      id: `u${i}`,
      parentId: i === 0 ? null : `u${p % i}`,
      kind: i > 0 && (kinds[i] ?? 0) < 7 ? 'team' : 'basisteam',
    }));
    const roster: PlanMembership[] = [];
    people.forEach((memberships, i) => {
      for (const m of memberships) {
        roster.push({
          personId: `p${String(i).padStart(2, '0')}`,
          unitId: `u${m.unit % units.length}`,
          role: m.lead ? 'lead' : 'member',
          joinedOn: m.date,
        });
      }
    });
    return {
      units,
      roster,
      previousWaveOpenedOn: previous,
      thresholds: { kE },
    } satisfies PlanCellsOptions;
  });

function ancestorsOrSelf(units: readonly PlanUnit[], id: string): string[] {
  const chain = [id];
  for (let u = units.find((x) => x.id === id); u?.parentId;) {
    chain.push(u.parentId);
    u = units.find((x) => x.id === u!.parentId);
  }
  return chain;
}

plan('property: every person is in exactly one cell or unplaced', () => {
  fc.assert(
    fc.property(scenario, (o) => {
      const result = planCells(o);
      const seen = [
        ...result.cells.flatMap((c) => c.members),
        ...result.unplaced.map((u) => u.personId),
      ];
      const everyone = new Set(o.roster.map((m) => m.personId));
      return (
        seen.length === everyone.size &&
        new Set(seen).size === seen.length &&
        seen.every((p) => everyone.has(p))
      );
    }),
  );
});

plan('property: every cell has at least K_E members, and never less than five', () => {
  fc.assert(
    fc.property(scenario, (o) =>
      planCells(o).cells.every((c) => c.members.length >= Math.max(5, o.thresholds.kE)),
    ),
  );
});

plan('property: a lead never shares a cell with members of a team they lead (INV-9)', () => {
  fc.assert(
    fc.property(scenario, (o) => {
      for (const cell of planCells(o).cells) {
        const inCell = new Set(cell.members);
        for (const lead of o.roster.filter((m) => m.role === 'lead' && inCell.has(m.personId))) {
          const led = o.roster.filter(
            (m) => m.unitId === lead.unitId && m.role === 'member' && m.personId !== lead.personId,
          );
          if (led.some((m) => inCell.has(m.personId))) return false;
        }
      }
      return true;
    }),
  );
});

plan('property: nor with anyone below the unit they lead, except co-leads of that unit', () => {
  fc.assert(
    fc.property(scenario, (o) => {
      for (const cell of planCells(o).cells) {
        const inCell = new Set(cell.members);
        for (const lead of o.roster.filter((m) => m.role === 'lead' && inCell.has(m.personId))) {
          for (const other of o.roster) {
            if (other.personId === lead.personId || !inCell.has(other.personId)) continue;
            const coLead = other.role === 'lead' && other.unitId === lead.unitId;
            const below = ancestorsOrSelf(o.units, other.unitId).includes(lead.unitId);
            if (below && !coLead) return false;
          }
        }
      }
      return true;
    }),
  );
});

plan('property: no lead answers in a team cell', () => {
  fc.assert(
    fc.property(scenario, (o) => {
      const leads = new Set(o.roster.filter((m) => m.role === 'lead').map((m) => m.personId));
      return planCells(o)
        .cells.filter((c) => c.kind === 'team')
        .every((c) => c.members.every((p) => !leads.has(p)));
    }),
  );
});

/** A seeded Fisher-Yates shuffle, so fast-check can shrink the seed. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

plan('property: the plan does not depend on the order of the input', () => {
  fc.assert(
    fc.property(scenario, fc.integer(), (o, seed) => {
      const shuffled = { ...o, units: shuffle(o.units, seed), roster: shuffle(o.roster, seed + 1) };
      assert.equal(planCells(shuffled), planCells(o));
    }),
  );
});

plan.run();

const trend = suite('trends across waves (INV-8)');

trend('the roster change of a cell is the number of joiners plus leavers', () => {
  assert.is(cellRosterChange(['a', 'b', 'c'], ['a', 'b', 'c']), 0);
  assert.is(cellRosterChange(['a', 'b', 'c'], ['b', 'c', 'd']), 2);
  assert.is(cellRosterChange([], ['a', 'b']), 2);
  assert.is(cellRosterChange(['a', 'a'], ['a']), 0);
});

for (const [change, d, allowed] of [
  [0, 5, true],
  [1, 5, false],
  [4, 5, false],
  [5, 5, true],
  [6, 5, true],
  [9, 10, false],
  [10, 10, true],
  // D below its floor counts as five.
  [3, 2, false],
] as const) {
  trend(`a change of ${change} with D ${d} ${allowed ? 'allows' : 'blocks'} a trend`, () => {
    assert.is(trendAllowed(change, d), allowed);
  });
}

trend.run();
