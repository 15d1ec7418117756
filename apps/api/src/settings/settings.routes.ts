import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  RosterChangePending,
  SettingsHistory,
  SettingsHistoryQuery,
  SettingsQuery,
  SettingsView,
  SupportLinks,
  UpdateSettingsBody,
  type OrganisationSettings,
  type Permission,
  type RosterChangeKind,
} from '@teamspiegel/contracts';
import {
  isInScope,
  organisationOf,
  scopeOf,
  THRESHOLD_FLOORS,
  validateSettingsChange,
} from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import type { Actor } from '../access.repository.ts';
import { allItems } from '../collection/catalogue.ts';
import { recordAudit, type AuditDetails } from '../audit/audit.repository.ts';
import { dateOf, type Clock } from '../clock.ts';
import { findRosterChange, proposeRosterChange } from '../roster/freeze.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { actorOf } from '../plugins/authz.ts';
import {
  listSettingChanges,
  saveSettings,
  settingsFor,
  settingsUpdatedAt,
} from './settings.repository.ts';

interface Organisation {
  id: string;
  name: string;
  path: string;
}

/** The organisations (root units) where an actor holds a permission, by name. */
async function organisationsOf(
  db: Db,
  actor: Actor,
  permission: Permission,
): Promise<Organisation[]> {
  const scope = scopeOf(actor.grants, permission);
  const roots = [...new Set(scope.map(organisationOf))];
  if (roots.length === 0) return [];
  const units = await db
    .selectFrom('unit')
    .select(['id', 'name', 'path'])
    .where('parent_id', 'is', null)
    .where('path', 'in', roots)
    .orderBy('name')
    .orderBy('id')
    .execute();
  // Reading needs the permission anywhere in the organisation (a works council of one district
  // reads the rules that protect it); changing needs it over the whole organisation, since a
  // threshold holds for every team in it.
  return permission === 'settings:manage' ? units.filter((u) => isInScope(scope, u.path)) : units;
}

/**
 * The organisation a request is about: the one named, or else the actor's own (where they
 * work, or the first they may read). Another organisation is never readable or changeable.
 */
async function organisationFor(
  db: Db,
  actor: Actor,
  permission: Permission,
  requestedId: string | undefined,
): Promise<Organisation> {
  const allowed = await organisationsOf(db, actor, permission);
  if (requestedId) {
    const found = allowed.find((o) => o.id === requestedId);
    if (found) return found;
    const exists = await db
      .selectFrom('unit')
      .select('id')
      .where('id', '=', requestedId)
      .where('parent_id', 'is', null)
      .executeTakeFirst();
    throw exists ? forbidden() : notFound('This organisation');
  }
  const home = actor.grants.find((g) => g.role === 'officer' || g.role === 'team_lead');
  const own = home && allowed.find((o) => o.path === organisationOf(home.unitPath));
  const chosen = own ?? allowed[0];
  if (!chosen) throw forbidden();
  return chosen;
}

/** The changes from `current` to `next`, or the 400 naming every problem. */
function validated(current: OrganisationSettings, next: OrganisationSettings) {
  // The word for a lead is checked in every item it is filled into, imported packs too.
  const result = validateSettingsChange({ current, next, items: allItems() });
  if (!result.ok) {
    const first = result.problems[0]!;
    throw new AppError(
      400,
      first.code,
      result.problems.map((p) => `${p.key}: ${p.message}`).join(' '),
    );
  }
  return result.changes;
}

/**
 * Writes an organisation's settings with their history rows and one audit line holding old and
 * new values, in the caller's transaction; nothing when nothing changes. `rosterChangeId` when
 * an approved roster change applies it (a lowered freeze window).
 */
export async function applySettings(
  trx: Db,
  input: {
    organisation: { id: string; path: string };
    next: OrganisationSettings;
    actorId: string;
    at: Date;
    rosterChangeId?: string;
  },
): Promise<void> {
  const { organisation, next, actorId, at } = input;
  const current = await settingsFor(trx, organisation.id);
  const changes = validated(current, next);
  if (changes.length === 0) return;
  await saveSettings(trx, {
    organisationId: organisation.id,
    settings: next,
    changes,
    actorId,
    at,
  });
  const details: AuditDetails = {};
  for (const change of changes) {
    details[`${change.key}.old`] = change.oldValue;
    details[`${change.key}.new`] = change.newValue;
  }
  if (input.rosterChangeId) details.rosterChangeId = input.rosterChangeId;
  await recordAudit(trx, at, {
    actorId,
    scopePath: organisation.path,
    action: 'settings.changed',
    targetType: 'organisation',
    targetId: organisation.id,
    details,
  });
}

type Retention = OrganisationSettings['retention'];

/**
 * Settings whose lowering one administrator may not make alone: a request lowering one answers
 * 202 with a roster change a second administrator approves (its applier in roster/appliers.ts
 * writes it); raising applies at once.
 * - The freeze window: lowered, one administrator could reshape a team alone just before a wave.
 * - The retention periods: lowered, the next daily retention run irreversibly deletes results
 *   and comments the works council relies on.
 */
