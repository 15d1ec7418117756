import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static, type TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import {
  Comparison,
  CompareQuery,
  Heatmap,
  HeatmapQuery,
  HeatmapRow,
  IdParams,
  NodeParams,
  type OrganisationSettings,
  NodeResult,
  NodeResultParams,
  PeriodQuery,
  PublishedNode,
  ResultsOverview,
  Trend,
  TrendPoint,
  type NodeRef,
  type Period,
  type Theme,
  type ThemeResult,
} from '@teamspiegel/contracts';
import {
  compareThemes,
  DEFAULT_LEADER_TERM,
  effectiveThresholds,
  toResultItem,
  type CellTally,
  type Moments,
  type ResultItem,
  type Thresholds,
} from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import { recordAudit, type AuditDetails } from '../audit/audit.repository.ts';
import type { Clock } from '../clock.ts';
import { sendCsv } from '../csv.ts';
import { allItems } from '../collection/catalogue.ts';
import { parseJsonArray } from '../collection/waves.repository.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import { resultsRemoved, resultsRemovedError } from '../retention/retention.service.ts';
import { organisationIdOf, settingsFor } from '../settings/settings.repository.ts';
import { errorResponses } from '../http.ts';
import { actorOf } from '../plugins/authz.ts';
import type { Actor } from '../access.repository.ts';
import {
  loadNodesAccess,
  loadWaveAccess,
  recordableNodes,
  viewerOf,
  viewsResults,
  type Viewer,
} from './access.ts';
import { resultsCsv, type ExportNode } from './export.ts';
import {
  cellNodeId,
  cellsOf,
  findClosedWave,
  hasPeriod,
  listClosedWaves,
  loadClasses,
  loadPayloads,
  quarterWaveIds,
  themeTallies,
  wavesWithNode,
  type CellKind,
  type ClosedWave,
  type TreeRow,
} from './results.repository.ts';

export const nodeRef = (row: TreeRow): NodeRef => ({
  nodeId: row.nodeId,
  unitId: row.unitId,
  kind: row.kind,
  name: row.name,
  parentNodeId: row.parentNodeId,
});

/** Compiled once per schema: every report view checks what it sends. */
const validators = new Map<TSchema, Validator>();
const validatorOf = (schema: TSchema): Validator => {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator;
};

/** A stored payload that no longer fits its schema is a server fault: send nothing of it. */
function fitted<T>(schema: TSchema, value: unknown): T {
  const validator = validatorOf(schema);
  // A24: fields beyond the schema (whatever a stored payload holds) are dropped here.
  const cleaned = validator.Clean(value);
  if (!validator.Check(cleaned)) {
    throw new AppError(500, 'internal_error', 'A published result could not be read.');
  }
  return cleaned as T;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};

/** The node's answer: its stored published fields, or exactly the suppressed shape (INV-10). */
export function nodeResult(
  waveId: string,
  period: Period,
  row: TreeRow,
  payload: unknown,
): NodeResult {
  const identity = { waveId, nodeId: row.nodeId, period, node: nodeRef(row) };
  if (payload === null || payload === undefined) return { ...identity, suppressed: true };
  return fitted<PublishedNode>(PublishedNode, { ...asRecord(payload), ...identity });
}

const publishedOf = (waveId: string, period: Period, row: TreeRow, payload: unknown) => {
  const result = nodeResult(waveId, period, row, payload);
  return 'suppressed' in result ? null : result;
};

/** Everyone who sees results; administrators alone (and anyone without a viewing role) do not. */
function viewerFor(actor: Actor): Viewer {
  const viewer = viewerOf(actor);
  if (!viewsResults(viewer)) throw forbidden();
  return viewer;
}

/** Closed wave or 403: an open or unknown wave is refused like a node one may not see (A30). */
async function closedWave(db: Db, waveId: string, period: Period): Promise<ClosedWave> {
  const wave = await findClosedWave(db, waveId);
  if (!wave) throw (await resultsRemoved(db, waveId)) ? resultsRemovedError() : forbidden();
  // Said plainly, not as a 403: that a wave has no quarter yet is the same for everyone.
  if (period === 'quarter' && !(await hasPeriod(db, waveId, period))) {
    throw notFound('A quarter view of this wave');
  }
  return wave;
}

