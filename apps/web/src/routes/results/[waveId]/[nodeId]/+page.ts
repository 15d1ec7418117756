import { error } from '@sveltejs/kit';
import type { NodeResult, TeamAction } from '@teamspiegel/contracts';
import { loadOrFail } from '$lib/load';
import { resultsApi } from '$lib/results/api';
import { parsePeriod } from '$lib/results/items';
import { childrenOf, comparisonNodes } from '$lib/results/shape';
import type { PageLoad } from './$types';

/** Failures of the side panels (trend, comparison, action) never hide the node's own results. */
const orNull = <T>(promise: Promise<T>): Promise<T | null> => promise.catch(() => null);

export const load: PageLoad = async ({ parent, params, url }) => {
  await parent();
  const period = parsePeriod(url.searchParams.get('period'));
  const { waveId, nodeId } = params;
  return loadOrFail(url, async () => {
    const [overview, result] = await Promise.all([
      resultsApi.overview(),
      resultsApi.node(waveId, nodeId, period),
    ]);
    const wave = overview.waves.find((w) => w.waveId === waveId);
    if (!wave) error(404, { message: 'wave not found', code: 'not_found' });

    const compareWith = comparisonNodes(overview.nodes, result.node);
    const hasChildren = childrenOf(overview.nodes, nodeId).length > 0;
    const [trend, actions, heatmap, ...others] = await Promise.all([
      orNull(resultsApi.trend(nodeId, period)),
      orNull(resultsApi.actions(nodeId)),
      hasChildren ? orNull(resultsApi.heatmap(waveId, nodeId, period)) : Promise.resolve(null),
      ...compareWith.map((n) => orNull(resultsApi.node(waveId, n.nodeId, period))),
    ]);
    const comparison = others.filter((r): r is NodeResult => r !== null);
    const teamActions: TeamAction[] = actions?.items ?? [];
    return { overview, wave, period, result, trend, actions: teamActions, heatmap, comparison };
  });
};
