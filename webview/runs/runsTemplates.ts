/** Lit templates of the Runs view around the grid: toolbar, tabs, compare views, column chooser, details. */
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { ArtifactPreview, ColumnInfo, FilterError, RunDetails } from '../../src/protocol/runs/runsContract';
import { formatDuration } from '../shared/formatting';
import { columnLabel, formatCell } from './cellFormat';
import { renderCodeSource, renderRerun } from './codeSource';
import { metricRank } from './columnOrder';
import { confusionFromMetrics, perClassFromMetrics, type ConfusionMatrix, type PerClassRow } from './confusionMatrix';
import { formatNumber } from '../shared/formatting';
import { runColor, readChartTheme } from '../shared/chartTheme';
import type { RunsApp } from './runsApp';
import { MAX_CHART_RUNS, type RunsTab, type RunsViewState } from './runsState';

export interface ViewModel {
  app: RunsApp;
  state: RunsViewState;
}

const TABS: Array<[RunsTab, string]> = [
  ['table', 'Table'],
  ['curves', 'Metric curves'],
  ['parallel', 'Parallel coordinates'],
  ['scatter', 'Scatter'],
  ['sideBySide', 'Side by side'],
];

export function renderTop({ app, state }: ViewModel): TemplateResult {
  const selection = app.selection;
  const groupable = app.columns.filter((c) => c.kind === 'param' || c.kind === 'tag');
  return html`
    <div class="runs-title">
      <h1>${state.scope?.title ?? 'Runs'}</h1>
      <span class="subtle" data-testid="run-count">${state.groupBy ? `${app.total} groups` : `${app.total.toLocaleString()} runs`}</span>
    </div>
    <div class="runs-toolbar" role="toolbar" aria-label="Runs table">
      <div class="filter-box">
        <input
          type="search"
          data-testid="filter"
          class=${app.filterError ? 'invalid' : ''}
          placeholder="Filter: metrics.accuracy > 0.9 AND params.optimizer = 'adam'"
          aria-label="Filter runs (MLflow search syntax)"
          aria-invalid=${app.filterError ? 'true' : 'false'}
          aria-describedby="filter-error"
          .value=${state.filter}
          @input=${(e: Event) => app.setFilter((e.target as HTMLInputElement).value, false)}
          @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && app.setFilter((e.target as HTMLInputElement).value, true)}
        />
        ${app.filterError ? renderFilterError(state.filter, app.filterError) : nothing}
      </div>
      <label class="inline">Metrics
        <select data-testid="aggregate" aria-label="Metric value shown" @change=${(e: Event) => app.setAggregate((e.target as HTMLSelectElement).value as RunsViewState['aggregate'])}>
          ${(['last', 'min', 'max'] as const).map((a) => html`<option value=${a} ?selected=${state.aggregate === a}>${a}</option>`)}
        </select>
      </label>
      <label class="inline">Group by
        <select data-testid="group-by" @change=${(e: Event) => app.setGroupBy((e.target as HTMLSelectElement).value || undefined)}>
          <option value="" ?selected=${!state.groupBy}>(none)</option>
          ${groupable.map((c) => html`<option value=${c.id} ?selected=${state.groupBy === c.id}>${c.kind} ${c.key}</option>`)}
        </select>
      </label>
      <label class="inline"><input type="checkbox" data-testid="only-diff" .checked=${state.onlyDiff} @change=${(e: Event) => app.setOnlyDiff((e.target as HTMLInputElement).checked)} /> Only differences</label>
      <vscode-button secondary icon="list-selection" data-testid="columns-button" @click=${() => { app.columnChooserOpen = !app.columnChooserOpen; app.renderAll(); }}>Columns</vscode-button>
      <vscode-button secondary icon="export" data-testid="export" @click=${() => void app.exportCsv()}>Export CSV</vscode-button>
    </div>
    <div class="status-line">
      ${state.restriction
        ? html`<span class="chip" data-testid="restriction">${state.restriction.label}<button aria-label="Remove this restriction" @click=${() => app.setRestriction(undefined)}>×</button></span>`
        : nothing}
      ${selection.length > 0
        ? html`<span data-testid="selection-count">${selection.length} selected${selection.length > MAX_CHART_RUNS ? html` <span class="hint">(charts compare the first ${MAX_CHART_RUNS})</span>` : nothing}</span>
            <vscode-button icon="graph-line" @click=${() => app.setTab('curves')}>Compare</vscode-button>
            ${selection.length === 2 ? html`<vscode-button secondary icon="diff" data-testid="compare-code" @click=${() => app.compareCode(selection)}>Compare code</vscode-button>` : nothing}
            <vscode-button secondary icon="star-full" @click=${() => app.action('star', selection)}>Star</vscode-button>
            <vscode-button secondary icon="star-empty" @click=${() => app.action('unstar', selection)}>Unstar</vscode-button>
            ${selection.length === 1
              ? html`<vscode-button secondary icon="edit" @click=${() => app.action('rename', selection)}>Rename</vscode-button>
                  <vscode-button secondary icon="note" @click=${() => app.action('note', selection)}>Note</vscode-button>`
              : nothing}
            <vscode-button secondary icon="trash" @click=${() => app.action('delete', selection)}>Delete</vscode-button>
            <vscode-button secondary icon="clear-all" @click=${() => app.clearSelection()}>Clear selection</vscode-button>`
        : html`<span class="hint">Space or click ☐ selects runs to compare (Shift: a range, Ctrl+A: all) · Enter opens a run · Shift+click a header adds a sort key</span>`}
      ${app.status ? html`<span data-testid="status">${app.status}</span>` : nothing}
      ${app.total === 0 && !app.error
        ? html`<strong data-testid="empty">${state.filter || state.restriction ? 'No run matches the filter.' : 'No runs here yet: they appear as soon as a training, a script or the MLflow client logs one.'}</strong>`
        : nothing}
    </div>
    ${app.error ? html`<div class="banner banner-error" role="alert"><span class="codicon codicon-error" aria-hidden="true"></span><div>${app.error}</div></div>` : nothing}
    ${app.columnChooserOpen ? renderColumnChooser(app, state) : nothing}
    <div class="tabs" role="tablist" aria-label="Views">
      ${TABS.map(
        ([id, label]) => html`<button role="tab" data-testid="tab-${id}" aria-selected=${state.tab === id ? 'true' : 'false'} @click=${() => app.setTab(id)}>${label}</button>`,
      )}
    </div>
  `;
}

