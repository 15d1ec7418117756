import type { Kysely } from 'kysely';

// Frozen in time: never import application code here (house style 7).
// Portable column types only, so PostgreSQL stays a dialect switch.
//
// Roster freeze (anonymity.md, A11 and A12): while a wave of a programme is preparing, open or
// closing, a change to the membership or structure of a unit in its subtree waits here until a
// second administrator approves it. A row holds what to replay, never answers.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('roster_change')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('organisation_path', 'varchar(40)', (c) => c.notNull())
    .addColumn('kind', 'varchar(30)', (c) => c.notNull())
    .addColumn('summary', 'varchar(500)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('unit_ids', 'text', (c) => c.notNull())
    .addColumn('state', 'varchar(20)', (c) => c.notNull())
    .addColumn('proposed_by', 'varchar(36)', (c) => c.notNull().references('person.id'))
    .addColumn('proposed_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('decided_by', 'varchar(36)', (c) => c.references('person.id'))
    .addColumn('decided_at', 'varchar(30)')
    .addColumn('decision_note', 'varchar(500)')
    .addColumn('failure', 'varchar(500)')
    .execute();
  await db.schema
    .createIndex('roster_change_org_state_idx')
    .on('roster_change')
    .columns(['organisation_path', 'state', 'proposed_at'])
    .execute();
  // Four eyes reads who created a person, their account and their roles from the audit log
  // at each approval: by target, not by a scan of the whole log.
  await db.schema
    .createIndex('audit_event_target_idx')
    .on('audit_event')
    .columns(['target_id', 'action'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_event_target_idx').execute();
  await db.schema.dropTable('roster_change').execute();
}
