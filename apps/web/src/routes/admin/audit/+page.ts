import type { AuditPage } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { isAuditAction } from '$lib/constants';
import { endOfDayInstant, parsePage, startOfDayInstant } from '$lib/format';
import { loadOrFail, requirePermission } from '$lib/load';
import type { PageLoad } from './$types';

const PAGE_SIZE = 50;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const load: PageLoad = async ({ parent, url }) => {
  await parent();
  requirePermission('audit:read');
  const rawAction = url.searchParams.get('action');
  const action = isAuditAction(rawAction) ? rawAction : '';
  const from = url.searchParams.get('from') ?? '';
  const to = url.searchParams.get('to') ?? '';
  const page = parsePage(url.searchParams.get('page'));
  const result = await loadOrFail(url, () =>
    api.get<AuditPage>('/audit', {
      noRedirect: true,
      query: {
        action: action || undefined,
        from: DATE.test(from) ? startOfDayInstant(from) : undefined,
        to: DATE.test(to) ? endOfDayInstant(to) : undefined,
        page,
        pageSize: PAGE_SIZE,
      },
    }),
  );
  return {
    result,
    filters: { action, from: DATE.test(from) ? from : '', to: DATE.test(to) ? to : '' },
  };
};
