import { randomUUID } from 'node:crypto';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { runMonitorFile, type MonitorsCommandsDependencies } from './monitorsCommands';
import { retrainMonitorFile } from './retrainCommands';
import type { EngineClient } from '../../core/engine/engineClient';
import type { TrafficWindow } from '../../core/monitoring/endpointTraffic';
import { engineOf } from '../store/storeService';

const TRAFFIC_POLL_MS = 30_000;
/** A closed or crashed window hands the schedule on after this long at most. */
const LEASE_TTL_MS = 45_000;
const LEASE_RENEW_MS = 15_000;

/** Calls `tick` every `ms` until disposed (tests tick by hand). */
export type Every = (ms: number, tick: () => Promise<void>) => vscode.Disposable;

const everyInterval: Every = (ms, tick) => {
  const timer = setInterval(() => void tick(), ms);
  return { dispose: () => clearInterval(timer) };
};

export interface MonitorSchedulerOptions {
  /** how this window is named in the engine's schedule lease (default: its process id and a random tail) */
  readonly clientId?: string;
  readonly leaseTtlMs?: number;
  readonly renewEveryMs?: number;
  readonly every?: Every;
}

/**
 * Runs monitors by themselves: every `schedule.every_minutes`, and when the current file changes
 * or, for an endpoint's traffic, when enough new requests have been answered (`schedule.on_change`). Re-reads the specs when any *.monitor.yaml changes. A run never overlaps
 * another run of the same monitor. When a run trips and the monitor has a `retrain:` policy, the
 * policy runs on that alert (trusted workspaces only; its cool-down keeps it from looping).
 *
 * Every window on a folder has a scheduler, but only the window holding the engine's schedule
 * lease (`monitoring.claimSchedule`, renewed every few seconds) runs scheduled monitors, so two
 * windows give one report, one alert and one retraining attempt. Run Monitor by hand works anywhere.
 */
export class MonitorScheduler implements vscode.Disposable {
  private timers: vscode.Disposable[] = [];
  private watchers: vscode.Disposable[] = [];
  private readonly running = new Set<string>();
  private readonly specWatcher: vscode.FileSystemWatcher;
  private reloading: Promise<void> = Promise.resolve();
  private readonly clientId: string;
  private readonly leaseTtlMs: number;
  private readonly renewEveryMs: number;
  private readonly every: Every;
  private holding = false;
  /** the engine that granted the lease: a closing window releases it there */
  private leaseEngine: EngineClient | undefined;
  private disposed = false;

  constructor(
    private readonly deps: MonitorsCommandsDependencies,
    options: MonitorSchedulerOptions = {},
  ) {
    this.clientId = options.clientId ?? `window (pid ${process.pid}, ${randomUUID().slice(0, 8)})`;
    this.leaseTtlMs = options.leaseTtlMs ?? LEASE_TTL_MS;
    this.renewEveryMs = options.renewEveryMs ?? LEASE_RENEW_MS;
    this.every = options.every ?? everyInterval;
    this.specWatcher = vscode.workspace.createFileSystemWatcher('**/*.monitor.yaml');
    const reload = (): void => void this.reload();
    this.specWatcher.onDidCreate(reload);
    this.specWatcher.onDidChange(reload);
    this.specWatcher.onDidDelete(reload);
    void this.reload();
  }

  /** Whether this window runs the workspace's scheduled monitors (as of its last claim). */
  get holdsSchedule(): boolean {
    return this.holding;
  }

