import type { SettingsHistory, SettingsView } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { parsePage } from '$lib/format';
import { loadOrFail, requirePermission } from '$lib/load';
import type { PageLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE_SIZE = 25;

export const load: PageLoad = async ({ parent, url, depends }) => {
  await parent();
  requirePermission('settings:read');
  depends('app:settings');
  const requested = url.searchParams.get('organisation') ?? '';
  const organisationId = UUID.test(requested) ? requested : undefined;
  const page = parsePage(url.searchParams.get('page'));
  const [view, history] = await loadOrFail(url, () =>
    Promise.all([
      api.get<SettingsView>('/settings', { noRedirect: true, query: { organisationId } }),
      api.get<SettingsHistory>('/settings/history', {
        noRedirect: true,
        query: { organisationId, page, pageSize: PAGE_SIZE },
      }),
    ]),
  );
  return { view, history };
};
