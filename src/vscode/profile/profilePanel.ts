import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import * as vscode from 'vscode';
import { JobCancelledError, runChildJob } from '../../core/process/childJob';
import type { DataProfile, ProfileProgress } from '../../core/profile/profileTypes';
import { PROFILE_VIEW_TYPE, type ProfileContract, type ProfilePanelState } from '../../protocol/profile/profileContract';
import { profileValidators } from '../../protocol/profile/profileValidators';
import { PanelHost, describeError, type NotificationHandlers, type RequestHandlers } from '../panels/panelHost';
import { pickProfileTarget } from './profileTargetPick';
import { comparisonView, profileErrorView, profileView } from './profileViews';

export interface ProfilePanelDependencies {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
}

const DATA_EXTENSIONS = ['csv', 'tsv', 'jsonl', 'ndjson', 'parquet', 'pq'];

/** The file and target a restored panel showed, from the state its webview saved. */
export function subjectOfState(state: unknown): { path: string; target: string | null } | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const { path, target } = state as Record<string, unknown>;
  if (typeof path !== 'string' || path === '') return undefined;
  return { path, target: typeof target === 'string' && target !== '' ? target : null };
}

/**
 * Profiles a data file in a worker process (the extension host never parses big files), with
 * progress and cancel (= kill the worker).
 */
