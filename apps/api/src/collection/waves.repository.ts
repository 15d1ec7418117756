import type { SizeBand, WaveState, WaveSummary } from '@teamspiegel/contracts';
import type { Db, Wave } from '@teamspiegel/db';

export function findWave(db: Db, id: string): Promise<Wave | undefined> {
  return db.selectFrom('wave').selectAll().where('id', '=', id).executeTakeFirst();
}

export function parseJsonArray<T>(text: string): T[] {
  return JSON.parse(text) as T[];
}

export function toWaveSummary(wave: Wave, programmeName: string): WaveSummary {
  return {
    id: wave.id,
    programmeId: wave.programme_id,
    programmeName,
    sequence: wave.sequence,
    state: wave.state as WaveState,
    opensOn: wave.opens_on,
    closesOn: wave.closes_on,
    itemIds: parseJsonArray<string>(wave.item_ids),
    commentQuestion: wave.comment_question === 1,
    keysDone: wave.keys_done,
    keysTotal: wave.keys_total,
  };
}

export async function waveSummary(db: Db, id: string): Promise<WaveSummary> {
  const row = await db
    .selectFrom('wave')
    .innerJoin('programme', 'programme.id', 'wave.programme_id')
    .selectAll('wave')
    .select('programme.name as programmeName')
    .where('wave.id', '=', id)
    .executeTakeFirstOrThrow();
  return toWaveSummary(row, row.programmeName);
}

/** A cell's size as a band: the count itself would invite subtraction. */
export function sizeBand(eligible: number): SizeBand {
  if (eligible < 10) return '5-9';
  if (eligible < 20) return '10-19';
  if (eligible < 50) return '20-49';
  return '50+';
}

/** Adds whole days to a calendar date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
