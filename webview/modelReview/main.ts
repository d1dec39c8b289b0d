import '@vscode-elements/elements/dist/vscode-button/index.js';
import { render } from 'lit';
import type { ModelReviewContract } from '../../src/protocol/modelReview/modelReviewContract';
import { readChartTheme } from '../shared/chartTheme';
import { disposeChart } from '../shared/chartHost';
import { startPanel } from '../shared/panelBootstrap';
import { renderEvaluationChart, type EvaluationChartKind } from './evaluationCharts';
import { MODEL_REVIEW_STYLES, renderModelReview, type ModelReviewViewModel } from './modelReviewView';

/** Saved for a reload or a restart: the host's serializer reads name and versions back. */
interface SavedState {
  name?: string;
  versions?: number[];
  onlyDifferences?: boolean;
}

const { api, host, root } = startPanel<ModelReviewContract, SavedState>(MODEL_REVIEW_STYLES);

let model: ModelReviewViewModel = { loading: true, onlyDifferences: api.getState()?.onlyDifferences ?? false, now: Date.now() };

function drawCharts(): void {
  // Read on every draw: the theme's variables may arrive after the bundle, and change with the theme.
  const theme = readChartTheme();
  const state = model.state;
  const charts = new Set<HTMLElement>();
  for (const element of root.querySelectorAll<HTMLElement>('.chart[data-chart]')) {
    const card = state?.versions.find((v) => v.version === Number(element.dataset.version));
    if (!card?.curves) continue;
    renderEvaluationChart(element, card.curves, element.dataset.chart as EvaluationChartKind, theme);
    charts.add(element);
  }
  for (const element of drawn) if (!charts.has(element)) disposeChart(element);
  drawn = charts;
}
let drawn = new Set<HTMLElement>();

function update(patch: Partial<ModelReviewViewModel>): void {
  model = { ...model, ...patch, now: Date.now() };
  if (model.state) api.setState({ name: model.state.model.name, versions: model.state.versions.map((v) => v.version), onlyDifferences: model.onlyDifferences });
  root.setAttribute('aria-busy', String(model.loading));
  render(
    renderModelReview(model, {
      promote: (version) => host.notify('promote', { version }),
      decide: (reviewId, decision) => host.notify('decideReview', { reviewId, decision }),
      addVersion: () => host.notify('addVersion', {}),
      removeVersion: (version) => host.notify('removeVersion', { version }),
      openFile: (version, file) => host.notify('openFile', { version, file }),
      openRun: (runId) => host.notify('openRun', { runId }),
      showLineage: (version) => host.notify('showLineage', { version }),
      openCostSettings: () => host.notify('openCostSettings', {}),
      setOnlyDifferences: (onlyDifferences) => update({ onlyDifferences }),
      retry: () => void load(),
    }),
    root,
  );
  drawCharts();
}

async function load(): Promise<void> {
  update({ loading: true });
  try {
    update({ state: await host.request('getState', {}), loading: false, error: undefined });
  } catch (error) {
    update({ loading: false, error: error instanceof Error ? error.message : String(error) });
  }
}

host.onNotification('changed', () => void load());
// Canvas charts cannot follow CSS variables: redraw them when the colour theme changes.
new MutationObserver(() => drawCharts()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
void load();
