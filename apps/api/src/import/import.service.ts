import { randomUUID } from 'node:crypto';
import {
  IMPORT_FILE_KINDS,
  IMPORT_REJECTED_LISTED,
  type ImportChange,
  type ImportChangeKind,
  type ImportFileKind,
  type ImportRejectionCode,
  type ImportRejectionParams,
  type ImportRun,
  type ImportRunState,
  type ImportRunSummary,
  type ImportSummary,
  type Language,
} from '@teamspiegel/contracts';
import { planImportSteps, type ImportInput, type ImportPlan } from '@teamspiegel/core';
import type { Db, ImportRunRow } from '@teamspiegel/db';
import { sql } from 'kysely';
import { recordAudit } from '../audit/audit.repository.ts';
import { dateOf } from '../clock.ts';
import { csvDocument } from '../csv.ts';
import { conflict, notFound } from '../errors.ts';
import { frozenUnitIds, proposeRosterChange } from '../roster/freeze.ts';
import { applyPlan, stepped, turn } from './import.apply.ts';
import { cellsOf, type ReadFile, type ReadRejection } from './import.read.ts';
import { reasonText, rejectedColumns } from './import.reasons.ts';
import { loadSnapshot, rosterHashSteps } from './import.snapshot.ts';

/** What a run keeps until it is decided: the valid rows and the keys of the rejected ones. */
interface StoredInput {
  input: ImportInput;
  readRejections: ReadRejection[];
}

/** A file as the run keeps it: with its hash and its header as written (older runs lack it). */
type StoredFile = ImportRun['files'][number] & { sha256: string; header?: string[] };

/**
 * The stored rows as JSON lines: a first line with the sections and their lengths, then one row
 * per line. Written and read a slice at a time (a single JSON text of 65,000 people takes a few
 * hundred ms to write or read, holding every other request meanwhile).
 */
const SECTIONS = ['units', 'people', 'memberships', 'readRejections'] as const;

function* encodeInputSteps(stored: StoredInput): Generator<void, string, void> {
  const sections = {
    units: stored.input.units,
    people: stored.input.people,
    memberships: stored.input.memberships,
    readRejections: stored.readRejections,
  };
  const head: Record<string, number | null> = {};
  for (const s of SECTIONS) head[s] = sections[s]?.length ?? null;
  const parts = [JSON.stringify(head)];
  for (const s of SECTIONS)
    for (const row of sections[s] ?? []) {
      parts.push(JSON.stringify(row));
      if (parts.length % 2000 === 0) yield;
    }
  return parts.join('\n');
}

function* decodeInputSteps(text: string): Generator<void, StoredInput, void> {
  // Line by line from the text itself: splitting it first would hold a second copy of every
  // row (137,000 strings) beside the rows parsed from them.
  let from = 0;
  const nextLine = () => {
    const end = text.indexOf('\n', from);
    const line = text.slice(from, end === -1 ? text.length : end);
    from = end === -1 ? text.length : end + 1;
    return line;
  };
  const head = JSON.parse(nextLine()) as Record<(typeof SECTIONS)[number], number | null>;
  const out: Record<string, unknown[] | undefined> = {};
  let at = 1;
  for (const s of SECTIONS) {
    const n = head[s];
    if (n === null) continue;
    const rows: unknown[] = [];
    for (let i = 0; i < n; i++) {
      rows.push(JSON.parse(nextLine()));
      if (++at % 2000 === 0) yield;
    }
    out[s] = rows;
  }
  return {
    input: {
      ...(out.units && { units: out.units as ImportInput['units'] }),
      ...(out.people && { people: out.people as ImportInput['people'] }),
      ...(out.memberships && { memberships: out.memberships as ImportInput['memberships'] }),
    },
    readRejections: (out.readRejections ?? []) as ReadRejection[],
  };
}

const decodeInput = (text: string) => stepped(decodeInputSteps(text));

