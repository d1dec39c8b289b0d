import { basename } from 'node:path';
import * as vscode from 'vscode';
import { JobCancelledError, runChildJob } from '../../core/process/childJob';
import type { ProfileProgress } from '../../core/profile/profileTypes';

export interface ProfileDataFileDependencies {
  log: vscode.LogOutputChannel;
}

const FILTERS = { 'Data files': ['csv', 'tsv', 'jsonl', 'ndjson', 'parquet', 'pq'] };

/**
 * "MLOps: Profile Data File": profiles a CSV/TSV, JSON Lines or Parquet file in a worker process
 * (the extension host never parses big files), with progress and cancel (= kill the worker), and
 * shows the report as a Markdown preview — a first step before the profile panel.
 */
export function registerProfileDataFileCommand(deps: ProfileDataFileDependencies): vscode.Disposable {
  return vscode.commands.registerCommand('mlops.profileDataFile', async (uri?: vscode.Uri) => {
    let target = uri;
    if (!target) {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: FILTERS, openLabel: 'Profile' });
      target = picked?.[0];
    }
    if (!target) return;
    const path = target.fsPath;
    const display = vscode.workspace.asRelativePath(target, false);
    const column = await vscode.window.showInputBox({ title: `Profile ${basename(path)}`, prompt: 'Target column for association and leakage hints (leave empty for none)', placeHolder: 'e.g. label' });
    if (column === undefined) return;
    const controller = new AbortController();
    try {
      const profile = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Profiling ${basename(path)}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          let reported = 0;
          return runChildJob('profile', { path, displayName: display, ...(column.trim() ? { target: column.trim() } : {}) }, {
            signal: controller.signal,
            onEvent: (payload) => {
              const p = payload as ProfileProgress;
              const share = p.bytesTotal > 0 ? (100 * p.bytesDone) / p.bytesTotal : 0;
              progress.report({ increment: share - reported, message: `${Math.round(share)}% · ${p.rows.toLocaleString()} rows` });
              reported = share;
            },
          });
        },
      );
      const { profileMarkdown } = await import('../../core/profile/profileReport');
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: profileMarkdown(profile) });
      await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
      deps.log.info(`Profiled ${display}: ${profile.rows} rows, ${profile.columns.length} columns in ${profile.elapsedMs} ms`);
    } catch (error) {
      if (error instanceof JobCancelledError) return;
      const message = error instanceof Error ? error.message : String(error);
      deps.log.error(`Profiling ${display} failed: ${message}`);
      void vscode.window.showErrorMessage(`MLOps: could not profile ${display}: ${message}`);
    }
  });
}
