import { html, nothing, type TemplateResult } from 'lit';
import type { DriftColumnView, DriftPanelState, DriftReportView } from '../../src/protocol/drift/driftContract';
import { formatCount, formatNumber } from '../shared/formatting';

export interface DriftViewModel {
  state?: DriftPanelState;
  /** the report shown: the newest, or a point picked on the history */
  report?: DriftReportView;
  selectedColumn?: string;
  loading: boolean;
  error?: string;
}

export interface DriftActions {
  selectColumn(column: string): void;
  moveSelection(delta: number): void;
  showNewest(): void;
  pickReport(id: number): void;
  runMonitor(): void;
  acknowledgeAlerts(): void;
  openSpec(): void;
  retry(): void;
}

export const DRIFT_STYLES = `
.page { max-width: 1280px; }
.summary { display: flex; gap: 12px; align-items: center; }
.summary .codicon { font-size: 20px; }
.banner-ok { border-left: 3px solid var(--vscode-testing-iconPassed, var(--vscode-charts-green)); background: var(--vscode-textBlockQuote-background); }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 16px; margin-bottom: 16px; }
.chart { height: 260px; }
.chart.short { height: 200px; }
table.drift { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.drift th, table.drift td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); }
table.drift thead th { font-weight: 600; color: var(--vscode-descriptionForeground); position: sticky; top: 0; background: var(--vscode-editor-background); }
table.drift td.num, table.drift th.num { text-align: right; }
table.drift tbody tr { cursor: pointer; }
table.drift tbody tr:hover { background: var(--vscode-list-hoverBackground); }
table.drift tbody tr[aria-selected="true"] { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
table.drift tbody:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; border: 1px solid transparent; }
.pill.drifted { color: var(--vscode-errorForeground); border-color: var(--vscode-errorForeground); }
.pill.stable { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); border-color: currentColor; }
.mono { font-family: var(--vscode-editor-font-family); }
.muted { color: var(--vscode-descriptionForeground); }
section { margin-bottom: 16px; }
.verdict { margin: 4px 0 8px; }
.report-picker { margin-left: 6px; font: inherit; color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border: 1px solid var(--vscode-dropdown-border, transparent); padding: 2px 4px; }
.report-picker:focus { outline: 1px solid var(--vscode-focusBorder); }
`;

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`;
const value = (v: number | null): string => (v === null ? '—' : formatNumber(v));

/** "p = 0.003 < 0.05 → drifted", "distance 0.04 < 0.1 → stable": the rule, readable. */
export function verdict(c: DriftColumnView): string {
  const score = value(c.score);
  if (c.scoreIsPValue) return `p-value ${score} ${c.drifted ? '<' : '≥'} ${formatNumber(c.threshold)}: ${c.drifted ? 'drifted' : 'no drift'}`;
  return `${c.test} distance ${score} ${c.drifted ? '≥' : '<'} ${formatNumber(c.threshold)}: ${c.drifted ? 'drifted' : 'no drift'}`;
}

function summary(report: DriftReportView): TemplateResult {
  const share = `${report.driftedColumns} of ${report.columnCount} columns drifted (${percent(report.driftShare)} ${report.datasetDrift ? '≥' : '<'} ${percent(report.driftShareThreshold)})`;
  return html`<div class="banner ${report.datasetDrift ? 'banner-error' : 'banner-ok'} summary" role="status">
    <span class="codicon ${report.datasetDrift ? 'codicon-alert' : 'codicon-pass'}" aria-hidden="true"></span>
    <div>
      <strong>${report.datasetDrift ? 'Dataset drift' : 'No dataset drift'}</strong>: ${share}${report.prediction ? html`; predictions ${report.prediction.drifted ? html`<strong>drifted</strong>` : 'stable'}` : nothing}
      <p class="muted">Reference <span class="mono">${report.reference.name}</span> (${formatCount(report.reference.rows)} rows) → current <span class="mono">${report.current.name}</span> (${formatCount(report.current.rows)} rows) · ${dateTime.format(new Date(report.createdAt))}</p>
    </div>
  </div>`;
}

function columnRow(c: DriftColumnView, selected: boolean, actions: DriftActions, label = c.column): TemplateResult {
  const missing = c.referenceMissingShare === 0 && c.currentMissingShare === 0 ? '—' : `${percent(c.referenceMissingShare)} → ${percent(c.currentMissingShare)}`;
  return html`<tr aria-selected=${selected ? 'true' : 'false'} data-column=${c.column} @click=${() => actions.selectColumn(c.column)}>
    <th scope="row" class="mono">${label}</th>
    <td>${c.kind}</td>
    <td title=${c.reason}>${c.test}</td>
    <td class="num">${value(c.score)}<span class="muted"> ${c.scoreIsPValue ? 'p' : 'dist.'}</span></td>
    <td class="num">${formatNumber(c.threshold)}</td>
    <td><span class="pill ${c.drifted ? 'drifted' : 'stable'}">${c.drifted ? 'drifted' : 'stable'}</span></td>
    <td class="num">${missing}</td>
    <td>${c.unseenCategories.length === 0 ? '—' : html`<span title=${c.unseenCategories.join(', ')}>${c.unseenCategories.slice(0, 3).join(', ')}${c.unseenCategories.length > 3 ? ` +${c.unseenCategories.length - 3}` : ''}</span>`}</td>
  </tr>`;
}

function onTableKey(event: KeyboardEvent, actions: DriftActions): void {
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    actions.moveSelection(event.key === 'ArrowDown' ? 1 : -1);
  }
}

/** Every column of the report, the prediction last; a row selects the column for the charts. */
export function allColumns(report: DriftReportView): DriftColumnView[] {
  return report.prediction ? [...report.columns, report.prediction] : report.columns;
}

/** A monitor of an endpoint: what applications said about its answers through /feedback. */
function feedbackLine(feedback: NonNullable<DriftPanelState['monitor']>['feedback']): TemplateResult | typeof nothing {
  if (!feedback) return nothing;
  return html`<p class="muted" data-testid="endpoint-feedback"><span class="codicon codicon-feedback" aria-hidden="true"></span> Feedback on ${feedback.endpoint}'s answers: ${feedback.count === 0
    ? 'none posted yet (POST /feedback with the X-Request-Id of an answer)'
    : html`${formatCount(feedback.count)} rated${feedback.meanRating !== null ? html`, mean rating <strong>${feedback.meanRating.toFixed(2)}</strong> / 5` : nothing}${feedback.labels.length > 0 ? ` · ${feedback.labels.slice(0, 4).map(([l, n]) => `${l} ×${n}`).join(', ')}` : ''}`}</p>`;
}

function renderReport(model: DriftViewModel, report: DriftReportView, actions: DriftActions): TemplateResult {
  const state = model.state as DriftPanelState;
  const history = state.monitor?.history ?? [];
  const columns = allColumns(report);
  const selected = columns.find((c) => c.column === model.selectedColumn) ?? columns[0];
  const newestId = history.at(-1)?.id ?? null;
  return html`
    ${summary(report)}
    ${feedbackLine(state.monitor?.feedback ?? null)}
    ${report.id !== null && newestId !== null && report.id !== newestId
      ? html`<div class="banner"><span class="codicon codicon-history" aria-hidden="true"></span><div>Showing an earlier run (report #${report.id}).</div><vscode-button secondary @click=${() => actions.showNewest()}>Show newest</vscode-button></div>`
      : nothing}
    ${history.length > 0
      ? html`<section class="card">
          <div class="panel-header" style="margin-bottom: 4px">
            <h2>Dataset drift share over time <span class="muted">(${history.length} run${history.length === 1 ? '' : 's'}; click a point to see its report)</span></h2>
            <label class="muted">Report
              <select class="report-picker" aria-label="Report" @change=${(e: Event) => actions.pickReport(Number((e.target as HTMLSelectElement).value))}>
                ${[...history].reverse().map((p) => html`<option value=${p.id} ?selected=${p.id === report.id}>#${p.id} · ${dateTime.format(new Date(p.createdAt))} · ${p.datasetDrift ? 'DRIFT' : 'ok'} ${percent(p.driftShare)}</option>`)}
              </select>
            </label>
          </div>
          <div class="chart short" data-chart="share" role="img" aria-label="Share of drifted columns per monitor run"></div>
        </section>`
      : nothing}
    <section class="card">
      <h2>Columns <span class="muted">(drifted first)</span></h2>
      <table class="drift" aria-label="Drift per column">
        <thead><tr><th>Column</th><th>Type</th><th>Test</th><th class="num">Score</th><th class="num">Threshold</th><th>Result</th><th class="num">Missing ref → cur</th><th>Unseen categories</th></tr></thead>
        <tbody tabindex="0" @keydown=${(e: KeyboardEvent) => onTableKey(e, actions)}>
          ${report.columns.map((c) => columnRow(c, c === selected, actions))}
          ${report.prediction ? columnRow(report.prediction, report.prediction === selected, actions, `${report.prediction.column} (prediction)`) : nothing}
        </tbody>
      </table>
      ${columns.length === 0 ? html`<p class="muted">The two datasets share no columns to compare.</p>` : nothing}
    </section>
    ${selected
      ? html`<section class="card" data-testid="column-detail">
          <h2 class="mono">${selected.column}</h2>
          <p class="verdict"><span class="pill ${selected.drifted ? 'drifted' : 'stable'}">${selected.drifted ? 'drifted' : 'stable'}</span> ${verdict(selected)}</p>
          <p class="muted">${selected.reason}${selected.statistic !== null ? ` · statistic ${formatNumber(selected.statistic)}` : ''} · ${formatCount(selected.referenceCount)} reference and ${formatCount(selected.currentCount)} current values</p>
          <div class="grid2">
            <figure style="margin: 0"><figcaption class="muted">Distribution: reference vs current</figcaption><div class="chart" data-chart="distribution" role="img" aria-label="Reference and current distribution of ${selected.column}"></div></figure>
            ${history.length > 1 ? html`<figure style="margin: 0"><figcaption class="muted">${selected.scoreIsPValue ? 'p-value' : 'Distance'} over time</figcaption><div class="chart" data-chart="column" role="img" aria-label="Drift score of ${selected.column} per monitor run"></div></figure>` : nothing}
          </div>
        </section>`
      : nothing}
  `;
}

