/**
 * Retention: what a closed wave left behind is kept for its organisation's periods, counted from
 * the day it closed (policy.ts), then removed by the daily job (scheduler.ts):
 *
 * - comments (after `commentsMonths`): the comment texts in the wave's published nodes become
 *   `{ removed: true }`, which the results screen shows as "removed after the retention period",
 *   and the stored comments (wave_comment) are deleted. This is the one documented exception to
 *   INV-7 (published results never change): a removal, never a new or changed number.
 * - results (after `resultsYears`): the wave's published nodes (wave and quarter periods), its
 *   tallies and comments, and the team actions of its quarter that no kept wave refers to any
 *   more. The wave row, its cells and their public keys (the manifest) stay, so the transparency
 *   page still shows that the wave took place; the results API answers 404 for it, as for a wave
 *   that never published.
 *
 * Each wave is one short transaction, audited ('retention.purged') with counts and ids, never
 * contents. Deletes run under secure_delete (createDb), and after anything was removed the WAL
 * is checkpointed and the file rebuilt (compactAfterErasure), as the close does for raw answers,
 * so no removed comment lingers in free pages, the WAL or the free list. Idempotent: a second
 * run on the same day finds nothing and records nothing.
 *
 * The compaction is synchronous (better-sqlite3) and rewrites the whole file, so it holds every
 * request of the process, /submit included, while it runs: 4.7 to 5.2 s measured on the
 * reference history (bench/results-history.ts at 65,000 people, 13 closed waves, 975 MB, 2
 * shared cores), as long as a close's. The database is not in auto_vacuum=incremental mode, and
 * incremental_vacuum would only hand back free pages, not rebuild them, so the cost is kept and
 * documented (operations.md, Retention): it is paid only on days when something expired, in the
 * scheduler's first run after midnight UTC (or the first after a restart).
 */
import { organisationOf } from '@teamspiegel/core';
import { compactAfterErasure, type Db } from '@teamspiegel/db';
import { recordAudit } from '../audit/audit.repository.ts';
import { type Clock, dateOf } from '../clock.ts';
import { AppError } from '../errors.ts';
import { quarterOf } from '../results/actions.routes.ts';
import {
  addMonths,
  commentsExpireOn,
  quarterDays,
  resultsExpireOn,
  retentionFor,
  type RetentionPolicy,
} from './policy.ts';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface RetentionDeps {
  db: Db;
  clock: Clock;
  /** The periods of an organisation (root unit id); the organisation settings by default. */
  policyFor?: (db: Db, organisationId: string) => Promise<RetentionPolicy>;
}

export interface RetentionReport {
  /** Waves whose results were removed in this run. */
  resultsRemoved: string[];
  /** Waves whose comments were removed in this run (results kept). */
  commentsRemoved: string[];
  /** Team actions removed because no kept wave refers to their quarter. */
  teamActionsRemoved: number;
}

/** The comments field of a stored payload once its comments are gone. */
export const REMOVED_COMMENTS = Object.freeze({ removed: true as const });

/** Runs the retention rules once for every organisation; see the module comment. */
export async function runRetention({
  db,
  clock,
  policyFor = retentionFor,
}: RetentionDeps): Promise<RetentionReport> {
  const today = dateOf(clock.now());
  const policies = new Map<string, RetentionPolicy>();
  const policyOf = async (path: string) => {
    const organisation = organisationOf(path);
    let policy = policies.get(organisation);
    if (!policy) {
      policy = await policyFor(db, organisation.slice(1, -1));
      policies.set(organisation, policy);
    }
    return policy;
  };
  const report: RetentionReport = {
    resultsRemoved: [],
    commentsRemoved: [],
    teamActionsRemoved: 0,
  };

  const waves = await db
    .selectFrom('wave')
    .innerJoin('programme', 'programme.id', 'wave.programme_id')
    .innerJoin('unit', 'unit.id', 'programme.root_unit_id')
    .select(['wave.id', 'wave.closed_at', 'wave.closes_on', 'unit.path'])
    .where('wave.state', '=', 'closed')
    .where('wave.closed_at', 'is not', null)
    .orderBy('wave.closed_at')
    .orderBy('wave.id')
    .execute();
  for (const wave of waves) {
    await yieldToEventLoop();
    const policy = await policyOf(wave.path);
    const closedOn = dateOf(new Date(wave.closed_at!));
    const target = { id: wave.id, closesOn: wave.closes_on, path: wave.path };
    if (today >= resultsExpireOn(closedOn, policy)) {
      if (await removeResults(db, clock, target)) report.resultsRemoved.push(wave.id);
    } else if (today >= commentsExpireOn(closedOn, policy)) {
      if (await removeComments(db, clock, target)) report.commentsRemoved.push(wave.id);
    }
  }
  report.teamActionsRemoved = await removeUnreferencedActions(db, clock, today, policyOf);

  if (report.resultsRemoved.length || report.commentsRemoved.length || report.teamActionsRemoved) {
    await compactAfterErasure(db);
  }
  return report;
}