/** The filter with a caret under the failing column, like a compiler error. */
function renderFilterError(filter: string, error: FilterError): TemplateResult {
  const caret = `${' '.repeat(Math.max(0, error.column - 1))}^`;
  return html`<div class="filter-error" id="filter-error" role="alert" data-testid="filter-error">Column ${error.column}: ${error.message}
<code>${filter}
${caret}</code></div>`;
}

function renderColumnChooser(app: RunsApp, state: RunsViewState): TemplateResult {
  const search = app.columnSearch.toLowerCase();
  const hidden = new Set(state.layout.hidden);
  const pinned = new Set(state.layout.pinned);
  const list = app.columns.filter((c) => c.id.toLowerCase().includes(search));
  const close = (): void => {
    app.columnChooserOpen = false;
    app.renderAll();
  };
  return html`<div class="popover" role="dialog" aria-label="Columns" data-testid="column-chooser" @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && close()}>
    <header>
      <input type="search" placeholder="Find a column" aria-label="Find a column" .value=${app.columnSearch} @input=${(e: Event) => { app.columnSearch = (e.target as HTMLInputElement).value; app.renderAll(); }} />
      <button class="icon-button" aria-label="Close" @click=${close}><span class="codicon codicon-close"></span></button>
    </header>
    <div class="hint">${app.columns.length - hidden.size} of ${app.columns.length} shown · drag headers to reorder, drag their edge to resize</div>
    <ul>
      ${list.slice(0, 400).map(
        (c) => html`<li>
          <input type="checkbox" id="col-${c.id}" .checked=${!hidden.has(c.id)} ?disabled=${c.id === 'attributes.run_name'} @change=${() => app.toggleHidden(c.id)} />
          <label class="name" for="col-${c.id}" title=${c.id}>${columnLabel(c)} <span class="kind">${c.kind}</span></label>
          <button class="icon-button" aria-pressed=${pinned.has(c.id) ? 'true' : 'false'} aria-label="Pin ${columnLabel(c)}" @click=${() => app.togglePinned(c.id)}><span class="codicon codicon-pinned"></span></button>
        </li>`,
      )}
    </ul>
  </div>`;
}

