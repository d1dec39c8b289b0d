import '@vscode-elements/elements/dist/vscode-button/index.js';
import { render } from 'lit';
import type { FeatureCatalogContract, FeatureCatalogEntry } from '../../src/protocol/featureCatalog/featureCatalogContract';
import { disposeChart } from '../shared/chartHost';
import { readChartTheme } from '../shared/chartTheme';
import { startPanel } from '../shared/panelBootstrap';
import { filterFeatures } from './catalogSearch';
import { renderFeatureDistribution } from './featureCatalogCharts';
import { FEATURE_CATALOG_STYLES, renderFeatureCatalog, type FeatureCatalogViewModel } from './featureCatalogView';

interface SavedState {
  query?: string;
  selectedId?: string;
}

const { api, host, root } = startPanel<FeatureCatalogContract, SavedState>(FEATURE_CATALOG_STYLES);

const saved = api.getState();
let model: FeatureCatalogViewModel = { loading: true, query: saved?.query ?? '', selectedId: saved?.selectedId };
let drawn = new Set<HTMLElement>();

function drawCharts(): void {
  const theme = readChartTheme();
  const charts = new Set<HTMLElement>();
  const stats = model.details?.id === model.selectedId ? model.details?.stats : undefined;
  for (const element of root.querySelectorAll<HTMLElement>('.chart[data-chart="distribution"]')) {
    charts.add(element);
    if (stats && model.selectedId) renderFeatureDistribution(element, model.selectedId, stats.distribution, theme);
  }
  for (const element of drawn) if (!charts.has(element)) disposeChart(element);
  drawn = charts;
}

/** Relative times ("materialized 7 seconds ago") are redrawn this often, against the host's clock. */
const TICK_MS = 5_000;
/** host clock − this frame's clock, from the last catalog */
let clockOffset = 0;

function update(patch: Partial<FeatureCatalogViewModel>, options: { charts?: boolean } = {}): void {
  model = { ...model, ...patch };
  api.setState({ query: model.query, selectedId: model.selectedId });
  root.setAttribute('aria-busy', String(model.loading));
  render(
    renderFeatureCatalog(model, {
      search: (query) => update({ query }),
      select: (entry) => void select(entry),
      moveSelection,
      materialize: (view) => host.notify('materialize', { view }),
      openModelCard: (name, version) => host.notify('openModelCard', { name, version }),
      openSpec: (file, line) => host.notify('openSpec', { file, line }),
      createSpec: () => host.notify('createSpec', {}),
      retry: () => void load(),
    }),
    root,
  );
  if (options.charts !== false) drawCharts();
}

/** Moves "now" on so relative times age; the charts have not changed, so they are left alone. */
function tick(): void {
  if (model.state && !document.hidden) update({ state: { ...model.state, now: Date.now() + clockOffset } }, { charts: false });
}

function moveSelection(delta: number): void {
  const shown = filterFeatures(model.state?.features ?? [], model.query);
  const index = shown.findIndex((e) => e.id === model.selectedId);
  const next = shown[Math.min(shown.length - 1, Math.max(0, index + delta))];
  if (!next) return;
  void select(next);
  root.querySelector<HTMLElement>(`tr[data-feature="${CSS.escape(next.id)}"]`)?.focus();
}

async function select(entry: FeatureCatalogEntry): Promise<void> {
  update({ selectedId: entry.id, detailsError: undefined, details: model.details?.id === entry.id ? model.details : undefined });
  try {
    const details = await host.request('getFeature', { view: entry.view, name: entry.name });
    if (model.selectedId === entry.id) update({ details });
  } catch (error) {
    if (model.selectedId === entry.id) update({ detailsError: error instanceof Error ? error.message : String(error) });
  }
}

async function load(): Promise<void> {
  update({ loading: true });
  try {
    const state = await host.request('getCatalog', {});
    clockOffset = state.now - Date.now();
    // the selected feature keeps its statistics on screen until the new ones arrive (no flash of "Loading…")
    update({ state, loading: false, error: undefined });
    const selected = state.features.find((e) => e.id === model.selectedId);
    if (selected) await select(selected);
    else if (model.selectedId) update({ selectedId: undefined });
  } catch (error) {
    update({ loading: false, error: error instanceof Error ? error.message : String(error) });
  }
}

host.onNotification('changed', () => void load());
setInterval(tick, TICK_MS);
document.addEventListener('visibilitychange', tick);
new MutationObserver(() => drawCharts()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
void load();
