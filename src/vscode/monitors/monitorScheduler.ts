import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { runMonitorFile, type MonitorsCommandsDependencies } from './monitorsCommands';
import { retrainMonitorFile } from './retrainCommands';
import type { TrafficWindow } from '../../core/monitoring/endpointTraffic';
import { engineOf } from '../store/storeService';

const TRAFFIC_POLL_MS = 30_000;

/**
 * Runs monitors by themselves: every `schedule.every_minutes`, and when the current file changes
 * or, for an endpoint's traffic, when enough new requests have been answered (`schedule.on_change`). Re-reads the specs when any *.monitor.yaml changes. A run never overlaps
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
      if (spec.schedule.onChange && spec.current.kind === 'endpoint') this.watchTraffic(file, spec.current.endpoint, spec.current.window);
      if (spec.schedule.onChange && spec.current.kind === 'file') {
        const pattern = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(spec.current.path)), basename(spec.current.path)));
        pattern.onDidChange(() => this.run(file));
        pattern.onDidCreate(() => this.run(file));
        this.watchers.push(pattern);
      }
    }
  }

  /**
   * "On new traffic" for a monitor of an endpoint: a cheap count of logged rows every 30 s; the
   * monitor runs once a tenth of its window (at least 50 rows) has arrived since it last ran here.
   */
  private watchTraffic(file: string, endpoint: string, window: TrafficWindow): void {
    let seen: number | undefined;
    const check = async (): Promise<void> => {
      // the request log is the holder's (this window's or another process's): a count is one small request
      const engine = engineOf(await this.deps.storeService.access());
      if (!engine) return;
      const { newTrafficThreshold } = await import('../../core/monitoring/endpointTraffic');
      const rows = (await engine.call('monitoring.trafficRows', { endpoint }).catch(() => undefined))?.rows;
      if (rows === undefined) return;
      if (seen === undefined || rows < seen) seen = rows; // the first look, or a log that was cleared
      if (rows - seen >= newTrafficThreshold(window)) {
        seen = rows;
        this.run(file);
      }
    };
    void check();
    this.timers.push(setInterval(() => void check(), TRAFFIC_POLL_MS));
  }

  dispose(): void {
    this.clear();
    this.specWatcher.dispose();
  }
}
