import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setImmediate as immediate } from 'node:timers/promises';
import type { ImportPlan } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import { endSessionsOf } from '../plugins/session-store.ts';

const CHUNK = 500;

/**
 * Gives the event loop a turn. better-sqlite3 answers synchronously, so a long run of awaited
 * queries would otherwise hold every other request (and timer) until the import is done;
 * queries of other requests still wait for the transaction (the driver's connection mutex).
 */
export const turn = (): Promise<void> => immediate();

/**
 * Runs a generator of steps (planImportSteps, rosterHashSteps), giving the event loop a turn
 * whenever its steps have held it for sliceMs: no step of a 65,000-person import holds other
 * requests for much longer than that.
 */
export async function stepped<T>(steps: Generator<void, T, void>, sliceMs = 40): Promise<T> {
  let since = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - since >= sliceMs) {
      await turn();
      since = performance.now();
    }
  }
}

function chunks<T>(rows: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Applies a plan to the roster in the caller's transaction: batched inserts, updates grouped by
 * value, and every unit path recomputed in memory, so 65,000 people take seconds, not minutes.
 */
export async function applyPlan(
  trx: Db,
  plan: ImportPlan,
  ctx: { rootId: string; now: Date },
): Promise<void> {
  const { ops } = plan;
  const nowIso = ctx.now.toISOString();
  const rootPath = `/${ctx.rootId}/`;

  // ---- Units: final parents in memory, then paths from the root down.
  const units = await trx
    .selectFrom('unit')
    .select(['id', 'code', 'parent_id', 'path'])
    .where('path', 'like', `${rootPath}%`)
    .execute();
  const byCode = new Map(units.map((u) => [u.code, u]));
  const parentOf = new Map(units.map((u) => [u.id, u.parent_id]));
  const created: { id: string; code: string; name: string; kind: string }[] = [];
  for (const c of ops.createUnits) {
    const id = randomUUID();
    created.push({ id, code: c.code, name: c.name, kind: c.kind });
    byCode.set(c.code, { id, code: c.code, parent_id: null, path: '' });
  }
  for (const c of ops.createUnits)
    parentOf.set(byCode.get(c.code)!.id, byCode.get(c.parentCode)!.id);
  for (const u of ops.updateUnits) parentOf.set(u.id, byCode.get(u.parentCode)!.id);
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known) return known;
    const parent = parentOf.get(id);
    const path = parent ? `${pathOf(parent)}${id}/` : `/${id}/`;
    paths.set(id, path);
    return path;
  };
  for (const batch of chunks(created)) {
    await trx
      .insertInto('unit')
      .values(
        batch.map((c) => ({
          id: c.id,
          parent_id: parentOf.get(c.id)!,
          code: c.code,
          name: c.name,
          kind: c.kind,
          path: pathOf(c.id),
          archived_at: null,
          created_at: nowIso,
        })),
      )
      .execute();
    await turn();
  }
  for (const [i, u] of ops.updateUnits.entries()) {
    if (i % CHUNK === CHUNK - 1) await turn();
    await trx
      .updateTable('unit')
      .set({
        name: u.name,
        kind: u.kind,
        parent_id: parentOf.get(u.id)!,
        ...(u.unarchive && { archived_at: null }),
      })
      .where('id', '=', u.id)
      .execute();
  }
  for (const [i, u] of units.entries()) {
    if (i % CHUNK === CHUNK - 1) await turn();
    const path = pathOf(u.id);
    if (path !== u.path)
      await trx.updateTable('unit').set({ path }).where('id', '=', u.id).execute();
  }
  for (const batch of chunks(ops.archiveUnits)) {
    await trx.updateTable('unit').set({ archived_at: nowIso }).where('id', 'in', batch).execute();
  }

  // ---- People.
  const numbers = new Map<string, string>();
  const newPeople = ops.createPeople.map((p) => ({ ...p, id: randomUUID() }));
  for (const batch of chunks(newPeople)) {
    await trx
      .insertInto('person')
      .values(
        batch.map((p) => ({
          id: p.id,
          employee_number: p.employeeNumber,
          given_name: p.givenName,
          family_name: p.familyName,
          email: p.email,
          language: p.language,
          deactivated_at: null,
          created_at: nowIso,
        })),
      )
      .execute();
    await turn();
  }
  for (const p of newPeople) numbers.set(p.employeeNumber, p.id);
  for (const [i, p] of ops.updatePeople.entries()) {
    if (i % CHUNK === CHUNK - 1) await turn();
    await trx
      .updateTable('person')
      .set({
        given_name: p.givenName,
        family_name: p.familyName,
        email: p.email,
        language: p.language,
        ...(p.reactivate && { deactivated_at: null }),
      })
      .where('id', '=', p.id)
      .execute();
  }
  for (const batch of chunks(ops.deactivatePeople)) {
    await trx
      .updateTable('person')
      .set({ deactivated_at: nowIso })
      .where('id', 'in', batch)
      .execute();
    // Only the roles held in this organisation: an import never touches another one's.
    await trx
      .deleteFrom('role_assignment')
      .where('person_id', 'in', batch)
      .where('unit_id', 'in', (eb) =>
        eb.selectFrom('unit').select('id').where('path', 'like', `${rootPath}%`),
      )
      .execute();
  }
  for (const id of ops.deactivatePeople) await endSessionsOf(trx, id);

  // ---- Memberships: ends grouped by date, removals and adds in batches.
  const byLeftOn = new Map<string | null, string[]>();
  for (const e of ops.setLeftOn) {
    const list = byLeftOn.get(e.leftOn);
    if (list) list.push(e.id);
    else byLeftOn.set(e.leftOn, [e.id]);
  }
  for (const [leftOn, ids] of byLeftOn) {
    for (const batch of chunks(ids)) {
      await trx
        .updateTable('membership')
        .set({ left_on: leftOn })
        .where('id', 'in', batch)
        .execute();
    }
  }
  for (const batch of chunks(ops.deleteMemberships)) {
    await trx.deleteFrom('membership').where('id', 'in', batch).execute();
  }
  if (ops.addMemberships.length) {
    const wanted = [...new Set(ops.addMemberships.map((m) => m.employeeNumber))].filter(
      (n) => !numbers.has(n),
    );
    for (const batch of chunks(wanted)) {
      const rows = await trx
        .selectFrom('person')
        .select(['id', 'employee_number'])
        .where('employee_number', 'in', batch)
        .execute();
      for (const r of rows) numbers.set(r.employee_number, r.id);
    }
    for (const batch of chunks(ops.addMemberships)) {
      await trx
        .insertInto('membership')
        .values(
          batch.map((m) => ({
            id: randomUUID(),
            person_id: numbers.get(m.employeeNumber)!,
            unit_id: byCode.get(m.unitCode)!.id,
            kind: m.kind,
            joined_on: m.joinedOn,
            left_on: m.leftOn,
          })),
        )
        .execute();
      await turn();
    }
  }
}
