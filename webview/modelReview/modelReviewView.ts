import { html, nothing, type TemplateResult } from 'lit';
import type { ComparisonView, ModelReviewState, PendingReviewView, VersionCardView, VersionFeedbackView, VersionFile } from '../../src/protocol/modelReview/modelReviewContract';
import { formatCount, formatNumber, formatRelativeTime } from '../shared/formatting';
import { CHART_TITLES, chartKinds } from './evaluationCharts';
import { metricDisagreement } from './metricDisagreement';

export interface ModelReviewViewModel {
  state?: ModelReviewState;
  loading: boolean;
  error?: string;
  /** review mode: hide params, inputs and metrics that are the same in every version */
  onlyDifferences: boolean;
  now: number;
}

export interface ModelReviewActions {
  promote(version: number): void;
  decide(reviewId: number, decision: 'approve' | 'reject'): void;
  addVersion(): void;
  removeVersion(version: number): void;
  openFile(version: number, file: VersionFile): void;
  openRun(runId: string): void;
  showLineage(version: number): void;
  openCostSettings(): void;
  setOnlyDifferences(on: boolean): void;
  retry(): void;
}

export const MODEL_REVIEW_STYLES = `
.page { max-width: 1280px; }
.badges { display: inline-flex; gap: 6px; flex-wrap: wrap; vertical-align: middle; margin-left: 8px; }
.badge { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; color: var(--vscode-badge-foreground); background: var(--vscode-badge-background); border: 1px solid var(--vscode-contrastBorder, transparent); }
.badge.policy { color: var(--vscode-foreground); background: transparent; border-color: var(--vscode-panel-border, var(--vscode-widget-border, currentColor)); font-weight: 400; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 16px; margin-bottom: 16px; }
.card h2 { display: flex; align-items: center; gap: 6px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--vscode-descriptionForeground); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table.kv, table.compare { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
/* Every comparison table lays its columns out alike (label column, then one equal column a
   version), so a version's values sit under its heading in every card. */
table.compare { table-layout: fixed; }
table.compare col.label { width: var(--label-width, 28%); }
table.compare td, table.compare th { overflow-wrap: anywhere; }
table.kv th, table.kv td, table.compare th, table.compare td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); vertical-align: top; }
table.kv th, table.compare thead th { font-weight: 600; color: var(--vscode-descriptionForeground); }
table.compare td.num, table.compare th.num, table.kv td.num, table.kv th.num { text-align: right; }
table.compare tbody th { font-weight: 400; font-family: var(--vscode-editor-font-family); }
tr.differs > * { background: var(--vscode-diffEditor-insertedLineBackground, rgba(155, 185, 85, .12)); }
.delta { display: block; font-size: 12px; }
.delta.better { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
.delta.worse { color: var(--vscode-errorForeground); }
.best { font-weight: 700; }
.best::after { content: " ★"; color: var(--vscode-charts-yellow, var(--vscode-editorWarning-foreground)); }
.version-head { display: flex; flex-direction: column; gap: 4px; }
.version-head .name { font-size: 1.1em; }
.version-actions { display: flex; gap: 4px; flex-wrap: wrap; }
.link { color: var(--vscode-textLink-foreground); background: none; border: none; padding: 0; font: inherit; cursor: pointer; text-align: left; }
.link:hover { color: var(--vscode-textLink-activeForeground); text-decoration: underline; }
.link:focus-visible, .confusion td:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
.mono { font-family: var(--vscode-editor-font-family); }
.review-request { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.review-request > div { flex: 1; min-width: 240px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
.chart { height: 300px; }
.matrices { display: flex; gap: 24px; flex-wrap: wrap; align-items: flex-start; }
table.confusion { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.confusion th, table.confusion td { padding: 4px 8px; text-align: right; border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); min-width: 44px; }
table.confusion th { font-weight: 600; color: var(--vscode-descriptionForeground); }
table.importance td.bar { width: 60%; }
table.importance td.bar span { display: block; height: 10px; width: calc(var(--share) * 100%); background: var(--vscode-charts-blue, #3794ff); border-radius: 2px; }
table.confusion td.hit { background: color-mix(in srgb, var(--vscode-charts-blue, #3794ff) calc(var(--share) * 60%), transparent); }
table.confusion td.miss { background: color-mix(in srgb, var(--vscode-charts-red, #f14c4c) calc(var(--share) * 60%), transparent); }
table.confusion .axis { font-weight: 400; font-style: italic; }
.description { white-space: pre-wrap; margin: 0; }
.switch { display: inline-flex; gap: 6px; align-items: center; cursor: pointer; }
section { margin-bottom: 16px; }
`;

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function metric(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : formatNumber(value);
}

function bytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

/** A metric's name without the "test_" prefix every evaluation metric carries. */
function metricLabel(key: string): string {
  return key.startsWith('test_') ? key.slice(5) : key;
}

