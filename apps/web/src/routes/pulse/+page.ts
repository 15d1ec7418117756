import type { MyWaves, WaveManifest } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { loadOrFail } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, url, depends }) => {
  await parent();
  depends('app:pulse');
  const waves = await loadOrFail(url, () => api.get<MyWaves>('/me/waves', { noRedirect: true }));
  const requested = url.searchParams.get('wave');
  const wave = waves.items.find((w) => w.waveId === requested) ?? waves.items[0] ?? null;
  // The manifest lets the officer check that their cell's key is the one published for
  // everyone in the cell; answering does not depend on it.
  let manifest: WaveManifest | null = null;
  if (wave) {
    try {
      manifest = await api.get<WaveManifest>(`/waves/${encodeURIComponent(wave.waveId)}/manifest`, {
        noRedirect: true,
      });
    } catch {
      manifest = null;
    }
  }
  return { waves: waves.items, wave, manifest };
};
