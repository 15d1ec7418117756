import type { Kysely } from 'kysely';

// Frozen in time: never import application code here (house style 7).
// Portable column types only, so PostgreSQL stays a dialect switch.
//
// HR import (journey 4): a run is a dry run with its report until an administrator applies it.
// The parsed rows (`input`), the planned changes and the cells of rejected rows are kept only
// until the run is applied, rejected or discarded (data minimisation); the counts, file names
// and hashes and the reasons of rejected rows stay.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_run')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('organisation_id', 'varchar(36)', (c) => c.notNull().references('unit.id'))
    .addColumn('state', 'varchar(20)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(36)', (c) => c.notNull().references('person.id'))
    .addColumn('applied_at', 'varchar(30)')
    .addColumn('files', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('rejected_total', 'integer', (c) => c.notNull())
    .addColumn('touches_frozen', 'integer', (c) => c.notNull())
    .addColumn('roster_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('roster_change_id', 'varchar(36)')
    .addColumn('input', 'text')
    .execute();
  await db.schema
    .createIndex('import_run_org_created_idx')
    .on('import_run')
    .columns(['organisation_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('import_rejected')
    .addColumn('run_id', 'varchar(36)', (c) => c.notNull().references('import_run.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('file', 'varchar(20)', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('code', 'varchar(40)', (c) => c.notNull())
    .addColumn('text', 'varchar(500)', (c) => c.notNull())
    .addColumn('column_name', 'varchar(100)')
    .addColumn('cells', 'text')
    .addPrimaryKeyConstraint('import_rejected_pk', ['run_id', 'seq'])
    .execute();

  await db.schema
    .createTable('import_change')
    .addColumn('run_id', 'varchar(36)', (c) => c.notNull().references('import_run.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'varchar(20)', (c) => c.notNull())
    .addColumn('action', 'varchar(20)', (c) => c.notNull())
    .addColumn('key', 'varchar(100)', (c) => c.notNull())
    .addColumn('label', 'varchar(400)', (c) => c.notNull())
    .addColumn('fields', 'text')
    .addPrimaryKeyConstraint('import_change_pk', ['run_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('import_change_kind_idx')
    .on('import_change')
    .columns(['run_id', 'kind', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('import_change').execute();
  await db.schema.dropTable('import_rejected').execute();
  await db.schema.dropTable('import_run').execute();
}
