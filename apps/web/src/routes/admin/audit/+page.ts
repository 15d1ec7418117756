import type { AuditPage } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { isAuditAction } from '$lib/constants';
import { endOfDayInstant, parsePage, startOfDayInstant } from '$lib/format';
import { loadOrFail, requirePermission } from '$lib/load';
import { AUDIT_GROUPS, auditQuery, type AuditFilterValues } from './filters';
import type { PageLoad } from './$types';

const PAGE_SIZE = 50;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageLoad = async ({ parent, url }) => {
  await parent();
  requirePermission('audit:read');
  const param = (name: string) => url.searchParams.get(name)?.trim() ?? '';
  const rawAction = param('action');
  const from = param('from');
  const to = param('to');
  const group = param('group');
  const targetId = param('targetId');
  const filters: AuditFilterValues = {
    action: isAuditAction(rawAction) ? rawAction : '',
    group: AUDIT_GROUPS.includes(group) ? group : '',
    actorName: param('actorName').slice(0, 100),
    targetType: param('targetType').slice(0, 40),
    targetId: UUID.test(targetId) ? targetId : '',
    from: DATE.test(from) ? from : '',
    to: DATE.test(to) ? to : '',
  };
  const page = parsePage(url.searchParams.get('page'));
  const result = await loadOrFail(url, () =>
    api.get<AuditPage>('/audit', {
      noRedirect: true,
      query: {
        ...auditQuery(filters, { startOfDayInstant, endOfDayInstant }),
        page,
        pageSize: PAGE_SIZE,
      },
    }),
  );
  return { result, filters };
};
