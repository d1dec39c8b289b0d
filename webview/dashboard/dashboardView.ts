import { html, nothing, type TemplateResult } from 'lit';
import type { DashboardAction, DashboardAlert, DashboardEndpoint, DashboardModel, DashboardOverview, DashboardReview, DashboardTarget, RecentRun, RunStatus } from '../../src/protocol/dashboard/dashboardContract';
import { formatCount, formatDuration, formatRelativeTime } from '../shared/formatting';

export interface DashboardViewModel {
  overview?: DashboardOverview;
  loading: boolean;
  error?: string;
  now: number;
}

export interface DashboardViewActions {
  refresh(): void;
  run(action: DashboardAction): void;
  open(target: DashboardTarget): void;
}

const STATUS_ICON: Record<RunStatus, string> = {
  RUNNING: 'sync',
  SCHEDULED: 'clock',
  FINISHED: 'pass',
  FAILED: 'error',
  KILLED: 'circle-slash',
};

/** The whole dashboard for one state; pure, so tests can render it without a host. */
export function renderDashboard(model: DashboardViewModel, actions: DashboardViewActions): TemplateResult {
  const { overview } = model;
  return html`
    <header class="panel-header">
      <div>
        <h1>MLOps Studio</h1>
        <p class="subtle">${overview ? html`Workspace <strong>${overview.workspaceName}</strong> · version ${overview.version}` : 'Reading the workspace store…'}</p>
      </div>
      <div class="toolbar">
        <vscode-button secondary icon="refresh" @click=${actions.refresh} ?disabled=${model.loading} aria-label="Refresh the dashboard">Refresh</vscode-button>
      </div>
    </header>
    ${model.error ? renderError(model.error, actions) : nothing}
    ${overview ? renderOverview(overview, model.now, actions) : nothing}
  `;
}

function renderError(message: string, actions: DashboardViewActions): TemplateResult {
  return html`<section class="banner banner-error" role="alert">
    <span class="codicon codicon-error" aria-hidden="true"></span>
    <div><strong>The dashboard could not be loaded.</strong> ${message}</div>
    <vscode-button secondary @click=${actions.refresh}>Try again</vscode-button>
  </section>`;
}

function renderOverview(overview: DashboardOverview, now: number, actions: DashboardViewActions): TemplateResult {
  return html`
    ${overview.trusted
      ? nothing
      : html`<section class="banner banner-warning" role="status">
          <span class="codicon codicon-shield" aria-hidden="true"></span>
          <div><strong>Restricted mode.</strong> This folder is not trusted: MLOps Studio shows what is stored but runs no scripts, training or servers until you trust it.</div>
        </section>`}
    ${renderAttention(overview, now, actions)}
    ${overview.counts ? renderCounts(overview) : nothing}
    <div class="dash-columns">
      <div class="column-main">${renderRecent(overview, now, actions)}</div>
      ${overview.counts && overview.counts.runs > 0 ? html`<div class="column-side">${renderModels(overview, actions)} ${renderEndpoints(overview.endpoints, actions)}</div>` : nothing}
    </div>
    ${renderStore(overview, actions)}
  `;
}

function storeStateLabel(overview: DashboardOverview): { label: string; icon: string; tone: string } {
  switch (overview.storeState) {
    case 'absent':
      return { label: 'Not created yet', icon: 'circle-large-outline', tone: 'muted' };
    case 'open':
      return { label: 'Open in this window', icon: 'database', tone: 'ok' };
    case 'locked':
      return { label: 'In use by another process', icon: 'lock', tone: 'warning' };
    case 'engine':
      return { label: 'Held by the MLOps engine', icon: 'server-process', tone: 'ok' };
    case 'client':
      return { label: 'Through a server', icon: 'remote', tone: 'ok' };
    case 'error':
      return { label: 'Cannot be opened', icon: 'error', tone: 'error' };
  }
}

function renderStore(overview: DashboardOverview, actions: DashboardViewActions): TemplateResult {
  const state = storeStateLabel(overview);
  return html`<section class="card" aria-labelledby="store-heading">
    <h2 id="store-heading">Workspace store</h2>
    <div class="store-line">
      <span class="state state-${state.tone}" data-testid="store-state"
        ><span class="codicon codicon-${state.icon}" aria-hidden="true"></span> ${state.label}</span
      >
      <code class="path" data-testid="store-dir" title=${overview.storeDir}>${overview.storeDir}</code>
    </div>
    ${overview.message ? html`<p class="store-message" data-testid="store-message">${overview.message}</p>` : nothing}
    <div class="actions">
      ${overview.storeState === 'absent' || overview.storeState === 'client'
        ? nothing
        : html`<vscode-button secondary icon="folder-opened" @click=${() => actions.run('revealStore')}>Reveal folder</vscode-button>`}
      <vscode-button secondary icon="gear" @click=${() => actions.run('openSettings')}>Settings</vscode-button>
      <vscode-button secondary icon="output" @click=${() => actions.run('showLogs')}>Logs</vscode-button>
    </div>
  </section>`;
}

