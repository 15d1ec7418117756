import { randomUUID } from 'node:crypto';
import type {
  ApprovalBlock,
  RosterChange,
  RosterChangeKind,
  RosterChangeState,
} from '@teamspiegel/contracts';
import { FREEZE_WINDOW_MAXIMUM_DAYS, organisationOf } from '@teamspiegel/core';
import type { Db, RosterChangeRow } from '@teamspiegel/db';
import { sql } from 'kysely';
import { recordAudit } from '../audit/audit.repository.ts';
import { addDays } from '../collection/waves.repository.ts';
import { organisationIdOf, settingsFor } from '../settings/settings.repository.ts';
import { approvalBlockOf, relatedAmong, type Approver } from './four-eyes.ts';

/**
 * Roster freeze (anonymity.md 4.1, A11 and A12). From the freeze window before a wave opens
 * (the organisation's `roster.freezeWindowDays`, 14 days unless changed) and while it is
 * preparing (its roster snapshot and cell plan are taken then), open or closing, the
 * membership and structure of every unit in its programme's subtree are frozen: a change there
 * is proposed, and applied only once a second administrator approves it. Freezing only from
 * the opening day would leave the days before it to one administrator, to reshape a team just
 * before the snapshot. The snapshot itself (wave_eligibility, wave_cell) is never changed by
 * anything here.
 */
export const FREEZING_WAVE_STATES = ['preparing', 'open', 'closing'] as const;

/**
 * The root paths of the programmes with a wave in a freezing state, or a planned wave opening
 * within its organisation's freeze window counted from `today`. A handful of rows whatever the
 * size of the organisation: a unit is frozen when its path starts with one of them.
 */
export async function frozenRootPaths(db: Db, today: string): Promise<string[]> {
  const rows = await db
    .selectFrom('wave')
    .innerJoin('programme', 'programme.id', 'wave.programme_id')
    .innerJoin('unit', 'unit.id', 'programme.root_unit_id')
    .select(['unit.path', 'wave.state', 'wave.opens_on'])
    .where((eb) =>
      eb.or([
        eb('wave.state', 'in', FREEZING_WAVE_STATES),
        // Planned waves up to the longest window any organisation may set; each organisation's
        // own window is applied below.
        eb.and([
          eb('wave.state', '=', 'planned'),
          eb('wave.opens_on', '<=', addDays(today, FREEZE_WINDOW_MAXIMUM_DAYS)),
        ]),
      ]),
    )
    .execute();
  const windows = new Map<string, number>();
  const roots = new Set<string>();
  for (const row of rows) {
    if (row.state === 'planned') {
      const organisationId = organisationIdOf(row.path);
      if (!windows.has(organisationId)) {
        const settings = await settingsFor(db, organisationId);
        windows.set(organisationId, settings.roster.freezeWindowDays);
      }
      if (row.opens_on > addDays(today, windows.get(organisationId)!)) continue;
    }
    roots.add(row.path);
  }
  return [...roots];
}

/** Whether any of these unit paths lies in a subtree frozen on `today`. */
export async function isFrozen(
  db: Db,
  unitPaths: readonly string[],
  today: string,
): Promise<boolean> {
  if (!unitPaths.length) return false;
  const roots = await frozenRootPaths(db, today);
  return unitPaths.some((path) => roots.some((root) => path.startsWith(root)));
}

/** The ids of every unit frozen on `today` (at 4,000 units: one indexed range per programme). */
export async function frozenUnitIds(db: Db, today: string): Promise<ReadonlySet<string>> {
  const roots = await frozenRootPaths(db, today);
  if (!roots.length) return new Set();
  const rows = await db
    .selectFrom('unit')
    .select('id')
    .where((eb) => eb.or(roots.map((root) => eb('path', 'like', `${root}%`))))
    .execute();
  return new Set(rows.map((r) => r.id));
}

export interface RosterProposal {
  /** Any path inside the organisation; stored as the organisation's root path. */
  organisationPath: string;
  kind: RosterChangeKind;
  summary: string;
  payload: unknown;
  unitIds: readonly string[];
  proposedBy: string;
  at: Date;
}

