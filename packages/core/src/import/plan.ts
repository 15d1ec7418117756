import type {
  ImportChange,
  ImportChangeField,
  ImportFileKind,
  ImportSummary,
  Language,
  MembershipKind,
  UnitKind,
} from '@teamspiegel/contracts';
import { mayContain, periodsOverlap } from '../org.ts';
import { formatDutchDate, nextDay } from './dates.ts';
import type { MembershipRow, PersonRow, Rejection, UnitRow } from './rows.ts';

/** The current roster of one organisation as plain data: what an import is planned against. */
export interface SnapshotUnit {
  id: string;
  code: string;
  name: string;
  kind: UnitKind;
  parentId: string | null;
  archived: boolean;
}

export interface SnapshotPerson {
  id: string;
  employeeNumber: string;
  givenName: string;
  familyName: string;
  email: string;
  language: Language;
  active: boolean;
  /**
   * 'other': any membership (now or before) or role outside this organisation; 'this': placed
   * only in this organisation; 'none': never placed anywhere. An import never updates, places or
   * deactivates a person of 'other'.
   */
  organisation: 'this' | 'other' | 'none';
}

export interface SnapshotMembership {
  id: string;
  personId: string;
  unitId: string;
  kind: MembershipKind;
  joinedOn: string;
  /** First day no longer a member; null while current. */
  leftOn: string | null;
}

export interface RosterSnapshot {
  rootId: string;
  /** Every unit of the organisation, the root and archived ones included. */
  units: readonly SnapshotUnit[];
  /** Unit codes of other organisations (codes are unique across the installation). */
  foreignUnitCodes: ReadonlySet<string>;
  /** Every person of the installation (employee numbers are unique across it). */
  people: readonly SnapshotPerson[];
  /** Every membership in a unit of the organisation. */
  memberships: readonly SnapshotMembership[];
}

/** The valid rows of each file given; a file that is absent is undefined and changes nothing of its kind. */
export interface ImportInput {
  units?: readonly UnitRow[];
  people?: readonly PersonRow[];
  memberships?: readonly MembershipRow[];
}

export interface PlanOps {
  /** Parents before children. */
  createUnits: { code: string; name: string; kind: UnitKind; parentCode: string }[];
  updateUnits: {
    id: string;
    name: string;
    kind: UnitKind;
    parentCode: string;
    unarchive: boolean;
  }[];
  archiveUnits: string[];
  createPeople: Omit<PersonRow, 'line'>[];
  updatePeople: {
    id: string;
    givenName: string;
    familyName: string;
    email: string;
    language: Language;
    reactivate: boolean;
  }[];
  deactivatePeople: string[];
  addMemberships: {
    employeeNumber: string;
    unitCode: string;
    kind: MembershipKind;
    joinedOn: string;
    leftOn: string | null;
  }[];
  /** Set left_on (end, or change of the end of a matched membership). */
  setLeftOn: { id: string; leftOn: string | null }[];
  /** Memberships ended before they started: removed, as deactivation does. */
  deleteMemberships: string[];
  /** Existing units whose structure or roster the plan changes (for the roster freeze). */
  touchedUnitIds: string[];
}

export interface ImportPlan {
  rejected: Rejection[];
  changes: ImportChange[];
  summary: ImportSummary;
  ops: PlanOps;
}

/** The key that protects a person's memberships in a unit from being ended by a rejected row. */
export function membershipPairKey(employeeNumber: string, unitCode: string): string {
  return `${employeeNumber}\u0000${unitCode}`;
}

const FILE_ORDER: Record<ImportFileKind, number> = { units: 0, people: 1, memberships: 2 };

function emptySummary(): ImportSummary {
  return {
    units: { create: 0, change: 0, move: 0, archive: 0, unchanged: 0 },
    people: { create: 0, change: 0, deactivate: 0, unchanged: 0 },
    memberships: { add: 0, end: 0, change: 0, unchanged: 0 },
  };
}

function diff(fields: [string, string | null, string | null][]): ImportChangeField[] {
  return fields.filter(([, a, b]) => a !== b).map(([field, from, to]) => ({ field, from, to }));
}

