/** The human feedback panel's contract: one evaluation run, its rows one at a time. */

export const FEEDBACK_VIEW_TYPE = 'mlops.feedback';

export type FeedbackThumb = 'up' | 'down';

/** This reviewer's saved judgement of a row. */
export interface MyFeedback {
  rating: number | null;
  thumb: FeedbackThumb | null;
  label: string | null;
  comment: string | null;
}

export interface FeedbackRow {
  /** 0-based row index in eval/rows.jsonl */
  index: number;
  input: string;
  references: string[];
  prediction: string;
  /** sentence BLEU, 0–100 */
  bleu: number;
  rouge1F: number;
  rougeLF: number;
  exactMatch: boolean;
  mine: MyFeedback | null;
}

export interface FeedbackSession {
  runId: string;
  runName: string;
  reviewer: string;
  total: number;
  /** rows this reviewer has rated (scale or thumbs) */
  ratedByMe: number;
  /** the first row this reviewer has not rated, or 0 when all are */
  firstUnrated: number;
  /** labels used on this run so far, most used first (suggestions) */
  labels: string[];
}

export interface SaveFeedbackParams {
  index: number;
  rating?: number | null;
  thumb?: FeedbackThumb | null;
  label?: string | null;
  comment?: string | null;
}

export const FEEDBACK_EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type FeedbackExportFormat = (typeof FEEDBACK_EXPORT_FORMATS)[number];

export interface FeedbackContract {
  requests: {
    getSession: { params: Record<string, never>; result: FeedbackSession };
    getRow: { params: { index: number }; result: FeedbackRow };
    saveFeedback: { params: SaveFeedbackParams; result: { ratedByMe: number; total: number; mine: MyFeedback } };
  };
  viewNotifications: {
    exportFeedback: { format: FeedbackExportFormat };
  };
  hostNotifications: Record<string, never>;
}