export function renderBody({ app, state }: ViewModel): TemplateResult {
  switch (state.tab) {
    case 'table':
      return html``;
    case 'curves':
      return renderCurvesTab(app, state);
    case 'parallel':
      return renderParallelTab(app);
    case 'scatter':
      return renderScatterTab(app, state);
    case 'sideBySide':
      return renderSideBySide(app, state);
  }
}

function compareHint(app: RunsApp): TemplateResult {
  return app.selection.length > 0 ? html`${app.selection.length} selected runs` : html`<span class="hint">No runs selected: showing the first rows of the table. Select runs (Space) to choose.</span>`;
}

function renderCurvesTab(app: RunsApp, state: RunsViewState): TemplateResult {
  const metrics = app.columns.filter((c) => c.kind === 'metric');
  const keys = state.curves.keys;
  const palette = readChartTheme().palette;
  const runs = app.lastSeries?.runs ?? [];
  return html`<div class="tab-panel" role="tabpanel" data-testid="curves-panel">
    <div class="chart-controls">
      <label class="inline">Add metric
        <select data-testid="add-metric" @change=${(e: Event) => { const v = (e.target as HTMLSelectElement).value; if (v) app.setCurves({ keys: [...keys, v] }); }}>
          <option value="">…</option>
          ${metrics.filter((m) => !keys.includes(m.key)).map((m) => html`<option value=${m.key}>${m.key}</option>`)}
        </select>
      </label>
      ${keys.map((k) => html`<span class="chip">${k}<button aria-label="Remove ${k}" @click=${() => app.setCurves({ keys: keys.filter((x) => x !== k) })}>×</button></span>`)}
      <label class="inline">X axis
        <select data-testid="x-axis" @change=${(e: Event) => app.setCurves({ xAxis: (e.target as HTMLSelectElement).value as RunsViewState['curves']['xAxis'] })}>
          <option value="step" ?selected=${state.curves.xAxis === 'step'}>Step</option>
          <option value="time" ?selected=${state.curves.xAxis === 'time'}>Wall time</option>
          <option value="relative" ?selected=${state.curves.xAxis === 'relative'}>Relative time</option>
        </select>
      </label>
      <label class="inline">Smoothing
        <input type="range" min="0" max="0.99" step="0.01" data-testid="smoothing" .value=${String(state.curves.smoothing)} @change=${(e: Event) => app.setCurves({ smoothing: Number((e.target as HTMLInputElement).value) })} />
        <span>${state.curves.smoothing.toFixed(2)}</span>
      </label>
      <label class="inline"><input type="checkbox" data-testid="log-scale" .checked=${state.curves.logScale} @change=${(e: Event) => app.setCurves({ logScale: (e.target as HTMLInputElement).checked })} /> Log scale</label>
      ${compareHint(app)}
    </div>
    <div class="legend" data-testid="legend">
      ${runs.slice(0, 40).map((r) => html`<span><span class="swatch" style="background:${runColor(r.runId, palette)}"></span>${r.name}</span>`)}
      ${runs.length > 40 ? html`<span class="hint">… ${runs.length - 40} more</span>` : nothing}
    </div>
    ${keys.length === 0 ? html`<p class="hint">These runs have no metrics yet.</p>` : nothing}
    <div class="chart-grid">
      ${repeat(
        keys,
        (k) => k,
        (k) => html`<div class="chart-card"><h3>${k}</h3><div class="chart" data-metric=${k} data-testid="curve-${k}" role="img" aria-label="Curves of ${k} for the compared runs"></div></div>`,
      )}
    </div>
  </div>`;
}

