import { html, nothing, type TemplateResult } from 'lit';
import type { CorrelationMeasure, ProfileColumnComparisonView, ProfileColumnView, ProfileComparisonView, ProfilePanelState, ProfileView } from '../../src/protocol/profile/profileContract';
import { formatCount, formatDuration, formatNumber } from '../shared/formatting';
import { columnValue, TOP_SHOWN } from './profileFormat';

export type SortKey = 'order' | 'name' | 'type' | 'missing' | 'distinct';

export interface ProfileViewModel {
  state?: ProfilePanelState;
  loading: boolean;
  error?: string;
  selectedColumn?: string;
  sort: { key: SortKey; descending: boolean };
  measure?: CorrelationMeasure;
}

export interface ProfileActions {
  selectColumn(column: string): void;
  moveSelection(delta: number): void;
  sortBy(key: SortKey): void;
  setMeasure(measure: CorrelationMeasure): void;
  changeTarget(): void;
  reprofile(): void;
  saveJson(): void;
  saveHtml(): void;
  compareWith(): void;
  clearComparison(): void;
  openAt(line: number): void;
  retry(): void;
}

export const PROFILE_STYLES = `
.page { max-width: 1280px; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 4px 0 0; padding: 0; list-style: none; }
.facts li strong { font-variant-numeric: tabular-nums; }
.warnings ul { margin: 4px 0 0; padding: 0; list-style: none; }
.warnings li { display: flex; gap: 8px; align-items: baseline; padding: 3px 0; }
.warnings .codicon { color: var(--vscode-editorWarning-foreground, var(--vscode-charts-yellow)); }
.warnings li.leakage .codicon, .warnings li.allMissing .codicon { color: var(--vscode-errorForeground); }
.kind { font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: .03em; color: var(--vscode-descriptionForeground); min-width: 9em; }
.link { background: none; border: none; padding: 0; font: inherit; color: var(--vscode-textLink-foreground); cursor: pointer; text-decoration: underline; }
.link:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.split { display: grid; grid-template-columns: minmax(420px, 1.4fr) minmax(340px, 1fr); gap: 16px; align-items: start; margin-bottom: 16px; }
@media (max-width: 900px) { .split { grid-template-columns: 1fr; } }
.split > section { margin-bottom: 0; min-width: 0; }
.table-scroll { overflow: auto; max-height: 460px; }
table.grid { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.grid th, table.grid td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); white-space: nowrap; }
table.grid thead th { font-weight: 600; color: var(--vscode-descriptionForeground); background: var(--vscode-editor-background); }
.table-scroll thead th, .sample-scroll thead th { position: sticky; top: 0; z-index: 1; }
table.grid td.num, table.grid th.num { text-align: right; }
table.grid td.wrap { white-space: normal; }
table.columns tbody tr { cursor: pointer; }
table.columns tbody tr:hover { background: var(--vscode-list-hoverBackground); }
table.columns tbody tr[aria-selected="true"] { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
table.columns tbody tr[aria-selected="true"] .muted { color: inherit; }
table.columns tbody:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.sort { background: none; border: none; padding: 0; font: inherit; font-weight: 600; color: inherit; cursor: pointer; }
.sort:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.chart { height: 280px; }
.chart.square { height: 380px; }
.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 2px 16px; margin: 8px 0; }
.stats div { display: flex; justify-content: space-between; gap: 8px; border-bottom: 1px dotted var(--vscode-panel-border, transparent); padding: 2px 0; }
.stats dt { color: var(--vscode-descriptionForeground); }
.stats dd { margin: 0; font-variant-numeric: tabular-nums; }
.segmented { display: inline-flex; border: 1px solid var(--vscode-button-border, var(--vscode-panel-border, transparent)); border-radius: 2px; overflow: hidden; }
.segmented button { font: inherit; padding: 3px 10px; border: none; background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); cursor: pointer; }
.segmented button[aria-pressed="true"] { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
.segmented button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.bar { display: inline-block; height: 8px; background: var(--vscode-charts-blue, var(--vscode-textLink-foreground)); vertical-align: middle; margin-right: 6px; border-radius: 1px; }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; }
.pill.bad { color: var(--vscode-errorForeground); }
.pill.ok { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
.pill.info { color: var(--vscode-descriptionForeground); }
.sample-scroll { overflow: auto; max-height: 420px; border: 1px solid var(--vscode-panel-border, transparent); }
table.sample td { max-width: 320px; overflow: hidden; text-overflow: ellipsis; }
table.sample td.missing { color: var(--vscode-descriptionForeground); font-style: italic; }
.mono { font-family: var(--vscode-editor-font-family); }
.muted { color: var(--vscode-descriptionForeground); }
section { margin-bottom: 16px; }
h2 .muted { font-weight: normal; }
.section-head { display: flex; justify-content: space-between; align-items: center; gap: 12px; flex-wrap: wrap; }
.section-head h2 { margin: 0; }
.spin { animation: spin 1.2s linear infinite; display: inline-block; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spin { animation: none; } }
`;

