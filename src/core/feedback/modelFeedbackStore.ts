import type { SqlValue } from 'sql.js';
import type { DurableDatabase } from '../store/durableDatabase';
import { FeedbackError } from './feedbackTypes';

/** Feedback an application posted to an endpoint's /feedback about one of its responses. */
export interface ModelFeedbackEntry {
  readonly requestId: string;
  readonly endpoint: string;
  readonly modelName: string;
  readonly version: number;
  /** when the request was served, if known */
  readonly requestTime: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** 1–5, the scale of the review panel */
  readonly rating: number | null;
  readonly label: string | null;
  readonly comment: string | null;
}

/** What to save; omitted fields keep their saved value, null clears it. */
export interface ModelFeedbackInput {
  readonly requestId: string;
  readonly endpoint: string;
  readonly modelName: string;
  readonly version: number;
  readonly requestTime?: number | null;
  readonly rating?: number | null;
  readonly label?: string | null;
  readonly comment?: string | null;
  readonly time?: number;
}

export interface ModelFeedbackSummary {
  /** requests with feedback */
  readonly count: number;
  readonly ratedCount: number;
  readonly meanRating: number | null;
  readonly labels: Readonly<Record<string, number>>;
  readonly lastAt: number | null;
}

export const MAX_FEEDBACK_LABEL = 200;
export const MAX_FEEDBACK_COMMENT = 10_000;

function toEntry(row: Record<string, SqlValue>): ModelFeedbackEntry {
  const text = (value: SqlValue | undefined): string | null => (value === null || value === undefined ? null : String(value));
  return {
    requestId: String(row.request_id),
    endpoint: String(row.endpoint),
    modelName: String(row.model_name),
    version: Number(row.version),
    requestTime: row.request_time === null ? null : Number(row.request_time),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    rating: row.rating === null ? null : Number(row.rating),
    label: text(row.label),
    comment: text(row.comment),
  };
}

/** Feedback on served requests, kept per model version in the workspace store. */
export class ModelFeedbackStore {
  constructor(private readonly db: DurableDatabase) {}

  async save(input: ModelFeedbackInput): Promise<ModelFeedbackEntry> {
    if (input.rating !== undefined && input.rating !== null && !(Number.isInteger(input.rating) && input.rating >= 1 && input.rating <= 5)) {
      throw new FeedbackError(`rating must be an integer from 1 to 5, got ${input.rating}`);
    }
    if (input.label && input.label.length > MAX_FEEDBACK_LABEL) throw new FeedbackError(`label is longer than ${MAX_FEEDBACK_LABEL} characters`);
    if (input.comment && input.comment.length > MAX_FEEDBACK_COMMENT) throw new FeedbackError(`comment is longer than ${MAX_FEEDBACK_COMMENT} characters`);
    const existing = this.get(input.requestId);
    const now = input.time ?? Date.now();
    const pick = <T>(given: T | undefined, saved: T | null | undefined): T | null => (given === undefined ? (saved ?? null) : given);
    const label = pick(input.label, existing?.label);
    const comment = pick(input.comment, existing?.comment);
    const entry: ModelFeedbackEntry = {
      requestId: input.requestId,
      // a request belongs to the version that answered it, whatever a later post claims
      endpoint: existing?.endpoint ?? input.endpoint,
      modelName: existing?.modelName ?? input.modelName,
      version: existing?.version ?? input.version,
      requestTime: existing?.requestTime ?? input.requestTime ?? null,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      rating: pick(input.rating, existing?.rating),
      label: label === '' ? null : label,
      comment: comment === '' ? null : comment,
    };
    await this.db.commit({
      statements: [
        {
          sql: `INSERT INTO model_feedback (request_id, endpoint, model_name, version, request_time, created_at, updated_at, rating, label, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (request_id) DO UPDATE SET updated_at = excluded.updated_at, rating = excluded.rating, label = excluded.label, comment = excluded.comment`,
          params: [entry.requestId, entry.endpoint, entry.modelName, entry.version, entry.requestTime, entry.createdAt, entry.updatedAt, entry.rating, entry.label, entry.comment],
        },
      ],
    });
    return entry;
  }

  get(requestId: string): ModelFeedbackEntry | undefined {
    const row = this.db.query('SELECT * FROM model_feedback WHERE request_id = ?', [requestId])[0];
    return row ? toEntry(row) : undefined;
  }

  /** Feedback on one version, newest first. */
  list(modelName: string, version: number, limit = 10_000): ModelFeedbackEntry[] {
    return this.db.query('SELECT * FROM model_feedback WHERE model_name = ? AND version = ? ORDER BY created_at DESC, request_id LIMIT ?', [modelName, version, limit]).map(toEntry);
  }

  summary(modelName: string, version: number): ModelFeedbackSummary {
    return summarizeModelFeedback(this.db, modelName, version);
  }

}

/** Count, mean rating and labels of the feedback on one version (reads only). */
export function summarizeModelFeedback(db: Pick<DurableDatabase, 'rows'>, modelName: string, version: number): ModelFeedbackSummary {
  return summarize(db, 'model_name = ? AND version = ?', [modelName, version]);
}

/** The same summary for the answers of one endpoint (whatever version gave them), since `since` (epoch ms). */
export function summarizeEndpointFeedback(db: Pick<DurableDatabase, 'rows'>, endpoint: string, since = 0): ModelFeedbackSummary {
  return summarize(db, 'endpoint = ? AND created_at >= ?', [endpoint, since]);
}

function summarize(db: Pick<DurableDatabase, 'rows'>, where: string, params: SqlValue[]): ModelFeedbackSummary {
  const [stats] = db.rows(`SELECT COUNT(*), COUNT(rating), AVG(rating), MAX(updated_at) FROM model_feedback WHERE ${where}`, params);
  const labels: Record<string, number> = {};
  for (const [label, n] of db.rows(`SELECT label, COUNT(*) FROM model_feedback WHERE ${where} AND label IS NOT NULL GROUP BY label ORDER BY label`, params)) {
    labels[String(label)] = Number(n);
  }
  const count = Number(stats?.[0] ?? 0);
  const rated = Number(stats?.[1] ?? 0);
  return {
    count,
    ratedCount: rated,
    meanRating: rated === 0 ? null : Number(stats?.[2]),
    labels,
    lastAt: count === 0 ? null : Number(stats?.[3]),
  };
}