function renderParallelTab(app: RunsApp): TemplateResult {
  const axes = app.parallelAxes();
  const candidates = app.columns.filter((c) => (c.kind === 'param' || c.kind === 'metric') && !axes.includes(c.id));
  const coloring = app.parallelColoring(axes);
  return html`<div class="tab-panel fill" role="tabpanel">
    <div class="chart-controls">
      <label class="inline">Add axis
        <select @change=${(e: Event) => { const v = (e.target as HTMLSelectElement).value; if (v) app.setParallelColumns([...axes, v]); }}>
          <option value="">…</option>
          ${candidates.map((c) => html`<option value=${c.id}>${c.kind} ${c.key}</option>`)}
        </select>
      </label>
      ${axes.map((id) => html`<span class="chip">${id.replace(/^(params|metrics)\./, '')}<button aria-label="Remove axis ${id}" @click=${() => app.setParallelColumns(axes.filter((a) => a !== id))}>×</button></span>`)}
      ${coloring
        ? html`<span class="outcome-legend" data-testid="parallel-coloring" title="Each line is a run, coloured by its ${coloring.metric} (${coloring.higherIsBetter ? 'higher' : 'lower'} is better); the best runs are drawn on top">
            colour: ${coloring.metric} <span class="hint">worse</span><span class="outcome-bar" aria-hidden="true"></span><span class="hint">better</span></span>`
        : nothing}
      <span class="hint">Drag along an axis to brush a range: the table keeps only the runs inside every brushed range.</span>
      ${app.parallelLeftOut > 0 ? html`<span class="hint" data-testid="parallel-left-out">${app.parallelLeftOut === 1 ? '1 run has' : `${app.parallelLeftOut} runs have`} none of these params (a study’s own run?) and ${app.parallelLeftOut === 1 ? 'is' : 'are'} not drawn.</span>` : nothing}
    </div>
    <div class="chart tall" data-chart="parallel" data-testid="parallel" role="img" aria-label="Parallel coordinates of params and metrics"></div>
  </div>`;
}

function renderScatterTab(app: RunsApp, state: RunsViewState): TemplateResult {
  const xs = app.columns.filter((c) => c.kind === 'param' || c.kind === 'metric');
  const ys = app.columns.filter((c) => c.kind === 'metric');
  const axes = app.scatterAxes();
  return html`<div class="tab-panel" role="tabpanel">
    <div class="chart-controls">
      <label class="inline">X
        <select data-testid="scatter-x" @change=${(e: Event) => app.setScatter({ x: (e.target as HTMLSelectElement).value })}>
          ${xs.map((c) => html`<option value=${c.id} ?selected=${axes.x === c.id}>${c.kind} ${c.key}</option>`)}
        </select>
      </label>
      <label class="inline">Y
        <select data-testid="scatter-y" @change=${(e: Event) => app.setScatter({ y: (e.target as HTMLSelectElement).value })}>
          ${ys.map((c) => html`<option value=${c.id} ?selected=${axes.y === c.id}>${c.key}</option>`)}
        </select>
      </label>
      ${state.groupBy ? nothing : html`<span class="hint">Group the table by a param to see box plots per group.</span>`}
    </div>
    <div class="chart-grid">
      <div class="chart-card ${state.groupBy ? '' : 'wide'}">
        <h3>${app.objectives ? html`Scatter · <span class="pareto-mark">◆</span> Pareto front (${app.objectivesText()})` : 'Scatter'}</h3>
        <div class="chart" data-chart="scatter" data-testid="scatter"></div>
        ${app.objectives ? renderParetoList(app) : nothing}
      </div>
      ${state.groupBy ? html`<div class="chart-card"><h3>Box plot per group</h3><div class="chart" data-chart="boxplot" data-testid="boxplot"></div></div>` : nothing}
    </div>
  </div>`;
}

/** The front's trials under the scatter, best in the first objective first; a name opens the run. */
function renderParetoList(app: RunsApp): TemplateResult {
  const objectives = app.objectives ?? [];
  const runs = app.paretoRuns;
  if (!runs) return html`<p class="hint">Reading the Pareto front…</p>`;
  if (runs.length === 0) return html`<p class="hint" data-testid="pareto-list">No trial of these runs is on the study's Pareto front yet (it is recorded when the study ends).</p>`;
  const sign = objectives[0]?.direction === 'maximize' ? -1 : 1;
  const sorted = [...runs].sort((a, b) => sign * ((a.values[0] ?? Infinity) - (b.values[0] ?? Infinity)));
  return html`<table class="pareto-list" data-testid="pareto-list">
    <caption>${runs.length} trial${runs.length === 1 ? '' : 's'} on the Pareto front: no other trial is better in every objective</caption>
    <thead><tr><th scope="col">Run</th>${objectives.map((o) => html`<th scope="col" class="num">${o.metric} ${o.direction === 'maximize' ? '↑' : '↓'}</th>`)}</tr></thead>
    <tbody>
      ${sorted.map((r) => html`<tr>
        <td><a href="#" @click=${(e: Event) => { e.preventDefault(); void app.openDetails(r.runId); }}>${r.name}</a></td>
        ${r.values.map((v) => html`<td class="num">${v === null ? '—' : formatNumber(v)}</td>`)}
      </tr>`)}
    </tbody>
  </table>`;
}

