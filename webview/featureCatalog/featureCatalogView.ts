import { html, nothing, type TemplateResult } from 'lit';
import type { FeatureCatalogEntry, FeatureCatalogState, FeatureDetails, FeatureStatsView } from '../../src/protocol/featureCatalog/featureCatalogContract';
import { formatCount, formatNumber, formatRelativeTime } from '../shared/formatting';
import { filterFeatures } from './catalogSearch';

export interface FeatureCatalogViewModel {
  state?: FeatureCatalogState;
  query: string;
  selectedId?: string;
  details?: FeatureDetails;
  detailsError?: string;
  loading: boolean;
  error?: string;
}

export interface FeatureCatalogActions {
  search(query: string): void;
  select(entry: FeatureCatalogEntry): void;
  moveSelection(delta: number): void;
  materialize(view: string | null): void;
  openModelCard(name: string, version: number): void;
  openSpec(file: string, line: number): void;
  createSpec(): void;
  retry(): void;
}

export const FEATURE_CATALOG_STYLES = `
.page { max-width: 1400px; }
.search { width: 100%; box-sizing: border-box; padding: 5px 8px; font: inherit; color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, var(--vscode-panel-border, transparent)); border-radius: 2px; }
.search:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.search-hint { margin: 4px 0 12px; }
.layout { display: grid; grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr); gap: 16px; align-items: start; }
.layout > * { min-width: 0; }
.list { overflow-x: auto; }
.detail-title { overflow-wrap: anywhere; }
@media (max-width: 820px) { .layout { grid-template-columns: 1fr; } }
table.features { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.features th, table.features td { text-align: left; padding: 5px 6px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); vertical-align: top; }
table.features thead th { font-weight: 600; color: var(--vscode-descriptionForeground); position: sticky; top: 0; background: var(--vscode-editor-background); }
table.features tbody tr { cursor: pointer; }
table.features tbody tr:hover { background: var(--vscode-list-hoverBackground); }
table.features tbody tr:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
table.features tbody tr[aria-selected="true"] { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
table.features tbody tr[aria-selected="true"] .muted, table.features tbody tr[aria-selected="true"] .tag { color: inherit; }
.view-name { color: var(--vscode-descriptionForeground); font-size: 12px; font-weight: normal; }
.nowrap { white-space: nowrap; }
tr[aria-selected="true"] .view-name { color: inherit; opacity: 0.8; }
.tag { display: inline-block; padding: 0 6px; margin: 0 4px 2px 0; border-radius: 9px; font-size: 11px; color: var(--vscode-badge-foreground); background: var(--vscode-badge-background); }
.stale { color: var(--vscode-editorWarning-foreground); }
.mono { font-family: var(--vscode-editor-font-family); }
.muted { color: var(--vscode-descriptionForeground); }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(96px, 1fr)); gap: 8px; margin: 12px 0; }
.stat { padding: 6px 8px; border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); border-radius: 4px; }
.stat-value { font-size: 1.25em; font-weight: 600; font-variant-numeric: tabular-nums; }
.stat-label { color: var(--vscode-descriptionForeground); font-size: 12px; }
.chart { height: 260px; }
.models { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-direction: column; gap: 4px; }
.link { font: inherit; color: var(--vscode-textLink-foreground); background: none; border: none; padding: 0; cursor: pointer; text-align: left; }
.link:hover { text-decoration: underline; color: var(--vscode-textLink-activeForeground); }
.link:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; }
.facts dt { color: var(--vscode-descriptionForeground); }
.facts dd { margin: 0; }
.problems { margin: 4px 0 0; padding-left: 18px; }
.snippet { max-width: 100%; box-sizing: border-box; margin: 4px 0; padding: 6px 8px; border-radius: 4px; background: var(--vscode-textCodeBlock-background); color: var(--vscode-foreground); white-space: pre; overflow-x: auto; font-size: 12px; }
[data-testid="no-models"] p { margin: 4px 0; }
section { margin-bottom: 16px; }
`;

