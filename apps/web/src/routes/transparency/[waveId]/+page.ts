import type { TransparencyPage } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { parsePage } from '$lib/format';
import { loadOrFail } from '$lib/load';
import type { PageLoad } from './$types';

/** About 4,000 cells at reference scale: the plan comes a page at a time. */
const CELLS_PER_PAGE = 100;

export const load: PageLoad = async ({ parent, params, url }) => {
  await parent();
  const page = parsePage(url.searchParams.get('page'));
  const transparency = await loadOrFail(url, () =>
    api.get<TransparencyPage>(`/waves/${encodeURIComponent(params.waveId)}/transparency`, {
      noRedirect: true,
      query: { page, pageSize: CELLS_PER_PAGE },
    }),
  );
  return { transparency };
};