/** Records a proposed change and its audit line (in the caller's transaction); returns its id. */
export async function proposeRosterChange(trx: Db, p: RosterProposal): Promise<string> {
  const id = randomUUID();
  const organisationPath = organisationOf(p.organisationPath);
  await trx
    .insertInto('roster_change')
    .values({
      id,
      organisation_path: organisationPath,
      kind: p.kind,
      summary: p.summary.slice(0, 500),
      payload: JSON.stringify(p.payload),
      unit_ids: JSON.stringify([...new Set(p.unitIds)]),
      state: 'pending',
      proposed_by: p.proposedBy,
      proposed_at: p.at.toISOString(),
      decided_by: null,
      decided_at: null,
      decision_note: null,
      failure: null,
    })
    .execute();
  await recordAudit(trx, p.at, {
    actorId: p.proposedBy,
    scopePath: organisationPath,
    action: 'roster_change.proposed',
    targetType: 'roster_change',
    targetId: id,
    details: auditDetailsOf(p.kind, p.payload, p.unitIds),
  });
  return id;
}

/** The ids a payload may name; an audit line carries these, never a name. */
const PAYLOAD_IDS = ['personId', 'membershipId', 'unitId', 'parentId', 'importId'] as const;

/**
 * What a roster change's audit lines say about it: its kind, the units it touches and the ids
 * its payload names. The works council reads and exports the audit log, which (like every other
 * event) holds ids only: the summary with names and employee numbers stays in the
 * roster_change row, shown to administrators.
 */
export function auditDetailsOf(
  kind: string,
  payload: unknown,
  unitIds: readonly string[],
): Record<string, string> {
  const named = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<
    string,
    unknown
  >;
  const details: Record<string, string> = { kind, unitIds: [...new Set(unitIds)].join(',') };
  for (const key of PAYLOAD_IDS) {
    const value = named[key];
    if (typeof value === 'string') details[key] = value;
  }
  return details;
}

/** The audit details of a stored change (see auditDetailsOf). */
export function auditDetailsOfRow(row: RosterChangeRow): Record<string, string> {
  return auditDetailsOf(
    row.kind,
    JSON.parse(row.payload) as unknown,
    JSON.parse(row.unit_ids) as string[],
  );
}

type ChangeRow = RosterChangeRow & { proposer: string | null; decider: string | null };
type Facts = Record<string, string>;

/** What a payload names, as the routes store it; every field optional, as an import's is its own. */
interface PayloadRefs {
  unitId?: string;
  parentId?: string;
  personId?: string;
  membershipId?: string;
  code?: string;
  name?: string;
  kind?: string;
  joinedOn?: string;
  leftOn?: string;
  days?: number;
  retention?: { resultsYears?: number; commentsMonths?: number };
}

/**
 * The facts of each change for the screen to word in the reader's language: names of the units
 * and people its payload names (as they are now), the role, kind and date. Empty for a kind
 * the screen words from the summary (an import).
 */
