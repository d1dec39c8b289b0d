import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectGarbage, type GcReport } from './storeGc';
import type { WorkspaceStore } from './workspaceStore';

/** Garbage collection runs at most this often on its own (`mlops gc` any time). */
export const GC_INTERVAL_MS = 24 * 60 * 60_000;
/** The first collection waits this long after open, so it never competes with what the user opened the store for. */
export const GC_FIRST_DELAY_MS = 5 * 60_000;
/** `{ "lastRun": <ms>, "bytes": <freed> }`: when the last collection ran, kept across processes. */
export const GC_STAMP_FILE = 'gc-last.json';

/** When the store's files were last collected (0: never). */
export function lastGcTime(storeDir: string): number {
  try {
    const value = JSON.parse(readFileSync(join(storeDir, GC_STAMP_FILE), 'utf8')) as { lastRun?: unknown };
    return typeof value.lastRun === 'number' && Number.isFinite(value.lastRun) ? value.lastRun : 0;
  } catch {
    return 0;
  }
}

/** Records a collection so no process repeats it within GC_INTERVAL_MS. */
export function recordGc(storeDir: string, report: GcReport, time: number): void {
  writeFileSync(join(storeDir, GC_STAMP_FILE), `${JSON.stringify({ lastRun: time, bytes: report.bytes, removed: report.removed.length })}\n`);
}

export interface GcScheduleOptions {
  readonly firstDelayMs?: number;
  readonly intervalMs?: number;
  readonly onReport?: (report: GcReport) => void;
  readonly onError?: (error: unknown) => void;
}

export interface GcSchedule {
  /** no further collections; resolves once one in progress has ended */
  stop(): Promise<void>;
}

/**
 * For a long-lived process holding the store (a VS Code window, `mlops server`): collects garbage
 * when a day has passed since the last collection, on a timer rather than on any request, and
 * never keeps the process alive by itself.
 */
export function scheduleDailyGc(store: Pick<WorkspaceStore, 'dir' | 'database'>, options: GcScheduleOptions = {}): GcSchedule {
  const interval = options.intervalMs ?? GC_INTERVAL_MS;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const plan = (): void => {
    if (stopped) return;
    const due = lastGcTime(store.dir) + interval - Date.now();
    timer = setTimeout(run, Math.max(options.firstDelayMs ?? GC_FIRST_DELAY_MS, due));
    timer.unref();
  };
  const run = (): void => {
    timer = undefined;
    if (stopped) return;
    // another process may have collected meanwhile (the stamp is shared)
    if (Date.now() - lastGcTime(store.dir) < interval) return plan();
    running = (async () => {
      try {
        const report = await collectGarbage(store);
        recordGc(store.dir, report, Date.now());
        options.onReport?.(report);
      } catch (error) {
        options.onError?.(error);
      }
    })().finally(() => {
      running = undefined;
      plan();
    });
  };
  plan();
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
