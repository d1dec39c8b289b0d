import type { EvaluatedRow } from '../../core/feedback/evaluatedRows';
import type { FeedbackStore } from '../../core/feedback/feedbackStore';
import type { FeedbackEntry } from '../../core/feedback/feedbackTypes';
import type { WorkspaceStore } from '../../core/store/workspaceStore';
import type { FeedbackRow, FeedbackSession, MyFeedback, SaveFeedbackParams } from '../../protocol/feedback/feedbackContract';

/** What the feedback panel works on: one run's rows, the feedback store, and who reviews. */
export interface FeedbackSource {
  readonly runId: string;
  readonly feedback: FeedbackStore;
  readonly rows: readonly EvaluatedRow[];
  readonly runName: string;
  readonly reviewer: string;
}

export interface FeedbackRequestHandlers {
  getSession(): Promise<FeedbackSession>;
  getRow(params: { index: number }): Promise<FeedbackRow>;
  saveFeedback(params: SaveFeedbackParams): Promise<{ ratedByMe: number; total: number; mine: MyFeedback }>;
}

/** Reads a run's rows and opens its feedback (the store modules load only here, on first use). */
export async function loadFeedbackSource(store: WorkspaceStore, runId: string, reviewer: string): Promise<FeedbackSource> {
  const { FeedbackStore: Store } = await import('../../core/feedback/feedbackStore');
  const { readEvaluatedRows } = await import('../../core/feedback/evaluatedRows');
  const run = await store.tracking.getRun(runId);
  const rows = await readEvaluatedRows(store.tracking, runId);
  return { runId, feedback: new Store(store.database, store.tracking), rows, runName: run.info.runName, reviewer };
}

function mine(entry: FeedbackEntry | undefined): MyFeedback | null {
  return entry ? { rating: entry.rating, thumb: entry.thumb, label: entry.label, comment: entry.comment } : null;
}

const isRated = (e: FeedbackEntry): boolean => e.rating !== null || e.thumb !== null;

function myEntries(s: FeedbackSource): Map<number, FeedbackEntry> {
  return new Map(s.feedback.list(s.runId).filter((e) => e.reviewer === s.reviewer).map((e) => [e.rowIndex, e]));
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
      const entries = myEntries(s);
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
        labels: Object.entries(s.feedback.summary(s.runId).labels).sort((a, b) => b[1] - a[1]).map(([label]) => label),
      };
    },
    async getRow({ index }) {
      const s = await load();
      const row = requireRow(s, index);
      return { ...row, references: [...row.references], mine: mine(s.feedback.get(s.runId, index, s.reviewer)) };
    },
    async saveFeedback(params) {
      const s = await load();
      requireRow(s, params.index);
      const { index, ...change } = params;
      const entry = await s.feedback.save({ runId: s.runId, rowIndex: index, reviewer: s.reviewer, ...change });
      return { ratedByMe: [...myEntries(s).values()].filter(isRated).length, total: s.rows.length, mine: mine(entry) as MyFeedback };
    },
  };
}