async function factsOf(db: Db, rows: readonly ChangeRow[]): Promise<Map<string, Facts>> {
  const refs = new Map(rows.map((r) => [r.id, JSON.parse(r.payload) as PayloadRefs]));
  const all = [...refs.values()];
  const membershipIds = all.flatMap((p) => (p.membershipId ? [p.membershipId] : []));
  const memberships = membershipIds.length
    ? await db
        .selectFrom('membership')
        .select(['id', 'person_id', 'unit_id', 'kind'])
        .where('id', 'in', membershipIds)
        .execute()
    : [];
  const byMembership = new Map(memberships.map((m) => [m.id, m]));
  const unitIds = [
    ...new Set([
      ...all.flatMap((p) => [p.unitId, p.parentId].filter((id): id is string => !!id)),
      ...memberships.map((m) => m.unit_id),
    ]),
  ];
  const personIds = [
    ...new Set([
      ...all.flatMap((p) => (p.personId ? [p.personId] : [])),
      ...memberships.map((m) => m.person_id),
    ]),
  ];
  const [units, people] = await Promise.all([
    unitIds.length
      ? db.selectFrom('unit').select(['id', 'name', 'code']).where('id', 'in', unitIds).execute()
      : [],
    personIds.length
      ? db
          .selectFrom('person')
          .select(['id', 'given_name', 'family_name', 'employee_number'])
          .where('id', 'in', personIds)
          .execute()
      : [],
  ]);
  const unit = new Map(units.map((u) => [u.id, u]));
  const person = new Map(
    people.map((p) => [p.id, `${p.given_name} ${p.family_name} (${p.employee_number})`]),
  );
  const facts = new Map<string, Facts>();
  for (const row of rows) {
    const p = refs.get(row.id)!;
    const f: Facts = {};
    const m = p.membershipId ? byMembership.get(p.membershipId) : undefined;
    const unitId = p.unitId ?? m?.unit_id;
    const personId = p.personId ?? m?.person_id;
    if (row.kind === 'unit_create') {
      Object.assign(f, { name: p.name ?? '', code: p.code ?? '', unitKind: p.kind ?? '' });
    } else if (unitId && unit.has(unitId)) {
      Object.assign(f, { unit: unit.get(unitId)!.name, code: unit.get(unitId)!.code });
    }
    if (p.parentId && unit.has(p.parentId)) f.parent = unit.get(p.parentId)!.name;
    if (personId && person.has(personId)) f.person = person.get(personId)!;
    if (row.kind === 'membership_add' && p.kind) f.role = p.kind;
    if (row.kind === 'membership_end' && m) f.role = m.kind;
    const date = p.joinedOn ?? p.leftOn;
    if (date) f.date = date;
    if (row.kind === 'freeze_window' && typeof p.days === 'number') f.days = String(p.days);
    if (row.kind === 'retention' && p.retention) {
      f.resultsYears = String(p.retention.resultsYears);
      f.commentsMonths = String(p.retention.commentsMonths);
    }
    facts.set(row.id, row.kind === 'import' ? {} : f);
  }
  return facts;
}

function toDto(r: ChangeRow, facts: Facts, approvalBlock: ApprovalBlock | null): RosterChange {
  return {
    id: r.id,
    kind: r.kind as RosterChangeKind,
    summary: r.summary,
    facts,
    state: r.state as RosterChangeState,
    unitIds: JSON.parse(r.unit_ids) as string[],
    proposedBy: r.proposed_by,
    proposedByName: r.proposer?.trim() ?? '',
    proposedAt: r.proposed_at,
    decidedBy: r.decided_by,
    decidedByName: r.decider?.trim() || null,
    decidedAt: r.decided_at,
    decisionNote: r.decision_note,
    failure: r.failure,
    canApprove: approvalBlock === null,
    approvalBlock,
  };
}

/**
 * Changes as the API shows them to `reader`, with the facts the screen words them from and
 * whether the reader may approve each (the screen offers approval only then, and says why not).
 */
export async function rosterChangeDtos(
  db: Db,
  rows: readonly ChangeRow[],
  reader: Approver,
  today: string,
): Promise<RosterChange[]> {
  const facts = await factsOf(db, rows);
  const pending = rows.filter((r) => r.state === 'pending');
  const related = await relatedAmong(
    db,
    reader.personId,
    pending.map((r) => r.proposed_by),
  );
  const blocks = await Promise.all(rows.map((r) => approvalBlockOf(db, r, reader, today, related)));
  return rows.map((r, i) => toDto(r, facts.get(r.id) ?? {}, blocks[i]!));
}

/** Changes with the names of their proposer and decider. */
export function rosterChangesQuery(db: Db) {
  return db
    .selectFrom('roster_change')
    .leftJoin('person as p', 'p.id', 'roster_change.proposed_by')
    .leftJoin('person as d', 'd.id', 'roster_change.decided_by')
    .selectAll('roster_change')
    .select([
      sql<string | null>`p.given_name || ' ' || p.family_name`.as('proposer'),
      sql<string | null>`d.given_name || ' ' || d.family_name`.as('decider'),
    ]);
}

