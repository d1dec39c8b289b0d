import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { runMonitorFile, type MonitorsCommandsDependencies } from './monitorsCommands';
import { retrainMonitorFile } from './retrainCommands';

/**
 * Runs monitors by themselves: every `schedule.every_minutes`, and when the current file changes
 * (`schedule.on_change`). Re-reads the specs when any *.monitor.yaml changes. A run never overlaps
 * another run of the same monitor. When a run trips and the monitor has a `retrain:` policy, the
 * policy runs on that alert (trusted workspaces only; its cool-down keeps it from looping).
 */
export class MonitorScheduler implements vscode.Disposable {
  private timers: ReturnType<typeof setInterval>[] = [];
  private watchers: vscode.Disposable[] = [];
  private readonly running = new Set<string>();
  private readonly specWatcher: vscode.FileSystemWatcher;

  constructor(private readonly deps: MonitorsCommandsDependencies) {
    this.specWatcher = vscode.workspace.createFileSystemWatcher('**/*.monitor.yaml');
    const reload = (): void => void this.reload();
    this.specWatcher.onDidCreate(reload);
    this.specWatcher.onDidChange(reload);
    this.specWatcher.onDidDelete(reload);
    void this.reload();
  }

  private run(file: string): void {
    if (this.running.has(file) || !vscode.workspace.isTrusted) return;
    this.running.add(file);
    void runMonitorFile(this.deps, file, { announceCalm: false })
      .then(async (result) => {
        if (!result?.tripped || !result.spec.retrain || !vscode.workspace.isTrusted) return;
        await retrainMonitorFile(this.deps, file, { manual: false, trigger: { kind: 'alert', ...(result.reportId !== undefined ? { reportId: result.reportId } : {}) } });
      })
      .finally(() => this.running.delete(file));
  }

  private clear(): void {
    for (const timer of this.timers) clearInterval(timer);
    for (const watcher of this.watchers) watcher.dispose();
    this.timers = [];
    this.watchers = [];
  }

  async reload(): Promise<void> {
    this.clear();
    const { findMonitorSpecs } = await import('../../core/monitoring/monitorRunner');
    const { loadMonitorSpec } = await import('../../core/monitoring/monitorSpecParser');
    const files = (await Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => findMonitorSpecs(f.uri.fsPath)))).flat();
    for (const file of files) {
      const spec = await loadMonitorSpec(file).catch(() => undefined); // the view shows why a spec is invalid
      if (!spec?.schedule) continue;
      if (spec.schedule.everyMinutes) this.timers.push(setInterval(() => this.run(file), spec.schedule.everyMinutes * 60_000));
      if (spec.schedule.onChange && spec.current.kind === 'file') {
        const pattern = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(spec.current.path)), basename(spec.current.path)));
        pattern.onDidChange(() => this.run(file));
        pattern.onDidCreate(() => this.run(file));
        this.watchers.push(pattern);
      }
    }
  }

  dispose(): void {
    this.clear();
    this.specWatcher.dispose();
  }
}