/** Plans the stored rows against the roster as it is now, with turns for the event loop between steps. */
async function planFor(db: Db, rootId: string, stored: StoredInput, today: string, keep: string) {
  const snapshot = await loadSnapshot(db, rootId);
  await turn();
  // In steps with turns between: a plan of 65,000 people would otherwise hold every other
  // request for the better part of a second.
  const plan = await stepped(
    planImportSteps({
      snapshot,
      input: stored.input,
      today,
      readRejections: stored.readRejections,
      keepPersonIds: new Set([keep]),
    }),
  );
  await turn();
  const hash = await stepped(rosterHashSteps(snapshot));
  return { snapshot, plan, hash };
}

async function touchesFrozen(db: Db, plan: ImportPlan, today: string): Promise<string[]> {
  const frozen = await frozenUnitIds(db, today);
  return plan.ops.touchedUnitIds.filter((id) => frozen.has(id));
}

function auditSummary(files: StoredFile[], summary: ImportSummary, rejected: number) {
  return {
    files: files.map((f) => `${f.kind}:${f.name}`).join(', '),
    hashes: files.map((f) => `${f.kind}:${f.sha256}`).join(', '),
    rejected,
    units: `create ${summary.units.create}, change ${summary.units.change}, move ${summary.units.move}, archive ${summary.units.archive}`,
    people: `create ${summary.people.create}, change ${summary.people.change}, deactivate ${summary.people.deactivate}`,
    memberships: `add ${summary.memberships.add}, change ${summary.memberships.change}, end ${summary.memberships.end}`,
  };
}

/**
 * What each rejection means, without the values of the row: the text a rejected row keeps once
 * its run is decided (the values it quoted, such as an e-mail address, are row contents).
 */
const REJECTION_TEXT: Record<ImportRejectionCode, string> = {
  missing_field: 'A required cell is empty.',
  unknown_kind: 'Unknown unit kind.',
  unknown_role: 'Unknown role.',
  unknown_language: 'Unknown language.',
  invalid_email: 'Not an e-mail address.',
  invalid_code: 'Not a valid unit code or employee number.',
  invalid_date: 'Not a date.',
  end_before_start: 'The end date lies before the start date.',
  formula_cell: 'A cell starts like a spreadsheet formula.',
  duplicate_unit_code: 'The unit code occurs on more than one line.',
  duplicate_employee_number: 'The employee number occurs on more than one line.',
  duplicate_membership: 'The membership occurs on more than one line.',
  unknown_parent: 'The parent unit is not in the file or was rejected.',
  kind_not_allowed: "The kind may not sit under its parent's kind.",
  unit_cycle: 'The unit is its own ancestor.',
  second_root: 'A unit without parent that is not the root.',
  root_mismatch: "The row differs from the organisation's root.",
  unknown_team: 'The unit does not exist.',
  unknown_person: 'The person is not in the people file or was rejected.',
  lead_of_unknown_team: 'Lead of a unit that does not exist.',
  membership_overlap: 'Overlaps another membership of the person in the unit.',
  too_long: 'A value is too long.',
  other_organisation: 'Belongs to another organisation.',
  inactive_person: 'The person is deactivated.',
  archived_unit: 'The unit is archived.',
  person_rejected: "The person's row in the people file was rejected.",
  unit_rejected: "The unit's row in the units file was rejected.",
};

/**
 * What the `cells` column of a rejected row holds: the row's cells, with the reason's value-free
 * params beside them when it has any (a bare array in runs stored before params existed).
 */
type StoredCells = string[] | { cells: string[]; params: ImportRejectionParams };

function storedCells(json: string | null): { cells: string[]; params?: ImportRejectionParams } {
  if (json === null) return { cells: [] };
  const value = JSON.parse(json) as StoredCells;
  return Array.isArray(value) ? { cells: value } : value;
}

/**
 * Clears what a decided run no longer needs: its rows, planned changes, the cells of rejected
 * rows and the values their reasons quoted.
 */
