import { redirect } from '@sveltejs/kit';
import { loadOrFail } from '$lib/load';
import { resultsApi } from '$lib/results/api';
import { nodeHref } from '$lib/results/paths';
import { latestWave } from '$lib/results/shape';
import type { PageLoad } from './$types';

/**
 * The start of the results: the viewer's own group (their team, the teams they lead, a chief's
 * unit, HR's root) in the latest closed wave. Without closed waves or groups it explains why.
 */
export const load: PageLoad = async ({ parent, url }) => {
  await parent();
  const overview = await loadOrFail(url, () => resultsApi.overview());
  const wave = latestWave(overview.waves);
  const home = overview.home[0] ?? overview.nodes[0]?.nodeId;
  if (wave && home) redirect(307, nodeHref(wave.waveId, home, 'wave'));
  return { overview };
};
