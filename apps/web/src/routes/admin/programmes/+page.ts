import type { Programme, UnitList } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { loadOrFail, requirePermission } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, url, depends }) => {
  await parent();
  requirePermission('survey:manage');
  depends('app:programmes');
  const [programmes, units] = await loadOrFail(url, () =>
    Promise.all([
      api.get<{ items: Programme[] }>('/programmes', { noRedirect: true }),
      api.get<UnitList>('/units', { noRedirect: true }),
    ]),
  );
  // A programme covers a whole organisation: only top-level units (corps or zone) qualify.
  const roots = units.items.filter((u) => u.parentId === null && !u.archived);
  return { programmes: programmes.items, roots };
};
