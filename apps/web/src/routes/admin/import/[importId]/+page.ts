import {
  IMPORT_CHANGE_KINDS,
  type ImportChangeKind,
  type ImportChangesPage,
  type ImportRun,
} from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { parsePage } from '$lib/format';
import { loadOrFail, requirePermission } from '$lib/load';
import type { PageLoad } from './$types';

const PAGE_SIZE = 50;

function isChangeKind(value: string | null): value is ImportChangeKind {
  return (IMPORT_CHANGE_KINDS as readonly (string | null)[]).includes(value);
}

export const load: PageLoad = async ({ parent, params, url, depends }) => {
  await parent();
  requirePermission('people:manage');
  depends('app:import');
  const rawKind = url.searchParams.get('kind');
  const kind: ImportChangeKind = isChangeKind(rawKind) ? rawKind : 'unit';
  const page = parsePage(url.searchParams.get('page'));
  const base = `/imports/${encodeURIComponent(params.importId)}`;
  const [run, changes] = await loadOrFail(url, () =>
    Promise.all([
      api.get<ImportRun>(base, { noRedirect: true }),
      api.get<ImportChangesPage>(`${base}/changes`, {
        noRedirect: true,
        query: { kind, page, pageSize: PAGE_SIZE },
      }),
    ]),
  );
  return { run, changes, kind };
};
