import type { Kysely } from 'kysely';

// Frozen in time: never import application code here (house style 7).
//
// The daily participation bands count, per cell, the eligible people who took a token. Without
// this index each cell's count read every eligibility row of the wave: at reference scale
// (65,000 people, 4,160 cells) that is 270 million rows, minutes during which the server,
// starting or at its first tick of the day, answered nothing. With it, each count reads only
// the cell's own rows.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('wave_eligibility_cell_idx')
    .on('wave_eligibility')
    .columns(['wave_id', 'cell_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('wave_eligibility_cell_idx').execute();
}