function renderSideBySide(app: RunsApp, state: RunsViewState): TemplateResult {
  const data = app.sideBySide;
  if (!data) return html`<div class="tab-panel" role="tabpanel"><p class="hint">Loading…</p></div>`;
  if (data.runs.length === 0) return html`<div class="tab-panel" role="tabpanel"><p class="hint">Select runs in the table (Space) to compare them side by side.</p></div>`;
  const differs = (c: ColumnInfo): boolean => new Set(data.runs.map((r) => JSON.stringify(r.cells.get(c.id) ?? null))).size > 1;
  const rows = data.columns.filter((c) => c.id !== 'attributes.run_id' && (!state.onlyDiff || differs(c)));
  const kinds: Array<[ColumnInfo['kind'], string]> = [['attribute', 'Attributes'], ['param', 'Params'], ['metric', `Metrics (${state.aggregate})`], ['tag', 'Tags']];
  const palette = readChartTheme().palette;
  return html`<div class="tab-panel" role="tabpanel">
    <div class="chart-controls">${compareHint(app)} ${state.onlyDiff ? html`<span class="hint">Only rows that differ (toolbar switch).</span>` : nothing}</div>
    <table class="side-by-side" data-testid="side-by-side">
      <thead><tr><th></th>${data.runs.map((r) => html`<th><span class="swatch" style="background:${runColor(r.runId, palette)}"></span>${String(r.cells.get('attributes.run_name') ?? r.runId)}</th>`)}</tr></thead>
      <tbody>
        ${kinds.map(([kind, title]) => {
          const group = rows.filter((c) => c.kind === kind);
          if (group.length === 0) return nothing;
          return html`<tr><th class="group" colspan=${data.runs.length + 1}>${title}</th></tr>
            ${group.map((c) => {
              const first = JSON.stringify(data.runs[0]!.cells.get(c.id) ?? null);
              return html`<tr data-key=${c.id}><th>${columnLabel(c)}</th>${data.runs.map((r) => {
                const value = r.cells.get(c.id) as Parameters<typeof formatCell>[1];
                return html`<td class=${JSON.stringify(value ?? null) !== first ? 'differs' : ''}>${formatCell(c, value).text}</td>`;
              })}</tr>`;
            })}`;
        })}
      </tbody>
    </table>
  </div>`;
}

