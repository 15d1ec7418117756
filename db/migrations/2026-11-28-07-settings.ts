import type { Kysely } from 'kysely';

// Frozen in time: never import application code here (house style 7).
// Portable column types only, so PostgreSQL stays a dialect switch.
//
// Organisation settings: one row per organisation (its root unit) holding the settings as
// JSON, and one row per changed key in `setting_change`, so the works council can see who
// raised which threshold when, and from which wave on it applies.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organisation_setting')
    .addColumn('organisation_id', 'varchar(36)', (c) => c.primaryKey().references('unit.id'))
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('updated_by', 'varchar(36)', (c) => c.references('person.id'))
    .execute();

  await db.schema
    .createTable('setting_change')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('organisation_id', 'varchar(36)', (c) => c.notNull().references('unit.id'))
    .addColumn('at', 'varchar(30)', (c) => c.notNull())
    .addColumn('actor_id', 'varchar(36)', (c) => c.references('person.id'))
    // A dotted key: 'thresholds.k', 'leaderTerm.nl', 'retention.resultsYears'.
    .addColumn('key', 'varchar(60)', (c) => c.notNull())
    // JSON values; null when the key was unset before (the default was in force).
    .addColumn('old_value', 'text')
    .addColumn('new_value', 'text')
    // 'next wave' for thresholds (fixed into a wave when it starts preparing), else 'now'.
    .addColumn('effective_from', 'varchar(12)', (c) => c.notNull())
    .execute();
  // The history is read per organisation, newest first.
  await db.schema
    .createIndex('setting_change_organisation_idx')
    .on('setting_change')
    .columns(['organisation_id', 'at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('setting_change').execute();
  await db.schema.dropTable('organisation_setting').execute();
}
