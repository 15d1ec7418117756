import type { OrganisationSettings, RosterChangeKind } from '@teamspiegel/contracts';
import type { Db, RosterChangeRow } from '@teamspiegel/db';
import { applyApprovedImport } from '../import/import.approval.ts';
import { archiveUnit, createUnit, moveUnit } from '../org/units.routes.ts';
import { addMembership, endMembershipOn } from '../people/memberships.routes.ts';
import { deactivatePerson } from '../people/people.routes.ts';
import { settingsFor } from '../settings/settings.repository.ts';
import { applySettings } from '../settings/settings.routes.ts';

/**
 * Applies an approved change, in the approval's transaction. Each applier calls the very
 * function the route calls when nothing is frozen, so an approved change does exactly what the
 * direct one would have done, checked against the organisation as it is now: when it no longer
 * applies (the unit was archived meanwhile) it throws, and nothing of it is applied.
 */
export type RosterApplier = (
  trx: Db,
  change: RosterChangeRow,
  ctx: { at: Date; approverId: string },
) => Promise<void>;

/** The change's payload, as the route stored it. */
function payloadOf<T>(change: RosterChangeRow): T {
  return JSON.parse(change.payload) as T;
}

const changeContext = (change: RosterChangeRow, ctx: { at: Date; approverId: string }) => ({
  actorId: ctx.approverId,
  now: ctx.at,
  rosterChangeId: change.id,
});

export const ROSTER_APPLIERS: Record<RosterChangeKind, RosterApplier> = {
  unit_create: async (trx, change, ctx) => {
    await createUnit(trx, payloadOf(change), changeContext(change, ctx));
  },
  unit_move: (trx, change, ctx) => moveUnit(trx, payloadOf(change), changeContext(change, ctx)),
  unit_archive: (trx, change, ctx) =>
    archiveUnit(trx, payloadOf(change), changeContext(change, ctx)),
  membership_add: (trx, change, ctx) =>
    addMembership(trx, payloadOf(change), changeContext(change, ctx)),
  membership_end: (trx, change, ctx) =>
    endMembershipOn(trx, payloadOf(change), changeContext(change, ctx)),
  person_deactivate: (trx, change, ctx) =>
    deactivatePerson(trx, payloadOf(change), changeContext(change, ctx)),
  import: applyApprovedImport,
  freeze_window: async (trx, change, ctx) => {
    const { organisationId, days } = payloadOf<{ organisationId: string; days: number }>(change);
    const current = await settingsFor(trx, organisationId);
    await applySettings(trx, {
      organisation: { id: organisationId, path: change.organisation_path },
      next: { ...current, roster: { ...current.roster, freezeWindowDays: days } },
      actorId: ctx.approverId,
      at: ctx.at,
      rosterChangeId: change.id,
    });
  },
  retention: async (trx, change, ctx) => {
    const { organisationId, retention, from } = payloadOf<{
      organisationId: string;
      retention: OrganisationSettings['retention'];
      from: OrganisationSettings['retention'];
    }>(change);
    const current = await settingsFor(trx, organisationId);
    // Only the periods the proposal lowered: one raised meanwhile (or at once, in the proposing
    // request) is not lowered again by an approval that never showed it.
    const lowered = (key: keyof OrganisationSettings['retention']) =>
      retention[key] < from[key] ? retention[key] : current.retention[key];
    await applySettings(trx, {
      organisation: { id: organisationId, path: change.organisation_path },
      next: {
        ...current,
        retention: {
          resultsYears: lowered('resultsYears'),
          commentsMonths: lowered('commentsMonths'),
        },
      },
      actorId: ctx.approverId,
      at: ctx.at,
      rosterChangeId: change.id,
    });
  },
};
