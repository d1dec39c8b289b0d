import type { EngineClient } from '../../core/engine/engineClient';
import type { EvaluatedRow } from '../../core/feedback/evaluatedRows';
import type { FeedbackEntry } from '../../core/feedback/feedbackTypes';
import type { FeedbackRow, FeedbackSession, MyFeedback, SaveFeedbackParams } from '../../protocol/feedback/feedbackContract';

/** What the feedback panel works on: one run's rows, the engine that keeps its feedback, and who reviews. */
export interface FeedbackSource {
  readonly runId: string;
  /** the process that holds the store (this window or another) */
  readonly engine: EngineClient;
  readonly rows: readonly EvaluatedRow[];
  readonly runName: string;
  readonly reviewer: string;
}

export interface FeedbackRequestHandlers {
  getSession(): Promise<FeedbackSession>;
  getRow(params: { index: number }): Promise<FeedbackRow>;
  saveFeedback(params: SaveFeedbackParams): Promise<{ ratedByMe: number; total: number; mine: MyFeedback }>;
}

/** Reads a run's rows (once per panel) from the store's holder. */
export async function loadFeedbackSource(engine: EngineClient, runId: string, reviewer: string): Promise<FeedbackSource> {
  const { runName, rows } = await engine.call('feedback.source', { runId });
  return { runId, engine, rows, runName, reviewer };
}

function mine(entry: FeedbackEntry | undefined): MyFeedback | null {
  return entry ? { rating: entry.rating, thumb: entry.thumb, label: entry.label, comment: entry.comment } : null;
}

const isRated = (e: FeedbackEntry): boolean => e.rating !== null || e.thumb !== null;

function myEntries(s: FeedbackSource, entries: readonly FeedbackEntry[]): Map<number, FeedbackEntry> {
  return new Map(entries.filter((e) => e.reviewer === s.reviewer).map((e) => [e.rowIndex, e]));
}

function requireRow(s: FeedbackSource, index: number): EvaluatedRow {
  const row = s.rows[index];
  if (!row) throw new Error(`Row ${index} does not exist: run ${s.runId} has ${s.rows.length} rows`);
  return row;
}

/** The panel's requests, free of VS Code so they run against a real store in node tests. */
export function createFeedbackHandlers(load: () => Promise<FeedbackSource>): FeedbackRequestHandlers {
  return {
    async getSession() {
      const s = await load();
      const feedback = await s.engine.call('feedback.run', { runId: s.runId });
      const entries = myEntries(s, feedback.entries);
      const firstUnrated = s.rows.findIndex((r) => {
        const e = entries.get(r.index);
        return !(e && isRated(e));
      });
      return {
        runId: s.runId,
        runName: s.runName,
        reviewer: s.reviewer,
        total: s.rows.length,
        ratedByMe: [...entries.values()].filter(isRated).length,
        firstUnrated: Math.max(0, firstUnrated),
        labels: Object.entries(feedback.summary.labels).sort((a, b) => b[1] - a[1]).map(([label]) => label),
      };
    },
    async getRow({ index }) {
      const s = await load();
      const row = requireRow(s, index);
      const { entries } = await s.engine.call('feedback.run', { runId: s.runId });
      return { ...row, references: [...row.references], mine: mine(entries.find((e) => e.rowIndex === index && e.reviewer === s.reviewer)) };
    },
    async saveFeedback(params) {
      const s = await load();
      requireRow(s, params.index);
      const { index, ...change } = params;
      const saved = await s.engine.call('feedback.save', { input: { runId: s.runId, rowIndex: index, reviewer: s.reviewer, ...change } });
      return { ratedByMe: [...myEntries(s, saved.entries).values()].filter(isRated).length, total: s.rows.length, mine: mine(saved.entry) as MyFeedback };
    },
  };
}
