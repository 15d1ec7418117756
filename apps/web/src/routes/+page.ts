import type { MyWave, MyWaves } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { session } from '$lib/session.svelte';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
  await parent();
  // Whether a wave is open for this person (officers, and leads who answer too); the home page
  // never fails over it.
  let waves: MyWave[] | null = null;
  if (session.me) {
    try {
      waves = (await api.get<MyWaves>('/me/waves', { noRedirect: true })).items;
    } catch {
      waves = null;
    }
  }
  return { waves };
};