/** The allowed node, or 403 before anything about it (even whether it is suppressed) is read. */
function allowedRow(
  access: { allowed: Set<string>; byId: Map<string, TreeRow> },
  nodeId: string,
): TreeRow {
  const row = access.byId.get(nodeId);
  if (!row || !access.allowed.has(nodeId)) throw forbidden();
  return row;
}

/** The wave's items as scoring needs them (the same items publishing scored). */
function waveItems(wave: ClosedWave): ResultItem[] {
  const byId = new Map(allItems().map((item) => [item.id, item]));
  return parseJsonArray<string>(wave.itemIds).flatMap((id) => {
    const item = byId.get(id);
    return item ? [toResultItem(item)] : [];
  });
}

type LeaderTerm = OrganisationSettings['leaderTerm'];

/**
 * The organisation's word for a team lead per programme, for the item texts on the results
 * pages. Only this word is read out of the settings: a viewer may not read the rest.
 */
async function leaderTermsOf(
  db: Db,
  programmeIds: readonly string[],
): Promise<Map<string, LeaderTerm>> {
  const terms = new Map<string, LeaderTerm>();
  if (programmeIds.length === 0) return terms;
  const rows = await db
    .selectFrom('programme')
    .innerJoin('unit', 'unit.id', 'programme.root_unit_id')
    .select(['programme.id as programmeId', 'unit.path as rootPath'])
    .where('programme.id', 'in', [...new Set(programmeIds)])
    .execute();
  const byOrganisation = new Map<string, LeaderTerm>();
  for (const row of rows) {
    const organisationId = organisationIdOf(row.rootPath);
    let term = byOrganisation.get(organisationId);
    if (!term) {
      term = (await settingsFor(db, organisationId)).leaderTerm;
      byOrganisation.set(organisationId, term);
    }
    terms.set(row.programmeId, term);
  }
  return terms;
}

const asTally = (themes: ReadonlyMap<string, Moments> | undefined): CellTally => ({
  respondents: 0,
  items: new Map(),
  themes: new Map(themes ?? []),
});

const isCellKind = (kind: string): kind is CellKind =>
  kind === 'team' || kind === 'remainder' || kind === 'leadership';