export async function profileInWorker(path: string, display: string, target: string | null, signal?: AbortSignal): Promise<DataProfile> {
  const controller = new AbortController();
  signal?.addEventListener('abort', () => controller.abort());
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Profiling ${basename(path)}`, cancellable: true }, async (progress, token) => {
    token.onCancellationRequested(() => controller.abort());
    let reported = 0;
    return (await runChildJob('profile', { path, displayName: display, ...(target ? { target } : {}) }, {
      signal: controller.signal,
      onEvent: (payload) => {
        const p = payload as ProfileProgress;
        const share = p.bytesTotal > 0 ? (100 * p.bytesDone) / p.bytesTotal : 0;
        progress.report({ increment: share - reported, message: `${Math.round(share)}% · ${p.rows.toLocaleString()} rows` });
        reported = share;
      },
    })) as DataProfile;
  });
}

/** "Profile: FILE": a data file's profile, in a panel or in the editor ("Open With… MLOps Data Profile"). */
export class ProfilePanel extends PanelHost<ProfileContract> {
  private phase: ProfilePanelState['phase'] = 'profiling';
  private profile: DataProfile | undefined;
  private error: string | undefined;
  private baseline: DataProfile | undefined;
  private comparisonError: string | undefined;
  private running: AbortController | undefined;

  /** A new panel beside nothing: profiles `uri` with `target` right away. */
  static show(uri: vscode.Uri, target: string | null, deps: ProfilePanelDependencies): ProfilePanel {
    const panel = vscode.window.createWebviewPanel(PROFILE_VIEW_TYPE, `Profile: ${basename(uri.fsPath)}`, vscode.ViewColumn.Active);
    return ProfilePanel.attach(panel, uri, target, deps);
  }

  /** Fills a panel VS Code made (a restored panel, or the custom editor's) and profiles. */
  static attach(panel: vscode.WebviewPanel, uri: vscode.Uri, target: string | null, deps: ProfilePanelDependencies): ProfilePanel {
    const host = new ProfilePanel(panel, uri, target, deps);
    void host.run();
    return host;
  }

  static revive(panel: vscode.WebviewPanel, state: unknown, deps: ProfilePanelDependencies): void {
    const subject = subjectOfState(state);
    if (!subject) {
      panel.dispose();
      return;
    }
    ProfilePanel.attach(panel, vscode.Uri.file(subject.path), subject.target, deps);
  }

  protected readonly requestHandlers: RequestHandlers<ProfileContract> = {
    getState: () => this.state(),
  };

  protected readonly notificationHandlers: NotificationHandlers<ProfileContract> = {
    changeTarget: async () => {
      const target = await pickProfileTarget(this.uri.fsPath, this.target);
      if (target === undefined) return;
      this.target = target;
      await this.run();
    },
    reprofile: () => this.run(),
    saveJson: () => this.save('json'),
    saveHtml: () => this.save('html'),
    compareWith: () => this.compareWith(),
    clearComparison: () => {
      this.baseline = undefined;
      this.comparisonError = undefined;
      this.notify('changed', {});
    },
    openAt: async ({ line }) => {
      const position = new vscode.Position(line - 1, 0);
      await vscode.window.showTextDocument(this.uri, { selection: new vscode.Range(position, position), preview: true });
    },
  };

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly uri: vscode.Uri,
    private target: string | null,
    private readonly deps: ProfilePanelDependencies,
  ) {
    super(panel, deps.extensionUri, { viewType: PROFILE_VIEW_TYPE, title: panel.title, bundle: 'profile', validators: profileValidators, iconPath: vscode.Uri.joinPath(deps.extensionUri, 'media', 'mlops.svg') }, deps.log);
    this.onDidDispose(() => this.running?.abort());
  }

  private get display(): string {
    return vscode.workspace.asRelativePath(this.uri, false);
  }

  private state(): ProfilePanelState {
    return {
      file: this.display,
      path: this.uri.fsPath,
      target: this.target,
      phase: this.phase,
      profile: this.profile ? profileView(this.profile) : null,
      error: this.error === undefined ? null : profileErrorView(this.error),
      comparison: this.profile && this.baseline ? comparisonView(this.baseline, this.profile) : null,
      comparisonError: this.comparisonError ?? null,
    };
  }

  private async run(): Promise<void> {
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    this.phase = 'profiling';
    this.error = undefined;
    this.notify('changed', {});
    try {
      const profile = await profileInWorker(this.uri.fsPath, this.display, this.target, controller.signal);
      if (this.running !== controller) return;
      this.profile = profile;
      this.phase = 'ready';
      this.deps.log.info(`Profiled ${this.display}: ${profile.rows} rows, ${profile.columns.length} columns in ${profile.elapsedMs} ms`);
    } catch (error) {
      if (this.running !== controller) return; // superseded by a newer run, or the panel closed
      if (error instanceof JobCancelledError) this.phase = 'cancelled';
      else {
        this.phase = 'failed';
        this.error = describeError(error);
        this.deps.log.error(`Profiling ${this.display} failed: ${this.error}`);
      }
    }
    this.notify('changed', {});
  }

  private async save(format: 'json' | 'html'): Promise<void> {
    const profile = this.profile;
    if (!profile) throw new Error('There is no profile to save yet.');
    const stem = basename(this.uri.fsPath, extname(this.uri.fsPath));
    const target = await vscode.window.showSaveDialog({
      title: format === 'json' ? 'Save the profile as JSON (to compare with later)' : 'Save the profile as a standalone HTML report',
      defaultUri: vscode.Uri.joinPath(this.uri, '..', `${stem}.profile.${format}`),
      filters: format === 'json' ? { 'Saved profile': ['json'] } : { 'HTML report': ['html'] },
    });
    if (!target) return;
    let text: string;
    if (format === 'json') text = JSON.stringify(profile, null, 1);
    else {
      const { profileHtml } = await import('../../core/profile/profileReport');
      text = profileHtml(profile);
    }
    await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
    void vscode.window.setStatusBarMessage(`$(check) Saved the profile of ${basename(this.uri.fsPath)} to ${vscode.workspace.asRelativePath(target, false)}`, 5000);
  }

  private async compareWith(): Promise<void> {
    if (!this.profile) throw new Error('Profile this file first, then compare it.');
    const picked = await vscode.window.showOpenDialog({
      title: `Compare ${basename(this.uri.fsPath)} with… (the baseline, e.g. the training data)`,
      canSelectMany: false,
      openLabel: 'Compare',
      filters: { 'Data files and saved profiles': [...DATA_EXTENSIONS, 'json'] },
    });
    const other = picked?.[0];
    if (!other) return;
    const display = vscode.workspace.asRelativePath(other, false);
    try {
      if (extname(other.fsPath).toLowerCase() === '.json') {
        const { parseSavedProfile } = await import('../../core/profile/savedProfile');
        this.baseline = parseSavedProfile(await readFile(other.fsPath, 'utf8'), display);
      } else {
        this.baseline = await profileInWorker(other.fsPath, display, null);
      }
      this.comparisonError = undefined;
    } catch (error) {
      if (error instanceof JobCancelledError) return;
      this.baseline = undefined;
      this.comparisonError = `Could not compare with ${display}: ${describeError(error)}`;
    }
    this.notify('changed', {});
  }
}
