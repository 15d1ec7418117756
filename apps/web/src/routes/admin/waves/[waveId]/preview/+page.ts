import type { Language, OfficerItem, WaveDetail } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { isLanguage } from '$lib/i18n';
import { loadOrFail, requirePermission } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, params, url }) => {
  await parent();
  requirePermission('survey:manage');
  const requested = url.searchParams.get('language');
  const language: Language = isLanguage(requested) ? requested : 'nl';
  const id = encodeURIComponent(params.waveId);
  const [detail, preview] = await loadOrFail(url, () =>
    Promise.all([
      api.get<WaveDetail>(`/waves/${id}`, { noRedirect: true }),
      api.get<{ items: OfficerItem[]; commentQuestion: boolean }>(`/waves/${id}/preview`, {
        noRedirect: true,
        query: { language },
      }),
    ]),
  );
  return { wave: detail.wave, preview, language };
};
