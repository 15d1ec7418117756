import { randomUUID } from 'node:crypto';
import {
  actionsOfGroup,
  type AuditAction,
  type AuditEvent,
  type AuditExportQuery,
  type AuditQuery,
} from '@teamspiegel/contracts';
import { organisationOf } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import { sql } from 'kysely';
import { badRequest } from '../errors.ts';

export type AuditDetails = Record<string, string | number | boolean | null>;

export interface AuditEntry {
  actorId: string | null;
  /**
   * The path of a unit the event concerns (the unit changed, the person's team); it files the
   * event under that unit's organisation. Null when no organisation is known.
   */
  scopePath: string | null;
  action: AuditAction;
  targetType?: string;
  targetId?: string;
  details?: AuditDetails;
}

/** Where a logged-in person belongs, for filing their own events (login, logout, password). */
export function homePathOf(actor: {
  grants: readonly { role: string; unitPath: string }[];
}): string | null {
  const membership = actor.grants.find((g) => g.role === 'officer' || g.role === 'team_lead');
  return (membership ?? actor.grants[0])?.unitPath ?? null;
}

/**
 * Appends one event. Call it with the same transaction handle as the change it records, so
 * a change and its audit line commit together or not at all. Never pass answer data here.
 */
export async function recordAudit(db: Db, at: Date, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_event')
    .values({
      id: randomUUID(),
      at: at.toISOString(),
      actor_person_id: entry.actorId,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      organisation_path: entry.scopePath === null ? null : organisationOf(entry.scopePath),
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

/** An ISO instant the schema accepted but Date cannot hold (a leap second) is the client's error. */
function instant(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw badRequest('validation_failed', `Invalid request: ${value} is not a usable time.`);
  return new Date(ms).toISOString();
}

export type AuditFilterQuery = AuditExportQuery & {
  scope: readonly string[];
  /**
   * The organisations (root paths) whose people the reader reads as a whole: a target person's
   * name is shown only on a line filed under one of them (admins of the organisation).
   */
  namesPeople?: readonly string[];
};

/** `%` and `_` in a name typed into the filter are plain characters, not wildcards. */
const likeText = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The audit events a reader may see with the filters applied. A reader sees the events of the
 * organisations their audit scope lies in; events filed under no organisation (a failed login
 * with an unknown name) only a reader of every organisation.
 */
async function filteredAudit(db: Db, query: AuditFilterQuery) {
  const readable = [...new Set(query.scope.map(organisationOf))];
  const roots = await db.selectFrom('unit').select('path').where('parent_id', 'is', null).execute();
  const readsAll = roots.every((r) => readable.includes(r.path));
  // The target's name, one primary-key lookup per kind that has one (see targetLabel).
  let base = db
    .selectFrom('audit_event')
    .leftJoin('person', 'person.id', 'audit_event.actor_person_id')
    .leftJoin('unit as target_unit', (join) =>
      join
        .onRef('target_unit.id', '=', 'audit_event.target_id')
        .on('audit_event.target_type', 'in', ['unit', 'organisation']),
    )
    .leftJoin('programme as target_programme', (join) =>
      join
        .onRef('target_programme.id', '=', 'audit_event.target_id')
        .on('audit_event.target_type', '=', 'programme'),
    )
    .leftJoin('person as target_person', (join) =>
      join
        .onRef('target_person.id', '=', 'audit_event.target_id')
        .on('audit_event.target_type', '=', 'person')
        .on((eb) =>
          query.namesPeople?.length
            ? eb('audit_event.organisation_path', 'in', [...query.namesPeople])
            : sql<boolean>`1 = 0`,
        ),
    );
  if (!readsAll) {
    base = readable.length
      ? base.where('audit_event.organisation_path', 'in', readable)
      : base.where(sql<boolean>`1 = 0`);
  }
  if (query.action) base = base.where('audit_event.action', '=', query.action);
  if (query.group) base = base.where('audit_event.action', 'in', actionsOfGroup(query.group));
  if (query.actorId) base = base.where('audit_event.actor_person_id', '=', query.actorId);
  if (query.actorName) {
    const pattern = likeText(query.actorName.toLowerCase());
    base = base.where(
      sql<boolean>`lower(person.given_name || ' ' || coalesce(person.family_name, '')) like ${pattern} escape '\\'`,
    );
  }
  if (query.targetType) base = base.where('audit_event.target_type', '=', query.targetType);
  if (query.targetId) base = base.where('audit_event.target_id', '=', query.targetId);
  if (query.from) base = base.where('audit_event.at', '>=', instant(query.from));
  if (query.to) base = base.where('audit_event.at', '<', instant(query.to));
  return base;
}

const eventColumns = [
  'audit_event.id',
  'audit_event.at',
  'audit_event.actor_person_id',
  'audit_event.action',
  'audit_event.target_type',
  'audit_event.target_id',
  'audit_event.details',
  'person.given_name',
  'person.family_name',
  'target_unit.name as target_unit_name',
  'target_programme.name as target_programme_name',
  'target_person.given_name as target_given_name',
  'target_person.family_name as target_family_name',
] as const;

const fullName = (given: string | null, family: string | null) =>
  given ? `${given} ${family ?? ''}`.trim() : null;

function toEvent(r: {
  id: string;
  at: string;
  actor_person_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: string;
  given_name: string | null;
  family_name: string | null;
  target_unit_name: string | null;
  target_programme_name: string | null;
  target_given_name: string | null;
  target_family_name: string | null;
}): AuditEvent {
  return {
    id: r.id,
    at: r.at,
    actorId: r.actor_person_id,
    actorName: fullName(r.given_name, r.family_name),
    action: r.action as AuditAction,
    targetType: r.target_type,
    targetId: r.target_id,
    targetLabel:
      r.target_unit_name ??
      r.target_programme_name ??
      fullName(r.target_given_name, r.target_family_name),
    details: JSON.parse(r.details) as AuditEvent['details'],
  };
}

/** One page of the audit log, newest first, with the total under the filters. */
export async function listAudit(
  db: Db,
  query: AuditQuery & AuditFilterQuery & { page: number; pageSize: number },
): Promise<{ items: AuditEvent[]; total: number }> {
  const base = await filteredAudit(db, query);
  const [rows, count] = await Promise.all([
    base
      .select(eventColumns)
      .orderBy('audit_event.at', 'desc')
      .orderBy('audit_event.id')
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { total: Number(count.n), items: rows.map(toEvent) };
}

/**
 * Every event under the filters, newest first, in batches read one after another (keyset on
 * time and id), so a large log never sits in memory at once.
 */
export async function* auditBatches(
  db: Db,
  query: AuditFilterQuery,
  batchSize = 1000,
): AsyncGenerator<AuditEvent[]> {
  let after: { at: string; id: string } | null = null;
  for (;;) {
    let batch = (await filteredAudit(db, query)).select(eventColumns);
    if (after) {
      const { at, id } = after;
      batch = batch.where((eb) =>
        eb.or([
          eb('audit_event.at', '<', at),
          eb.and([eb('audit_event.at', '=', at), eb('audit_event.id', '>', id)]),
        ]),
      );
    }
    const rows = await batch
      .orderBy('audit_event.at', 'desc')
      .orderBy('audit_event.id')
      .limit(batchSize)
      .execute();
    if (rows.length === 0) return;
    yield rows.map(toEvent);
    if (rows.length < batchSize) return;
    const last = rows[rows.length - 1]!;
    after = { at: last.at, id: last.id };
  }
}