/** The metrics a reviewer reads first, in this order; per-class ones follow. */
const HEADLINE = ['accuracy', 'f1_macro', 'precision_macro', 'recall_macro', 'roc_auc', 'log_loss', 'rmse', 'mae', 'r2'];
const PER_CLASS = /^(precision|recall|f1)_(.+)$/;

function headlineRank(key: string): number {
  const rank = HEADLINE.indexOf(metricLabel(key));
  return rank < 0 ? HEADLINE.length : rank;
}

/** Headline metrics first (in HEADLINE order), then the rest alphabetically. */
export function orderMetrics<T>(entries: readonly T[], key: (entry: T) => string): T[] {
  return [...entries].sort((a, b) => headlineRank(key(a)) - headlineRank(key(b)) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** test_precision_Adelie, test_recall_Adelie, … regrouped as one row per class. */
function perClassRows(evaluation: Record<string, number | null>): { label: string; precision: number | null; recall: number | null; f1: number | null }[] {
  const rows = new Map<string, { label: string; precision: number | null; recall: number | null; f1: number | null }>();
  for (const [key, value] of Object.entries(evaluation)) {
    const match = PER_CLASS.exec(metricLabel(key));
    if (!match || match[2] === 'macro') continue;
    const label = match[2] as string;
    const row = rows.get(label) ?? { label, precision: null, recall: null, f1: null };
    row[match[1] as 'precision' | 'recall' | 'f1'] = value;
    rows.set(label, row);
  }
  return [...rows.values()];
}

function aliasBadges(aliases: readonly string[]): TemplateResult | typeof nothing {
  if (aliases.length === 0) return nothing;
  return html`<span class="badges">${aliases.map((a) => html`<span class="badge" title="models:/…@${a}">@${a}</span>`)}</span>`;
}

function reviewBanner(model: ModelReviewState['model'], reviews: readonly PendingReviewView[], now: number, actions: ModelReviewActions): TemplateResult | typeof nothing {
  if (reviews.length === 0) return nothing;
  return html`${reviews.map(
    (r) => html`<div class="banner banner-warning review-request" role="region" aria-label="Pending review ${r.reviewId}">
      <span class="codicon codicon-git-pull-request" aria-hidden="true"></span>
      <div>
        <strong>Review #${r.reviewId}: move @${r.alias} of ${model.name} ${r.previousVersion === null ? '' : `from v${r.previousVersion} `}to v${r.version}</strong>
        <p class="subtle">Requested by ${r.requestedBy} ${formatRelativeTime(r.requestedAt, now)}: “${r.comment}”</p>
      </div>
      <vscode-button icon="check" @click=${() => actions.decide(r.reviewId, 'approve')}>Approve</vscode-button>
      <vscode-button secondary icon="close" @click=${() => actions.decide(r.reviewId, 'reject')}>Reject</vscode-button>
    </div>`,
  )}`;
}

/** confusion[true][predicted], shaded by the share of the true class's rows (recall per row). */
export function confusionTable(matrix: { labels: string[]; matrix: number[][] }, caption: string): TemplateResult {
  return html`<table class="confusion" aria-label=${caption}>
    <caption class="subtle">${caption}</caption>
    <thead>
      <tr><th class="axis" title="rows: true class; columns: predicted class">true ↓ · predicted →</th>${matrix.labels.map((l) => html`<th scope="col">${l}</th>`)}</tr>
    </thead>
    <tbody>
      ${matrix.matrix.map((row, t) => {
        const total = row.reduce((a, b) => a + b, 0);
        return html`<tr>
          <th scope="row">${matrix.labels[t]}</th>
          ${row.map((count, p) => {
            const share = total > 0 ? count / total : 0;
            const label = `true ${matrix.labels[t]}, predicted ${matrix.labels[p]}: ${count} of ${total} (${(share * 100).toFixed(0)}%)`;
            return html`<td class=${t === p ? 'hit' : count > 0 ? 'miss' : ''} style="--share: ${share.toFixed(3)}" title=${label} aria-label=${label} tabindex="0">${formatCount(count)}</td>`;
          })}
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function chartsSection(card: VersionCardView, heading: string): TemplateResult {
  const kinds = chartKinds(card.curves);
  if (kinds.length === 0 && !card.confusionMatrix) {
    return html`<section class="card"><h2>${heading}</h2><p class="subtle">No evaluation charts: this version was trained without a test split, or before MLOps Studio saved curves. Retrain and register it again to get them.</p></section>`;
  }
  return html`<section class="card">
    <h2>${heading}</h2>
    <div class="charts">
      ${card.confusionMatrix ? html`<div>${confusionTable(card.confusionMatrix, 'Confusion matrix (test split)')}</div>` : nothing}
      ${kinds.map((kind) => html`<figure style="margin: 0"><figcaption class="subtle">${CHART_TITLES[kind]}</figcaption><div class="chart" data-chart=${kind} data-version=${card.version} role="img" aria-label="${CHART_TITLES[kind]} of v${card.version}"></div></figure>`)}
    </div>
  </section>`;
}

/**
 * A tree model's split gain per input, as bars against the largest (the shares add up to 100%),
 * and, when measured, how much the test loss rises with the input shuffled (permutation importance).
 */
function importanceSection(card: VersionCardView): TemplateResult | typeof nothing {
  const features = card.featureImportance;
  if (!features || features.length === 0) return nothing;
  const top = Math.max(...features.map((f) => f.importance), 1e-12);
  const permuted = features.some((f) => f.permutation !== undefined && f.permutation !== null);
  const metric = card.permutationMetric === 'mse' ? 'MSE' : 'log loss';
  return html`<section class="card">
    <h2><span class="codicon codicon-list-ordered" aria-hidden="true"></span>Feature importance</h2>
    <p class="subtle">Each input's share of the total split gain over the model's trees${permuted ? html`; <em>shuffled</em>: how much the test ${metric} rises when the input's values are shuffled among the test rows` : nothing}.</p>
    <table class="kv importance" aria-label="Feature importance (gain)">
      ${permuted ? html`<thead><tr><th>Input</th><th>Gain</th><th class="num">share</th><th class="num">shuffled: ${metric} +</th></tr></thead>` : nothing}
      <tbody>${features.map((f) => {
        const label = `${f.name}: ${(f.importance * 100).toFixed(1)}% of the gain`;
        return html`<tr title=${label} aria-label=${label}>
          <th scope="row" class="mono">${f.name}</th>
          <td class="bar"><span style="--share: ${(f.importance / top).toFixed(3)}"></span></td>
          <td class="num">${(f.importance * 100).toFixed(1)}%</td>
          ${permuted ? html`<td class="num permutation">${f.permutation === undefined || f.permutation === null ? '—' : formatNumber(f.permutation)}</td>` : nothing}
        </tr>`;
      })}</tbody>
    </table>
  </section>`;
}

function fileActions(card: VersionCardView, actions: ModelReviewActions): TemplateResult {
  return html`<div class="toolbar">
    ${card.files.spec ? html`<vscode-button secondary icon="file-code" @click=${() => actions.openFile(card.version, 'spec')}>Training spec</vscode-button>` : nothing}
    ${card.files.evaluationReport ? html`<vscode-button secondary icon="json" @click=${() => actions.openFile(card.version, 'evaluationReport')}>Evaluation report</vscode-button>` : nothing}
    <vscode-button secondary icon="folder-opened" @click=${() => actions.openFile(card.version, 'packageFolder')}>Reveal files</vscode-button>
  </div>`;
}

/** Training CPU time and cost, with the way to the prices: a cost means little without them. */
function trainingUsageFacts(card: VersionCardView, actions: ModelReviewActions): TemplateResult | typeof nothing {
  const usage = card.trainingUsage;
  if (!usage || (usage.cpuSeconds === null && usage.cost === null && (usage.predictLatencyP99Ms ?? null) === null)) return nothing;
  const prices = html`<button class="link" title="Prices of a CPU-hour and a GB-hour (mlops.cost.* settings)" @click=${() => actions.openCostSettings()}>${usage.cost === null ? 'set prices' : 'prices'}</button>`;
  return html`
    <dt>Training CPU</dt><dd>${usage.cpuSeconds === null ? '—' : `${formatCpuSeconds(usage.cpuSeconds)} CPU-seconds`}</dd>
    <dt>Training cost</dt><dd>${usage.cost === null ? html`<span class="subtle">not priced</span>` : usage.cost.toPrecision(3)} · ${prices}</dd>
    ${usage.predictLatencyP99Ms === undefined || usage.predictLatencyP99Ms === null
      ? nothing
      : html`<dt>Predict latency</dt><dd title="one-row calls through the scorer endpoints use, on test rows, when the model was trained">p99 ${formatMs(usage.predictLatencyP99Ms)} a row</dd>`}
  `;
}

function formatMs(ms: number): string {
  return `${ms >= 10 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toPrecision(2)} ms`;
}

type UsageKey = 'cost' | 'cpuSeconds' | 'predictLatencyP99Ms';
/** What a version costs, beside its accuracy: lower is better for each. */
const USAGE_ROWS: { key: UsageKey; label: string; format: (value: number) => string }[] = [
  { key: 'cost', label: 'training cost', format: (v) => v.toPrecision(3) },
  { key: 'cpuSeconds', label: 'training CPU-seconds', format: formatCpuSeconds },
  { key: 'predictLatencyP99Ms', label: 'predict latency p99', format: formatMs },
];

/** The usage figures of the versions as comparison rows (deltas against the first, best = lowest). */
export function usageRows(versions: readonly VersionCardView[]): { key: UsageKey; label: string; format: (value: number) => string; row: ComparisonView['metrics'][number] }[] {
  return USAGE_ROWS.flatMap((spec) => {
    const values = versions.map((v) => v.trainingUsage?.[spec.key] ?? null);
    // a cost row shows even when nothing is priced: that is where the way to the prices is
    if (spec.key !== 'cost' && values.every((v) => v === null)) return [];
    if (spec.key === 'cost' && versions.every((v) => !v.trainingUsage)) return [];
    const base = values[0] ?? null;
    const measured = values.flatMap((v, i) => (v === null ? [] : [[v, i] as const]));
    const best = measured.length > 1 ? measured.reduce((a, b) => (b[0] < a[0] ? b : a))[1] : null;
    const deltas = values.map((v) => (v === null || base === null ? null : v - base));
    return [{ ...spec, row: { key: spec.label, values, deltas, higherIsBetter: false, best } }];
  });
}

function formatCpuSeconds(seconds: number): string {
  return seconds >= 100 ? Math.round(seconds).toLocaleString('en-US') : seconds.toFixed(1);
}

function runLink(card: VersionCardView, actions: ModelReviewActions): TemplateResult {
  const name = card.run.runName || card.run.runId.slice(0, 8);
  if (!card.run.available) return html`<span title=${card.run.runId}>${name} <span class="subtle">(run deleted)</span></span>`;
  return html`<button class="link" title="Open run ${card.run.runId}" @click=${() => actions.openRun(card.run.runId)}>${name}</button>`;
}

/** The text metrics of a text evaluation, as columns, in this order. */
const TEXT_METRICS: [string, string][] = [
  ['bleu', 'BLEU'],
  ['rouge1_f', 'ROUGE-1 F'],
  ['rouge2_f', 'ROUGE-2 F'],
  ['rougeL_f', 'ROUGE-L F'],
  ['exact_match', 'exact match'],
];

function hasFeedback(feedback: VersionFeedbackView | null): feedback is VersionFeedbackView {
  return feedback !== null && ((feedback.endpoint?.count ?? 0) > 0 || feedback.textEvaluations.length > 0);
}

function rating(mean: number | null, count: number): string {
  return mean === null ? `${formatCount(count)} without a rating` : `${mean.toFixed(2)} / 5 from ${formatCount(count)}`;
}

/** Ratings posted to endpoints about this version's answers, and its text evaluations with their reviewers' ratings. */
function feedbackSection(card: VersionCardView, actions: ModelReviewActions): TemplateResult | typeof nothing {
  const feedback = card.feedback;
  if (!hasFeedback(feedback)) return nothing;
  const endpoint = feedback.endpoint;
  return html`<section class="card" data-testid="feedback">
    <h2><span class="codicon codicon-feedback" aria-hidden="true"></span>Text evaluation and feedback</h2>
    ${endpoint && endpoint.count > 0
      ? html`<p><strong>Served answers:</strong> ${formatCount(endpoint.count)} rated through <span class="mono">/feedback</span>${endpoint.meanRating !== null ? html` · mean rating <strong>${endpoint.meanRating.toFixed(2)}</strong> / 5 (${formatCount(endpoint.ratedCount)} ratings)` : nothing}${endpoint.labels.length > 0 ? html` · labels ${endpoint.labels.slice(0, 5).map(([l, n]) => `${l} ×${n}`).join(', ')}` : nothing}</p>`
      : nothing}
    ${feedback.textEvaluations.length > 0
      ? html`<table class="kv" aria-label="Text evaluations of this version">
          <thead><tr><th>Evaluation run</th>${TEXT_METRICS.map(([, label]) => html`<th class="num">${label}</th>`)}<th class="num">Reviewed rows</th><th class="num">Reviewers' rating</th></tr></thead>
          <tbody>${feedback.textEvaluations.map(
            (e) => html`<tr>
              <th scope="row"><button class="link" @click=${() => actions.openRun(e.runId)}>${e.runName || e.runId.slice(0, 8)}</button>${e.rougeStemming ? html` <span class="subtle">(stemmed)</span>` : nothing}</th>
              ${TEXT_METRICS.map(([key]) => html`<td class="num">${metric(e.metrics[key])}</td>`)}
              <td class="num">${formatCount(e.feedback.count)}</td>
              <td class="num">${e.feedback.meanRating === null ? '—' : e.feedback.meanRating.toFixed(2)}</td>
            </tr>`,
          )}</tbody>
        </table>`
      : nothing}
  </section>`;
}

/** Review: the newest text evaluation and served feedback of each version, side by side. */
function feedbackComparison(versions: readonly VersionCardView[]): TemplateResult | typeof nothing {
  if (!versions.some((v) => hasFeedback(v.feedback))) return nothing;
  const newest = (v: VersionCardView): VersionFeedbackView['textEvaluations'][number] | undefined => v.feedback?.textEvaluations[0];
  const rows: [string, (v: VersionCardView) => string][] = [
    ['served answers: mean rating', (v) => (v.feedback?.endpoint && v.feedback.endpoint.count > 0 ? rating(v.feedback.endpoint.meanRating, v.feedback.endpoint.ratedCount) : '—')],
    ...TEXT_METRICS.map(([key, label]): [string, (v: VersionCardView) => string] => [label, (v) => metric(newest(v)?.metrics[key])]),
    ["reviewers' rating", (v) => { const e = newest(v); return e && e.feedback.count > 0 ? rating(e.feedback.meanRating, e.feedback.count) : '—'; }],
  ];
  return html`<section class="card" data-testid="feedback-comparison">
    <h2>Text evaluation and feedback <span class="subtle">(each version's newest evaluation run)</span></h2>
    <table class="compare"><tbody>${rows.map(([label, cell]) => html`<tr><th scope="row">${label}</th>${versions.map((v) => html`<td class="num">${cell(v)}</td>`)}</tr>`)}</tbody></table>
  </section>`;
}

/** Trees have boosting rounds or trees and leaves where a network has epochs and parameters. */
function isTreeModel(modelType: string | null): boolean {
  return modelType === 'gbdt' || modelType === 'random_forest';
}

/** Says why ROC AUC and F1/accuracy disagree, when they do by much (they measure different things). */
function disagreementNote(evaluation: Record<string, number | null>, modelType: string | null): TemplateResult | typeof nothing {
  const d = metricDisagreement(evaluation);
  if (!d) return nothing;
  const classes = d.neverPredicted.join(', ');
  const remedy = modelType === 'gbdt' ? 'more boosting rounds or class weights' : modelType === 'random_forest' ? 'more trees or class weights' : 'more epochs or class weights';
  return html`<p class="subtle metric-note" data-testid="auc-note" style="margin-top: 8px">
    <span class="codicon codicon-info" aria-hidden="true"></span>
    <strong>Why roc_auc ${metric(d.rocAuc)} next to f1_macro ${metric(d.f1Macro)}:</strong> ROC AUC (one-vs-rest per class, averaged, on the same test rows and
    probabilities) asks whether each class's rows get a higher probability of that class than the other rows do: a ranking. Accuracy and F1 count only the
    most probable class of each row.
    ${d.neverPredicted.length > 0
      ? html`<strong>${classes}</strong> ${d.neverPredicted.length === 1 ? 'is' : 'are'} never predicted (recall 0) although ranked well: another class's
          probability is higher in those rows. The model separates the classes but its probabilities are off for ${d.neverPredicted.length === 1 ? 'this one' : 'these'};
          ${remedy} usually close the gap.`
      : `Probabilities that rank well but sit on the wrong side of another class’s make the two disagree; ${remedy} usually close the gap.`}
  </p>`;
}

function renderCard(state: ModelReviewState, model: ModelReviewViewModel, actions: ModelReviewActions): TemplateResult {
  const card = state.versions[0] as VersionCardView;
  const classes = perClassRows(card.evaluation);
  const evaluation = orderMetrics(
    Object.entries(card.evaluation).filter(([k]) => !(PER_CLASS.test(metricLabel(k)) && !metricLabel(k).endsWith('_macro'))),
    ([k]) => k,
  );
  const training = Object.entries(card.training);
  const params = Object.entries(card.params);
  return html`
    <header class="panel-header">
      <div>
        <h1>${card.name} v${card.version}${aliasBadges(card.aliases)}</h1>
        <p class="subtle">
          Registered ${dateTime.format(new Date(card.createdAt))} by ${card.registeredBy}${card.trainedBy ? html` · trained by ${card.trainedBy}` : nothing}
          · run ${runLink(card, actions)}${card.run.gitCommit ? html` · commit <span class="mono">${card.run.gitCommit.slice(0, 10)}</span>` : nothing}
        </p>
        <p class="subtle mono">${card.uri}</p>
        ${card.external
          ? html`<p class="external-note">External version: registered from <span class="mono">${card.external.source}</span>, which is not a model package here; this card shows only what is known about it.</p>`
          : nothing}
      </div>
      <div class="toolbar">
        <vscode-button icon="arrow-up" @click=${() => actions.promote(card.version)} title=${state.model.requireReview ? 'Request a review to point an alias at this version' : 'Point an alias (e.g. @champion) at this version'}>${state.model.requireReview ? 'Request promotion…' : 'Promote…'}</vscode-button>
        <vscode-button secondary icon="diff" @click=${() => actions.addVersion()} ?disabled=${state.model.versionCount < 2} title=${state.model.versionCount < 2 ? 'Register another version to compare' : 'Compare with other versions'}>Compare with…</vscode-button>
        <vscode-button secondary icon="type-hierarchy-sub" @click=${() => actions.showLineage(card.version)}>Lineage</vscode-button>
      </div>
    </header>
    ${reviewBanner(state.model, state.pendingReviews, model.now, actions)}
    <div class="grid2">
      <section class="card">
        <h2><span class="codicon codicon-info" aria-hidden="true"></span>Model</h2>
        <dl class="facts">
          <dt>Task</dt><dd>${card.task ?? '—'}${card.target ? html` of <span class="mono">${card.target}</span>` : nothing}</dd>
          <dt>Model type</dt><dd>${card.modelType ?? '—'}</dd>
          <dt>Backend</dt><dd>${card.backend ?? '—'}</dd>
          ${isTreeModel(card.modelType)
            ? html`<dt>Leaves</dt><dd>${card.parameters === null ? '—' : formatCount(card.parameters)}</dd>`
            : html`<dt>Parameters</dt><dd>${card.parameters === null ? '—' : formatCount(card.parameters)}</dd>`}
          ${card.trainedFor ? html`<dt>${card.trainedFor.label}</dt><dd data-testid="trained-for">${card.trainedFor.value}</dd>` : nothing}
          <dt>Size</dt><dd>${bytes(card.sizeBytes)}</dd>
          <dt>Training data</dt><dd>${card.dataset.name ?? card.dataset.source ?? '—'}${card.dataset.source && card.dataset.name ? html`<br><span class="subtle">${card.dataset.source}</span>` : nothing}</dd>
          <dt>Data digest</dt><dd class="mono">${card.dataset.digest ?? '—'}</dd>
          ${trainingUsageFacts(card, actions)}
          <dt>Review policy</dt><dd>${state.model.requireReview ? 'alias moves need an approved review' : 'aliases move directly (audited)'}</dd>
        </dl>
        ${fileActions(card, actions)}
      </section>
      <section class="card">
        <h2><span class="codicon codicon-graph" aria-hidden="true"></span>Evaluation (test split)</h2>
        ${evaluation.length === 0
          ? html`<p class="subtle">No test metrics were logged for this version's run.</p>`
          : html`<table class="kv"><tbody>${evaluation.map(([k, v]) => html`<tr><th scope="row">${metricLabel(k)}</th><td class="num">${metric(v)}</td></tr>`)}</tbody></table>`}
        ${classes.length > 0
          ? html`<table class="kv per-class" style="margin-top: 12px" aria-label="Per-class metrics">
              <thead><tr><th>Class</th><th class="num">precision</th><th class="num">recall</th><th class="num">f1</th></tr></thead>
              <tbody>${classes.map((c) => html`<tr><th scope="row">${c.label}</th><td class="num">${metric(c.precision)}</td><td class="num">${metric(c.recall)}</td><td class="num">${metric(c.f1)}</td></tr>`)}</tbody>
            </table>`
          : nothing}
        ${disagreementNote(card.evaluation, card.modelType)}
        ${training.length > 0 ? html`<p class="subtle" data-testid="training-metrics" style="margin-top: 8px">${card.trainingMetricsAt ?? (isTreeModel(card.modelType) ? 'Final training metrics' : 'Last epoch')}: ${training.map(([k, v]) => `${k} ${metric(v)}`).join(' · ')}</p>` : nothing}
      </section>
    </div>
    ${chartsSection(card, 'Evaluation charts')}
    ${importanceSection(card)}
    <div class="grid2">
      <section class="card">
        <h2><span class="codicon codicon-symbol-interface" aria-hidden="true"></span>Signature</h2>
        ${card.signature
          ? html`<table class="kv">
              <thead><tr><th>Input</th><th>Type</th><th>Missing allowed</th></tr></thead>
              <tbody>${card.signature.inputs.map((i) => html`<tr><td class="mono">${i.name}</td><td>${i.type}${i.categories ? html`<br><span class="subtle">${i.categories.join(', ')}</span>` : nothing}</td><td>${i.optional ? 'yes' : 'no'}</td></tr>`)}</tbody>
            </table>
            <p style="margin-top: 8px"><strong>Output</strong> <span class="mono">${card.signature.output}</span></p>`
          : html`<p class="subtle">No signature was saved with this model.</p>`}
      </section>
      <section class="card">
        <h2><span class="codicon codicon-settings" aria-hidden="true"></span>Params</h2>
        ${params.length === 0
          ? html`<p class="subtle">${card.run.available ? 'The run logged no params.' : 'The run was deleted; its params are gone.'}</p>`
          : html`<table class="kv"><tbody>${params.map(([k, v]) => html`<tr><th scope="row" class="mono">${k}</th><td class="mono">${v}</td></tr>`)}</tbody></table>`}
      </section>
    </div>
    ${feedbackSection(card, actions)}
    <section class="card">
      <h2><span class="codicon codicon-note" aria-hidden="true"></span>Description</h2>
      ${card.description.trim() === '' ? html`<p class="subtle">No description. Add one with <span class="mono">mlops models describe ${card.name} ${card.version} -d "…"</span> (markdown).</p>` : html`<p class="description">${card.description}</p>`}
    </section>
  `;
}

function deltaCell(row: ComparisonView['metrics'][number], i: number, format: (value: number) => string = formatNumber, missing: TemplateResult | string = '—'): TemplateResult {
  const value = row.values[i] ?? null;
  const delta = row.deltas[i] ?? null;
  const better = delta !== null && delta !== 0 && (delta > 0) === row.higherIsBetter;
  return html`<td class="num">
    <span class=${row.best === i ? 'best' : ''}>${value === null ? missing : format(value)}</span>
    ${i > 0 && delta !== null && delta !== 0 ? html`<span class="delta ${better ? 'better' : 'worse'}" aria-label="${better ? 'better' : 'worse'} by ${format(Math.abs(delta))}">${delta > 0 ? '+' : '−'}${format(Math.abs(delta))} ${better ? '▲' : '▼'}</span>` : nothing}
  </td>`;
}

/** Cost, CPU and latency rows under the accuracy metrics; an unpriced cost links to the prices, as the card does. */
function usageTableRows(versions: readonly VersionCardView[], onlyDifferences: boolean, actions: ModelReviewActions): TemplateResult[] {
  const setPrices = html`<span class="subtle">not priced</span> · <button class="link" title="Prices of a CPU-hour and a GB-hour (mlops.cost.* settings)" @click=${() => actions.openCostSettings()}>set prices</button>`;
  return usageRows(versions)
    .filter((u) => !onlyDifferences || new Set(u.row.values).size > 1)
    .map((u) => html`<tr class="usage" data-usage=${u.key}><th scope="row">${u.label}</th>${versions.map((_, i) => deltaCell(u.row, i, u.format, u.key === 'cost' ? setPrices : '—'))}</tr>`);
}

function renderReview(state: ModelReviewState, model: ModelReviewViewModel, actions: ModelReviewActions): TemplateResult {
  const versions = state.versions;
  const comparison = state.comparison as ComparisonView;
  const show = <T extends { differs: boolean }>(rows: readonly T[]): readonly T[] => (model.onlyDifferences ? rows.filter((r) => r.differs) : rows);
  const metrics = orderMetrics(model.onlyDifferences ? comparison.metrics.filter((m) => new Set(m.values).size > 1) : comparison.metrics, (m) => m.key);
  const params = show(comparison.params);
  const inputs = show(comparison.inputs);
  const usage = usageTableRows(versions, model.onlyDifferences, actions);
  const head = html`<thead><tr>
    <th scope="col">${versions.length} versions</th>
    ${versions.map((v, i) => html`<th scope="col">
      <div class="version-head">
        <span class="name">v${v.version}${aliasBadges(v.aliases)}</span>
        <span class="subtle">${i === 0 ? 'baseline' : `vs v${versions[0]?.version}`}</span>
        <div class="version-actions">
          <vscode-button icon="arrow-up" @click=${() => actions.promote(v.version)} title="Point an alias at v${v.version}">${state.model.requireReview ? 'Request…' : 'Promote…'}</vscode-button>
          <vscode-button secondary icon="close" ?disabled=${versions.length <= 2} @click=${() => actions.removeVersion(v.version)} title=${versions.length <= 2 ? 'A review needs two versions' : `Remove v${v.version} from this review`} aria-label="Remove v${v.version}"></vscode-button>
        </div>
      </div>
    </th>`)}
  </tr></thead>`;
  const row = (label: TemplateResult | string, cells: readonly (TemplateResult | string)[], differs = false): TemplateResult =>
    html`<tr class=${differs ? 'differs' : ''}><th scope="row">${label}</th>${cells.map((c) => html`<td>${c}</td>`)}</tr>`;
  // The same columns in every table; tables below the first repeat the version names.
  const cols = html`<colgroup><col class="label">${versions.map(() => html`<col>`)}</colgroup>`;
  const versionRow = (label: string, numeric = false): TemplateResult =>
    html`<thead><tr class="version-names"><th scope="col">${label}</th>${versions.map((v) => html`<th scope="col" class=${numeric ? 'num' : ''}>v${v.version}${v.aliases.length ? html` <span class="subtle">@${v.aliases.join(' @')}</span>` : nothing}</th>`)}</tr></thead>`;
  return html`
    <header class="panel-header">
      <div>
        <h1>Review ${state.model.name}${html`<span class="badges"><span class="badge policy">${state.model.requireReview ? 'alias moves need review' : 'aliases move directly'}</span></span>`}</h1>
        <p class="subtle">Deltas are against v${versions[0]?.version}; ▲ is better for the metric (lower loss and error, higher everything else); ★ marks the best version.</p>
      </div>
      <div class="toolbar">
        <label class="switch"><input type="checkbox" .checked=${model.onlyDifferences} @change=${(e: Event) => actions.setOnlyDifferences((e.target as HTMLInputElement).checked)}> Only differences</label>
        <vscode-button secondary icon="add" @click=${() => actions.addVersion()} ?disabled=${versions.length >= state.model.versionCount}>Add version…</vscode-button>
      </div>
    </header>
    ${reviewBanner(state.model, state.pendingReviews, model.now, actions)}
    <section class="card">
      <h2>Versions</h2>
      <table class="compare">${cols}${head}<tbody>
        ${row('registered', versions.map((v) => `${dateTime.format(new Date(v.createdAt))} by ${v.registeredBy}`))}
        ${row('run', versions.map((v) => runLink(v, actions)))}
        ${row('training data', versions.map((v) => html`<span title=${v.dataset.digest ?? ''}>${v.dataset.name ?? v.dataset.source ?? '—'}<br><span class="subtle mono">${(v.dataset.digest ?? '').slice(0, 12)}</span></span>`), comparison.datasetDiffers)}
        ${row('model', versions.map((v) => `${v.modelType ?? '—'} · ${v.parameters === null ? '?' : formatCount(v.parameters)} params · ${bytes(v.sizeBytes)}`))}
        ${row('backend', versions.map((v) => v.backend ?? '—'))}
        ${row('output', versions.map((v) => v.signature?.output ?? '—'), comparison.outputDiffers)}
        ${row('', versions.map((v) => html`<button class="link" @click=${() => actions.showLineage(v.version)}>Lineage</button> · <button class="link" @click=${() => actions.openFile(v.version, 'spec')}>Spec</button>`))}
      </tbody></table>
    </section>
    <section class="card">
      <h2>Evaluation metrics (test split), cost and latency</h2>
      ${metrics.length === 0 && usage.length === 0
        ? html`<p class="subtle">${comparison.metrics.length === 0 ? 'None of these versions logged test metrics.' : 'Every metric is the same in all versions.'}</p>`
        : html`<table class="compare">${cols}${versionRow('metric', true)}<tbody>${metrics.map((m) => html`<tr><th scope="row">${metricLabel(m.key)}</th>${versions.map((_, i) => deltaCell(m, i))}</tr>`)}${usage}</tbody></table>`}
    </section>
    <div class="grid2">
      <section class="card">
        <h2>Params</h2>
        ${params.length === 0
          ? html`<p class="subtle">${comparison.params.length === 0 ? 'No params were logged.' : 'All params are the same.'}</p>`
          : html`<table class="compare">${cols}${versionRow('param')}<tbody>${params.map((p) => row(html`<span class="mono">${p.key}</span>`, p.values.map((v) => html`<span class="mono">${v ?? '—'}</span>`), p.differs))}</tbody></table>`}
      </section>
      <section class="card">
        <h2>Signature inputs</h2>
        ${inputs.length === 0
          ? html`<p class="subtle">${comparison.inputs.length === 0 ? 'No signatures were saved.' : 'All versions take the same inputs.'}</p>`
          : html`<table class="compare">${cols}${versionRow('input')}<tbody>${inputs.map((i) => row(html`<span class="mono">${i.name}</span>`, i.types.map((t) => t ?? html`<span class="subtle">not an input</span>`), i.differs))}</tbody></table>`}
      </section>
    </div>
    ${feedbackComparison(versions)}
    ${versions.some((v) => v.confusionMatrix)
      ? html`<section class="card"><h2>Confusion matrices (test split)</h2><div class="matrices">${versions.map((v) => (v.confusionMatrix ? confusionTable(v.confusionMatrix, `v${v.version}${v.aliases.length ? ` @${v.aliases.join(' @')}` : ''}`) : html`<p class="subtle">v${v.version}: none</p>`))}</div></section>`
      : nothing}
    ${versions.some((v) => v.curves)
      ? html`<section class="card"><h2>${versions[0]?.task === 'regression' ? 'Predicted vs actual' : 'ROC curves'}</h2><div class="charts">${versions.map((v) => {
          const kind = chartKinds(v.curves)[0];
          return kind ? html`<figure style="margin: 0"><figcaption class="subtle">v${v.version}</figcaption><div class="chart" data-chart=${kind} data-version=${v.version} role="img" aria-label="${CHART_TITLES[kind]} of v${v.version}"></div></figure>` : html`<p class="subtle">v${v.version}: no curves saved</p>`;
        })}</div></section>`
      : nothing}
  `;
}

/** The whole panel for one state; pure, so tests can render it without a host. */
export function renderModelReview(model: ModelReviewViewModel, actions: ModelReviewActions): TemplateResult {
  if (model.error) {
    return html`<div class="page"><div class="banner banner-error" role="alert"><span class="codicon codicon-error" aria-hidden="true"></span><div><strong>Could not load the model version.</strong><p>${model.error}</p></div><vscode-button secondary @click=${() => actions.retry()}>Try again</vscode-button></div></div>`;
  }
  const state = model.state;
  if (!state) return html`<div class="page"><p class="loading">Loading the model card…</p></div>`;
  return html`<div class="page">${state.versions.length >= 2 && state.comparison ? renderReview(state, model, actions) : renderCard(state, model, actions)}</div>`;
}
