import { mkdirSync } from 'node:fs';
import { FEEDBACK_MIGRATIONS } from '../feedback/feedbackSchema';
import { LINEAGE_MIGRATIONS } from '../lineage/lineageSchema';
import { MONITORING_MIGRATIONS } from '../monitoring/monitoringSchema';
import { REGISTRY_MIGRATIONS } from '../registry/registrySchema';
import { RETRAINING_MIGRATIONS } from '../retraining/retrainingSchema';
import { closeRequestLogOf } from '../serving/requestLog';
import { migrateRequestLog } from '../serving/requestLogMigration';
import { SERVING_MIGRATIONS } from '../serving/servingSchema';
import { LocalTrackingStore } from '../tracking/localTrackingStore';
import { TRACKING_MIGRATIONS } from '../tracking/trackingSchema';
import type { TrackingStore } from '../tracking/trackingStore';
import { DurableDatabase } from './durableDatabase';
import { scheduleDailyGc, type GcScheduleOptions } from './gcSchedule';
import type { WriterLock } from './writerLock';
import { acquireWriterLock } from './writerLock';

// Re-exported so the extension imports the store and its lock error from one lazy module.
export { StoreLockedError } from './writerLock';

export interface OpenWorkspaceStoreOptions {
  /** the store folder, e.g. <workspace>/.mlops (created if missing) */
  readonly dir: string;
  /** how other processes will name us in "in use by …", e.g. "VS Code window" or "mlops CLI" */
  readonly writerName: string;
  /** RUNNING runs of dead processes are failed once their heartbeat is this old (default 15 s) */
  readonly staleRunAfterMs?: number;
  /** params + tags + metrics of the runs kept in memory (LocalTrackingStore's RUN_CACHE_ENTRIES by default) */
  readonly runCacheEntries?: number;
  /** checkpoint thresholds (tests and benchmarks tune them) */
  readonly checkpointBytes?: number;
  readonly checkpointRecords?: number;
  /**
   * A long-lived holder (a VS Code window, `mlops server`) collects garbage at most once a day on
   * a timer (scheduleDailyGc); short commands leave that to `mlops gc`.
   */
  readonly dailyGc?: GcScheduleOptions | boolean;
}

/** The open workspace store: this process is its single writer until `close()`. */
export interface WorkspaceStore {
  readonly dir: string;
  readonly tracking: TrackingStore;
  /** the same tracking store with the local-only extras (crash recovery, artifact files) */
  readonly localTracking: LocalTrackingStore;
  /** the durable database under everything, for other capabilities' tables */
  readonly database: DurableDatabase;
  /** notes about what open had to repair (a dropped torn journal tail) */
  readonly warnings: readonly string[];
  /** writes a snapshot now and empties the journal */
  checkpoint(): Promise<void>;
  /**
   * Snapshot, close files, release the lock. `snapshot: false` leaves the journal as it is (what a
   * crash right after the last acknowledged write leaves behind; tests and benchmarks use it).
   */
  close(options?: { snapshot?: boolean }): Promise<void>;
}

/**
 * Opens (or creates) the workspace store at `dir`: takes the writer lock (StoreLockedError names
 * the holder), loads the snapshot, replays the journal, applies migrations, and fails runs whose
 * process died.
 */
export async function openWorkspaceStore(options: OpenWorkspaceStoreOptions): Promise<WorkspaceStore> {
  mkdirSync(options.dir, { recursive: true });
  const lock: WriterLock = acquireWriterLock(options.dir, options.writerName);
  let database: DurableDatabase | undefined;
  try {
    database = await DurableDatabase.open({
      dir: options.dir,
      migrations: [...TRACKING_MIGRATIONS, ...REGISTRY_MIGRATIONS, ...LINEAGE_MIGRATIONS, ...SERVING_MIGRATIONS, ...FEEDBACK_MIGRATIONS, ...MONITORING_MIGRATIONS, ...RETRAINING_MIGRATIONS],
      ...(options.checkpointBytes === undefined ? {} : { checkpointBytes: options.checkpointBytes }),
      ...(options.checkpointRecords === undefined ? {} : { checkpointRecords: options.checkpointRecords }),
    });
    const tracking = await LocalTrackingStore.open(database, {
      ...(options.staleRunAfterMs === undefined ? {} : { staleRunAfterMs: options.staleRunAfterMs }),
      ...(options.runCacheEntries === undefined ? {} : { runCacheEntries: options.runCacheEntries }),
    });
    try {
      await migrateRequestLog(database, options.dir);
    } catch (error) {
      // The rows stay in the database (nothing is dropped before it is in a segment); the next open tries again.
      database.warnings.push(`could not move the request log out of the database yet (${error instanceof Error ? error.message : String(error)})`);
    }
    const db = database;
    let closing: Promise<void> | undefined;
    const gc = options.dailyGc ? scheduleDailyGc({ dir: options.dir, database: db }, options.dailyGc === true ? {} : options.dailyGc) : undefined;
    const opened: WorkspaceStore = {
      dir: options.dir,
      tracking,
      localTracking: tracking,
      database: db,
      warnings: db.warnings,
      checkpoint: () => db.checkpoint(),
      close: (closeOptions?: { snapshot?: boolean }) => {
        closing ??= (gc ? gc.stop() : Promise.resolve())
          .then(() => closeRequestLogOf(opened))
          .then(() => db.close(closeOptions))
          .finally(() => lock.release());
        return closing;
      },
    };
    return opened;
  } catch (error) {
    await database?.close({ snapshot: false }).catch(() => undefined);
    lock.release();
    throw error;
  }
}