function renderCounts(overview: DashboardOverview): TemplateResult {
  const counts = overview.counts!;
  const tiles: Array<[string, number, string]> = [
    ['Experiments', counts.experiments, 'beaker'],
    ['Runs', counts.runs, 'run-all'],
    ['Running now', counts.activeRuns, 'sync'],
    ['Models', overview.modelCount, 'package'],
    ['Endpoints', overview.endpoints.length, 'radio-tower'],
    ['Metric points', counts.metricPoints, 'graph-line'],
  ];
  return html`<section class="tiles" aria-label="What the store holds">
    ${tiles.map(
      ([label, value, icon]) => html`<div class="tile" data-testid="count-${label.toLowerCase().replace(/\s+/g, '-')}">
        <span class="codicon codicon-${icon}" aria-hidden="true"></span>
        <span class="tile-value">${formatCount(value)}</span>
        <span class="tile-label">${label}</span>
      </div>`,
    )}
  </section>`;
}

function renderRecent(overview: DashboardOverview, now: number, actions: DashboardViewActions): TemplateResult {
  if (overview.recentRuns.length === 0) {
    return html`<section class="card empty-state" data-testid="empty-state">
      <span class="codicon codicon-beaker empty-icon" aria-hidden="true"></span>
      <h2>Nothing tracked yet</h2>
      <p>
        Runs appear here as soon as something logs them: a model trained from a <code>*.train.yaml</code> spec, the
        <code>mlops</code> command line, or a Python script using MLflow.
      </p>
      <div class="actions">
        <vscode-button icon="play" @click=${() => actions.run('trainModel')}>Train a model</vscode-button>
        <vscode-button secondary icon="book" @click=${() => actions.run('openWalkthrough')}>Get started</vscode-button>
      </div>
      <p class="subtle snippet-caption">Or log from a terminal:</p>
      <pre class="snippet" aria-label="Log a run from a terminal"><code>RUN=$(npx mlops log start --experiment demo)
npx mlops log metric "$RUN" accuracy 0.93
npx mlops log end "$RUN"</code></pre>
    </section>`;
  }
  return html`<section class="card" aria-labelledby="recent-heading">
    <div class="dash-card-title">
      <h2 id="recent-heading">Recent runs</h2>
      <vscode-button secondary icon="table" @click=${() => actions.run('openRuns')}>Compare runs</vscode-button>
    </div>
    <table class="runs" data-testid="recent-runs">
      <thead>
        <tr><th scope="col">Run</th><th scope="col">Experiment</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Duration</th></tr>
      </thead>
      <tbody>
        ${overview.recentRuns.map((run) => renderRunRow(run, now, actions))}
      </tbody>
    </table>
  </section>`;
}

function renderRunRow(run: RecentRun, now: number, actions: DashboardViewActions): TemplateResult {
  const end = run.endTime ?? (run.status === 'RUNNING' ? now : undefined);
  const name = run.runName || run.runId.slice(0, 8);
  return html`<tr class="dash-clickable" @click=${() => actions.open({ kind: 'run', runId: run.runId })}>
    <td><button class="dash-link run-name" title="Open run ${run.runId}" aria-label="Open run ${name}" @click=${(e: Event) => { e.stopPropagation(); actions.open({ kind: 'run', runId: run.runId }); }}>${name}</button></td>
    <td>${run.experimentName}</td>
    <td><span class="status status-${run.status.toLowerCase()}"
      ><span class="codicon codicon-${STATUS_ICON[run.status]}" aria-hidden="true"></span> ${run.pruned ? 'pruned' : run.status.toLowerCase()}</span
    ></td>
    <td title=${new Date(run.startTime).toLocaleString()}>${formatRelativeTime(run.startTime, now)}</td>
    <td>${formatDuration(end === undefined ? undefined : end - run.startTime)}</td>
  </tr>`;
}

/** Promotions waiting for a reviewer and drift nobody acknowledged: what to look at first. */
function renderAttention(overview: DashboardOverview, now: number, actions: DashboardViewActions): TemplateResult | typeof nothing {
  const { pendingReviews, alerts } = overview;
  if (pendingReviews.length === 0 && alerts.length === 0) return nothing;
  return html`<section class="card dash-attention" aria-labelledby="attention-heading" data-testid="attention">
    <h2 id="attention-heading"><span class="codicon codicon-bell-dot" aria-hidden="true"></span> Needs your attention</h2>
    <ul class="dash-rows">
      ${alerts.map((alert) => renderAlert(alert, now, actions))}
      ${pendingReviews.map((review) => renderReview(review, now, actions))}
    </ul>
  </section>`;
}

