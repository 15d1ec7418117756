import type { ImportRunsPage } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { parsePage } from '$lib/format';
import { loadOrFail, requirePermission } from '$lib/load';
import type { PageLoad } from './$types';

const PAGE_SIZE = 20;

export const load: PageLoad = async ({ parent, url }) => {
  await parent();
  requirePermission('people:manage');
  const page = parsePage(url.searchParams.get('page'));
  const history = await loadOrFail(url, () =>
    api.get<ImportRunsPage>('/imports', {
      noRedirect: true,
      query: { page, pageSize: PAGE_SIZE },
    }),
  );
  return { history };
};
