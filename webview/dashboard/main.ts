import '@vscode-elements/elements/dist/vscode-button/index.js';
import { render } from 'lit';
import type { DashboardAction, DashboardContract, DashboardOverview, DashboardTarget } from '../../src/protocol/dashboard/dashboardContract';
import { startPanel } from '../shared/panelBootstrap';
import { renderDashboard, type DashboardViewModel } from './dashboardView';

interface DashboardState {
  overview?: DashboardOverview;
}

// (startPanel drops the static "Loading…" placeholder: lit renders after existing children.)
const { api, host, root } = startPanel<DashboardContract, DashboardState>();

// Restored panels paint the last overview at once, then refresh.
let model: DashboardViewModel = { overview: api.getState()?.overview, loading: true, now: Date.now() };

function update(patch: Partial<DashboardViewModel>): void {
  model = { ...model, ...patch, now: Date.now() };
  if (model.overview) api.setState({ overview: model.overview });
  root.setAttribute('aria-busy', String(model.loading));
  render(renderDashboard(model, { refresh, run, open }), root);
}

async function refresh(): Promise<void> {
  update({ loading: true });
  try {
    const overview = await host.request('getOverview', {});
    update({ overview, loading: false, error: undefined });
  } catch (error) {
    update({ loading: false, error: error instanceof Error ? error.message : String(error) });
  }
}

function run(action: DashboardAction): void {
  host.notify('runAction', { action });
}

function open(target: DashboardTarget): void {
  host.notify('open', { target });
}

host.onNotification('overviewChanged', (overview) => update({ overview, loading: false, error: undefined }));
// Relative times ("2 minutes ago") and running durations stay current.
setInterval(() => update({}), 30_000);
void refresh();
