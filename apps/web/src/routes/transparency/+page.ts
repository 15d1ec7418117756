import type { TransparencyWaveList } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { loadOrFail } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, url }) => {
  await parent();
  const waves = await loadOrFail(url, () =>
    api.get<TransparencyWaveList>('/transparency/waves', { noRedirect: true }),
  );
  return { waves: waves.items };
};
