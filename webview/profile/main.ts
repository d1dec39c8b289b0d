import '@vscode-elements/elements/dist/vscode-button/index.js';
import { render } from 'lit';
import type { CorrelationMeasure, ProfileContract } from '../../src/protocol/profile/profileContract';
import { disposeChart } from '../shared/chartHost';
import { readChartTheme } from '../shared/chartTheme';
import { startPanel } from '../shared/panelBootstrap';
import { renderColumnChart, renderCorrelationChart } from './profileCharts';
import { defaultMeasure, PROFILE_STYLES, renderProfile, sortedColumns, type ProfileViewModel, type SortKey } from './profileView';

/** Saved for a reload or a restart: the host's serializer profiles the file again from it. */
interface SavedState {
  path?: string;
  target?: string | null;
  selectedColumn?: string;
  measure?: CorrelationMeasure;
}

const { api, host, root } = startPanel<ProfileContract, SavedState>(PROFILE_STYLES);

const saved = api.getState();
let model: ProfileViewModel = { loading: true, selectedColumn: saved?.selectedColumn, measure: saved?.measure, sort: { key: 'order', descending: false } };
let drawn = new Set<HTMLElement>();

function drawCharts(): void {
  // Read on every draw: canvas charts cannot follow CSS variables when the theme changes.
  const theme = readChartTheme();
  const profile = model.state?.profile;
  const charts = new Set<HTMLElement>();
  if (profile) {
    const columns = sortedColumns(profile, model.sort);
    const column = columns.find((c) => c.name === model.selectedColumn) ?? columns[0];
    const measure = model.measure ?? defaultMeasure(profile);
    for (const element of root.querySelectorAll<HTMLElement>('.chart[data-chart]')) {
      charts.add(element);
      if (element.dataset.chart === 'column' && column) renderColumnChart(element, column, theme);
      else if (element.dataset.chart === 'correlation') renderCorrelationChart(element, profile.correlations[measure], measure, theme);
    }
  }
  for (const element of drawn) if (!charts.has(element)) disposeChart(element);
  drawn = charts;
}

function update(patch: Partial<ProfileViewModel>): void {
  model = { ...model, ...patch };
  const state = model.state;
  api.setState({ ...(state ? { path: state.path, target: state.target } : { path: saved?.path, target: saved?.target }), selectedColumn: model.selectedColumn, measure: model.measure });
  root.setAttribute('aria-busy', String(model.loading || model.state?.phase === 'profiling'));
  render(
    renderProfile(model, {
      selectColumn: (selectedColumn) => {
        update({ selectedColumn });
        root.querySelector<HTMLElement>(`tr[data-column="${CSS.escape(selectedColumn)}"]`)?.scrollIntoView({ block: 'nearest' });
      },
      moveSelection,
      sortBy: (key: SortKey) => update({ sort: { key, descending: model.sort.key === key ? !model.sort.descending : key === 'missing' || key === 'distinct' } }),
      setMeasure: (measure) => update({ measure }),
      changeTarget: () => host.notify('changeTarget', {}),
      reprofile: () => host.notify('reprofile', {}),
      saveJson: () => host.notify('saveJson', {}),
      saveHtml: () => host.notify('saveHtml', {}),
      compareWith: () => host.notify('compareWith', {}),
      clearComparison: () => host.notify('clearComparison', {}),
      openAt: (line) => host.notify('openAt', { line }),
      retry: () => void load(),
    }),
    root,
  );
  drawCharts();
}

function moveSelection(delta: number): void {
  const profile = model.state?.profile;
  if (!profile) return;
  const columns = sortedColumns(profile, model.sort);
  const index = Math.max(0, columns.findIndex((c) => c.name === model.selectedColumn));
  const next = columns[Math.min(columns.length - 1, Math.max(0, index + delta))];
  if (!next) return;
  update({ selectedColumn: next.name });
  root.querySelector<HTMLElement>(`tr[data-column="${CSS.escape(next.name)}"]`)?.scrollIntoView({ block: 'nearest' });
}

async function load(): Promise<void> {
  update({ loading: true });
  try {
    const state = await host.request('getState', {});
    const columns = state.profile?.columns.map((c) => c.name) ?? [];
    // a new target or file may not have the column that was selected
    const selectedColumn = model.selectedColumn !== undefined && columns.includes(model.selectedColumn) ? model.selectedColumn : columns[0];
    update({ state, loading: false, error: undefined, selectedColumn });
  } catch (error) {
    update({ loading: false, error: error instanceof Error ? error.message : String(error) });
  }
}

host.onNotification('changed', () => void load());
new MutationObserver(() => drawCharts()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
void load();
