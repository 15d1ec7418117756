import type { PeoplePage } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { parsePage } from '$lib/format';
import { loadOrFail, requirePermission } from '$lib/load';
import type { PageLoad } from './$types';

export const PAGE_SIZE = 25;

export const load: PageLoad = async ({ parent, url }) => {
  await parent();
  requirePermission('people:read');
  const q = url.searchParams.get('q')?.trim() ?? '';
  const includeInactive = url.searchParams.get('includeInactive') === 'true';
  const page = parsePage(url.searchParams.get('page'));
  const result = await loadOrFail(url, () =>
    api.get<PeoplePage>('/people', {
      noRedirect: true,
      query: {
        q: q || undefined,
        includeInactive: includeInactive || undefined,
        page,
        pageSize: PAGE_SIZE,
      },
    }),
  );
  return { result, q, includeInactive };
};