const LOWERINGS: readonly {
  lowers: (current: OrganisationSettings, next: OrganisationSettings) => boolean;
  /** `next` with this setting kept at its current value, to apply now. */
  keep: (next: OrganisationSettings, current: OrganisationSettings) => OrganisationSettings;
  proposal: (
    current: OrganisationSettings,
    next: OrganisationSettings,
    organisationId: string,
  ) => { kind: RosterChangeKind; summary: string; payload: Record<string, unknown> };
}[] = [
  {
    lowers: (current, next) => next.roster.freezeWindowDays < current.roster.freezeWindowDays,
    keep: (next, current) => ({
      ...next,
      roster: { ...next.roster, freezeWindowDays: current.roster.freezeWindowDays },
    }),
    proposal: (current, next, organisationId) => ({
      kind: 'freeze_window',
      summary: `Freeze window ${current.roster.freezeWindowDays} -> ${next.roster.freezeWindowDays} days`,
      payload: { organisationId, days: next.roster.freezeWindowDays },
    }),
  },
  {
    lowers: (current, next) =>
      next.retention.resultsYears < current.retention.resultsYears ||
      next.retention.commentsMonths < current.retention.commentsMonths,
    // A period raised in the same request applies now; only a lowered one waits.
    keep: (next, current) => ({
      ...next,
      retention: {
        resultsYears: Math.max(next.retention.resultsYears, current.retention.resultsYears),
        commentsMonths: Math.max(next.retention.commentsMonths, current.retention.commentsMonths),
      },
    }),
    proposal: (current, next, organisationId) => {
      const from: Retention = current.retention;
      const to: Retention = next.retention;
      return {
        kind: 'retention',
        summary: `Retention ${from.resultsYears} -> ${to.resultsYears} years (results), ${from.commentsMonths} -> ${to.commentsMonths} months (comments)`,
        payload: { organisationId, retention: to, from },
      };
    },
  },
];

/**
 * Organisation settings: administrators change them, the works council reads them and their
 * history. Thresholds are raise-only and apply from the next wave; every change is one
 * transaction with its history rows and an audit event holding old and new values.
 */
export function settingsRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock }) {
  const { db, clock } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  async function view(actor: Actor, organisation: Organisation): Promise<SettingsView> {
    const [settings, updatedAt] = await Promise.all([
      settingsFor(db, organisation.id),
      settingsUpdatedAt(db, organisation.id),
    ]);
    const readable = await organisationsOf(db, actor, 'settings:read');
    return {
      organisationId: organisation.id,
      organisationName: organisation.name,
      organisations: readable.map(({ id, name }) => ({ id, name })),
      settings,
      floors: { ...THRESHOLD_FLOORS },
      canManage: isInScope(scopeOf(actor.grants, 'settings:manage'), organisation.path),
      updatedAt,
    };
  }

  r.get(
    '/api/v1/settings',
    {
      config: { permission: 'settings:read' },
      schema: { querystring: SettingsQuery, response: { 200: SettingsView, ...errorResponses } },
    },
    async (request) => {
      const actor = actorOf(request);
      const organisation = await organisationFor(
        db,
        actor,
        'settings:read',
        request.query.organisationId,
      );
      return view(actor, organisation);
    },
  );

  r.put(
    '/api/v1/settings',
    {
      config: { permission: 'settings:manage' },
      schema: {
        body: UpdateSettingsBody,
        response: { 200: SettingsView, 202: RosterChangePending, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const organisation = await organisationFor(
        db,
        actor,
        'settings:manage',
        request.body.organisationId,
      );
      const now = clock.now();
      const next = request.body.settings;
      const pending = await db.transaction().execute(async (trx) => {
        // Read inside the transaction: two administrators raising at once cannot undo a raise.
        const current = await settingsFor(trx, organisation.id);
        const lowerings = LOWERINGS.filter((l) => l.lowers(current, next));
        if (!lowerings.length) {
          await applySettings(trx, { organisation, next, actorId: actor.personId, at: now });
          return null;
        }
        // A lowering waits for a second administrator (four eyes, as for every roster change);
        // everything else in the request applies now.
        validated(current, next);
        const applyNow = lowerings.reduce((s, l) => l.keep(s, current), next);
        await applySettings(trx, {
          organisation,
          next: applyNow,
          actorId: actor.personId,
          at: now,
        });
        const ids: string[] = [];
        for (const lowering of lowerings) {
          ids.push(
            await proposeRosterChange(trx, {
              organisationPath: organisation.path,
              ...lowering.proposal(current, next, organisation.id),
              unitIds: [organisation.id],
              proposedBy: actor.personId,
              at: now,
            }),
          );
        }
        return ids[0]!;
      });
      if (pending) {
        const change = await findRosterChange(
          db,
          pending,
          { personId: actor.personId, scope: [] },
          dateOf(now),
        );
        return reply.status(202).send({ status: 'pending_approval', change: change! });
      }
      return view(actor, organisation);
    },
  );

  r.get(
    '/api/v1/settings/history',
    {
      config: { permission: 'settings:read' },
      schema: {
        querystring: SettingsHistoryQuery,
        response: { 200: SettingsHistory, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const organisation = await organisationFor(
        db,
        actor,
        'settings:read',
        request.query.organisationId,
      );
      const page = request.query.page ?? 1;
      const pageSize = request.query.pageSize ?? 25;
      const { items, total } = await listSettingChanges(db, {
        organisationId: organisation.id,
        page,
        pageSize,
      });
      return { items, total, page, pageSize };
    },
  );

  // Shown to an officer next to the comment box: the confidential adviser and the complaints
  // route of the organisation they work in. Nothing else of the settings.
  r.get(
    '/api/v1/me/support',
    {
      config: { permission: 'session' },
      schema: { response: { 200: SupportLinks, ...errorResponses } },
    },
    async (request) => {
      const actor = actorOf(request);
      const home =
        actor.grants.find((g) => g.role === 'officer' || g.role === 'team_lead') ?? actor.grants[0];
      if (!home) return { confidentialAdviser: null, complaints: null };
      const root = await db
        .selectFrom('unit')
        .select('id')
        .where('path', '=', organisationOf(home.unitPath))
        .executeTakeFirst();
      if (!root) return { confidentialAdviser: null, complaints: null };
      return (await settingsFor(db, root.id)).links;
    },
  );
}
