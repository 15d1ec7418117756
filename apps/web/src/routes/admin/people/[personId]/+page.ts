import type { PersonDetail, UnitList } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { loadOrFail, requirePermission } from '$lib/load';
import { session } from '$lib/session.svelte';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, params, url }) => {
  await parent();
  requirePermission('people:read');
  const canManage = session.can('people:manage');
  const canManageRoles = session.can('roles:manage');
  // Unit pickers need the units in scope; only fetched when there is something to pick for.
  const needUnits = (canManage || canManageRoles) && session.can('org:read');
  const [person, units] = await loadOrFail(url, () =>
    Promise.all([
      api.get<PersonDetail>(`/people/${encodeURIComponent(params.personId)}`, { noRedirect: true }),
      needUnits
        ? api.get<UnitList>('/units', { noRedirect: true })
        : Promise.resolve({ items: [] }),
    ]),
  );
  return { person, units: units.items, canManage, canManageRoles };
};
