import { requirePermission } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
  await parent();
  requirePermission('people:manage');
  return {};
};