const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`;
const MEASURES: { id: CorrelationMeasure; label: string; what: string }[] = [
  { id: 'pearson', label: 'Pearson', what: 'numeric columns, linear' },
  { id: 'spearman', label: 'Spearman', what: 'numeric columns, by rank' },
  { id: 'cramersV', label: "Cramér's V", what: 'categorical columns' },
];

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** The columns in the table's order. */
export function sortedColumns(profile: ProfileView, sort: ProfileViewModel['sort']): ProfileColumnView[] {
  const columns = [...profile.columns];
  const by: Record<SortKey, (a: ProfileColumnView, b: ProfileColumnView) => number> = {
    order: () => 0,
    name: (a, b) => a.name.localeCompare(b.name),
    type: (a, b) => a.type.localeCompare(b.type),
    missing: (a, b) => a.missingShare - b.missingShare,
    distinct: (a, b) => a.distinct - b.distinct,
  };
  columns.sort(by[sort.key]);
  if (sort.descending) columns.reverse();
  return columns;
}

/** The correlation matrix shown first: Pearson when there are numbers to correlate, else Cramér's V. */
export function defaultMeasure(profile: ProfileView): CorrelationMeasure {
  return profile.correlations.pearson.columns.length >= 2 || profile.correlations.cramersV.columns.length < 2 ? 'pearson' : 'cramersV';
}

function summaryCell(c: ProfileColumnView): TemplateResult {
  if (c.numeric) {
    const n = c.numeric;
    return html`${columnValue(c, n.min)} – ${columnValue(c, n.max)}<span class="muted"> · mean ${columnValue(c, n.mean)}${n.std !== null && c.type !== 'datetime' ? ` ± ${formatNumber(n.std)}` : ''}</span>`;
  }
  const top = c.top?.[0];
  if (!top) return html`<span class="muted">—</span>`;
  return html`<span class="mono">${top.value.length > 32 ? `${top.value.slice(0, 31)}…` : top.value}</span><span class="muted"> · ${percent(c.count > 0 ? top.count / c.count : 0)}</span>`;
}

function sortHeader(label: string, key: SortKey, model: ProfileViewModel, actions: ProfileActions, numeric = false): TemplateResult {
  const active = model.sort.key === key;
  const ariaSort = active ? (model.sort.descending ? 'descending' : 'ascending') : 'none';
  return html`<th scope="col" class=${numeric ? 'num' : ''} aria-sort=${ariaSort}><button class="sort" title="Sort by ${label.toLowerCase()}" @click=${() => actions.sortBy(key)}>${label}${active ? (model.sort.descending ? ' ▼' : ' ▲') : ''}</button></th>`;
}

function onTableKey(event: KeyboardEvent, actions: ProfileActions): void {
  const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10, Home: -1e9, End: 1e9 };
  const delta = moves[event.key];
  if (delta !== undefined) {
    event.preventDefault();
    actions.moveSelection(delta);
  }
}

function columnsTable(profile: ProfileView, selected: ProfileColumnView | undefined, model: ProfileViewModel, actions: ProfileActions): TemplateResult {
  const columns = sortedColumns(profile, model.sort);
  return html`<section class="card">
    <h2>Columns <span class="muted">(click a header to sort; ↑ ↓ to move)</span></h2>
    <div class="table-scroll">
      <table class="grid columns" aria-label="Columns of the file">
        <thead><tr>${sortHeader('#', 'order', model, actions, true)}${sortHeader('Column', 'name', model, actions)}${sortHeader('Type', 'type', model, actions)}${sortHeader('Missing', 'missing', model, actions, true)}${sortHeader('Distinct', 'distinct', model, actions, true)}<th scope="col" title="numbers: range · mean ± std; text: the most frequent value and its share">Summary</th></tr></thead>
        <tbody tabindex="0" aria-label="Columns: arrow keys select" @keydown=${(e: KeyboardEvent) => onTableKey(e, actions)}>
          ${columns.map(
            (c) => html`<tr aria-selected=${c === selected ? 'true' : 'false'} data-column=${c.name} @click=${() => actions.selectColumn(c.name)}>
              <td class="num muted">${profile.columns.indexOf(c) + 1}</td>
              <th scope="row" class="mono">${c.name}</th>
              <td>${c.type}</td>
              <td class="num">${c.missing === 0 ? html`<span class="muted">0%</span>` : percent(c.missingShare)}</td>
              <td class="num">${c.distinctExact ? '' : '≈'}${formatCount(c.distinct)}</td>
              <td class="wrap">${summaryCell(c)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

function stat(label: string, value: string): TemplateResult {
  return html`<div><dt>${label}</dt><dd>${value}</dd></div>`;
}

function columnDetail(profile: ProfileView, c: ProfileColumnView): TemplateResult {
  const n = c.numeric;
  const association = profile.target?.associations.find((a) => a.column === c.name);
  return html`<section class="card" data-testid="column-detail" aria-live="polite">
    <h2><span class="mono">${c.name}</span> <span class="muted">${c.type}</span></h2>
    <dl class="stats">
      ${stat('values', formatCount(c.count))}
      ${stat('missing', `${formatCount(c.missing)} (${percent(c.missingShare)})`)}
      ${stat('distinct', `${c.distinctExact ? '' : '≈'}${formatCount(c.distinct)}`)}
      ${n
        ? html`${stat('min', columnValue(c, n.min))}${stat('max', columnValue(c, n.max))}${stat('mean', columnValue(c, n.mean))}${n.std !== null && c.type !== 'datetime' ? stat('std', formatNumber(n.std)) : nothing}${n.skewness !== null && c.type !== 'datetime' ? stat('skewness', formatNumber(n.skewness)) : nothing}`
        : nothing}
      ${association && association.value !== null ? stat(`${association.measure === 'cramersV' ? "Cramér's V" : association.measure === 'eta' ? 'η' : '|r|'} with ${profile.target!.column}`, formatNumber(association.value)) : nothing}
    </dl>
    ${n
      ? html`<p class="muted" style="margin: 4px 0">Quantiles${n.quantilesExact ? '' : ' (estimated)'}:</p>
          <dl class="stats quantiles">${n.quantiles.map((q) => stat(`p${q.p}`, columnValue(c, q.value)))}</dl>
          <figure style="margin: 0">
            <figcaption class="muted">Histogram${n.histogram.fromSample ? ' (of the sample)' : ''}</figcaption>
            <div class="chart" data-chart="column" role="img" aria-label="Histogram of ${c.name}"></div>
          </figure>`
      : c.top && c.top.length > 0
        ? html`<figure style="margin: 0">
            <figcaption class="muted">Top ${Math.min(TOP_SHOWN, c.top.length)} categories${c.topApproximate ? ' (counts approximate)' : ''}</figcaption>
            <div class="chart" data-chart="column" role="img" aria-label="Most frequent values of ${c.name}"></div>
          </figure>`
        : html`<p class="muted">No values to chart: every cell of this column is missing.</p>`}
    ${c.mismatches ? html`<p class="muted">${formatCount(c.mismatches.count)} cell(s) did not fit the type ${c.type} (first at line ${c.mismatches.firstLine}: "${c.mismatches.firstValue}"); counted as missing.</p>` : nothing}
  </section>`;
}

function warningsSection(profile: ProfileView, actions: ProfileActions): TemplateResult {
  if (profile.warnings.length === 0) {
    return html`<div class="banner" role="status" aria-label="Warnings"><span class="codicon codicon-pass" aria-hidden="true"></span><div>No warnings: no constant, mostly missing, highly cardinal or skewed columns, no duplicates and no suspected target leakage.</div></div>`;
  }
  return html`<section class="card warnings" aria-labelledby="warnings-title">
    <h2 id="warnings-title">${profile.warnings.length} warning${profile.warnings.length === 1 ? '' : 's'}</h2>
    <ul>
      ${profile.warnings.map(
        (w) => html`<li class=${w.kind}><span class="codicon ${w.kind === 'leakage' ? 'codicon-error' : 'codicon-warning'}" aria-hidden="true"></span><span class="kind">${warningLabel(w.kind)}</span><span>${w.message}${w.column ? html` <button class="link" @click=${() => actions.selectColumn(w.column!)}>Show ${w.column}</button>` : nothing}</span></li>`,
      )}
    </ul>
  </section>`;
}

function warningLabel(kind: string): string {
  const labels: Record<string, string> = { constant: 'constant', allMissing: 'all missing', mostlyMissing: 'mostly missing', highCardinality: 'high cardinality', skewed: 'skewed', leakage: 'target leakage?', duplicates: 'duplicates', typeMismatch: 'type mismatch' };
  return labels[kind] ?? kind;
}

function correlationsSection(profile: ProfileView, measure: CorrelationMeasure, actions: ProfileActions): TemplateResult {
  const matrix = profile.correlations[measure];
  const info = MEASURES.find((m) => m.id === measure)!;
  return html`<section class="card">
    <div class="section-head">
      <h2>Correlations <span class="muted">(${info.what}; ${formatCount(matrix.rows)} rows)</span></h2>
      <div class="segmented" role="group" aria-label="Correlation measure">
        ${MEASURES.map((m) => html`<button aria-pressed=${m.id === measure ? 'true' : 'false'} @click=${() => actions.setMeasure(m.id)}>${m.label}</button>`)}
      </div>
    </div>
    ${matrix.columns.length < 2
      ? html`<p class="muted" data-testid="no-correlations">Fewer than two ${measure === 'cramersV' ? 'categorical' : 'numeric'} columns: nothing to correlate with ${info.label}.</p>`
      : html`<div class="chart square" data-chart="correlation" role="img" aria-label="${info.label} correlations between ${matrix.columns.length} columns; hover a cell for its value"></div>`}
  </section>`;
}

function targetSection(profile: ProfileView, actions: ProfileActions): TemplateResult {
  if (!profile.target) {
    return html`<section class="card"><h2>Association with a target</h2><p class="muted">No target column chosen. <button class="link" @click=${() => actions.changeTarget()}>Choose a target…</button> to see how strongly each column relates to it, and to get hints of target leakage.</p></section>`;
  }
  const measureName = { pearson: '|r|', eta: 'η', cramersV: "Cramér's V" } as const;
  const measureTitle = { pearson: 'absolute Pearson correlation (numeric column, numeric target)', eta: 'correlation ratio η (numeric column, categorical target)', cramersV: "Cramér's V (categorical column and target)" } as const;
  return html`<section class="card">
    <h2>Association with <span class="mono">${profile.target.column}</span> <span class="muted">(strongest first; 0 = none, 1 = determines it)</span></h2>
    <table class="grid" aria-label="Association of each column with the target">
      <thead><tr><th scope="col">Column</th><th scope="col">Measure</th><th scope="col">Strength</th></tr></thead>
      <tbody>
        ${profile.target.associations.map(
          (a) => html`<tr><th scope="row" class="mono">${a.column}</th><td class="muted" title=${measureTitle[a.measure]}>${measureName[a.measure]}</td><td>${a.value === null ? '—' : html`<span class="bar" style="width: ${Math.round(Math.min(1, Math.abs(a.value)) * 80)}px"></span>${formatNumber(a.value)}`}</td></tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function sampleSection(profile: ProfileView): TemplateResult {
  const sample = profile.sample;
  return html`<section class="card">
    <h2>Sample rows <span class="muted">(the first ${formatCount(sample.rows.length)} of ${formatCount(profile.rows)})</span></h2>
    ${sample.rows.length === 0
      ? html`<p class="muted">The file has no data rows.</p>`
      : html`<div class="sample-scroll" tabindex="0" role="region" aria-label="Sample rows, scrollable">
          <table class="grid sample" aria-label="The first rows of the file">
            <thead><tr><th scope="col" class="num">row</th>${sample.columns.map((c) => html`<th scope="col" class="mono">${c}</th>`)}</tr></thead>
            <tbody>${sample.rows.map((row, i) => html`<tr><td class="num muted">${i + 1}</td>${row.map((cell) => (cell === '' ? html`<td class="missing">empty</td>` : html`<td title=${cell.length > 40 ? cell : ''}>${cell}</td>`))}</tr>`)}</tbody>
          </table>
        </div>`}
  </section>`;
}

function delta(pair: { baseline: number | null; current: number | null }, format: (v: number) => string): TemplateResult {
  if (pair.baseline === null && pair.current === null) return html`<span class="muted">—</span>`;
  const b = pair.baseline === null ? '—' : format(pair.baseline);
  const c = pair.current === null ? '—' : format(pair.current);
  return b === c ? html`${c}` : html`${b} → <strong>${c}</strong>`;
}

function statusPill(c: ProfileColumnComparisonView): TemplateResult {
  const text = { same: 'similar', drifted: 'differs', added: 'new column', removed: 'column gone', typeChanged: 'type changed' }[c.status];
  return html`<span class="pill ${c.status === 'same' ? 'ok' : c.status === 'added' ? 'info' : 'bad'}">${text}</span>`;
}

function comparisonSection(comparison: ProfileComparisonView, actions: ProfileActions): TemplateResult {
  const differing = comparison.columns.filter((c) => c.status !== 'same').length;
  return html`<section class="card" data-testid="comparison">
    <div class="section-head">
      <h2>Compared with <span class="mono">${comparison.baseline}</span> <span class="muted">(${differing} of ${comparison.columns.length} columns differ)</span></h2>
      <vscode-button secondary icon="close" @click=${() => actions.clearComparison()}>Clear comparison</vscode-button>
    </div>
    <p class="muted">Baseline ${comparison.baseline} (${formatCount(comparison.rows.baseline)} rows) → this file ${comparison.current} (${formatCount(comparison.rows.current)} rows). A column differs when its distribution shifted (PSI &gt; 0.25) or its missing share moved by more than 10 points.</p>
    <div class="table-scroll">
      <table class="grid" aria-label="Per-column comparison">
        <thead><tr><th scope="col">Column</th><th scope="col">Distribution</th><th scope="col" class="num">Missing</th><th scope="col" class="num">Mean</th><th scope="col" class="num">Shift (σ)</th><th scope="col" class="num">Distinct</th><th scope="col" class="num">PSI</th></tr></thead>
        <tbody>
          ${comparison.columns.map(
            (c) => html`<tr data-status=${c.status}>
              <th scope="row" class="mono">${c.column}</th>
              <td>${statusPill(c)}${c.status === 'typeChanged' ? html` <span class="muted">${c.baselineType} → ${c.currentType}</span>` : nothing}</td>
              <td class="num">${delta(c.missingShare, percent)}</td>
              <td class="num">${delta(c.mean, formatNumber)}</td>
              <td class="num">${c.meanShift === null ? '—' : formatNumber(c.meanShift)}</td>
              <td class="num">${delta(c.distinct, formatCount)}</td>
              <td class="num">${c.psi === null ? '—' : formatNumber(c.psi)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

function header(state: ProfilePanelState | undefined, actions: ProfileActions): TemplateResult {
  const profile = state?.profile ?? null;
  const ready = state?.phase === 'ready' && profile !== null;
  return html`<header class="panel-header">
    <div>
      <h1>Data profile${state ? html`: <span class="mono">${state.file}</span>` : nothing}</h1>
      ${profile
        ? html`<ul class="facts" aria-label="File summary" data-testid="facts">
            <li><strong>${formatCount(profile.rows)}</strong> rows</li>
            <li><strong>${profile.columns.length}</strong> columns</li>
            <li><strong>${bytes(profile.bytes)}</strong> ${profile.format.toUpperCase()}</li>
            <li><strong>${formatCount(profile.duplicates.rows)}</strong> duplicate row${profile.duplicates.rows === 1 ? '' : 's'}${profile.duplicates.exact ? '' : ' (estimated)'}</li>
            <li>profiled in <strong>${formatDuration(profile.elapsedMs)}</strong></li>
            <li>target <strong class="mono">${profile.target?.column ?? 'none'}</strong></li>
          </ul>`
        : nothing}
    </div>
    ${state
      ? html`<div class="toolbar">
          <vscode-button secondary icon="target" ?disabled=${state.phase === 'profiling'} @click=${() => actions.changeTarget()}>Change target…</vscode-button>
          <vscode-button secondary icon="diff" ?disabled=${!ready} @click=${() => actions.compareWith()}>Compare with…</vscode-button>
          <vscode-button secondary icon="json" ?disabled=${!ready} @click=${() => actions.saveJson()}>Save as JSON</vscode-button>
          <vscode-button secondary icon="file-code" ?disabled=${!ready} @click=${() => actions.saveHtml()}>Save as HTML</vscode-button>
        </div>`
      : nothing}
  </header>`;
}

function failure(state: ProfilePanelState, actions: ProfileActions): TemplateResult {
  const error = state.error!;
  return html`<div class="banner banner-error" role="alert">
    <span class="codicon codicon-error" aria-hidden="true"></span>
    <div>
      <strong>Could not profile ${state.file}.</strong>
      <p class="mono">${error.message}</p>
      ${error.line !== null ? html`<p>The problem is at <strong>line ${error.line}</strong>${error.column !== null ? html`, column <strong class="mono">${error.column}</strong>` : nothing} of ${error.file ?? state.file}. Fix the file there and profile again.</p>` : nothing}
    </div>
    <div class="actions">
      ${error.line !== null ? html`<vscode-button icon="go-to-file" @click=${() => actions.openAt(error.line!)}>Open at line ${error.line}</vscode-button>` : nothing}
      <vscode-button secondary icon="refresh" @click=${() => actions.reprofile()}>Profile again</vscode-button>
    </div>
  </div>`;
}

/** The whole panel for one state; pure, so tests can render it without a host. */
export function renderProfile(model: ProfileViewModel, actions: ProfileActions): TemplateResult {
  const state = model.state;
  if (model.error) {
    return html`<div class="page">${header(state, actions)}<div class="banner banner-error" role="alert"><span class="codicon codicon-error" aria-hidden="true"></span><div><strong>Could not load the profile.</strong><p>${model.error}</p></div><vscode-button secondary @click=${() => actions.retry()}>Try again</vscode-button></div></div>`;
  }
  if (!state) return html`<div class="page"><p class="loading">Loading the profile…</p></div>`;
  const profile = state.profile;
  const notice =
    state.phase === 'profiling'
      ? html`<div class="banner" role="status"><span class="codicon codicon-loading spin" aria-hidden="true"></span><div>Profiling <span class="mono">${state.file}</span>${state.target ? html` with target <span class="mono">${state.target}</span>` : nothing}… (progress and Cancel in the notification)</div></div>`
      : state.phase === 'cancelled'
        ? html`<div class="banner banner-warning" role="status"><span class="codicon codicon-circle-slash" aria-hidden="true"></span><div>Profiling was cancelled.${profile ? ' Showing the previous profile.' : ''}</div><vscode-button secondary icon="refresh" @click=${() => actions.reprofile()}>Profile again</vscode-button></div>`
        : state.phase === 'failed'
          ? failure(state, actions)
          : nothing;
  const comparisonNotice = state.comparisonError ? html`<div class="banner banner-error" role="alert"><span class="codicon codicon-error" aria-hidden="true"></span><div>${state.comparisonError}</div></div>` : nothing;
  if (!profile) return html`<div class="page">${header(state, actions)}${notice}</div>`;
  if (profile.columns.length === 0) {
    return html`<div class="page">${header(state, actions)}${notice}<div class="empty-state"><span class="codicon codicon-table empty-icon" aria-hidden="true"></span><h2>No columns</h2><p>${state.file} has no columns to profile.</p></div></div>`;
  }
  const columns = sortedColumns(profile, model.sort);
  const selected = columns.find((c) => c.name === model.selectedColumn) ?? columns[0];
  return html`<div class="page">
    ${header(state, actions)}${notice}${comparisonNotice}
    ${warningsSection(profile, actions)}
    ${state.comparison ? comparisonSection(state.comparison, actions) : nothing}
    <div class="split">${columnsTable(profile, selected, model, actions)}${selected ? columnDetail(profile, selected) : nothing}</div>
    <div class="split">${correlationsSection(profile, model.measure ?? defaultMeasure(profile), actions)}${targetSection(profile, actions)}</div>
    ${sampleSection(profile)}
  </div>`;
}