/** The inclusive last day of a membership, as the file writes it. */
function lastDayOf(leftOn: string | null): string | null {
  if (leftOn === null) return null;
  const d = new Date(`${leftOn}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return formatDutchDate(d.toISOString().slice(0, 10));
}

/** Groups rows by key and rejects every row of a key that occurs more than once (both lines). */
function rejectDuplicates<T extends { line: number }>(
  rows: readonly T[],
  key: (row: T) => string,
  file: ImportFileKind,
  code: Rejection['code'],
  what: (row: T) => string,
  reject: (r: Rejection) => void,
  field?: string,
): T[] {
  const byKey = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = byKey.get(k);
    if (group) group.push(row);
    else byKey.set(k, [row]);
  }
  const kept: T[] = [];
  for (const group of byKey.values()) {
    if (group.length === 1) {
      kept.push(group[0]!);
      continue;
    }
    for (const row of group) {
      const others = group.filter((o) => o !== row).map((o) => o.line);
      reject({
        file,
        line: row.line,
        code,
        text: `${what(row)} also occurs on line ${others.join(', ')}.`,
        params: { lines: others },
        ...(field && { field }),
      });
    }
  }
  return kept.sort((a, b) => a.line - b.line);
}

/**
 * Plans an HR import as a full sync of one organisation: units upserted by code and people by
 * employee number; units, people and memberships missing from a given file are archived,
 * deactivated or ended; a file not given changes nothing of its kind. A rejected row never
 * causes a removal: what it names is left as it is. Planning the same files against the roster
 * they produced plans nothing.
 */
export interface PlanImportOptions {
  snapshot: RosterSnapshot;
  input: ImportInput;
  today: string;
  /** Rows rejected while reading the files (missing fields, formulas): their keys are protected too. */
  readRejections?: readonly (Rejection & { key?: string; pairKey?: string })[];
  /** People never deactivated by an import (the administrator running it). */
  keepPersonIds?: ReadonlySet<string>;
}

export function planImport(opts: PlanImportOptions): ImportPlan {
  const steps = planImportSteps(opts);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** How many rows a step of planImportSteps handles at most before it pauses. */
const ROWS_PER_STEP = 1000;

/**
 * planImport in steps: the generator pauses (yields) every ROWS_PER_STEP rows of any loop and
 * between the sections, so a caller on a server can give other work a turn between steps
 * (apps/api plans a 65,000-person import without holding the event loop). Nothing outside the
 * generator changes between steps: the plan is the same however it is driven.
 */
export function* planImportSteps(opts: PlanImportOptions): Generator<void, ImportPlan, void> {
  let tick = 0;
  const { snapshot, input, today } = opts;
  const rejected: Rejection[] = [];
  const reject = (r: Rejection) => rejected.push(r);
  const changes: ImportChange[] = [];
  const summary = emptySummary();
  const ops: PlanOps = {
    createUnits: [],
    updateUnits: [],
    archiveUnits: [],
    createPeople: [],
    updatePeople: [],
    deactivatePeople: [],
    addMemberships: [],
    setLeftOn: [],
    deleteMemberships: [],
    touchedUnitIds: [],
  };
  const touched = new Set<string>();

  const unitsById = new Map(snapshot.units.map((u) => [u.id, u]));
  const unitsByCode = new Map(snapshot.units.map((u) => [u.code, u]));
  const root = unitsById.get(snapshot.rootId);
  if (!root) throw new Error('The snapshot holds no root unit');
  const peopleByNumber = new Map(snapshot.people.map((p) => [p.employeeNumber, p]));
  const peopleById = new Map(snapshot.people.map((p) => [p.id, p]));

  // Keys named by rejected rows: what they name is never archived, deactivated or ended.
  const protectedUnitCodes = new Set<string>();
  const protectedNumbers = new Set<string>();
  const protectedPairs = new Set<string>();
  const pair = membershipPairKey;
  /** Lines of rejected rows per unit code and per employee number, for the rows that name them. */
  const rejectedUnitLines = new Map<string, number[]>();
  const rejectedPersonLines = new Map<string, number[]>();
  const noteLine = (map: Map<string, number[]>, key: string, line: number) => {
    const list = map.get(key);
    if (!list) map.set(key, [line]);
    else if (!list.includes(line)) list.push(line);
  };
  for (const { key, pairKey, ...r } of opts.readRejections ?? []) {
    if (++tick % ROWS_PER_STEP === 0) yield;
    reject(r);
    if (r.file === 'units' && key) {
      protectedUnitCodes.add(key);
      noteLine(rejectedUnitLines, key, r.line);
    }
    if (r.file === 'people' && key) {
      protectedNumbers.add(key);
      noteLine(rejectedPersonLines, key, r.line);
    }
    if (r.file === 'memberships' && pairKey) protectedPairs.add(pairKey);
  }

  // ---- Units ----
  /** Final unit per code for memberships to refer to: code -> { existing id?, name }. */
  const finalUnits = new Map<string, { id: string | null; name: string }>();
  const rejectedUnitCodes = new Set<string>();
  const archivedUnitIds = new Set<string>();
  if (input.units) {
    const rejectUnit = (
      row: UnitRow,
      code: Rejection['code'],
      text: string,
      field?: string,
      params?: Rejection['params'],
    ) => {
      rejectedUnitCodes.add(row.code);
      protectedUnitCodes.add(row.code);
      noteLine(rejectedUnitLines, row.code, row.line);
      reject({
        file: 'units',
        line: row.line,
        code,
        text,
        ...(params && { params }),
        ...(field && { field }),
      });
    };
    let rows = rejectDuplicates(
      input.units,
      (r) => r.code,
      'units',
      'duplicate_unit_code',
      (r) => `Unit code ${r.code}`,
      reject,
      'unit_code',
    );
    const keptUnitRows = new Set(rows);
    for (const r of input.units)
      if (!keptUnitRows.has(r)) {
        rejectedUnitCodes.add(r.code);
        protectedUnitCodes.add(r.code);
        noteLine(rejectedUnitLines, r.code, r.line);
      }
    rows = rows.filter((row) => {
      if (snapshot.foreignUnitCodes.has(row.code)) {
        rejectUnit(
          row,
          'other_organisation',
          `Unit code ${row.code} belongs to another organisation.`,
          'unit_code',
        );
        return false;
      }
      if (row.code === root.code) {
        if (row.parentCode !== null || row.name !== root.name || row.kind !== root.kind) {
          rejectUnit(
            row,
            'root_mismatch',
            `${row.code} is the organisation's root (${root.name}, ${root.kind}, no parent); an import does not change it.`,
          );
          // The root as it is: counted unchanged, so the counts add up to the file's rows.
        } else summary.units.unchanged++;
        return false;
      }
      if (row.parentCode === null) {
        rejectUnit(
          row,
          'second_root',
          `Unit ${row.code} has no parent; only the root ${root.code} may have none.`,
          'parent_code',
        );
        return false;
      }
      return true;
    });

    const byCode = new Map(rows.map((r) => [r.code, r]));
    // Phase A: every unit's parent chain must reach the root through units of the file.
    const status = new Map<string, 'ok' | 'bad'>();
    for (const start of rows) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      if (status.has(start.code)) continue;
      const chain: UnitRow[] = [];
      const onChain = new Set<string>();
      let cur: UnitRow = start;
      let outcome: 'ok' | 'bad';
      for (;;) {
        const known = status.get(cur.code);
        if (known) {
          outcome = known;
          break;
        }
        if (onChain.has(cur.code)) {
          // A cycle: every unit from cur onwards along the chain is on it.
          const at = chain.findIndex((r) => r.code === cur.code);
          const cycle = chain.slice(at);
          const codes = cycle.map((r) => r.code).join(' → ');
          for (const r of cycle) {
            status.set(r.code, 'bad');
            rejectUnit(
              r,
              'unit_cycle',
              `Unit ${r.code} is its own ancestor: ${codes} → ${r.code}.`,
              'parent_code',
            );
          }
          chain.length = at;
          outcome = 'bad';
          break;
        }
        chain.push(cur);
        onChain.add(cur.code);
        const parentCode = cur.parentCode!;
        if (parentCode === root.code) {
          outcome = 'ok';
          break;
        }
        const parent = byCode.get(parentCode);
        if (!parent) {
          status.set(cur.code, 'bad');
          const why =
            rejectedUnitCodes.has(parentCode) || protectedUnitCodes.has(parentCode)
              ? `its parent ${parentCode} was rejected`
              : `its parent ${parentCode} is not in the units file`;
          rejectUnit(
            cur,
            'unknown_parent',
            `Unit ${cur.code} cannot be placed: ${why}.`,
            'parent_code',
          );
          chain.pop();
          outcome = 'bad';
          break;
        }
        cur = parent;
      }
      for (const r of chain) {
        if (status.has(r.code)) continue;
        status.set(r.code, outcome);
        if (outcome === 'bad')
          rejectUnit(
            r,
            'unknown_parent',
            `Unit ${r.code} cannot be placed: a unit above it was rejected.`,
            'parent_code',
          );
      }
    }
    // Phase B: top-down from the root, every kind must be allowed under its parent's kind.
    const children = new Map<string, UnitRow[]>();
    for (const r of rows) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      if (status.get(r.code) !== 'ok') continue;
      const list = children.get(r.parentCode!);
      if (list) list.push(r);
      else children.set(r.parentCode!, [r]);
    }
    const placed: UnitRow[] = [];
    const queue: { code: string; kind: UnitKind }[] = [{ code: root.code, kind: root.kind }];
    const rejectSubtree = (r: UnitRow) => {
      for (const c of children.get(r.code) ?? []) {
        rejectUnit(
          c,
          'unknown_parent',
          `Unit ${c.code} cannot be placed: its parent ${r.code} was rejected.`,
          'parent_code',
        );
        rejectSubtree(c);
      }
    };
    while (queue.length) {
      const parent = queue.shift()!;
      for (const r of children.get(parent.code) ?? []) {
        if (!mayContain(parent.kind, r.kind)) {
          rejectUnit(
            r,
            'kind_not_allowed',
            `A ${r.kind} may not sit under a ${parent.kind} (${parent.code}).`,
            'kind',
            { kind: r.kind, parentKind: parent.kind },
          );
          rejectSubtree(r);
          continue;
        }
        placed.push(r);
        queue.push({ code: r.code, kind: r.kind });
      }
    }

    finalUnits.set(root.code, { id: root.id, name: root.name });
    for (const r of placed) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      const existing = unitsByCode.get(r.code);
      finalUnits.set(r.code, { id: existing?.id ?? null, name: r.name });
      if (!existing) {
        ops.createUnits.push({
          code: r.code,
          name: r.name,
          kind: r.kind,
          parentCode: r.parentCode!,
        });
        summary.units.create++;
        const parent = unitsByCode.get(r.parentCode!);
        if (parent) touched.add(parent.id);
        changes.push({
          kind: 'unit',
          action: 'create',
          key: r.code,
          label: r.name,
          fields: diff([
            ['name', null, r.name],
            ['kind', null, r.kind],
            ['parent', null, r.parentCode],
          ]),
        });
        continue;
      }
      const oldParentCode = existing.parentId
        ? (unitsById.get(existing.parentId)?.code ?? null)
        : null;
      const fields = diff([
        ['name', existing.name, r.name],
        ['kind', existing.kind, r.kind],
        ['parent', oldParentCode, r.parentCode],
        ['archived', existing.archived ? 'yes' : 'no', 'no'],
      ]);
      if (!fields.length) {
        summary.units.unchanged++;
        continue;
      }
      const moved = oldParentCode !== r.parentCode;
      ops.updateUnits.push({
        id: existing.id,
        name: r.name,
        kind: r.kind,
        parentCode: r.parentCode!,
        unarchive: existing.archived,
      });
      touched.add(existing.id);
      if (moved) {
        if (existing.parentId) touched.add(existing.parentId);
        const newParent = unitsByCode.get(r.parentCode!);
        if (newParent) touched.add(newParent.id);
        summary.units.move++;
      } else summary.units.change++;
      changes.push({
        kind: 'unit',
        action: moved ? 'move' : 'change',
        key: r.code,
        label: r.name,
        fields,
      });
    }

    // Archive what the file no longer holds, unless a rejected row names it or a kept unit
    // still hangs below it (an active unit never sits under an archived one).
    const alive = new Set<string>([root.id]);
    for (const u of snapshot.units) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      if (finalUnits.has(u.code)) alive.add(u.id);
      else if (!u.archived && protectedUnitCodes.has(u.code)) {
        for (
          let a: SnapshotUnit | undefined = u;
          a && !alive.has(a.id);
          a = a.parentId ? unitsById.get(a.parentId) : undefined
        ) {
          alive.add(a.id);
          if (!finalUnits.has(a.code)) finalUnits.set(a.code, { id: a.id, name: a.name });
        }
      }
    }
    for (const u of snapshot.units) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      if (u.archived || alive.has(u.id)) continue;
      ops.archiveUnits.push(u.id);
      archivedUnitIds.add(u.id);
      touched.add(u.id);
      summary.units.archive++;
      changes.push({ kind: 'unit', action: 'archive', key: u.code, label: u.name });
    }
  } else {
    for (const u of snapshot.units)
      if (!u.archived) finalUnits.set(u.code, { id: u.id, name: u.name });
  }

  yield;
  // ---- People ----
  /** Final person per employee number for memberships to refer to. */
  const finalPeople = new Map<string, { id: string | null; name: string }>();
  const rejectedNumbers = new Set<string>();
  const deactivatedIds = new Set<string>();
  if (input.people) {
    const rejectPerson = (row: PersonRow, code: Rejection['code'], text: string) => {
      rejectedNumbers.add(row.employeeNumber);
      protectedNumbers.add(row.employeeNumber);
      noteLine(rejectedPersonLines, row.employeeNumber, row.line);
      reject({ file: 'people', line: row.line, code, text, field: 'employee_number' });
    };
    let rows = rejectDuplicates(
      input.people,
      (r) => r.employeeNumber,
      'people',
      'duplicate_employee_number',
      (r) => `Employee number ${r.employeeNumber}`,
      reject,
      'employee_number',
    );
    const keptPersonRows = new Set(rows);
    for (const r of input.people)
      if (!keptPersonRows.has(r)) {
        rejectedNumbers.add(r.employeeNumber);
        protectedNumbers.add(r.employeeNumber);
        noteLine(rejectedPersonLines, r.employeeNumber, r.line);
      }
    rows = rows.filter((row) => {
      const existing = peopleByNumber.get(row.employeeNumber);
      if (existing?.organisation === 'other') {
        rejectPerson(
          row,
          'other_organisation',
          `Employee number ${row.employeeNumber} belongs to a person of another organisation.`,
        );
        return false;
      }
      return true;
    });
    for (const r of rows) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      const existing = peopleByNumber.get(r.employeeNumber);
      const name = `${r.givenName} ${r.familyName}`;
      finalPeople.set(r.employeeNumber, { id: existing?.id ?? null, name });
      if (!existing) {
        const { line: _line, ...person } = r;
        ops.createPeople.push(person);
        summary.people.create++;
        changes.push({
          kind: 'person',
          action: 'create',
          key: r.employeeNumber,
          label: name,
          fields: diff([
            ['givenName', null, r.givenName],
            ['familyName', null, r.familyName],
            ['email', null, r.email],
            ['language', null, r.language],
          ]),
        });
        continue;
      }
      const fields = diff([
        ['givenName', existing.givenName, r.givenName],
        ['familyName', existing.familyName, r.familyName],
        ['email', existing.email, r.email],
        ['language', existing.language, r.language],
        ['active', existing.active ? 'yes' : 'no', 'yes'],
      ]);
      if (!fields.length) {
        summary.people.unchanged++;
        continue;
      }
      ops.updatePeople.push({
        id: existing.id,
        givenName: r.givenName,
        familyName: r.familyName,
        email: r.email,
        language: r.language,
        reactivate: !existing.active,
      });
      summary.people.change++;
      changes.push({
        kind: 'person',
        action: 'change',
        key: r.employeeNumber,
        label: name,
        fields,
      });
    }
    for (const p of snapshot.people) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      if (p.organisation !== 'this' || !p.active || finalPeople.has(p.employeeNumber)) continue;
      if (protectedNumbers.has(p.employeeNumber) || opts.keepPersonIds?.has(p.id)) {
        finalPeople.set(p.employeeNumber, { id: p.id, name: `${p.givenName} ${p.familyName}` });
        continue;
      }
      ops.deactivatePeople.push(p.id);
      deactivatedIds.add(p.id);
      summary.people.deactivate++;
      changes.push({
        kind: 'person',
        action: 'deactivate',
        key: p.employeeNumber,
        label: `${p.givenName} ${p.familyName}`,
      });
    }
  } else {
    for (const p of snapshot.people)
      if (p.active && p.organisation !== 'other')
        finalPeople.set(p.employeeNumber, { id: p.id, name: `${p.givenName} ${p.familyName}` });
  }

  yield;
  // ---- Memberships ----
  const handled = new Set<string>();
  const unitName = (id: string) => unitsById.get(id)?.name ?? id;
  const personName = (id: string) => {
    const p = peopleById.get(id);
    return p ? `${p.givenName} ${p.familyName}` : id;
  };
  /** Why a membership ends, as a code a screen words: the `reason` field of the change. */
  const endMembership = (
    m: SnapshotMembership,
    leftOn: string,
    why: 'not_in_file' | 'person_deactivated' | 'unit_archived',
  ) => {
    handled.add(m.id);
    touched.add(m.unitId);
    if (leftOn <= m.joinedOn) ops.deleteMemberships.push(m.id);
    else ops.setLeftOn.push({ id: m.id, leftOn });
    summary.memberships.end++;
    const person = peopleById.get(m.personId);
    changes.push({
      kind: 'membership',
      action: 'end',
      key: person?.employeeNumber ?? m.personId,
      label: `${personName(m.personId)} → ${unitName(m.unitId)} (${m.kind})`,
      fields: [
        {
          field: 'end',
          from: lastDayOf(m.leftOn),
          to: leftOn <= m.joinedOn ? null : lastDayOf(leftOn),
        },
        { field: 'reason', from: null, to: why },
      ],
    });
  };
  const notEndedBy = (m: SnapshotMembership) => m.leftOn === null || m.leftOn > today;

  if (input.memberships) {
    const rejectMembership = (
      row: MembershipRow,
      code: Rejection['code'],
      text: string,
      field?: string,
      params?: Rejection['params'],
    ) => {
      protectedPairs.add(pair(row.employeeNumber, row.unitCode));
      reject({
        file: 'memberships',
        line: row.line,
        code,
        text,
        ...(params && { params }),
        ...(field && { field }),
      });
    };
    const rows = rejectDuplicates(
      input.memberships,
      (r) => [r.employeeNumber, r.unitCode, r.kind, r.joinedOn].join('\u0000'),
      'memberships',
      'duplicate_membership',
      (r) =>
        `The ${r.kind} membership of ${r.employeeNumber} in ${r.unitCode} from ${formatDutchDate(r.joinedOn)}`,
      reject,
    );
    const keptMembershipRows = new Set(rows);
    for (const r of input.memberships)
      if (!keptMembershipRows.has(r)) protectedPairs.add(pair(r.employeeNumber, r.unitCode));

    // Resolve person and unit of each row.
    type Resolved = MembershipRow & {
      personId: string | null;
      unitId: string | null;
      leftOn: string | null;
    };
    const resolved: Resolved[] = [];
    for (const row of rows) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      const person = finalPeople.get(row.employeeNumber);
      if (!person) {
        const known = peopleByNumber.get(row.employeeNumber);
        if (rejectedNumbers.has(row.employeeNumber) || protectedNumbers.has(row.employeeNumber)) {
          // The number is known: its person's row was rejected, so this row cannot be placed.
          const lines = (rejectedPersonLines.get(row.employeeNumber) ?? []).sort((a, b) => a - b);
          rejectMembership(
            row,
            'person_rejected',
            `The row of ${row.employeeNumber} in the people file was rejected${lines.length ? ` (line ${lines.join(', ')})` : ''}.`,
            'employee_number',
            lines.length ? { lines, inFile: 'people' } : undefined,
          );
        } else if (input.people)
          rejectMembership(
            row,
            'unknown_person',
            `Employee number ${row.employeeNumber} is not in the people file.`,
            'employee_number',
          );
        else if (known?.organisation === 'other')
          rejectMembership(
            row,
            'other_organisation',
            `Employee number ${row.employeeNumber} belongs to a person of another organisation.`,
            'employee_number',
          );
        else if (known && !known.active)
          rejectMembership(
            row,
            'inactive_person',
            `The person with employee number ${row.employeeNumber} is deactivated.`,
            'employee_number',
          );
        else
          rejectMembership(
            row,
            'unknown_person',
            `No person has employee number ${row.employeeNumber}.`,
            'employee_number',
          );
        continue;
      }
      const unit = finalUnits.get(row.unitCode);
      if (!unit) {
        const existing = unitsByCode.get(row.unitCode);
        if (rejectedUnitCodes.has(row.unitCode) || rejectedUnitLines.has(row.unitCode)) {
          const lines = (rejectedUnitLines.get(row.unitCode) ?? []).sort((a, b) => a - b);
          rejectMembership(
            row,
            'unit_rejected',
            `The row of unit ${row.unitCode} in the units file was rejected${lines.length ? ` (line ${lines.join(', ')})` : ''}.`,
            'unit_code',
            lines.length ? { lines, inFile: 'units' } : undefined,
          );
        } else if (snapshot.foreignUnitCodes.has(row.unitCode))
          rejectMembership(
            row,
            'other_organisation',
            `Unit ${row.unitCode} belongs to another organisation.`,
            'unit_code',
          );
        else if (existing?.archived && !input.units)
          rejectMembership(row, 'archived_unit', `Unit ${row.unitCode} is archived.`, 'unit_code');
        else if (row.kind === 'lead')
          rejectMembership(
            row,
            'lead_of_unknown_team',
            `Lead of ${row.unitCode}, but there is no unit ${row.unitCode}${input.units ? ' in the units file' : ''}.`,
            'unit_code',
          );
        else
          rejectMembership(
            row,
            'unknown_team',
            `There is no unit ${row.unitCode}${input.units ? ' in the units file' : ''}.`,
            'unit_code',
          );
        continue;
      }
      resolved.push({
        ...row,
        personId: person.id,
        unitId: unit.id,
        leftOn: row.lastDay ? nextDay(row.lastDay) : null,
      });
    }

    // Match rows to the roster by person, unit, role and start.
    const mKey = (personId: string, unitId: string, kind: string, joinedOn: string) =>
      `${personId}\u0000${unitId}\u0000${kind}\u0000${joinedOn}`;
    const existingByKey = new Map<string, SnapshotMembership>();
    for (const m of snapshot.memberships) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      if (deactivatedIds.has(m.personId) || archivedUnitIds.has(m.unitId)) continue;
      existingByKey.set(mKey(m.personId, m.unitId, m.kind, m.joinedOn), m);
    }
    const matched = new Map<Resolved, SnapshotMembership>();
    for (const r of resolved) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      if (!r.personId || !r.unitId) continue;
      const m = existingByKey.get(mKey(r.personId, r.unitId, r.kind, r.joinedOn));
      if (m) matched.set(r, m);
    }
    const matchedIds = new Set([...matched.values()].map((m) => m.id));

    // Memberships the file does not hold and that stay as they are: history, and protected ones.
    const staysByPersonUnit = new Map<string, SnapshotMembership[]>();
    const pu = (personId: string, unitId: string) => `${personId}\u0000${unitId}`;
    const byNumberUnit = (m: SnapshotMembership) =>
      pair(peopleById.get(m.personId)?.employeeNumber ?? '', unitsById.get(m.unitId)?.code ?? '');
    for (const m of snapshot.memberships) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      if (matchedIds.has(m.id)) continue;
      if (notEndedBy(m) && !protectedPairs.has(byNumberUnit(m))) continue;
      const k = pu(m.personId, m.unitId);
      const list = staysByPersonUnit.get(k);
      if (list) list.push(m);
      else staysByPersonUnit.set(k, [m]);
    }

    // Overlaps between rows of one person in one unit, and with memberships that stay.
    const fileByPersonUnit = new Map<string, Resolved[]>();
    const valid: Resolved[] = [];
    for (const r of resolved) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      const k =
        r.personId && r.unitId
          ? pu(r.personId, r.unitId)
          : `new\u0000${r.employeeNumber}\u0000${r.unitCode}`;
      const earlier = fileByPersonUnit.get(k) ?? [];
      const period = { joinedOn: r.joinedOn, leftOn: r.leftOn };
      const clash = earlier.find((o) => periodsOverlap(o, period));
      if (clash) {
        rejectMembership(
          r,
          'membership_overlap',
          `Overlaps the membership of ${r.employeeNumber} in ${r.unitCode} on line ${clash.line}.`,
          'start',
          { lines: [clash.line] },
        );
        continue;
      }
      const stays =
        r.personId && r.unitId && !matched.has(r) ? staysByPersonUnit.get(k) : undefined;
      const old = stays?.find((m) => periodsOverlap(m, period));
      if (old) {
        rejectMembership(
          r,
          'membership_overlap',
          `Overlaps the earlier membership of ${r.employeeNumber} in ${r.unitCode} from ${formatDutchDate(old.joinedOn)}${old.leftOn ? ` to ${lastDayOf(old.leftOn)}` : ''}.`,
          'start',
        );
        continue;
      }
      earlier.push(r);
      fileByPersonUnit.set(k, earlier);
      valid.push(r);
    }

    // Adds and end-date changes.
    const startsByNumber = new Map<string, string[]>();
    for (const r of valid) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      if (r.leftOn !== null && r.leftOn <= today) continue;
      const list = startsByNumber.get(r.employeeNumber);
      if (list) list.push(r.joinedOn);
      else startsByNumber.set(r.employeeNumber, [r.joinedOn]);
    }
    const validMatchedIds = new Set<string>();
    const addedTo = new Map<string, string[]>();
    for (const r of valid) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      const person = finalPeople.get(r.employeeNumber)!;
      const unit = finalUnits.get(r.unitCode)!;
      const label = `${person.name} → ${unit.name} (${r.kind})`;
      const m = matched.get(r);
      if (m) {
        validMatchedIds.add(m.id);
        handled.add(m.id);
        if (m.leftOn === r.leftOn) {
          summary.memberships.unchanged++;
          continue;
        }
        ops.setLeftOn.push({ id: m.id, leftOn: r.leftOn });
        touched.add(m.unitId);
        summary.memberships.change++;
        changes.push({
          kind: 'membership',
          action: 'change',
          key: r.employeeNumber,
          label,
          fields: [{ field: 'end', from: lastDayOf(m.leftOn), to: lastDayOf(r.leftOn) }],
        });
        continue;
      }
      ops.addMemberships.push({
        employeeNumber: r.employeeNumber,
        unitCode: r.unitCode,
        kind: r.kind,
        joinedOn: r.joinedOn,
        leftOn: r.leftOn,
      });
      if (r.unitId) touched.add(r.unitId);
      summary.memberships.add++;
      const list = addedTo.get(r.employeeNumber);
      if (list) list.push(unit.name);
      else addedTo.set(r.employeeNumber, [unit.name]);
      changes.push({
        kind: 'membership',
        action: 'add',
        key: r.employeeNumber,
        label,
        fields: diff([
          ['start', null, formatDutchDate(r.joinedOn)],
          ['end', null, r.lastDay ? formatDutchDate(r.lastDay) : null],
        ]),
      });
    }

    // End what the file no longer holds: on the day the person's next membership in the file
    // starts (a move between teams), else today.
    const movedFrom = new Map<string, string[]>();
    for (const m of snapshot.memberships) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      if (validMatchedIds.has(m.id) || handled.has(m.id) || !notEndedBy(m)) continue;
      if (deactivatedIds.has(m.personId) || archivedUnitIds.has(m.unitId)) continue;
      const person = peopleById.get(m.personId);
      // Another organisation's person keeps what they hold here: no import of this one moves them.
      if (!person || person.organisation === 'other') continue;
      if (protectedPairs.has(byNumberUnit(m)) || opts.keepPersonIds?.has(m.personId)) continue;
      const next = (startsByNumber.get(person.employeeNumber) ?? [])
        .filter((d) => d > m.joinedOn)
        .sort()[0];
      const leftOn = next ?? today;
      if (m.leftOn === leftOn) {
        handled.add(m.id);
        continue;
      }
      endMembership(m, leftOn, 'not_in_file');
      if (addedTo.has(person.employeeNumber)) {
        const list = movedFrom.get(person.employeeNumber);
        if (list) list.push(unitName(m.unitId));
        else movedFrom.set(person.employeeNumber, [unitName(m.unitId)]);
      }
    }
    for (const [number, from] of movedFrom) {
      if (++tick % ROWS_PER_STEP === 0) yield;
      const person = finalPeople.get(number);
      changes.push({
        kind: 'person',
        action: 'move',
        key: number,
        label: person?.name ?? number,
        fields: [{ field: 'unit', from: from.join(', '), to: addedTo.get(number)!.join(', ') }],
      });
    }
  }

  // Deactivated people and archived units leave their memberships, as the screens do.
  for (const m of snapshot.memberships) {
    if (++tick % ROWS_PER_STEP === 0) yield;
    if (handled.has(m.id) || !notEndedBy(m)) continue;
    if (deactivatedIds.has(m.personId)) endMembership(m, today, 'person_deactivated');
    else if (archivedUnitIds.has(m.unitId)) endMembership(m, today, 'unit_archived');
  }

  rejected.sort((a, b) => FILE_ORDER[a.file] - FILE_ORDER[b.file] || a.line - b.line);
  ops.touchedUnitIds = [...touched];
  return { rejected, changes, summary, ops };
}