function renderAlert(alert: DashboardAlert, now: number, actions: DashboardViewActions): TemplateResult {
  return html`<li class="row" data-testid="alert">
    <span class="codicon codicon-warning tone-warning" aria-hidden="true"></span>
    <span class="dash-row-text"><strong>Drift: ${alert.monitor}</strong> <span class="subtle">${alert.message} · ${formatRelativeTime(alert.createdAt, now)}</span></span>
    <vscode-button secondary @click=${() => actions.open({ kind: 'monitor', name: alert.monitor })}>Show report</vscode-button>
  </li>`;
}

function renderReview(review: DashboardReview, now: number, actions: DashboardViewActions): TemplateResult {
  const move = review.previousVersion === null ? `v${review.version}` : `v${review.previousVersion} → v${review.version}`;
  return html`<li class="row" data-testid="review">
    <span class="codicon codicon-git-pull-request tone-info" aria-hidden="true"></span>
    <span class="dash-row-text"
      ><strong>Review: ${review.name}@${review.alias}</strong> ${move}
      <span class="subtle">· requested by ${review.requestedBy || 'someone'} ${formatRelativeTime(review.requestedAt, now)}</span></span
    >
    <vscode-button secondary
      @click=${() => actions.open({ kind: 'review', reviewId: review.reviewId, name: review.name, version: review.version, previousVersion: review.previousVersion })}
      >Review</vscode-button
    >
  </li>`;
}

function renderModels(overview: DashboardOverview, actions: DashboardViewActions): TemplateResult {
  const more = overview.modelCount - overview.models.length;
  return html`<section class="card" aria-labelledby="models-heading" data-testid="models">
    <h2 id="models-heading">Models</h2>
    ${overview.models.length === 0
      ? html`<p class="subtle">No registered model yet. Register the best run's model to version it and give it an alias such as champion.</p>
          <vscode-button secondary icon="package" @click=${() => actions.run('registerModel')}>Register model…</vscode-button>`
      : html`<ul class="dash-rows">${overview.models.map((model) => renderModel(model, actions))}</ul>
          ${more > 0 ? html`<p class="subtle">and ${more} more in the Models view</p>` : nothing}`}
  </section>`;
}

function renderModel(model: DashboardModel, actions: DashboardViewActions): TemplateResult {
  // The card to open: the champion's, else the newest version's.
  const version = model.aliases[0]?.version ?? model.latestVersion;
  const aliases = model.aliases.map((a) => `@${a.alias} v${a.version}`).join(' · ');
  const label = html`<span class="codicon codicon-package" aria-hidden="true"></span>
    <span class="dash-row-text"><strong>${model.name}</strong> <span class="subtle">${aliases || 'no alias'} · ${model.versionCount} version${model.versionCount === 1 ? '' : 's'}</span></span>`;
  return html`<li class="row">
    ${version === null
      ? label
      : html`<button class="dash-link dash-row-button" title="Open the model card of ${model.name} v${version}" aria-label="Open the model card of ${model.name} v${version}" @click=${() => actions.open({ kind: 'modelVersion', name: model.name, version })}>
          ${label}
        </button>`}
  </li>`;
}

function renderEndpoints(endpoints: DashboardEndpoint[], actions: DashboardViewActions): TemplateResult {
  return html`<section class="card" aria-labelledby="endpoints-heading" data-testid="endpoints">
    <h2 id="endpoints-heading">Endpoints</h2>
    ${endpoints.length === 0
      ? html`<p class="subtle">Nothing served. Serve a model on a local REST endpoint to try it and watch its traffic.</p>
          <vscode-button secondary icon="radio-tower" @click=${() => actions.run('serveModel')}>Serve model…</vscode-button>`
      : html`<ul class="dash-rows">
          ${endpoints.map(
            (e) => html`<li class="row">
              <button class="dash-link dash-row-button" title="Show in the Endpoints view" @click=${() => actions.open({ kind: 'endpoints' })}>
                <span class="codicon codicon-radio-tower ${e.status === 'running' ? 'tone-ok' : 'tone-warning'}" aria-hidden="true"></span>
                <span class="dash-row-text"
                  ><strong>${e.name}</strong>
                  <span class="subtle">v${e.version} · ${e.status} · ${formatCount(e.requests)} req${e.errors ? ` · ${formatCount(e.errors)} errors` : ''}${e.requests ? ` · p50 ${e.p50Ms.toFixed(1)} ms` : ''}</span></span
                >
              </button>
            </li>`,
          )}
        </ul>`}
  </section>`;
}
