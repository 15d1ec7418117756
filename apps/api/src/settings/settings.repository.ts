/**
 * Organisation settings, stored per organisation (its root unit) as JSON over the defaults.
 * Others read them here: the wave runner fixes `thresholdsFor` into a wave when it starts
 * preparing, the transparency page shows them, the retention job reads the periods.
 */
import { randomUUID } from 'node:crypto';
import type { OrganisationSettings, SettingChange, SettingValue } from '@teamspiegel/contracts';
import {
  effectiveThresholds,
  withDefaults,
  type SettingChangeEntry,
  type Thresholds,
} from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';

/** The organisation (root unit id) of a unit, from its materialised path '/root/.../unit/'. */
export function organisationIdOf(unitPath: string): string {
  const root = unitPath.split('/').find(Boolean);
  if (!root) throw new Error(`not a unit path: ${unitPath}`);
  return root;
}

/** The settings in force for an organisation (root unit id): stored values over the defaults. */
export async function settingsFor(db: Db, organisationId: string): Promise<OrganisationSettings> {
  const row = await db
    .selectFrom('organisation_setting')
    .select('settings')
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  return withDefaults(row ? (JSON.parse(row.settings) as unknown) : null);
}

/** The thresholds in force for an organisation: its raised values, never below the floors. */
export async function thresholdsFor(db: Db, organisationId: string): Promise<Thresholds> {
  return effectiveThresholds((await settingsFor(db, organisationId)).thresholds);
}

/** When the settings were last changed; null while the defaults are in force. */
export async function settingsUpdatedAt(db: Db, organisationId: string): Promise<string | null> {
  const row = await db
    .selectFrom('organisation_setting')
    .select('updated_at')
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  return row?.updated_at ?? null;
}

/**
 * Stores new settings and one history row per changed key. Call it inside the transaction
 * that also records the audit event, so the three commit together or not at all.
 */
export async function saveSettings(
  trx: Db,
  input: {
    organisationId: string;
    settings: OrganisationSettings;
    changes: readonly SettingChangeEntry[];
    actorId: string | null;
    at: Date;
  },
): Promise<void> {
  const at = input.at.toISOString();
  const values = {
    settings: JSON.stringify(input.settings),
    updated_at: at,
    updated_by: input.actorId,
  };
  const updated = await trx
    .updateTable('organisation_setting')
    .set(values)
    .where('organisation_id', '=', input.organisationId)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) {
    await trx
      .insertInto('organisation_setting')
      .values({ organisation_id: input.organisationId, ...values })
      .execute();
  }
  if (input.changes.length === 0) return;
  await trx
    .insertInto('setting_change')
    .values(
      input.changes.map((change) => ({
        id: randomUUID(),
        organisation_id: input.organisationId,
        at,
        actor_id: input.actorId,
        key: change.key,
        old_value: JSON.stringify(change.oldValue),
        new_value: JSON.stringify(change.newValue),
        effective_from: change.effectiveFrom,
      })),
    )
    .execute();
}

/** The history of an organisation's settings, newest first. */
export async function listSettingChanges(
  db: Db,
  query: { organisationId: string; page: number; pageSize: number },
): Promise<{ items: SettingChange[]; total: number }> {
  const base = db
    .selectFrom('setting_change')
    .leftJoin('person', 'person.id', 'setting_change.actor_id')
    .where('setting_change.organisation_id', '=', query.organisationId);
  const [rows, count] = await Promise.all([
    base
      .select([
        'setting_change.id',
        'setting_change.at',
        'setting_change.actor_id',
        'setting_change.key',
        'setting_change.old_value',
        'setting_change.new_value',
        'setting_change.effective_from',
        'person.given_name',
        'person.family_name',
      ])
      .orderBy('setting_change.at', 'desc')
      .orderBy('setting_change.key')
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const value = (json: string | null): SettingValue =>
    json === null ? null : (JSON.parse(json) as SettingValue);
  return {
    total: Number(count.n),
    items: rows.map((r) => ({
      id: r.id,
      at: r.at,
      actorId: r.actor_id,
      actorName: r.given_name ? `${r.given_name} ${r.family_name ?? ''}`.trim() : null,
      key: r.key,
      oldValue: value(r.old_value),
      newValue: value(r.new_value),
      effectiveFrom: r.effective_from === 'next wave' ? 'next wave' : 'now',
    })),
  };
}
