import { ROSTER_CHANGE_STATES, type RosterChangePage } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { parsePage } from '$lib/format';
import { loadOrFail, requirePermission } from '$lib/load';
import type { PageLoad } from './$types';

const PAGE_SIZE = 25;

/** Pending changes by default; `?state=all` or one state for the decided ones. */
export const load: PageLoad = async ({ parent, url, depends }) => {
  await parent();
  requirePermission('org:manage');
  depends('app:roster-changes');
  const raw = url.searchParams.get('state') ?? 'pending';
  const state = ROSTER_CHANGE_STATES.find((s) => s === raw);
  const page = parsePage(url.searchParams.get('page'));
  const result = await loadOrFail(url, () =>
    api.get<RosterChangePage>('/roster-changes', {
      noRedirect: true,
      query: { state, page, pageSize: PAGE_SIZE },
    }),
  );
  return { result, state: state ?? 'all' };
};
