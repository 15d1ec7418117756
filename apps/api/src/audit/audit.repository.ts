import { randomUUID } from 'node:crypto';
import type { AuditAction, AuditEvent, AuditQuery } from '@teamspiegel/contracts';
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

/**
 * A reader sees the events of the organisations their audit scope lies in. Events filed under
 * no organisation (a failed login with an unknown name) only for a reader of every organisation.
 */
export async function listAudit(
  db: Db,
  query: AuditQuery & { page: number; pageSize: number; scope: readonly string[] },
): Promise<{ items: AuditEvent[]; total: number }> {
  const readable = [...new Set(query.scope.map(organisationOf))];
  const roots = await db.selectFrom('unit').select('path').where('parent_id', 'is', null).execute();
  const readsAll = roots.every((r) => readable.includes(r.path));
  let base = db
    .selectFrom('audit_event')
    .leftJoin('person', 'person.id', 'audit_event.actor_person_id');
  if (!readsAll) {
    base = readable.length
      ? base.where('audit_event.organisation_path', 'in', readable)
      : base.where(sql<boolean>`1 = 0`);
  }
  if (query.action) base = base.where('audit_event.action', '=', query.action);
  if (query.actorId) base = base.where('audit_event.actor_person_id', '=', query.actorId);
  if (query.targetId) base = base.where('audit_event.target_id', '=', query.targetId);
  if (query.from) base = base.where('audit_event.at', '>=', instant(query.from));
  if (query.to) base = base.where('audit_event.at', '<', instant(query.to));

  const [rows, count] = await Promise.all([
    base
      .select([
        'audit_event.id',
        'audit_event.at',
        'audit_event.actor_person_id',
        'audit_event.action',
        'audit_event.target_type',
        'audit_event.target_id',
        'audit_event.details',
        'person.given_name',
        'person.family_name',
      ])
      .orderBy('audit_event.at', 'desc')
      .orderBy('audit_event.id')
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
    items: rows.map((r) => ({
      id: r.id,
      at: r.at,
      actorId: r.actor_person_id,
      actorName: r.given_name ? `${r.given_name} ${r.family_name ?? ''}`.trim() : null,
      action: r.action as AuditAction,
      targetType: r.target_type,
      targetId: r.target_id,
      details: JSON.parse(r.details) as AuditEvent['details'],
    })),
  };
}