export function renderDetails(app: RunsApp): TemplateResult {
  const d = app.details;
  if (!d) return html``;
  const confusion = confusionFromMetrics(d.metrics, d.params.find((p) => p.key === 'classes')?.value);
  const perClass = confusion ? perClassFromMetrics(d.metrics, confusion) : undefined;
  // Shown as tables of their own below: a matrix, and one row per class.
  const metrics = d.metrics.filter((m) => !confusion?.keys.has(m.key) && !perClass?.keys.has(m.key)).sort((a, b) => metricRank(a.key, app.objective) - metricRank(b.key, app.objective));
  return html`<aside class="details" aria-label="Run details" data-testid="details" style="width:${app.detailsWidth()}px" @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && app.closeDetails()}>
    <div
      class="details-resize"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize run details"
      aria-valuenow=${app.detailsWidth()}
      tabindex="0"
      data-testid="details-resize"
      @pointerdown=${(e: PointerEvent) => app.startDetailsResize(e)}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
          e.preventDefault();
          app.setDetailsWidth(app.detailsWidth() + (e.key === 'ArrowLeft' ? 40 : -40));
        }
      }}
    ></div>
    <div class="details-body">
    <header>
      <h1>${d.starred ? html`<span class="star">★</span> ` : nothing}${d.name}</h1>
      <button class="icon-button" title=${d.starred ? 'Unstar' : 'Star'} aria-label=${d.starred ? 'Unstar' : 'Star'} @click=${() => app.action(d.starred ? 'unstar' : 'star', [d.runId])}><span class="codicon codicon-${d.starred ? 'star-full' : 'star-empty'}"></span></button>
      <button class="icon-button" title="Rename" aria-label="Rename" @click=${() => app.action('rename', [d.runId])}><span class="codicon codicon-edit"></span></button>
      <button class="icon-button" title="Edit note" aria-label="Edit note" @click=${() => app.action('note', [d.runId])}><span class="codicon codicon-note"></span></button>
      ${d.tags.some((t) => t.key === 'mlops.model')
        ? html`<button class="icon-button" title="Register Model… (as the next version of a registered model)" aria-label="Register Model" data-testid="register-model" @click=${() => app.registerModel(d.runId)}><span class="codicon codicon-package"></span></button>`
        : nothing}
      <button class="icon-button" title="Close" aria-label="Close details" @click=${() => app.closeDetails()}><span class="codicon codicon-close"></span></button>
    </header>
    <p class="subtle"><span class="status-${d.status}">${d.status.toLowerCase()}</span> · ${new Date(d.startTime).toLocaleString()} · ${formatDuration(d.endTime === null ? undefined : d.endTime - d.startTime)} · <code>${d.runId}</code></p>
    ${renderCodeSource(d, (path) => void app.showPreview(path))}
    ${renderRerun(d)}
    ${d.note ? html`<div class="note">${d.note}</div>` : nothing}
    <h2>Metrics</h2>
    ${metrics.length === 0 ? html`<p class="hint">None logged.</p>` : html`<table class="kv metrics" data-testid="details-metrics">
      <thead><tr><th scope="col">key</th><th scope="col" class="num">last</th><th scope="col" class="num">min</th><th scope="col" class="num">max</th><th scope="col" class="num">steps</th></tr></thead><tbody>
      ${metrics.map((m) => {
        // A value logged once (a test metric) has no range or steps: they would only repeat it.
        const once = m.count <= 1;
        // a cost means little without the prices behind it
        const key = m.key === 'cost' ? html`${m.key} (<a href="#" title="Prices of a CPU-hour, a GB-hour and a GPU-hour (mlops.cost.* settings)" @click=${(e: Event) => { e.preventDefault(); app.openCostSettings(); }}>prices</a>)` : m.key;
        return html`<tr><th scope="row" title=${m.key}>${key}</th>${cellText(formatNumber(m.last), String(m.last), 'num')}${once ? html`<td></td><td></td><td></td>` : html`${cellText(formatNumber(m.min), String(m.min), 'num')}${cellText(formatNumber(m.max), String(m.max), 'num')}${cellText(String(m.count), String(m.count), 'num')}`}</tr>`;
      })}
    </tbody></table>`}
    ${confusion ? renderConfusion(confusion) : nothing}
    ${perClass && perClass.rows.length > 0 ? renderPerClass(perClass.rows) : nothing}
    <h2>Params</h2>
    ${kvTable(d.params)}
    <h2>Tags</h2>
    ${kvTable(d.tags)}
    ${d.signature ? renderSignature(d) : nothing}
    <h2>Artifacts</h2>
    ${d.artifacts.length === 0 ? html`<p class="hint">None logged.</p>` : nothing}
    <div role="list" data-testid="artifacts">
      ${d.artifacts.map((a) => {
        const depth = a.path.split('/').length - 1;
        const name = a.path.split('/').pop();
        return a.isDir
          ? html`<div role="listitem" class="subtle" style="padding-left:${depth * 14}px"><span class="codicon codicon-folder"></span> ${name}/</div>`
          : html`<button role="listitem" class="artifact" style="padding-left:${depth * 14 + 4}px" aria-current=${app.preview?.path === a.path ? 'true' : 'false'} @click=${() => void app.showPreview(a.path)}>
              <span class="codicon codicon-file"></span> ${name} <span class="subtle">${a.size !== undefined ? formatBytes(a.size) : ''}</span></button>`;
      })}
      ${d.artifactsTruncated ? html`<p class="hint">Only the first 500 entries are listed.</p>` : nothing}
    </div>
    ${app.preview ? html`<div class="preview" data-testid="preview">${app.preview.error ? html`<span class="state-error">${app.preview.error}</span>` : app.preview.preview ? renderPreview(app.preview.preview) : html`<span class="hint">Loading ${app.preview.path}…</span>`}</div>` : nothing}
    </div>
  </aside>`;
}

