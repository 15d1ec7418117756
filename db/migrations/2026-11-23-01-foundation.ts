import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (house style 7).
// Portable column types only, so PostgreSQL stays a dialect switch.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('unit')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('parent_id', 'varchar(36)', (c) => c.references('unit.id'))
    .addColumn('code', 'varchar(40)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(120)', (c) => c.notNull())
    .addColumn('kind', 'varchar(20)', (c) => c.notNull())
    .addColumn('path', 'varchar(1000)', (c) => c.notNull())
    .addColumn('archived_at', 'varchar(30)')
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('unit_parent_idx').on('unit').column('parent_id').execute();
  await db.schema.createIndex('unit_path_idx').on('unit').column('path').execute();

  await db.schema
    .createTable('person')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('employee_number', 'varchar(20)', (c) => c.notNull().unique())
    .addColumn('given_name', 'varchar(100)', (c) => c.notNull())
    .addColumn('family_name', 'varchar(100)', (c) => c.notNull())
    .addColumn('email', 'varchar(200)', (c) => c.notNull())
    .addColumn('language', 'varchar(5)', (c) => c.notNull())
    .addColumn('deactivated_at', 'varchar(30)')
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('person_family_name_idx')
    .on('person')
    .column('family_name')
    .execute();

  await db.schema
    .createTable('account')
    .addColumn('person_id', 'varchar(36)', (c) => c.primaryKey().references('person.id'))
    .addColumn('username', 'varchar(60)', (c) => c.notNull().unique())
    .addColumn('password_hash', 'varchar(200)', (c) => c.notNull())
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('password_changed_at', 'varchar(30)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('membership')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('person_id', 'varchar(36)', (c) => c.notNull().references('person.id'))
    .addColumn('unit_id', 'varchar(36)', (c) => c.notNull().references('unit.id'))
    .addColumn('kind', 'varchar(10)', (c) => c.notNull())
    .addColumn('joined_on', 'varchar(10)', (c) => c.notNull())
    .addColumn('left_on', 'varchar(10)')
    .execute();
  await db.schema
    .createIndex('membership_person_idx')
    .on('membership')
    .column('person_id')
    .execute();
  await db.schema
    .createIndex('membership_unit_idx')
    .on('membership')
    .columns(['unit_id', 'joined_on'])
    .execute();

  await db.schema
    .createTable('role_assignment')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('person_id', 'varchar(36)', (c) => c.notNull().references('person.id'))
    .addColumn('role', 'varchar(20)', (c) => c.notNull())
    .addColumn('unit_id', 'varchar(36)', (c) => c.notNull().references('unit.id'))
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addUniqueConstraint('role_assignment_unique', ['person_id', 'role', 'unit_id'])
    .execute();

  await db.schema
    .createTable('session')
    .addColumn('sid', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('person_id', 'varchar(36)')
    .addColumn('expires_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('session_expires_idx').on('session').column('expires_at').execute();
  await db.schema.createIndex('session_person_idx').on('session').column('person_id').execute();

  await db.schema
    .createTable('login_throttle')
    .addColumn('key', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'varchar(30)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_event')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('at', 'varchar(30)', (c) => c.notNull())
    .addColumn('actor_person_id', 'varchar(36)')
    .addColumn('action', 'varchar(60)', (c) => c.notNull())
    .addColumn('target_type', 'varchar(40)')
    .addColumn('target_id', 'varchar(100)')
    .addColumn('organisation_path', 'varchar(40)')
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_event_at_idx').on('audit_event').column('at').execute();

  // The audit log is append-only: the database itself refuses edits and deletions.
  // (A later retention job will be the one audited exception, done by a migration-owned path.)
  const adapter = db.getExecutor().adapter.constructor.name;
  if (adapter.startsWith('Sqlite')) {
    await sql`CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
      BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
      BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END`.execute(db);
  } else {
    await sql`CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$ LANGUAGE plpgsql`.execute(db);
    await sql`CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'audit_event',
    'login_throttle',
    'session',
    'role_assignment',
    'membership',
    'account',
    'person',
    'unit',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
