import type { Kysely } from 'kysely';

// Frozen in time: never import application code here (house style 7).
// Portable column types only, so PostgreSQL stays a dialect switch.
//
// Published results (anonymity.md section 3): written once, in the transaction that closes a
// wave, and never changed afterwards (INV-7). A suppressed node keeps its place in the tree
// but no payload: no count, no mean, no reason (INV-10).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('published_node')
    .addColumn('wave_id', 'varchar(36)', (c) => c.notNull().references('wave.id'))
    // 'wave' for the wave itself, 'quarter' for the last three closed waves pooled.
    .addColumn('period', 'varchar(8)', (c) => c.notNull())
    .addColumn('node_id', 'varchar(60)', (c) => c.notNull())
    .addColumn('unit_id', 'varchar(36)', (c) => c.notNull().references('unit.id'))
    // unit, team, remainder or leadership
    .addColumn('kind', 'varchar(12)', (c) => c.notNull())
    .addColumn('parent_node_id', 'varchar(60)')
    .addColumn('name', 'varchar(120)', (c) => c.notNull())
    // Tree order (depth first, children by name then id), so lists need no recursion.
    .addColumn('position', 'integer', (c) => c.notNull())
    // JSON of the published fields; null when the node is suppressed.
    .addColumn('payload', 'text')
    // JSON array of the statistic classes decided for the node (empty when suppressed): what
    // later waves and quarters read back as the frozen decision. Never sent to a client.
    .addColumn('classes', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('published_node_pk', ['wave_id', 'period', 'node_id'])
    .execute();
  // Trends follow one node over waves.
  await db.schema
    .createIndex('published_node_node_idx')
    .on('published_node')
    .columns(['node_id', 'period'])
    .execute();

  // "You said, we did": one agreed action per team and quarter.
  await db.schema
    .createTable('team_action')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('node_id', 'varchar(60)', (c) => c.notNull())
    // YYYY-Qn
    .addColumn('quarter', 'varchar(7)', (c) => c.notNull())
    .addColumn('what', 'varchar(500)', (c) => c.notNull())
    .addColumn('theme', 'varchar(40)', (c) => c.notNull())
    .addColumn('due', 'varchar(10)', (c) => c.notNull())
    // planned, in_progress, done
    .addColumn('status', 'varchar(12)', (c) => c.notNull())
    .addColumn('recorded_by', 'varchar(36)', (c) => c.notNull().references('person.id'))
    .addColumn('updated_at', 'varchar(30)', (c) => c.notNull())
    .addUniqueConstraint('team_action_node_quarter_unique', ['node_id', 'quarter'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('team_action').execute();
  await db.schema.dropTable('published_node').execute();
}
