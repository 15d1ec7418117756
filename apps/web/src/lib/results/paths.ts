import { resolve } from '$app/paths';
import type { Period } from '@teamspiegel/contracts';
import { withQuery } from '$lib/paths';

/** Links between the results screens; the period is in the query only when it is a quarter. */
const periodParam = (period: Period) => (period === 'quarter' ? 'quarter' : undefined);

export function nodeHref(waveId: string, nodeId: string, period: Period = 'wave'): string {
  return withQuery(resolve('/results/[waveId]/[nodeId]', { waveId, nodeId }), {
    period: periodParam(period),
  });
}

export function heatmapHref(waveId: string, nodeId: string | null, period: Period): string {
  return withQuery(resolve('/results/heatmap'), {
    wave: waveId,
    node: nodeId ?? undefined,
    period: periodParam(period),
  });
}

export function compareHref(
  waveId: string,
  a: string | null,
  b: string | null,
  period: Period,
): string {
  return withQuery(resolve('/results/compare'), {
    wave: waveId,
    a: a ?? undefined,
    b: b ?? undefined,
    period: periodParam(period),
  });
}
