import type { Item } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { loadOrFail, requirePermission } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, url }) => {
  await parent();
  requirePermission('survey:manage');
  const list = await loadOrFail(url, () =>
    api.get<{ items: Item[] }>('/content/items', { noRedirect: true }),
  );
  return { items: list.items };
};