export async function findRosterChange(
  db: Db,
  id: string,
  reader: Approver,
  today: string,
): Promise<RosterChange | undefined> {
  const row = await rosterChangesQuery(db).where('roster_change.id', '=', id).executeTakeFirst();
  return row && (await rosterChangeDtos(db, [row], reader, today))[0];
}

/** The audit actions of a change to a roster, made directly or through an approved change. */
const ROSTER_ACTIONS = [
  'unit.created',
  'unit.moved',
  'unit.archived',
  'membership.added',
  'membership.ended',
  'person.deactivated',
  'import.applied',
] as const;

export interface DirectRosterChanges {
  count: number;
  /** The date of the latest direct change, or null when there was none. */
  latestOn: string | null;
}

/**
 * The changes to the roster of the subtree at `rootPath` made directly (not through an
 * approved roster change, whose audit lines carry its `rosterChangeId`) from `since` on. The
 * freeze window is what makes a wave's roster one that a second administrator saw change: a
 * wave opened by hand before its day would skip it, so opening early needs a subtree nobody
 * reshaped alone within the window. An import reaches the whole organisation and always counts.
 */
export async function directRosterChangesSince(
  db: Db,
  rootPath: string,
  since: string,
): Promise<DirectRosterChanges> {
  const rows = await db
    .selectFrom('audit_event')
    .select(['at', 'action', 'target_id', 'details'])
    .where('organisation_path', '=', organisationOf(rootPath))
    .where('action', 'in', [...ROSTER_ACTIONS])
    .where('at', '>=', since)
    .execute();
  const direct = rows
    .map((row) => ({ ...row, facts: JSON.parse(row.details) as Record<string, unknown> }))
    .filter((row) => row.facts.rosterChangeId === undefined);
  if (!direct.length) return { count: 0, latestOn: null };
  const ids = (row: (typeof direct)[number], keys: readonly string[]) =>
    keys.map((k) => row.facts[k]).filter((v): v is string => typeof v === 'string');
  const membershipIds = direct
    .filter((r) => r.action.startsWith('membership.') && r.target_id)
    .map((r) => r.target_id!);
  const personIds = direct
    .filter((r) => r.action === 'person.deactivated' && r.target_id)
    .map((r) => r.target_id!);
  const [memberships, personUnits] = await Promise.all([
    membershipIds.length
      ? db
          .selectFrom('membership')
          .select(['id', 'unit_id'])
          .where('id', 'in', membershipIds)
          .execute()
      : [],
    personIds.length
      ? db
          .selectFrom('membership')
          .select(['person_id', 'unit_id'])
          .where('person_id', 'in', personIds)
          .execute()
      : [],
  ]);
  const unitOfMembership = new Map(memberships.map((m) => [m.id, m.unit_id]));
  const unitsOf = (row: (typeof direct)[number]): string[] => {
    if (row.action.startsWith('unit.')) {
      return [
        ...(row.target_id ? [row.target_id] : []),
        ...ids(row, ['parentId', 'fromParentId', 'toParentId']),
      ];
    }
    if (row.action.startsWith('membership.')) {
      const unit = row.target_id ? unitOfMembership.get(row.target_id) : undefined;
      return [...(unit ? [unit] : []), ...ids(row, ['unitId'])];
    }
    if (row.action === 'person.deactivated') {
      return personUnits.filter((m) => m.person_id === row.target_id).map((m) => m.unit_id);
    }
    return [];
  };
  const allUnitIds = [...new Set(direct.flatMap(unitsOf))];
  const inside = new Set(
    allUnitIds.length
      ? (await db.selectFrom('unit').select(['id', 'path']).where('id', 'in', allUnitIds).execute())
          .filter((u) => u.path.startsWith(rootPath))
          .map((u) => u.id)
      : [],
  );
  const counted = direct.filter(
    (row) => row.action === 'import.applied' || unitsOf(row).some((id) => inside.has(id)),
  );
  if (!counted.length) return { count: 0, latestOn: null };
  const latestOn = counted.map((r) => r.at.slice(0, 10)).sort((a, b) => b.localeCompare(a))[0]!;
  return { count: counted.length, latestOn };
}