async function clearInput(trx: Db, runId: string): Promise<void> {
  await trx.updateTable('import_run').set({ input: null }).where('id', '=', runId).execute();
  // A few thousand at a time with a turn between: one DELETE of 137,000 planned changes holds
  // the event loop for about half a second.
  const last = await trx
    .selectFrom('import_change')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('run_id', '=', runId)
    .executeTakeFirst();
  const top = last?.seq === null || last?.seq === undefined ? -1 : Number(last.seq);
  for (let from = 0; from <= top; from += 5000) {
    await trx
      .deleteFrom('import_change')
      .where('run_id', '=', runId)
      .where('seq', '>=', from)
      .where('seq', '<', from + 5000)
      .execute();
    await turn();
  }
  const codes = await trx
    .selectFrom('import_rejected')
    .select('code')
    .distinct()
    .where('run_id', '=', runId)
    .execute();
  for (const { code } of codes) {
    await trx
      .updateTable('import_rejected')
      .set({ cells: null, text: REJECTION_TEXT[code as ImportRejectionCode] ?? code })
      .where('run_id', '=', runId)
      .where('code', '=', code)
      .execute();
  }
}

/**
 * A dry run: plans the files against the roster and stores the run with its report; nothing in
 * the roster changes. Earlier dry runs of the organisation are discarded (their rows cleared).
 */
export async function createDryRun(
  db: Db,
  ctx: { rootId: string; actorId: string; now: Date; today: string },
  files: ReadFile[],
): Promise<string> {
  const input: ImportInput = {};
  const readRejections: ReadRejection[] = [];
  for (const f of files) {
    if (f.units) input.units = f.units;
    if (f.people) input.people = f.people;
    if (f.memberships) input.memberships = f.memberships;
    readRejections.push(...f.readRejections);
  }
  const stored: StoredInput = { input, readRejections };
  const encoded = await stepped(encodeInputSteps(stored));
  const { snapshot, plan, hash } = await planFor(db, ctx.rootId, stored, ctx.today, ctx.actorId);
  await turn();
  const frozen = await touchesFrozen(db, plan, ctx.today);
  const id = randomUUID();
  const metas: StoredFile[] = IMPORT_FILE_KINDS.flatMap((k) =>
    files.filter((f) => f.meta.kind === k).map((f) => ({ ...f.meta, header: f.header })),
  );
  const byKind = new Map<ImportFileKind, ReadFile>(files.map((f) => [f.meta.kind, f]));
  await db.transaction().execute(async (trx) => {
    const previous = await trx
      .selectFrom('import_run')
      .select('id')
      .where('organisation_id', '=', ctx.rootId)
      .where('state', '=', 'dry_run')
      .execute();
    for (const p of previous) {
      await trx
        .updateTable('import_run')
        .set({ state: 'discarded' })
        .where('id', '=', p.id)
        .execute();
      await clearInput(trx, p.id);
      await recordAudit(trx, ctx.now, {
        actorId: ctx.actorId,
        scopePath: snapshot.rootPath,
        action: 'import.discarded',
        targetType: 'import_run',
        targetId: p.id,
        details: { supersededBy: id },
      });
    }
    await trx
      .insertInto('import_run')
      .values({
        id,
        organisation_id: ctx.rootId,
        state: 'dry_run',
        created_at: ctx.now.toISOString(),
        created_by: ctx.actorId,
        applied_at: null,
        files: JSON.stringify(metas),
        summary: JSON.stringify(plan.summary),
        rejected_total: plan.rejected.length,
        touches_frozen: frozen.length ? 1 : 0,
        roster_hash: hash,
        roster_change_id: null,
        input: encoded,
      })
      .execute();
    const rejectedRows = plan.rejected.map((r, seq) => ({
      run_id: id,
      seq,
      file: r.file,
      line: r.line,
      code: r.code,
      text: r.text.slice(0, 500),
      // A rejection of the plan names its field: the column is named as the file's header does.
      column_name:
        (
          r.column ?? (r.field ? (byKind.get(r.file)?.columnNames[r.field] ?? r.field) : null)
        )?.slice(0, 100) ?? null,
      cells: JSON.stringify(
        r.params
          ? ({ cells: cellsOf(byKind.get(r.file), r.line), params: r.params } satisfies StoredCells)
          : cellsOf(byKind.get(r.file), r.line),
      ),
    }));
    for (let i = 0; i < rejectedRows.length; i += 500) {
      await trx
        .insertInto('import_rejected')
        .values(rejectedRows.slice(i, i + 500))
        .execute();
      await turn();
    }
    // Made a batch at a time: 137,000 rows with their fields as JSON at once hold the loop.
    for (let i = 0; i < plan.changes.length; i += 500) {
      await trx
        .insertInto('import_change')
        .values(
          plan.changes.slice(i, i + 500).map((c, n) => ({
            run_id: id,
            seq: i + n,
            kind: c.kind,
            action: c.action,
            key: c.key.slice(0, 100),
            label: c.label.slice(0, 400),
            fields: c.fields ? JSON.stringify(c.fields) : null,
          })),
        )
        .execute();
      await turn();
    }
    await recordAudit(trx, ctx.now, {
      actorId: ctx.actorId,
      scopePath: snapshot.rootPath,
      action: 'import.dry_run',
      targetType: 'import_run',
      targetId: id,
      details: auditSummary(metas, plan.summary, plan.rejected.length),
    });
  });
  return id;
}