/** The whole panel for one state; pure, so tests can render it without a host. */
export function renderDrift(model: DriftViewModel, actions: DriftActions): TemplateResult {
  const state = model.state;
  const monitor = state?.monitor ?? null;
  const header = html`<header class="panel-header">
    <div>
      <h1>Drift${state ? `: ${state.title}` : ''}</h1>
      ${state ? html`<p class="subtle">${monitor ? 'Monitor: its newest report, drift over time, and per-column distributions.' : 'A one-off drift check between two files.'}</p>` : nothing}
    </div>
    ${monitor
      ? html`<div class="toolbar">
          <vscode-button icon="play" @click=${() => actions.runMonitor()}>Run Monitor</vscode-button>
          ${monitor.openAlerts > 0 ? html`<vscode-button secondary icon="check-all" @click=${() => actions.acknowledgeAlerts()}>Acknowledge ${monitor.openAlerts} alert${monitor.openAlerts === 1 ? '' : 's'}</vscode-button>` : nothing}
          <vscode-button secondary icon="go-to-file" @click=${() => actions.openSpec()}>Open Spec</vscode-button>
        </div>`
      : nothing}
  </header>`;
  if (model.error) {
    return html`<div class="page">${header}<div class="banner banner-error" role="alert"><span class="codicon codicon-error" aria-hidden="true"></span><div><strong>Could not load the drift report.</strong><p>${model.error}</p></div><vscode-button secondary @click=${() => actions.retry()}>Try again</vscode-button></div></div>`;
  }
  if (!state) return html`<div class="page"><p class="loading">Loading the drift report…</p></div>`;
  const report = model.report ?? state.report;
  if (!report) {
    return html`<div class="page">${header}<div class="empty-state"><span class="codicon codicon-pulse empty-icon" aria-hidden="true"></span><h2>No reports yet</h2><p>This monitor has not run yet. A run compares its current data with the reference, column by column, and stores the report here.</p><div class="actions"><vscode-button icon="play" @click=${() => actions.runMonitor()}>Run Monitor now</vscode-button></div></div></div>`;
  }
  return html`<div class="page">${header}${renderReport(model, report, actions)}</div>`;
}