function freshness(entry: FeatureCatalogEntry, now: number): TemplateResult {
  if (!entry.materializedAt) return html`<span class="muted">never materialized</span>`;
  return html`<span title=${new Date(entry.materializedAt).toLocaleString()}>${formatRelativeTime(Date.parse(entry.materializedAt), now)}</span>${entry.rows !== null ? html`<span class="muted"> · ${formatCount(entry.rows)} rows</span>` : nothing}`;
}

function tags(entry: FeatureCatalogEntry): TemplateResult | typeof nothing {
  return entry.tags.length === 0 ? nothing : html`${entry.tags.map((t) => html`<span class="tag">${t}</span>`)}`;
}

function onRowKey(event: KeyboardEvent, entry: FeatureCatalogEntry, actions: FeatureCatalogActions): void {
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    actions.select(entry);
  } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    actions.moveSelection(event.key === 'ArrowDown' ? 1 : -1);
  }
}

function featureTable(entries: readonly FeatureCatalogEntry[], model: FeatureCatalogViewModel, actions: FeatureCatalogActions): TemplateResult {
  const now = model.state?.now ?? Date.now();
  return html`<table class="features" aria-label="Features">
    <thead><tr><th>Feature</th><th>Type</th><th>Owner</th><th>Tags</th><th>Materialized</th></tr></thead>
    <tbody>
      ${entries.map(
        (e) => html`<tr tabindex="0" data-feature=${e.id} aria-selected=${e.id === model.selectedId ? 'true' : 'false'} @click=${() => actions.select(e)} @keydown=${(ev: KeyboardEvent) => onRowKey(ev, e, actions)}>
          <th scope="row"><div class="mono">${e.name}</div><div class="view-name mono">${e.view}</div></th>
          <td>${e.type}</td>
          <td class="nowrap">${e.owner ?? html`<span class="muted">—</span>`}</td>
          <td>${tags(e)}</td>
          <td>${e.materializedAt ? html`<div class="nowrap" title=${new Date(e.materializedAt).toLocaleString()}>${formatRelativeTime(Date.parse(e.materializedAt), now)}</div><div class="muted nowrap">${e.rows === null ? '' : `${formatCount(e.rows)} rows`}</div>` : html`<span class="muted">never materialized</span>`}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function stat(label: string, value: string): TemplateResult {
  return html`<div class="stat"><div class="stat-value">${value}</div><div class="stat-label">${label}</div></div>`;
}

function statTiles(stats: FeatureStatsView, type: string): TemplateResult {
  const num = (v: number | null): string => (v === null ? '—' : formatNumber(v));
  const missing = `${formatNumber(Math.round(stats.missingShare * 1000) / 10)}%`;
  const numeric = type !== 'string';
  return html`<div class="stats" data-testid="stats">
    ${stat('values', formatCount(stats.count))} ${stat('missing', missing)}
    ${numeric ? html`${stat('min', num(stats.min))} ${stat('max', num(stats.max))} ${stat('mean', num(stats.mean))} ${stat('std', num(stats.std))}` : stat('distinct', formatCount(stats.distinct))}
  </div>`;
}

/** The `dataset: {features: …}` block of a *.train.yaml that trains on this feature's view. */
function trainingSpecSnippet(entry: FeatureCatalogEntry): string {
  return [
    'dataset:',
    `  features: ${entry.file}`,
    `  entities: entity_rows.csv   # ${entry.entities.join(', ')}, event time, label`,
    `  select: [${entry.view}:*]`,
    '  timestamp: event_timestamp',
    'target: label',
  ].join('\n');
}

function modelsSection(details: FeatureDetails, entry: FeatureCatalogEntry, actions: FeatureCatalogActions): TemplateResult {
  return html`<section data-testid="models">
    <h2>Models that use it <span class="muted">(through the view ${entry.view})</span></h2>
    ${details.modelsNote ? html`<p class="muted">${details.modelsNote}</p>` : nothing}
    ${details.models.length > 0
      ? html`<ul class="models">
          ${details.models.map(
            (m) => html`<li><button class="link" data-model=${`${m.name}/${m.version}`} @click=${() => actions.openModelCard(m.name, m.version)}><span class="codicon codicon-package" aria-hidden="true"></span> ${m.name} v${m.version}</button>${m.missing ? html` <span class="muted">(deleted)</span>` : nothing}</li>`,
          )}
        </ul>`
      : details.modelsNote
        ? nothing
        : html`<div class="muted" data-testid="no-models">
            <p>No registered model uses it yet. A model counts once its run trains on this view and the run is registered. The simplest way in is a training spec that reads features:</p>
            <pre class="snippet mono">${trainingSpecSnippet(entry)}</pre>
            <p>or a training set written by <span class="mono">mlops features get-training-set</span>.</p>
          </div>`}
  </section>`;
}

function detail(entry: FeatureCatalogEntry, model: FeatureCatalogViewModel, actions: FeatureCatalogActions): TemplateResult {
  const details = model.details?.id === entry.id ? model.details : undefined;
  const now = model.state?.now ?? Date.now();
  return html`<section class="card" data-testid="feature-detail" aria-live="polite">
    <h2 class="mono detail-title">${entry.id}</h2>
    <div class="toolbar">
        <vscode-button secondary @click=${() => actions.openSpec(entry.file, entry.line)}>Open Definition</vscode-button>
        <vscode-button secondary @click=${() => actions.materialize(entry.view)}>Materialize ${entry.view}</vscode-button>
    </div>
    ${entry.description ? html`<p>${entry.description}</p>` : html`<p class="muted">No description: add <span class="mono">description:</span> to the feature in ${entry.file}.</p>`}
    <dl class="facts">
      <dt>Type</dt><dd>${entry.type}</dd>
      <dt>View</dt><dd>${entry.view}${entry.viewDescription ? html` <span class="muted">— ${entry.viewDescription}</span>` : nothing}</dd>
      <dt>Entities</dt><dd>${entry.entities.join(', ')}</dd>
      <dt>Owner</dt><dd>${entry.owner ?? html`<span class="muted">none</span>`}</dd>
      <dt>Freshness</dt><dd>${freshness(entry, now)}${entry.latestEventTime ? html`<span class="muted"> · events up to ${new Date(entry.latestEventTime).toLocaleString()}</span>` : nothing} · ${entry.ttl}</dd>
      <dt>Defined in</dt><dd><button class="link mono" @click=${() => actions.openSpec(entry.file, entry.line)}>${entry.file}:${entry.line}</button></dd>
    </dl>
    ${model.detailsError ? html`<div class="banner banner-error" role="alert"><span class="codicon codicon-error" aria-hidden="true"></span><div>${model.detailsError}</div></div>` : nothing}
    ${!details
      ? model.detailsError
        ? nothing
        : html`<p class="muted">Loading statistics…</p>`
      : html`
          ${details.stats
            ? html`${statTiles(details.stats, entry.type)}
                <figure style="margin: 0"><figcaption class="muted">Distribution in the offline store${details.stats.distribution.kind === 'categorical' && entry.type === 'string' ? ' (top values)' : ''}</figcaption><div class="chart" data-chart="distribution" role="img" aria-label="Distribution of ${entry.id}"></div></figure>`
            : html`<div class="banner banner-warning"><span class="codicon codicon-info" aria-hidden="true"></span><div>${details.statsNote ?? 'No statistics.'}</div><vscode-button @click=${() => actions.materialize(entry.view)}>Materialize</vscode-button></div>`}
          ${modelsSection(details, entry, actions)}
        `}
  </section>`;
}

function emptyWorkspace(actions: FeatureCatalogActions): TemplateResult {
  return html`<div class="card empty-state" data-testid="empty-no-spec">
    <span class="codicon codicon-symbol-field empty-icon" aria-hidden="true"></span>
    <h2>No feature definitions yet</h2>
    <p>Declare entities (what features describe), sources (a CSV or Parquet file with an event-time column) and feature views in a <span class="mono">features.yaml</span>. Materialize them, then browse their statistics here.</p>
    <p>To train on them, point a training spec at the file: <span class="mono">dataset: {features: features.yaml, entities: rows.csv, select: [view:*], timestamp: event_timestamp}</span> builds a point-in-time-correct training set for the run (or write one with <span class="mono">mlops features get-training-set</span>).</p>
    <div class="actions"><vscode-button @click=${() => actions.createSpec()}>Create features.yaml…</vscode-button></div>
  </div>`;
}

function problemsBanner(state: FeatureCatalogState, actions: FeatureCatalogActions): TemplateResult | typeof nothing {
  if (state.problems.length === 0) return nothing;
  return html`<div class="banner banner-error" role="alert" data-testid="problems">
    <span class="codicon codicon-error" aria-hidden="true"></span>
    <div>
      <strong>${state.problems.length} problem${state.problems.length === 1 ? '' : 's'} in feature definitions</strong> (their features are left out):
      <ul class="problems">
        ${state.problems.map((p) => html`<li><button class="link mono" @click=${() => actions.openSpec(p.file, p.line)}>${p.file}:${p.line}:${p.column}</button>${p.field ? html` <span class="muted">${p.field}</span>` : nothing}: ${p.message}</li>`)}
      </ul>
    </div>
  </div>`;
}

/** The whole panel for one state; pure, so tests can render it without a host. */
export function renderFeatureCatalog(model: FeatureCatalogViewModel, actions: FeatureCatalogActions): TemplateResult {
  const state = model.state;
  const header = html`<header class="panel-header">
    <div>
      <h1>Feature Catalog</h1>
      <p class="subtle">Features of this workspace's features.yaml files: search, statistics from the offline store, freshness, and the models trained on them.</p>
    </div>
    ${state && state.features.length > 0 ? html`<div class="toolbar"><vscode-button secondary @click=${() => actions.materialize(null)}><span class="codicon codicon-sync" slot="start"></span>Materialize All</vscode-button></div>` : nothing}
  </header>`;
  if (model.error) {
    return html`<div class="page">${header}<div class="banner banner-error" role="alert"><span class="codicon codicon-error" aria-hidden="true"></span><div>${model.error}</div><vscode-button secondary @click=${() => actions.retry()}>Retry</vscode-button></div></div>`;
  }
  if (!state) return html`<div class="page">${header}<p class="loading">Loading features…</p></div>`;
  if (state.specFiles === 0) return html`<div class="page">${header}${emptyWorkspace(actions)}</div>`;
  const shown = filterFeatures(state.features, model.query);
  const selected = state.features.find((e) => e.id === model.selectedId);
  const neverMaterialized = state.features.length > 0 && state.features.every((e) => e.materializedAt === null);
  return html`<div class="page">
    ${header} ${problemsBanner(state, actions)}
    ${neverMaterialized
      ? html`<div class="banner banner-warning" data-testid="empty-not-materialized"><span class="codicon codicon-info" aria-hidden="true"></span><div><strong>Nothing materialized yet.</strong> Materialize the feature views to compute their offline and online stores, statistics and distributions.</div><vscode-button @click=${() => actions.materialize(null)}>Materialize Features</vscode-button></div>`
      : nothing}
    ${state.features.length === 0 && state.problems.length === 0 ? html`<p class="muted">The feature definitions declare no features yet.</p>` : nothing}
    <input
      class="search"
      type="search"
      aria-label="Search features"
      placeholder="Search by name, tag or owner — e.g. bill, tag:morphology, owner:data-team"
      .value=${model.query}
      @input=${(e: Event) => actions.search((e.target as HTMLInputElement).value)}
    />
    <p class="search-hint muted" data-testid="count">${shown.length === state.features.length ? `${state.features.length} feature${state.features.length === 1 ? '' : 's'}` : `${shown.length} of ${state.features.length} features`} · words match names, tags and owners; <span class="mono">tag:</span> and <span class="mono">owner:</span> match only those</p>
    <div class="layout">
      <section class="card list">
        ${shown.length > 0 ? featureTable(shown, model, actions) : html`<p class="muted" data-testid="no-match">No feature matches “${model.query}”.</p>`}
      </section>
      ${selected ? detail(selected, model, actions) : html`<section class="card"><p class="muted">Select a feature to see its statistics, distribution and the models that use it.</p></section>`}
    </div>
  </div>`;
}
