import type { SqlValue } from 'sql.js';
import { isProcessAlive } from '../store/processLiveness';
import type { WorkspaceStore } from '../store/workspaceStore';
import type { MetricDirection } from './retrainPolicy';

/** running → one of the outcomes; `review_requested` waits for a person, `kept` left the alias alone. */
export type RetrainStatus = 'running' | 'promoted' | 'review_requested' | 'kept' | 'failed' | 'cancelled';

/** What set an attempt off: an alert of the monitor, or a person (`mlops retrain`, "Retrain Now"). */
export interface RetrainTrigger {
  readonly kind: 'alert' | 'manual';
  readonly alertId?: number;
  readonly reportId?: number;
}

/** One retraining attempt of a monitor's policy, as stored. */
export interface RetrainAttempt {
  readonly id: number;
  readonly monitor: string;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly status: RetrainStatus;
  readonly trigger: RetrainTrigger;
  readonly model: string;
  readonly alias: string;
  readonly runId: string | null;
  /** the candidate: the version this attempt registered */
  readonly version: number | null;
  /** the version the alias pointed to when the candidate was compared with it */
  readonly championVersion: number | null;
  readonly metric: string | null;
  readonly direction: MetricDirection | null;
  readonly candidateScore: number | null;
  readonly championScore: number | null;
  readonly reviewId: number | null;
  /** why it ended as it did, in words */
  readonly reason: string;
  readonly error: string | null;
}

export type AttemptUpdate = Partial<Omit<RetrainAttempt, 'id' | 'monitor' | 'startedAt' | 'trigger' | 'model' | 'alias'>>;

const COLUMNS = 'id, monitor, started_at, finished_at, status, trigger_kind, alert_id, report_id, model, alias, run_id, version, champion_version, metric, direction, candidate_score, champion_score, review_id, reason, error, pid';

const UPDATABLE: Record<keyof AttemptUpdate, string> = {
  finishedAt: 'finished_at',
  status: 'status',
  runId: 'run_id',
  version: 'version',
  championVersion: 'champion_version',
  metric: 'metric',
  direction: 'direction',
  candidateScore: 'candidate_score',
  championScore: 'champion_score',
  reviewId: 'review_id',
  reason: 'reason',
  error: 'error',
};

function toAttempt(row: SqlValue[]): RetrainAttempt {
  const [id, monitor, startedAt, finishedAt, status, triggerKind, alertId, reportId, model, alias, runId, version, championVersion, metric, direction, candidateScore, championScore, reviewId, reason, error] = row;
  const num = (v: SqlValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));
  const str = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
  return {
    id: Number(id),
    monitor: String(monitor),
    startedAt: Number(startedAt),
    finishedAt: num(finishedAt),
    status: String(status) as RetrainStatus,
    trigger: { kind: String(triggerKind) as RetrainTrigger['kind'], ...(alertId !== null ? { alertId: Number(alertId) } : {}), ...(reportId !== null ? { reportId: Number(reportId) } : {}) },
    model: String(model),
    alias: String(alias),
    runId: str(runId),
    version: num(version),
    championVersion: num(championVersion),
    metric: str(metric),
    direction: str(direction) as MetricDirection | null,
    candidateScore: num(candidateScore),
    championScore: num(championScore),
    reviewId: num(reviewId),
    reason: String(reason),
    error: str(error),
  };
}

/** A monitor's attempts, newest first. */
export function retrainAttempts(store: WorkspaceStore, monitor: string, limit = 50): RetrainAttempt[] {
  return store.database.rows(`SELECT ${COLUMNS} FROM retrain_attempts WHERE monitor = ? ORDER BY id DESC LIMIT ?`, [monitor, limit]).map(toAttempt);
}

export function retrainAttempt(store: WorkspaceStore, id: number): RetrainAttempt | undefined {
  const row = store.database.rows(`SELECT ${COLUMNS} FROM retrain_attempts WHERE id = ?`, [id])[0];
  return row ? toAttempt(row) : undefined;
}

/**
 * Marks attempts left RUNNING by a process that is gone (a crash, a closed window) as failed, so
 * they block nothing. Only the store's writer writes attempts, so one under another pid is orphaned.
 */
export async function markInterruptedAttempts(store: WorkspaceStore, monitor: string, now: number): Promise<void> {
  for (const row of store.database.rows("SELECT id, pid FROM retrain_attempts WHERE monitor = ? AND status = 'running'", [monitor])) {
    const pid = Number(row[1]);
    if (pid === process.pid && isProcessAlive(pid)) continue;
    await updateAttempt(store, Number(row[0]), { status: 'failed', finishedAt: now, error: `interrupted: the process that ran it (pid ${pid}) ended before it finished`, reason: 'interrupted' });
  }
}

/** The monitor's attempt running now, if any (synchronous: check it and start one without awaiting in between). */
export function runningAttempt(store: WorkspaceStore, monitor: string): RetrainAttempt | undefined {
  const row = store.database.rows(`SELECT ${COLUMNS} FROM retrain_attempts WHERE monitor = ? AND status = 'running' ORDER BY id DESC LIMIT 1`, [monitor])[0];
  return row ? toAttempt(row) : undefined;
}

/**
 * Records a new RUNNING attempt. The insert reaches the in-memory database before this returns its
 * promise, so a second call right after it already sees the attempt (one in flight per monitor).
 */
export function startAttempt(store: WorkspaceStore, monitor: string, trigger: RetrainTrigger, model: string, alias: string, now: number): { id: number; durable: Promise<void> } {
  const id = Number(store.database.rows('SELECT COALESCE(MAX(id), 0) + 1 FROM retrain_attempts')[0]?.[0] ?? 1);
  const durable = store.database.commit({
    statements: [
      {
        sql: `INSERT INTO retrain_attempts (id, monitor, started_at, status, trigger_kind, alert_id, report_id, pid, model, alias, reason) VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, '')`,
        params: [id, monitor, now, trigger.kind, trigger.alertId ?? null, trigger.reportId ?? null, process.pid, model, alias],
      },
    ],
  });
  return { id, durable };
}

export async function updateAttempt(store: WorkspaceStore, id: number, update: AttemptUpdate): Promise<void> {
  const entries = Object.entries(update).filter(([, v]) => v !== undefined) as [keyof AttemptUpdate, unknown][];
  if (entries.length === 0) return;
  // NaN scores (an empty class, say) are stored as unknown rather than as a number that compares false.
  const value = (v: unknown): SqlValue => (typeof v === 'number' && !Number.isFinite(v) ? null : (v as SqlValue));
  await store.database.commit({
    statements: [{ sql: `UPDATE retrain_attempts SET ${entries.map(([k]) => `${UPDATABLE[k]} = ?`).join(', ')} WHERE id = ?`, params: [...entries.map(([, v]) => value(v)), id] }],
  });
}

/** When the cool-down after the monitor's last attempt ends (undefined: no attempt yet, nothing blocks). */
export function cooldownEnd(store: WorkspaceStore, monitor: string, cooldownHours: number): { lastStartedAt: number; endsAt: number } | undefined {
  const last = store.database.rows('SELECT MAX(started_at) FROM retrain_attempts WHERE monitor = ?', [monitor])[0]?.[0];
  if (last === null || last === undefined) return undefined;
  return { lastStartedAt: Number(last), endsAt: Number(last) + cooldownHours * 3_600_000 };
}
