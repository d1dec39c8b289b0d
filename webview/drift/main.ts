import '@vscode-elements/elements/dist/vscode-button/index.js';
import { render } from 'lit';
import type { DriftContract } from '../../src/protocol/drift/driftContract';
import { disposeChart } from '../shared/chartHost';
import { readChartTheme } from '../shared/chartTheme';
import { startPanel } from '../shared/panelBootstrap';
import { renderColumnOverTime, renderDistribution, renderShareOverTime } from './driftCharts';
import { allColumns, DRIFT_STYLES, renderDrift, type DriftViewModel } from './driftView';

/** Saved for a reload or a restart: the host's serializer reopens a monitor's panel from it. */
interface SavedState {
  monitor?: string;
  file?: string;
  selectedColumn?: string;
}

const { api, host, root } = startPanel<DriftContract, SavedState>(DRIFT_STYLES);

let model: DriftViewModel = { loading: true, selectedColumn: api.getState()?.selectedColumn };
let drawn = new Set<HTMLElement>();

function drawCharts(): void {
  // Read on every draw: canvas charts cannot follow CSS variables when the theme changes.
  const theme = readChartTheme();
  const state = model.state;
  const report = model.report ?? state?.report ?? undefined;
  const history = state?.monitor?.history ?? [];
  const columns = report ? allColumns(report) : [];
  const column = columns.find((c) => c.column === model.selectedColumn) ?? columns[0];
  const charts = new Set<HTMLElement>();
  for (const element of root.querySelectorAll<HTMLElement>('.chart[data-chart]')) {
    charts.add(element);
    const kind = element.dataset.chart;
    if (kind === 'share') renderShareOverTime(element, history, state?.monitor?.driftShareThreshold ?? null, report?.id ?? null, pickReport, theme);
    else if (kind === 'distribution' && column) renderDistribution(element, column, theme);
    else if (kind === 'column' && column) renderColumnOverTime(element, history, column, report?.id ?? null, pickReport, theme);
  }
  for (const element of drawn) if (!charts.has(element)) disposeChart(element);
  drawn = charts;
}

function update(patch: Partial<DriftViewModel>): void {
  model = { ...model, ...patch };
  const monitor = model.state?.monitor;
  api.setState({ ...(monitor ? { monitor: monitor.name, file: monitor.file } : {}), selectedColumn: model.selectedColumn });
  root.setAttribute('aria-busy', String(model.loading));
  render(
    renderDrift(model, {
      selectColumn: (selectedColumn) => update({ selectedColumn }),
      moveSelection,
      showNewest: () => update({ report: undefined }),
      pickReport: (id) => void pickReport(id),
      runMonitor: () => host.notify('runMonitor', {}),
      acknowledgeAlerts: () => host.notify('acknowledgeAlerts', {}),
      openSpec: () => host.notify('openSpec', {}),
      retry: () => void load(),
    }),
    root,
  );
  drawCharts();
}

function moveSelection(delta: number): void {
  const report = model.report ?? model.state?.report;
  if (!report) return;
  const columns = allColumns(report);
  const index = Math.max(0, columns.findIndex((c) => c.column === model.selectedColumn));
  const next = columns[Math.min(columns.length - 1, Math.max(0, index + delta))];
  if (next) update({ selectedColumn: next.column });
  root.querySelector<HTMLElement>(`tr[data-column="${CSS.escape(next?.column ?? '')}"]`)?.scrollIntoView({ block: 'nearest' });
}

async function pickReport(id: number): Promise<void> {
  if (id === (model.report ?? model.state?.report)?.id) return;
  try {
    const report = await host.request('getReport', { id });
    update({ report: id === model.state?.report?.id ? undefined : report });
  } catch (error) {
    update({ error: error instanceof Error ? error.message : String(error) });
  }
}

async function load(): Promise<void> {
  update({ loading: true });
  try {
    const state = await host.request('getState', {});
    update({ state, report: undefined, loading: false, error: undefined });
  } catch (error) {
    update({ loading: false, error: error instanceof Error ? error.message : String(error) });
  }
}

host.onNotification('changed', () => void load());
new MutationObserver(() => drawCharts()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
void load();
