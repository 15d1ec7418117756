import type { UnitList } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { loadOrFail, requirePermission } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, url }) => {
  await parent();
  requirePermission('org:read');
  const list = await loadOrFail(url, () => api.get<UnitList>('/units', { noRedirect: true }));
  return { units: list.items };
};