interface TargetWave {
  id: string;
  closesOn: string;
  /** The programme root's path (files the audit event under its organisation). */
  path: string;
}

/** Whether a kept wave still publishes a team node in a quarter (its actions belong there). */
async function quarterStillShown(db: Db, nodeId: string, quarter: string): Promise<boolean> {
  const { first, last } = quarterDays(quarter);
  const row = await db
    .selectFrom('published_node')
    .innerJoin('wave', 'wave.id', 'published_node.wave_id')
    .select('wave.id')
    .where('published_node.node_id', '=', nodeId)
    .where('published_node.period', '=', 'wave')
    .where('wave.state', '=', 'closed')
    .where('wave.closes_on', '>=', first)
    .where('wave.closes_on', '<=', last)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The wave's results: published nodes (wave and quarter), tallies, comments, and the team
 * actions of its quarter (as the results screen names it: by closing date) of every team it
 * published, unless another kept wave still shows that team in that quarter. An action without
 * any results beside it would be a statement about a team nobody can check any more; the
 * action's text stays no longer than the results it answered.
 */
async function removeResults(db: Db, clock: Clock, wave: TargetWave): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const teams = await trx
      .selectFrom('published_node')
      .select('node_id')
      .where('wave_id', '=', wave.id)
      .where('period', '=', 'wave')
      .where('kind', '=', 'team')
      .execute();
    const deleted = async (
      table:
        | 'published_node'
        | 'wave_cell_tally'
        | 'wave_item_tally'
        | 'wave_theme_tally'
        | 'wave_comment',
    ) => {
      const result = await trx.deleteFrom(table).where('wave_id', '=', wave.id).executeTakeFirst();
      return Number(result.numDeletedRows);
    };
    const counts = {
      publishedNodes: await deleted('published_node'),
      cellTallies: await deleted('wave_cell_tally'),
      itemTallies: await deleted('wave_item_tally'),
      themeTallies: await deleted('wave_theme_tally'),
      comments: await deleted('wave_comment'),
      teamActions: 0,
    };
    const quarter = quarterOf(wave.closesOn);
    for (const { node_id: nodeId } of teams) {
      if (await quarterStillShown(trx, nodeId, quarter)) continue;
      const result = await trx
        .deleteFrom('team_action')
        .where('node_id', '=', nodeId)
        .where('quarter', '=', quarter)
        .executeTakeFirst();
      counts.teamActions += Number(result.numDeletedRows);
    }
    if (Object.values(counts).every((n) => n === 0)) return false;
    await recordAudit(trx, clock.now(), {
      actorId: null,
      scopePath: wave.path,
      action: 'retention.purged',
      targetType: 'wave',
      targetId: wave.id,
      details: { part: 'results', waveId: wave.id, quarter, ...counts },
    });
    return true;
  });
}

/**
 * The wave's comments: every comments field that showed texts or pointed to where they are
 * shown becomes `{ removed: true }`; a node that showed none stays as it is. The stored comments
 * go as well.
 */
