import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

// Frozen in time: never import application code here (house style 7).
//
// Anonymous collection (anonymity.md sections 3-5). The tables that hold spent tokens, answers
// and comments have no time columns, random keys and, on SQLite, no rowid: neither a column
// nor the physical row order tells when or in which order anything arrived (A14, A15).

function withoutRowid<T extends string, C extends string>(
  db: Kysely<any>,
  table: CreateTableBuilder<T, C>,
): CreateTableBuilder<T, C> {
  const adapter = db.getExecutor().adapter.constructor.name;
  return adapter.startsWith('Sqlite') ? table.modifyEnd(sql`without rowid`) : table;
}

export async function up(db: Kysely<any>): Promise<void> {
  // Imported instruments (licensed scales), validated before they are stored.
  await db.schema
    .createTable('content_pack')
    .addColumn('id', 'varchar(60)', (c) => c.primaryKey())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('pack', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'varchar(30)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('programme')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('root_unit_id', 'varchar(36)', (c) => c.notNull().references('unit.id'))
    .addColumn('name', 'varchar(120)', (c) => c.notNull())
    .addColumn('cadence_days', 'integer', (c) => c.notNull())
    .addColumn('window_days', 'integer', (c) => c.notNull())
    .addColumn('anchor_item_ids', 'text', (c) => c.notNull())
    .addColumn('modules', 'text', (c) => c.notNull())
    .addColumn('comment_question', 'integer', (c) => c.notNull())
    .addColumn('first_opens_on', 'varchar(10)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('archived_at', 'varchar(30)')
    .execute();

  await db.schema
    .createTable('wave')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('programme_id', 'varchar(36)', (c) => c.notNull().references('programme.id'))
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('state', 'varchar(12)', (c) => c.notNull())
    .addColumn('opens_on', 'varchar(10)', (c) => c.notNull())
    .addColumn('closes_on', 'varchar(10)', (c) => c.notNull())
    .addColumn('item_ids', 'text', (c) => c.notNull())
    .addColumn('comment_question', 'integer', (c) => c.notNull())
    .addColumn('thresholds', 'text')
    .addColumn('keys_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('keys_done', 'integer', (c) => c.notNull().defaultTo(0))
    // People the cell plan could not place (no cell of K_E keeps INV-9 for them).
    .addColumn('unplaced', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('opened_at', 'varchar(30)')
    .addColumn('closed_at', 'varchar(30)')
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addUniqueConstraint('wave_sequence_unique', ['programme_id', 'sequence'])
    .execute();

  // One collection cell of a wave; E >= K_E by construction (INV-11).
  await db.schema
    .createTable('wave_cell')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('wave_id', 'varchar(36)', (c) => c.notNull().references('wave.id'))
    .addColumn('unit_id', 'varchar(36)', (c) => c.notNull().references('unit.id'))
    .addColumn('kind', 'varchar(12)', (c) => c.notNull())
    .addColumn('eligible', 'integer', (c) => c.notNull())
    .addColumn('key_id', 'varchar(22)')
    .addColumn('public_key', 'text')
    // Participation as a band only, recomputed at most once a day (INV-6).
    .addColumn('participation_band', 'varchar(8)')
    .addColumn('band_computed_on', 'varchar(10)')
    .execute();
  await db.schema.createIndex('wave_cell_wave_idx').on('wave_cell').column('wave_id').execute();

  // The roster snapshot at open: who may take a token, for which cell. Roster data, no answers.
  await db.schema
    .createTable('wave_eligibility')
    .addColumn('wave_id', 'varchar(36)', (c) => c.notNull().references('wave.id'))
    .addColumn('person_id', 'varchar(36)', (c) => c.notNull().references('person.id'))
    .addColumn('cell_id', 'varchar(36)', (c) => c.notNull().references('wave_cell.id'))
    .addPrimaryKeyConstraint('wave_eligibility_pk', ['wave_id', 'person_id'])
    .execute();

  // Who took a token: the only per-person trace of taking part, deleted at close.
  await withoutRowid(
    db,
    db.schema
      .createTable('participation')
      .addColumn('wave_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('person_id', 'varchar(36)', (c) => c.notNull())
      .addPrimaryKeyConstraint('participation_pk', ['wave_id', 'person_id']),
  ).execute();

  // A spent token and its sealed answers, keyed by a hash of the token's random nonce.
  await withoutRowid(
    db,
    db.schema
      .createTable('response')
      .addColumn('token_key', 'varchar(24)', (c) => c.primaryKey())
      .addColumn('wave_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('cell_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('sealed', 'text', (c) => c.notNull()),
  ).execute();

  // After close: scrubbed comments per cell, random keys so their order is no arrival order.
  await withoutRowid(
    db,
    db.schema
      .createTable('wave_comment')
      .addColumn('id', 'varchar(24)', (c) => c.primaryKey())
      .addColumn('wave_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('cell_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull()),
  ).execute();

  // After close: counts only.
  await db.schema
    .createTable('wave_cell_tally')
    .addColumn('wave_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('cell_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('respondents', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('wave_cell_tally_pk', ['wave_id', 'cell_id'])
    .execute();
  await db.schema
    .createTable('wave_item_tally')
    .addColumn('wave_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('cell_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('item_id', 'varchar(60)', (c) => c.notNull())
    // The value on the item's scale as text, or 'dont_know'.
    .addColumn('option', 'varchar(12)', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('wave_item_tally_pk', ['wave_id', 'cell_id', 'item_id', 'option'])
    .execute();
  await db.schema
    .createTable('wave_theme_tally')
    .addColumn('wave_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('cell_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('theme', 'varchar(40)', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('sum', 'double precision', (c) => c.notNull())
    .addColumn('sum_sq', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('wave_theme_tally_pk', ['wave_id', 'cell_id', 'theme'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'wave_theme_tally',
    'wave_item_tally',
    'wave_cell_tally',
    'wave_comment',
    'response',
    'participation',
    'wave_eligibility',
    'wave_cell',
    'wave',
    'programme',
    'content_pack',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
