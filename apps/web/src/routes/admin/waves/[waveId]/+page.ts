import type { WaveDetail } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { loadOrFail, requirePermission } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, params, url, depends }) => {
  await parent();
  requirePermission('survey:manage');
  depends('app:wave');
  const detail = await loadOrFail(url, () =>
    api.get<WaveDetail>(`/waves/${encodeURIComponent(params.waveId)}`, { noRedirect: true }),
  );
  return { detail };
};