function kvTable(items: Array<{ key: string; value: string }>): TemplateResult {
  if (items.length === 0) return html`<p class="hint">None.</p>`;
  return html`<table class="kv pairs"><tbody>${items.map((p) => html`<tr><th scope="row" title=${p.key}>${p.key}</th>${cellText(p.value, p.value)}</tr>`)}</tbody></table>`;
}

/** One line, cut with an ellipsis when it does not fit; the whole text in the tooltip. */
function cellText(text: string, full: string, className = ''): TemplateResult {
  return html`<td class=${className} title=${full}>${text}</td>`;
}

function renderPerClass(rows: PerClassRow[]): TemplateResult {
  const value = (v: number | undefined): TemplateResult => (v === undefined ? html`<td class="num missing">—</td>` : cellText(formatNumber(v), String(v), 'num'));
  return html`<h2>Per class <span class="subtle">(test split)</span></h2>
    <table class="kv metrics" data-testid="per-class">
      <thead><tr><th scope="col">class</th><th scope="col" class="num">precision</th><th scope="col" class="num">recall</th><th scope="col" class="num">f1</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr><th scope="row" title=${r.label}>${r.label}</th>${value(r.precision)}${value(r.recall)}${value(r.f1)}</tr>`)}</tbody>
    </table>`;
}

/** Actual classes down, predicted across; each row shaded by its share of the actual class (recall on the diagonal). */
function renderConfusion(m: ConfusionMatrix): TemplateResult {
  const caption = 'Confusion matrix on the test split: rows are the actual class, columns the predicted class';
  return html`<h2>Confusion matrix <span class="subtle">(test split)</span></h2>
    <div class="confusion-scroll" tabindex="0" role="group" aria-label="Confusion matrix">
      <table class="confusion" data-testid="confusion-matrix">
        <caption class="sr-only">${caption}</caption>
        <thead>
          <tr><td class="corner" title="rows: actual class; columns: predicted class"><span>actual ↓</span> <span>predicted →</span></td>${m.labels.map((l) => html`<th scope="col" title="predicted ${l}">${l}</th>`)}<th scope="col" class="total">total</th></tr>
        </thead>
        <tbody>
          ${m.counts.map((row, a) => {
            const total = row.reduce((x, y) => x + y, 0);
            return html`<tr>
              <th scope="row" title="actual ${m.labels[a]}">${m.labels[a]}</th>
              ${row.map((count, p) => {
                const share = total > 0 ? count / total : 0;
                return html`<td class=${a === p ? 'hit' : count > 0 ? 'miss' : ''} style="--share: ${share.toFixed(3)}" title="actual ${m.labels[a]}, predicted ${m.labels[p]}: ${count} of ${total} (${(share * 100).toFixed(0)}%)">${count}</td>`;
              })}
              <td class="total">${total}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
}

function renderSignature(d: RunDetails): TemplateResult {
  const s = d.signature!;
  return html`<h2>Model signature</h2>
    <table class="kv" data-testid="signature"><tbody>
      ${s.inputs.map((f) => html`<tr><th>input</th><td>${f.name}</td><td>${f.type}</td></tr>`)}
      ${s.outputs.map((f) => html`<tr><th>output</th><td>${f.name}</td><td>${f.type}</td></tr>`)}
    </tbody></table>`;
}

function renderPreview(p: ArtifactPreview): TemplateResult {
  switch (p.kind) {
    case 'image':
      return html`<img src=${p.dataUri} alt="Artifact preview" />`;
    case 'text':
    case 'json':
      return html`<pre>${p.text}</pre>${p.truncated ? html`<p class="hint">Only the first 64 KB are shown.</p>` : nothing}`;
    case 'csv':
      return html`<table class="kv"><thead><tr>${p.header.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${p.rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody></table>${p.truncated ? html`<p class="hint">First ${p.rows.length} rows.</p>` : nothing}`;
    case 'unavailable':
      return html`<span class="hint">${p.reason}</span>`;
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
