import { loadOrFail } from '$lib/load';
import { resultsApi } from '$lib/results/api';
import { parsePeriod } from '$lib/results/items';
import { latestWave } from '$lib/results/shape';
import type { PageLoad } from './$types';

/** Nodes x themes, one level at a time: the children of `node` (the viewer's root by default). */
export const load: PageLoad = async ({ parent, url }) => {
  await parent();
  const period = parsePeriod(url.searchParams.get('period'));
  const nodeId = url.searchParams.get('node') ?? undefined;
  return loadOrFail(url, async () => {
    const overview = await resultsApi.overview();
    const requested = url.searchParams.get('wave');
    const wave = overview.waves.find((w) => w.waveId === requested) ?? latestWave(overview.waves);
    if (!wave) return { overview, wave: null, period, heatmap: null };
    const heatmap = await resultsApi.heatmap(wave.waveId, nodeId, period);
    return { overview, wave, period, heatmap };
  });
};
