import type { MyWaves, SupportLinks, TeamAction, WaveManifest } from '@teamspiegel/contracts';
import { api } from '$lib/api';
import { loadOrFail } from '$lib/load';
import { resultsApi } from '$lib/results/api';
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
  return {
    waves: waves.items,
    wave,
    manifest,
    teamAction: wave ? await teamAction() : null,
    support: wave ? await supportLinks() : null,
    submitOrigin: waves.submitOrigin,
  };
};

/** Where to go with something serious, shown by the comment box; answering never waits on it. */
async function supportLinks(): Promise<SupportLinks | null> {
  try {
    return await api.get<SupportLinks>('/me/support', { noRedirect: true });
  } catch {
    return null;
  }
}

/**
 * "You said, we did" in the wave's intro (content.md): the action the officer's team agreed
 * on after the last results. Nice to have: answering never waits on it or fails because of it.
 */
async function teamAction(): Promise<{ nodeId: string; actions: TeamAction[] } | null> {
  try {
    const overview = await resultsApi.overview();
    const team = overview.home.find(
      (id) => overview.nodes.find((node) => node.nodeId === id)?.kind === 'team',
    );
    if (!team) return null;
    const { items } = await resultsApi.actions(team);
    return items.length ? { nodeId: team, actions: items } : null;
  } catch {
    return null;
  }
}
