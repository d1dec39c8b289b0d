import { html, nothing, type TemplateResult } from 'lit';
import type { DashboardAction, DashboardOverview, RecentRun, RunStatus } from '../../src/protocol/dashboard/dashboardContract';
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
    ${renderStore(overview, actions)}
    ${overview.counts ? renderCounts(overview) : nothing}
    ${renderRecent(overview, now, actions)}
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
    <h2 id="recent-heading">Recent runs</h2>
    <table class="runs" data-testid="recent-runs">
      <thead>
        <tr><th scope="col">Run</th><th scope="col">Experiment</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Duration</th></tr>
      </thead>
      <tbody>
        ${overview.recentRuns.map((run) => renderRunRow(run, now))}
      </tbody>
    </table>
  </section>`;
}

function renderRunRow(run: RecentRun, now: number): TemplateResult {
  const end = run.endTime ?? (run.status === 'RUNNING' ? now : undefined);
  return html`<tr>
    <td><span class="run-name" title=${run.runId}>${run.runName || run.runId.slice(0, 8)}</span></td>
    <td>${run.experimentName}</td>
    <td><span class="status status-${run.status.toLowerCase()}"
      ><span class="codicon codicon-${STATUS_ICON[run.status]}" aria-hidden="true"></span> ${run.status.toLowerCase()}</span
    ></td>
    <td title=${new Date(run.startTime).toLocaleString()}>${formatRelativeTime(run.startTime, now)}</td>
    <td>${formatDuration(end === undefined ? undefined : end - run.startTime)}</td>
  </tr>`;
}