/** A run with who created it and, read from its audit line, who applied it. */
type RunRow = ImportRunRow & {
  creator: string;
  applier_id: string | null;
  applier: string | null;
};

const runsQuery = (db: Db) =>
  db
    .selectFrom('import_run')
    .innerJoin('person', 'person.id', 'import_run.created_by')
    .leftJoin('audit_event', (join) =>
      join
        .onRef('audit_event.target_id', '=', 'import_run.id')
        .on('audit_event.action', '=', 'import.applied'),
    )
    .leftJoin('person as applier', 'applier.id', 'audit_event.actor_person_id')
    .selectAll('import_run')
    .select(sql<string>`person.given_name || ' ' || person.family_name`.as('creator'))
    .select('applier.id as applier_id')
    .select(sql<string | null>`applier.given_name || ' ' || applier.family_name`.as('applier'));

/** The run, if it belongs to one of the organisations (root unit ids) the caller may import into. */
export async function findRun(db: Db, rootIds: readonly string[], id: string): Promise<RunRow> {
  if (!rootIds.length) throw notFound('This import');
  const run = await runsQuery(db)
    .where('import_run.id', '=', id)
    .where('organisation_id', 'in', rootIds)
    .executeTakeFirst();
  if (!run) throw notFound('This import');
  // A run handed to four-eyes approval follows its roster change once that was decided.
  if (run.state === 'pending_approval' && run.roster_change_id && !db.isTransaction) {
    const change = await db
      .selectFrom('roster_change')
      .select('state')
      .where('id', '=', run.roster_change_id)
      .executeTakeFirst();
    if (change && ['rejected', 'withdrawn', 'failed'].includes(change.state)) {
      // Rejected or withdrawn by the administrators; failed when it could no longer be applied.
      const state = change.state === 'failed' ? 'failed' : 'rejected';
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('import_run').set({ state }).where('id', '=', id).execute();
        await clearInput(trx, id);
      });
      return { ...run, state, input: null };
    }
  }
  return run;
}

function publicFiles(files: string): ImportRun['files'] {
  return (JSON.parse(files) as StoredFile[]).map(({ sha256: _sha, header: _header, ...f }) => f);
}

const appliedBy = (run: RunRow) =>
  run.applier_id && run.applier ? { appliedBy: { id: run.applier_id, name: run.applier } } : {};

const withParams = (params: ImportRejectionParams | undefined) => (params ? { params } : {});

