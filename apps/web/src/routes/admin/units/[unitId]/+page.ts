import type { UnitDetail, UnitList } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { loadOrFail, requirePermission } from '$lib/load';
import { session } from '$lib/session.svelte';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, params, url }) => {
  await parent();
  requirePermission('org:read');
  const canManage = session.can('org:manage');
  const [detail, all] = await loadOrFail(url, () =>
    Promise.all([
      api.get<UnitDetail>(`/units/${encodeURIComponent(params.unitId)}`, { noRedirect: true }),
      // The move form needs every unit in scope to choose a new parent from.
      canManage
        ? api.get<UnitList>('/units', { noRedirect: true })
        : Promise.resolve({ items: [] }),
    ]),
  );
  return { detail, units: all.items, canManage };
};
