import type { Comparison } from '@teamspiegel/contracts';
import { loadOrFail } from '$lib/load';
import { resultsApi } from '$lib/results/api';
import { parsePeriod } from '$lib/results/items';
import { latestWave } from '$lib/results/shape';
import type { PageLoad } from './$types';

/** Two groups of one wave side by side, per theme the difference with its interval. */
export const load: PageLoad = async ({ parent, url }) => {
  await parent();
  const period = parsePeriod(url.searchParams.get('period'));
  const a = url.searchParams.get('a');
  const b = url.searchParams.get('b');
  return loadOrFail(url, async () => {
    const overview = await resultsApi.overview();
    const requested = url.searchParams.get('wave');
    const wave = overview.waves.find((w) => w.waveId === requested) ?? latestWave(overview.waves);
    let comparison: Comparison | null = null;
    if (wave && a && b && a !== b) comparison = await resultsApi.compare(wave.waveId, a, b, period);
    return { overview, wave: wave ?? null, period, a, b, comparison };
  });
};