export async function runDto(db: Db, run: RunRow): Promise<ImportRun> {
  const rows = await db
    .selectFrom('import_rejected')
    .select(['file', 'line', 'code', 'text', 'column_name', 'cells'])
    .where('run_id', '=', run.id)
    .orderBy('seq')
    .limit(IMPORT_REJECTED_LISTED)
    .execute();
  const perFile = await db
    .selectFrom('import_rejected')
    .select(['file', (eb) => eb.fn.countAll<number>().as('n')])
    .where('run_id', '=', run.id)
    .groupBy('file')
    .execute();
  return {
    id: run.id,
    state: run.state as ImportRunState,
    createdAt: run.created_at,
    createdBy: { id: run.created_by, name: run.creator },
    ...(run.applied_at && { appliedAt: run.applied_at }),
    ...appliedBy(run),
    files: publicFiles(run.files),
    summary: JSON.parse(run.summary) as ImportSummary,
    rejected: {
      total: run.rejected_total,
      perFile: Object.fromEntries(
        IMPORT_FILE_KINDS.map((k) => [k, Number(perFile.find((p) => p.file === k)?.n ?? 0)]),
      ) as Record<ImportFileKind, number>,
      rows: rows.map((r) => ({
        file: r.file as ImportFileKind,
        line: r.line,
        reason: {
          code: r.code as ImportRun['rejected']['rows'][number]['reason']['code'],
          text: r.text,
          ...withParams(storedCells(r.cells).params),
        },
        ...(r.column_name && { column: r.column_name }),
      })),
    },
    touchesFrozen: run.touches_frozen === 1,
    ...(run.roster_change_id && { rosterChangeId: run.roster_change_id }),
  };
}

export async function listRuns(db: Db, rootIds: readonly string[], page: number, pageSize: number) {
  const [rows, total] = await Promise.all([
    runsQuery(db)
      .where('organisation_id', 'in', rootIds)
      .orderBy('created_at', 'desc')
      .orderBy('import_run.id')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    db
      .selectFrom('import_run')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organisation_id', 'in', rootIds)
      .executeTakeFirstOrThrow(),
  ]);
  const items: ImportRunSummary[] = rows.map((r) => ({
    id: r.id,
    state: r.state as ImportRunState,
    createdAt: r.created_at,
    createdBy: { id: r.created_by, name: r.creator },
    ...(r.applied_at && { appliedAt: r.applied_at }),
    ...appliedBy(r),
    files: publicFiles(r.files).map((f) => ({ kind: f.kind, name: f.name })),
    summary: JSON.parse(r.summary) as ImportSummary,
    rejectedTotal: r.rejected_total,
  }));
  return { items, total: Number(total.n), page, pageSize };
}

