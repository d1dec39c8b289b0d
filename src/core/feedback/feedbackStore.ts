import type { SqlValue } from 'sql.js';
import type { DurableDatabase } from '../store/durableDatabase';
import type { TrackingStore } from '../tracking/trackingStore';
import type { MetricInput } from '../tracking/trackingTypes';
import { FeedbackError, type FeedbackEntry, type FeedbackInput, type FeedbackSummary, type Thumb } from './feedbackTypes';

export const FEEDBACK_METRICS = { meanRating: 'feedback_mean_rating', thumbsUpShare: 'feedback_thumbs_up_share', count: 'feedback_count' } as const;

const MAX_LABEL = 200;
const MAX_COMMENT = 10_000;

function toEntry(row: Record<string, SqlValue>): FeedbackEntry {
  const thumb = row.thumb === 'up' || row.thumb === 'down' ? (row.thumb as Thumb) : null;
  return {
    runId: String(row.run_id),
    rowIndex: Number(row.row_index),
    reviewer: String(row.reviewer),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    rating: row.rating === null ? null : Number(row.rating),
    thumb,
    label: row.label === null ? null : String(row.label),
    comment: row.comment === null ? null : String(row.comment),
  };
}

function validate(input: FeedbackInput): void {
  const where = `feedback on row ${input.rowIndex} of run ${input.runId}`;
  if (!Number.isSafeInteger(input.rowIndex) || input.rowIndex < 0) throw new FeedbackError(`Row index must be a non-negative integer, got ${input.rowIndex}`);
  if (input.reviewer.trim() === '') throw new FeedbackError(`${where}: the reviewer is empty`);
  if (input.rating !== undefined && input.rating !== null && !(Number.isInteger(input.rating) && input.rating >= 1 && input.rating <= 5)) {
    throw new FeedbackError(`${where}: rating must be an integer from 1 to 5, got ${input.rating}`);
  }
  if (input.thumb !== undefined && input.thumb !== null && input.thumb !== 'up' && input.thumb !== 'down') {
    throw new FeedbackError(`${where}: thumb must be "up" or "down", got "${String(input.thumb)}"`);
  }
  if (input.label && input.label.length > MAX_LABEL) throw new FeedbackError(`${where}: label is longer than ${MAX_LABEL} characters`);
  if (input.comment && input.comment.length > MAX_COMMENT) throw new FeedbackError(`${where}: comment is longer than ${MAX_COMMENT} characters`);
}

/** Human feedback in the workspace store, next to the runs it judges. */
export class FeedbackStore {
  constructor(
    private readonly db: DurableDatabase,
    private readonly tracking: TrackingStore,
  ) {}

  /** Saves (creates or updates) one reviewer's feedback on a row and refreshes the run's feedback metrics. */
  async save(input: FeedbackInput): Promise<FeedbackEntry> {
    validate(input);
    await this.tracking.getRun(input.runId); // fails with "no run" before anything is written
    const existing = this.get(input.runId, input.rowIndex, input.reviewer);
    const now = input.time ?? Date.now();
    const pick = <T>(given: T | undefined, saved: T | null | undefined): T | null => (given === undefined ? (saved ?? null) : given);
    const label = pick(input.label, existing?.label);
    const comment = pick(input.comment, existing?.comment);
    const entry: FeedbackEntry = {
      runId: input.runId,
      rowIndex: input.rowIndex,
      reviewer: input.reviewer,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      rating: pick(input.rating, existing?.rating),
      thumb: pick(input.thumb, existing?.thumb),
      label: label === '' ? null : label,
      comment: comment === '' ? null : comment,
    };
    await this.db.commit({
      statements: [
        {
          sql: `INSERT INTO feedback (run_id, row_index, reviewer, created_at, updated_at, rating, thumb, label, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (run_id, row_index, reviewer) DO UPDATE SET updated_at = excluded.updated_at, rating = excluded.rating,
                thumb = excluded.thumb, label = excluded.label, comment = excluded.comment`,
          params: [entry.runId, entry.rowIndex, entry.reviewer, entry.createdAt, entry.updatedAt, entry.rating, entry.thumb, entry.label, entry.comment],
        },
      ],
    });
    await this.syncRunMetrics(input.runId, now);
    return entry;
  }

  get(runId: string, rowIndex: number, reviewer: string): FeedbackEntry | undefined {
    const row = this.db.query('SELECT * FROM feedback WHERE run_id = ? AND row_index = ? AND reviewer = ?', [runId, rowIndex, reviewer])[0];
    return row ? toEntry(row) : undefined;
  }

  /** All feedback on a run, by row then reviewer. */
  list(runId: string): FeedbackEntry[] {
    return this.db.query('SELECT * FROM feedback WHERE run_id = ? ORDER BY row_index, reviewer', [runId]).map(toEntry);
  }

  summary(runId: string): FeedbackSummary {
    const entries = this.list(runId);
    const ratings = entries.flatMap((e) => (e.rating === null ? [] : [e.rating]));
    const thumbs = entries.flatMap((e) => (e.thumb === null ? [] : [e.thumb]));
    const labels: Record<string, number> = {};
    for (const e of entries) if (e.label !== null) labels[e.label] = (labels[e.label] ?? 0) + 1;
    return {
      count: new Set(entries.filter((e) => e.rating !== null || e.thumb !== null || e.label !== null || e.comment !== null).map((e) => e.rowIndex)).size,
      ratedCount: ratings.length,
      meanRating: ratings.length === 0 ? null : ratings.reduce((s, r) => s + r, 0) / ratings.length,
      thumbsCount: thumbs.length,
      thumbsUpShare: thumbs.length === 0 ? null : thumbs.filter((t) => t === 'up').length / thumbs.length,
      labels,
    };
  }

  /** The run's feedback metrics follow its feedback, so comparisons and search see them. */
  private async syncRunMetrics(runId: string, timestamp: number): Promise<void> {
    const s = this.summary(runId);
    const metrics: MetricInput[] = [{ key: FEEDBACK_METRICS.count, value: s.count, step: 0, timestamp }];
    if (s.meanRating !== null) metrics.push({ key: FEEDBACK_METRICS.meanRating, value: s.meanRating, step: 0, timestamp });
    if (s.thumbsUpShare !== null) metrics.push({ key: FEEDBACK_METRICS.thumbsUpShare, value: s.thumbsUpShare, step: 0, timestamp });
    await this.tracking.logBatch({ runId, metrics });
  }
}