  /**
   * Asks the engine for the schedule (or renews it). Without an engine (a team's MLflow server)
   * there is nobody to agree with, and this window schedules as it always did.
   */
  private async claim(options: { create: boolean }): Promise<boolean> {
    let engine: EngineClient | undefined;
    try {
      engine = engineOf(await this.deps.storeService.access(options.create ? { create: true } : {}));
    } catch (error) {
      this.deps.log.warn(`Scheduled monitors: the workspace store could not be reached: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
    if (this.disposed) return false;
    if (!engine) return (this.holding = true);
    const claim = await engine.call('monitoring.claimSchedule', { clientId: this.clientId, ttlMs: this.leaseTtlMs }).catch((error: unknown) => {
      this.deps.log.warn(`Scheduled monitors: could not ask ${engine.where} whether this window runs them: ${error instanceof Error ? error.message : String(error)}`);
      return { granted: false, holder: undefined };
    });
    if (this.disposed) return false;
    if (claim.granted) this.leaseEngine = engine;
    if (claim.granted !== this.holding) {
      this.deps.log.info(claim.granted ? `Scheduled monitors run in this window (${this.clientId}).` : `Scheduled monitors run in another window${claim.holder ? ` (${claim.holder})` : ''}, not this one.`);
    }
    return (this.holding = claim.granted);
  }

  /** A scheduled run: only in the window that holds the schedule, asked at the moment it is due. */
  private async run(file: string): Promise<void> {
    if (this.running.has(file) || !vscode.workspace.isTrusted) return;
    this.running.add(file);
    try {
      if (!(await this.claim({ create: true }))) return;
      const result = await runMonitorFile(this.deps, file, { announceCalm: false });
      if (!result?.tripped || !result.spec.retrain || !vscode.workspace.isTrusted) return;
      await retrainMonitorFile(this.deps, file, { manual: false, trigger: { kind: 'alert', ...(result.reportId !== undefined ? { reportId: result.reportId } : {}) } });
    } catch (error) {
      this.deps.log.error(`Scheduled run of ${file} failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.running.delete(file);
    }
  }

  private clear(): void {
    for (const disposable of [...this.timers, ...this.watchers]) disposable.dispose();
    this.timers = [];
    this.watchers = [];
  }

  /** Re-reads the specs (one reload at a time, so two quick changes do not double the timers). */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(() => this.load()).catch((error: unknown) => this.deps.log.error(`Scheduled monitors: ${error instanceof Error ? error.message : String(error)}`));
    return this.reloading;
  }

  private async load(): Promise<void> {
    this.clear();
    if (this.disposed) return;
    const { findMonitorSpecs } = await import('../../core/monitoring/monitorRunner');
    const { loadMonitorSpec } = await import('../../core/monitoring/monitorSpecParser');
    const files = (await Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => findMonitorSpecs(f.uri.fsPath)))).flat();
    let scheduled = false;
    for (const file of files) {
      const spec = await loadMonitorSpec(file).catch(() => undefined); // the view shows why a spec is invalid
      if (!spec?.schedule) continue;
      if (spec.schedule.everyMinutes) this.timers.push(this.every(spec.schedule.everyMinutes * 60_000, () => this.run(file)));
      if (spec.schedule.onChange && spec.current.kind === 'endpoint') this.watchTraffic(file, spec.current.endpoint, spec.current.window);
      if (spec.schedule.onChange && spec.current.kind === 'file') {
        const pattern = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(spec.current.path)), basename(spec.current.path)));
        pattern.onDidChange(() => void this.run(file));
        pattern.onDidCreate(() => void this.run(file));
        this.watchers.push(pattern);
      }
      scheduled = true;
    }
    if (this.disposed) return this.clear();
    if (!scheduled) return this.release();
    // Renewing keeps the schedule in one window while it is open, and lets another take it over soon after it closes.
    this.timers.push(this.every(this.renewEveryMs, () => this.claim({ create: false }).then(() => undefined)));
    await this.claim({ create: false });
  }

  /**
   * "On new traffic" for a monitor of an endpoint: a cheap count of logged rows every 30 s; the
   * monitor runs once a tenth of its window (at least 50 rows) has arrived since it last ran here.
   * Only the window holding the schedule counts (one small request per workspace, not per window).
   */
  private watchTraffic(file: string, endpoint: string, window: TrafficWindow): void {
    let seen: number | undefined;
    const check = async (): Promise<void> => {
      if (!this.holding) {
        seen = undefined; // a window taking the schedule over counts from the moment it does
        return;
      }
      // the request log is the holder's (this window's or another process's): a count is one small request
      const engine = engineOf(await this.deps.storeService.access());
      if (!engine) return;
      const { newTrafficThreshold } = await import('../../core/monitoring/endpointTraffic');
      const rows = (await engine.call('monitoring.trafficRows', { endpoint }).catch(() => undefined))?.rows;
      if (rows === undefined) return;
      if (seen === undefined || rows < seen) seen = rows; // the first look, or a log that was cleared
      if (rows - seen >= newTrafficThreshold(window)) {
        seen = rows;
        await this.run(file);
      }
    };
    void check();
    this.timers.push(this.every(TRAFFIC_POLL_MS, check));
  }

  /** Hands the schedule on at once (a window closing, or no scheduled monitors left here). */
  private async release(): Promise<void> {
    const engine = this.leaseEngine;
    this.holding = false;
    this.leaseEngine = undefined;
    if (engine) await engine.call('monitoring.releaseSchedule', { clientId: this.clientId }).catch(() => undefined);
  }

  dispose(): void {
    this.disposed = true;
    this.clear();
    this.specWatcher.dispose();
    void this.release();
  }
}