export async function listChanges(
  db: Db,
  runId: string,
  kind: ImportChangeKind | undefined,
  page: number,
  pageSize: number,
) {
  let q = db.selectFrom('import_change').where('run_id', '=', runId);
  if (kind) q = q.where('kind', '=', kind);
  const [rows, total] = await Promise.all([
    q
      .select(['kind', 'action', 'key', 'label', 'fields'])
      .orderBy('seq')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const items: ImportChange[] = rows.map((r) => ({
    kind: r.kind as ImportChange['kind'],
    action: r.action as ImportChange['action'],
    key: r.key,
    label: r.label,
    ...(r.fields && { fields: JSON.parse(r.fields) as ImportChange['fields'] }),
  }));
  return { items, total: Number(total.n), page, pageSize };
}

/** The file a rejected-rows download is of when none is named: the first with any. */
export async function firstRejectedFile(db: Db, runId: string): Promise<ImportFileKind | null> {
  const row = await db
    .selectFrom('import_rejected')
    .select('file')
    .where('run_id', '=', runId)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  return (row?.file as ImportFileKind | undefined) ?? null;
}

/**
 * The rejected rows of one file as CSV in that file's own shape, so HR can correct them and upload
 * them again: the file's header as written and each row's cells as read (formula-like ones
 * neutralised), then the line and the reason in the reader's language as the last two columns
 * (the import ignores columns it does not know). Once a run is decided its cells are cleared:
 * the rows keep only line and reason.
 */
export async function rejectedCsv(
  db: Db,
  run: Pick<ImportRunRow, 'id' | 'files'>,
  file: ImportFileKind,
  language: Language,
): Promise<{ text: string; rows: number }> {
  const rows = await db
    .selectFrom('import_rejected')
    .select(['line', 'code', 'column_name', 'cells'])
    .where('run_id', '=', run.id)
    .where('file', '=', file)
    .orderBy('seq')
    .execute();
  const stored = (JSON.parse(run.files) as StoredFile[]).find((f) => f.kind === file);
  const read = rows.map((r) => ({ ...r, ...storedCells(r.cells) }));
  const width = Math.max(stored?.header?.length ?? 0, ...read.map((r) => r.cells.length));
  const header = Array.from({ length: width }, (_, i) => stored?.header?.[i] ?? '');
  const names = rejectedColumns(language);
  const body = read.map((r) => [
    ...Array.from({ length: width }, (_, i) => r.cells[i] ?? ''),
    String(r.line),
    reasonText(language, r.code as ImportRejectionCode, r.params, r.column_name),
  ]);
  // The server's CSV format (BOM, ';', CRLF), every cell neutralised.
  return { text: csvDocument([...header, names.line, names.reason], body), rows: rows.length };
}

export type ApplyOutcome = { status: 200 | 202; runId: string };

/** How many audit lines were written from `since` on: any change to the roster adds one. */
async function auditMarker(db: Db, since: string): Promise<number> {
  const row = await db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Applies a dry run in one transaction, or hands it to four-eyes approval when it touches a
 * frozen roster. Refuses a run with rejected rows unless the valid part is accepted, and a run
 * planned against a roster that has changed since.
 */
export async function applyRun(
  db: Db,
  actx: { rootIds: readonly string[]; actorId: string; now: Date; today: string },
  runId: string,
  acceptValidPart: boolean,
): Promise<ApplyOutcome> {
  const applicable = async (conn: Db) => {
    const run = await findRun(conn, actx.rootIds, runId);
    if (run.state !== 'dry_run' || run.input === null)
      throw conflict(
        'import_state_conflict',
        `This import is ${run.state.replace('_', ' ')}; only a dry run can be applied.`,
      );
    if (run.rejected_total > 0 && !acceptValidPart)
      throw conflict(
        'import_has_rejections',
        `This import has ${run.rejected_total} rejected rows; apply it with acceptValidPart to import only the valid rows.`,
      );
    return run as typeof run & { input: string };
  };
  // Planned before the write transaction, with turns between steps: other requests read and
  // write meanwhile. Every change to the roster writes an audit line in its own transaction, so
  // an unchanged count of recent audit lines says the plan still holds; otherwise it is made
  // again inside the transaction.
  const since = new Date(actx.now.getTime() - 60_000).toISOString();
  const first = await applicable(db);
  const marker = await auditMarker(db, since);
  const prepared = await planFor(
    db,
    first.organisation_id,
    await decodeInput(first.input),
    actx.today,
    first.created_by,
  );
  return db.transaction().execute(async (trx) => {
    const run = await applicable(trx);
    const ctx = { ...actx, rootId: run.organisation_id };
    const unchanged = run.input === first.input && (await auditMarker(trx, since)) === marker;
    const { snapshot, plan, hash } = unchanged
      ? prepared
      : await planFor(trx, ctx.rootId, await decodeInput(run.input), ctx.today, run.created_by);
    if (hash !== run.roster_hash)
      throw conflict(
        'import_stale',
        'The organisation changed since this dry run. Start a new dry run with the same files.',
      );
    const files = JSON.parse(run.files) as StoredFile[];
    const details = auditSummary(files, plan.summary, plan.rejected.length);
    const frozen = await touchesFrozen(trx, plan, ctx.today);
    if (frozen.length) {
      const changeId = await proposeRosterChange(trx, {
        organisationPath: snapshot.rootPath,
        kind: 'import',
        summary: `HR import (${files.map((f) => f.name).join(', ')}): units ${details.units}; people ${details.people}; memberships ${details.memberships}`,
        payload: { importId: run.id },
        unitIds: frozen,
        proposedBy: ctx.actorId,
        at: ctx.now,
      });
      await trx
        .updateTable('import_run')
        .set({ state: 'pending_approval', roster_change_id: changeId, touches_frozen: 1 })
        .where('id', '=', run.id)
        .execute();
      await recordAudit(trx, ctx.now, {
        actorId: ctx.actorId,
        scopePath: snapshot.rootPath,
        action: 'import.proposed',
        targetType: 'import_run',
        targetId: run.id,
        details: { ...details, rosterChangeId: changeId },
      });
      return { status: 202 as const, runId: run.id };
    }
    await applyAndRecord(trx, run.id, plan, {
      rootId: ctx.rootId,
      rootPath: snapshot.rootPath,
      now: ctx.now,
      actorId: ctx.actorId,
      details,
    });
    return { status: 200 as const, runId: run.id };
  });
}

/**
 * Applies an approved import (four eyes) in the approval's transaction: re-planned against the
 * roster as it is now, so what was approved never overwrites a change made meanwhile.
 */
export async function applyApproved(
  trx: Db,
  importId: string,
  ctx: { at: Date; approverId: string; rosterChangeId: string },
): Promise<void> {
  const run = await trx
    .selectFrom('import_run')
    .selectAll()
    .where('id', '=', importId)
    .executeTakeFirst();
  if (!run || run.state !== 'pending_approval' || run.input === null)
    throw conflict('import_state_conflict', 'This import is no longer waiting for approval.');
  const stored = await decodeInput(run.input);
  // The clock's date, as every other check of the day uses (the freeze, the routes).
  const today = dateOf(ctx.at);
  const { snapshot, plan } = await planFor(trx, run.organisation_id, stored, today, run.created_by);
  const files = JSON.parse(run.files) as StoredFile[];
  await applyAndRecord(trx, run.id, plan, {
    rootId: run.organisation_id,
    rootPath: snapshot.rootPath,
    now: ctx.at,
    actorId: ctx.approverId,
    details: {
      ...auditSummary(files, plan.summary, plan.rejected.length),
      rosterChangeId: ctx.rosterChangeId,
    },
  });
}

/**
 * The end of every apply, direct or approved: the plan's writes, the run marked applied with
 * its final counts, its rows cleared (data minimisation) and the audit line, all in `trx`.
 */
async function applyAndRecord(
  trx: Db,
  runId: string,
  plan: Parameters<typeof applyPlan>[1],
  ctx: {
    rootId: string;
    rootPath: string;
    now: Date;
    actorId: string;
    details: Parameters<typeof recordAudit>[2]['details'];
  },
): Promise<void> {
  await applyPlan(trx, plan, { rootId: ctx.rootId, now: ctx.now });
  await trx
    .updateTable('import_run')
    .set({
      state: 'applied',
      applied_at: ctx.now.toISOString(),
      summary: JSON.stringify(plan.summary),
    })
    .where('id', '=', runId)
    .execute();
  await clearInput(trx, runId);
  await recordAudit(trx, ctx.now, {
    actorId: ctx.actorId,
    scopePath: ctx.rootPath,
    action: 'import.applied',
    targetType: 'import_run',
    targetId: runId,
    details: ctx.details,
  });
}

/**
 * The four-eyes hook for kind 'import' (apps/api/src/roster/roster.routes.ts calls it in the
 * decision's transaction): a change decided other than approved leaves its run rejected (failed
 * when it could no longer be applied) and clears the run's rows at once, rather than whenever
 * someone next opens the run.
 */
export async function importDecided(
  trx: Db,
  importId: string,
  decision: 'rejected' | 'withdrawn' | 'failed',
): Promise<void> {
  const state = decision === 'failed' ? 'failed' : 'rejected';
  const updated = await trx
    .updateTable('import_run')
    .set({ state })
    .where('id', '=', importId)
    .where('state', '=', 'pending_approval')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 1) await clearInput(trx, importId);
}
