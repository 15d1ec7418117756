import type { WaveSummary } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { loadOrFail, requirePermission } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, url, depends }) => {
  await parent();
  requirePermission('survey:manage');
  depends('app:waves');
  const list = await loadOrFail(url, () =>
    api.get<{ items: WaveSummary[] }>('/waves', { noRedirect: true }),
  );
  return { waves: list.items };
};