export function resultsRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock }) {
  const { db, clock } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  /** One line per report view or export: where, which wave and period; never a number. */
  const audit = (
    actor: Actor,
    action: 'results.viewed' | 'results.exported',
    row: TreeRow,
    details: AuditDetails,
  ) =>
    recordAudit(db, clock.now(), {
      actorId: actor.personId,
      scopePath: row.unitPath,
      action,
      targetType: 'result_node',
      targetId: row.nodeId,
      details,
    });

  r.get(
    '/api/v1/results/overview',
    {
      config: { permission: 'session' },
      schema: { response: { 200: ResultsOverview, ...errorResponses } },
    },
    async (request) => {
      const viewer = viewerFor(actorOf(request));
      const byProgramme = new Map<string, ClosedWave[]>();
      for (const wave of await listClosedWaves(db)) {
        byProgramme.set(wave.programmeId, [...(byProgramme.get(wave.programmeId) ?? []), wave]);
      }
      const waves: ClosedWave[] = [];
      const nodes: NodeRef[] = [];
      const listed = new Set<string>();
      const home: string[] = [];
      let mergedInto: string | null = null;
      for (const programmeWaves of byProgramme.values()) {
        let latest: Awaited<ReturnType<typeof loadWaveAccess>> | null = null;
        for (const wave of programmeWaves) {
          const access = await loadWaveAccess(db, viewer, wave.id, 'wave');
          if (access.allowed.size === 0) continue;
          waves.push(wave);
          latest = access;
        }
        if (!latest) continue;
        // The tree as it stands in the latest wave the viewer can open.
        for (const row of latest.tree) {
          // A unit in two programmes is listed once, as the first programme places it.
          if (latest.allowed.has(row.nodeId) && !listed.has(row.nodeId)) {
            listed.add(row.nodeId);
            nodes.push(nodeRef(row));
          }
        }
        for (const nodeId of latest.home) if (!home.includes(nodeId)) home.push(nodeId);
        mergedInto ??= latest.mergedInto;
      }
      waves.sort((a, b) => (a.closesOn < b.closesOn ? 1 : a.closesOn > b.closesOn ? -1 : 0));
      const leaderTerms = await leaderTermsOf(
        db,
        waves.map((w) => w.programmeId),
      );
      return {
        waves: waves.map((w) => ({
          waveId: w.id,
          programmeId: w.programmeId,
          programmeName: w.programmeName,
          sequence: w.sequence,
          opensOn: w.opensOn,
          closesOn: w.closesOn,
          leaderTerm: leaderTerms.get(w.programmeId) ?? { ...DEFAULT_LEADER_TERM },
        })),
        nodes,
        home,
        mergedInto,
        // Everything exported is what the viewer can open anyway (INV-5).
        canExport: true,
        canRecordAction: recordableNodes(viewer),
      };
    },
  );

  r.get(
    '/api/v1/results/waves/:waveId/nodes/:nodeId',
    {
      config: { permission: 'session' },
      schema: {
        params: NodeResultParams,
        querystring: PeriodQuery,
        response: { 200: NodeResult, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const viewer = viewerFor(actor);
      const { waveId, nodeId } = request.params;
      const period = request.query.period ?? 'wave';
      await closedWave(db, waveId, period);
      const access = await loadNodesAccess(db, viewer, waveId, period, [nodeId]);
      const row = allowedRow(access, nodeId);
      const payloads = await loadPayloads(db, waveId, period, [nodeId]);
      const result = nodeResult(waveId, period, row, payloads.get(nodeId));
      await audit(actor, 'results.viewed', row, { view: 'node', waveId, nodeId, period });
      return result;
    },
  );

  r.get(
    '/api/v1/results/nodes/:nodeId/trend',
    {
      config: { permission: 'session' },
      schema: {
        params: NodeParams,
        querystring: PeriodQuery,
        response: { 200: Trend, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const viewer = viewerFor(actor);
      const { nodeId } = request.params;
      const period = request.query.period ?? 'wave';
      const points: Static<typeof TrendPoint>[] = [];
      let seen: TreeRow | null = null;
      const waves = await wavesWithNode(db, nodeId, period);
      // One programme's waves: the one that published the node last.
      const programmeId = waves.at(-1)?.programmeId;
      for (const wave of waves.filter((w) => w.programmeId === programmeId)) {
        const access = await loadNodesAccess(db, viewer, wave.id, period, [nodeId]);
        const row = access.byId.get(nodeId);
        if (!row || !access.allowed.has(nodeId)) continue;
        seen = row;
        const payload = (await loadPayloads(db, wave.id, period, [nodeId])).get(nodeId);
        const published = publishedOf(wave.id, period, row, payload);
        points.push({
          waveId: wave.id,
          opensOn: wave.opensOn,
          // The stored decision (INV-8); a suppressed point breaks nothing.
          trendAllowed: published ? published.trendAllowed : true,
          result: published
            ? {
                themes: published.themes,
                anchors: published.items.filter((item) => item.anchor),
              }
            : { suppressed: true },
        });
      }
      if (!seen) throw forbidden();
      await audit(actor, 'results.viewed', seen, { view: 'trend', nodeId, period });
      return { nodeId, period, points };
    },
  );

  r.get(
    '/api/v1/results/waves/:waveId/heatmap',
    {
      config: { permission: 'session' },
      schema: {
        params: IdParams('waveId'),
        querystring: HeatmapQuery,
        response: { 200: Heatmap, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const viewer = viewerFor(actor);
      const { waveId } = request.params;
      const period = request.query.period ?? 'wave';
      await closedWave(db, waveId, period);
      const access = await loadWaveAccess(db, viewer, waveId, period);
      // Default: the viewer's highest node (tree order puts parents first).
      const nodeId =
        request.query.nodeId ?? access.tree.find((row) => access.allowed.has(row.nodeId))?.nodeId;
      if (nodeId === undefined) throw forbidden();
      const parent = allowedRow(access, nodeId);
      const withChildren = new Set<string>();
      for (const row of access.tree) {
        if (row.parentNodeId !== null && access.allowed.has(row.nodeId))
          withChildren.add(row.parentNodeId);
      }
      const children = access.tree.filter(
        (row) => row.parentNodeId === nodeId && access.allowed.has(row.nodeId),
      );
      const payloads = await loadPayloads(db, waveId, period, [
        nodeId,
        ...children.map((c) => c.nodeId),
      ]);
      const heatmapRow = (row: TreeRow): Static<typeof HeatmapRow> => {
        const published = publishedOf(waveId, period, row, payloads.get(row.nodeId));
        return {
          node: nodeRef(row),
          hasChildren: withChildren.has(row.nodeId),
          result: published
            ? {
                respondents: published.respondents,
                participationBand: published.participationBand,
                interpretWithCare: published.interpretWithCare,
                themes: published.themes,
              }
            : { suppressed: true },
        };
      };
      const result = {
        waveId,
        period,
        parent: heatmapRow(parent),
        rows: children.map(heatmapRow),
      };
      await audit(actor, 'results.viewed', parent, { view: 'heatmap', waveId, nodeId, period });
      return result;
    },
  );

  r.get(
    '/api/v1/results/waves/:waveId/compare',
    {
      config: { permission: 'session' },
      schema: {
        params: IdParams('waveId'),
        querystring: CompareQuery,
        response: { 200: Comparison, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const viewer = viewerFor(actor);
      const { waveId } = request.params;
      const { a, b } = request.query;
      const period = request.query.period ?? 'wave';
      const wave = await closedWave(db, waveId, period);
      const access = await loadWaveAccess(db, viewer, waveId, period);
      const rowA = allowedRow(access, a);
      const rowB = allowedRow(access, b);
      const payloads = await loadPayloads(db, waveId, period, [a, b]);
      const publishedA = publishedOf(waveId, period, rowA, payloads.get(a));
      const publishedB = publishedOf(waveId, period, rowB, payloads.get(b));

      const scoreOf = (themes: ThemeResult[] | undefined, theme: Theme) => {
        const found = themes?.find((t) => t.theme === theme);
        return found && !('suppressed' in found) ? found : null;
      };
      const themes: Theme[] = [];
      for (const t of [...(publishedA?.themes ?? []), ...(publishedB?.themes ?? [])]) {
        if (!themes.includes(t.theme)) themes.push(t.theme);
      }
      // Only themes published for both nodes are compared; their tallies are read only then.
      const both = themes.filter(
        (theme) => scoreOf(publishedA?.themes, theme) && scoreOf(publishedB?.themes, theme),
      );
      const tallies =
        both.length > 0 ? await nodeTallies(db, wave, period, access.tree, [a, b]) : null;
      const classes = both.length > 0 ? await loadClasses(db, waveId, period, [a, b]) : null;
      const compared = tallies
        ? compareThemes({
            items: waveItems(wave),
            a: { tally: asTally(tallies.get(a)), classes: new Set(classes?.get(a) ?? []) },
            b: { tally: asTally(tallies.get(b)), classes: new Set(classes?.get(b) ?? []) },
            thresholds: effectiveThresholds(
              wave.thresholds ? (JSON.parse(wave.thresholds) as Partial<Thresholds>) : {},
            ),
          })
        : [];
      const result = {
        waveId,
        a: nodeRef(rowA),
        b: nodeRef(rowB),
        themes: themes.map((theme) => {
          const suppressed = { theme, suppressed: true as const };
          const scoreA = scoreOf(publishedA?.themes, theme);
          const scoreB = scoreOf(publishedB?.themes, theme);
          const shown = compared.find((c) => c.theme === theme);
          // Both published, and the tallies exactly the published groups (same n): else nothing.
          if (!scoreA || !scoreB || !shown || 'suppressed' in shown) return suppressed;
          if (tallies?.get(a)?.get(theme)?.n !== scoreA.n) return suppressed;
          if (tallies.get(b)?.get(theme)?.n !== scoreB.n) return suppressed;
          return shown;
        }),
      };
      await audit(actor, 'results.viewed', rowA, {
        view: 'compare',
        waveId,
        nodeId: a,
        otherNodeId: b,
        period,
      });
      return result;
    },
  );

  r.get(
    '/api/v1/results/waves/:waveId/export.csv',
    {
      config: { permission: 'session' },
      schema: {
        params: IdParams('waveId'),
        querystring: HeatmapQuery,
        response: { 200: Type.String(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const viewer = viewerFor(actor);
      const { waveId } = request.params;
      const period = request.query.period ?? 'wave';
      const wave = await closedWave(db, waveId, period);
      const access = await loadWaveAccess(db, viewer, waveId, period);
      const nodeId =
        request.query.nodeId ?? access.tree.find((row) => access.allowed.has(row.nodeId))?.nodeId;
      if (nodeId === undefined) throw forbidden();
      const top = allowedRow(access, nodeId);
      const under = new Set([nodeId]);
      const rows = access.tree.filter((row) => {
        if (row.nodeId === nodeId) return true;
        if (row.parentNodeId === null || !under.has(row.parentNodeId)) return false;
        under.add(row.nodeId);
        return access.allowed.has(row.nodeId);
      });
      const payloads = await loadPayloads(
        db,
        waveId,
        period,
        rows.map((row) => row.nodeId),
      );
      const nodes: ExportNode[] = rows.map((row) => ({
        node: nodeRef(row),
        published: publishedOf(waveId, period, row, payloads.get(row.nodeId)),
      }));
      const csv = resultsCsv({ waveId, period, nodes });
      await audit(actor, 'results.exported', top, { waveId, nodeId, period });
      return sendCsv(reply, `teamspiegel-${wave.sequence}-${period}.csv`, csv);
    },
  );
}

/**
 * Theme tallies (n, sum, sum of squares) of published nodes, summed over the cells below each
 * node in the stored tree: the cells of the wave, or of the pooled waves for a quarter.
 */
async function nodeTallies(
  db: Db,
  wave: ClosedWave,
  period: Period,
  tree: readonly TreeRow[],
  nodeIds: readonly string[],
): Promise<Map<string, Map<string, Moments>>> {
  const waveIds = period === 'quarter' ? await quarterWaveIds(db, wave) : [wave.id];
  const root = tree.find((row) => row.parentNodeId === null);
  const cellsByNode = new Map<string, string[]>();
  for (const cell of await cellsOf(db, waveIds)) {
    if (!isCellKind(cell.kind)) continue;
    // As the publisher does: a team cell at the root itself is the root's remainder group.
    const kind = cell.kind === 'team' && cell.unitId === root?.unitId ? 'remainder' : cell.kind;
    const id = cellNodeId({ unitId: cell.unitId, kind });
    cellsByNode.set(id, [...(cellsByNode.get(id) ?? []), cell.id]);
  }
  const children = new Map<string, string[]>();
  for (const row of tree) {
    if (row.parentNodeId === null) continue;
    children.set(row.parentNodeId, [...(children.get(row.parentNodeId) ?? []), row.nodeId]);
  }
  const cellsBelow = (nodeId: string): string[] => [
    ...(cellsByNode.get(nodeId) ?? []),
    ...(children.get(nodeId) ?? []).flatMap(cellsBelow),
  ];
  const result = new Map<string, Map<string, Moments>>();
  for (const nodeId of nodeIds) {
    result.set(nodeId, await themeTallies(db, waveIds, cellsBelow(nodeId)));
  }
  return result;
}
