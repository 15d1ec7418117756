import type {
  Comparison,
  Heatmap,
  NodeResult,
  Period,
  ResultsOverview,
  SaveTeamActionBody,
  TeamAction,
  Trend,
} from '@teamspiegel/contracts';
import { api } from '$lib/api';

/** The results endpoints, typed by the contracts; the API decides what each viewer may see. */
const p = encodeURIComponent;
const opts = (query: Record<string, string | undefined>) => ({ noRedirect: true, query });

export const resultsApi = {
  overview: () => api.get<ResultsOverview>('/results/overview', { noRedirect: true }),
  node: (waveId: string, nodeId: string, period: Period) =>
    api.get<NodeResult>(`/results/waves/${p(waveId)}/nodes/${p(nodeId)}`, opts({ period })),
  trend: (nodeId: string, period: Period) =>
    api.get<Trend>(`/results/nodes/${p(nodeId)}/trend`, opts({ period })),
  heatmap: (waveId: string, nodeId: string | undefined, period: Period) =>
    api.get<Heatmap>(`/results/waves/${p(waveId)}/heatmap`, opts({ nodeId, period })),
  compare: (waveId: string, a: string, b: string, period: Period) =>
    api.get<Comparison>(`/results/waves/${p(waveId)}/compare`, opts({ a, b, period })),
  actions: (nodeId: string) =>
    api.get<{ items: TeamAction[] }>(`/results/nodes/${p(nodeId)}/actions`, { noRedirect: true }),
  saveAction: (nodeId: string, body: SaveTeamActionBody) =>
    api.put<TeamAction>(`/results/nodes/${p(nodeId)}/actions`, body),
};