async function removeComments(db: Db, clock: Clock, wave: TargetWave): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('published_node')
      .select(['period', 'node_id', 'payload'])
      .where('wave_id', '=', wave.id)
      .where('payload', 'is not', null)
      .execute();
    let nodes = 0;
    let texts = 0;
    for (const row of rows) {
      const payload = JSON.parse(row.payload!) as { comments?: Record<string, unknown> };
      const comments = payload.comments;
      if (!comments || !('texts' in comments || 'movedTo' in comments)) continue;
      if (Array.isArray(comments.texts)) texts += comments.texts.length;
      nodes += 1;
      await trx
        .updateTable('published_node')
        .set({ payload: JSON.stringify({ ...payload, comments: REMOVED_COMMENTS }) })
        .where('wave_id', '=', wave.id)
        .where('period', '=', row.period)
        .where('node_id', '=', row.node_id)
        .execute();
    }
    const stored = await trx
      .deleteFrom('wave_comment')
      .where('wave_id', '=', wave.id)
      .executeTakeFirst();
    const storedComments = Number(stored.numDeletedRows);
    if (nodes === 0 && storedComments === 0) return false;
    await recordAudit(trx, clock.now(), {
      actorId: null,
      scopePath: wave.path,
      action: 'retention.purged',
      targetType: 'wave',
      targetId: wave.id,
      details: { part: 'comments', waveId: wave.id, nodes, comments: texts, storedComments },
    });
    return true;
  });
}

/**
 * Team actions recorded for a quarter in which no wave closed (the current quarter, say) are
 * not removed with any wave: they go once their quarter ended `resultsYears` ago and no kept
 * wave shows the team in it. One audit event per organisation.
 */
async function removeUnreferencedActions(
  db: Db,
  clock: Clock,
  today: string,
  policyOf: (path: string) => Promise<RetentionPolicy>,
): Promise<number> {
  const organisations = await db
    .selectFrom('unit')
    .select(['id', 'path'])
    .where('parent_id', 'is', null)
    .execute();
  let total = 0;
  for (const organisation of organisations) {
    const policy = await policyOf(organisation.path);
    // A quarter qualifies when its last day is on or before this date.
    const cutoff = addMonths(today, -12 * policy.resultsYears);
    const candidates = await db
      .selectFrom('team_action')
      .innerJoin('unit', 'unit.id', 'team_action.node_id')
      .select(['team_action.id', 'team_action.node_id', 'team_action.quarter'])
      .where('unit.path', 'like', `${organisation.path}%`)
      .where('team_action.quarter', '<=', quarterOf(cutoff))
      .execute();
    const expired = candidates.filter((a) => quarterDays(a.quarter).last <= cutoff);
    if (!expired.length) continue;
    await yieldToEventLoop();
    const removed = await db.transaction().execute(async (trx) => {
      let n = 0;
      for (const action of expired) {
        if (await quarterStillShown(trx, action.node_id, action.quarter)) continue;
        const result = await trx
          .deleteFrom('team_action')
          .where('id', '=', action.id)
          .executeTakeFirst();
        n += Number(result.numDeletedRows);
      }
      if (n > 0) {
        await recordAudit(trx, clock.now(), {
          actorId: null,
          scopePath: organisation.path,
          action: 'retention.purged',
          targetType: 'organisation',
          targetId: organisation.id,
          details: { part: 'team_actions', teamActions: n },
        });
      }
      return n;
    });
    total += removed;
  }
  return total;
}

/**
 * Whether retention removed a wave's results: the results API then says so (404) instead of
 * answering as for a wave the viewer may not see (403). That the wave existed is no secret (the
 * transparency page lists it). Read from the audit line written in the removal's transaction.
 */
export async function resultsRemoved(db: Db, waveId: string): Promise<boolean> {
  const row = await db
    .selectFrom('audit_event')
    .select('id')
    .where('action', '=', 'retention.purged')
    .where('target_type', '=', 'wave')
    .where('target_id', '=', waveId)
    // Text match rather than a JSON function: portable, and recordAudit writes this exact form.
    .where('details', 'like', '{"part":"results",%')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export const resultsRemovedError = () =>
  new AppError(
    404,
    'not_found',
    'The results of this wave were removed after the organisation’s retention period.',
  );
