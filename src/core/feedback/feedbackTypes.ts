export type Thumb = 'up' | 'down';

/** One reviewer's judgement of one row of an evaluation run. */
export interface FeedbackEntry {
  readonly runId: string;
  readonly rowIndex: number;
  readonly reviewer: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** 1–5, or null when not rated on the scale */
  readonly rating: number | null;
  readonly thumb: Thumb | null;
  readonly label: string | null;
  readonly comment: string | null;
}

/** What to save; omitted fields keep their saved value, null clears it. */
export interface FeedbackInput {
  readonly runId: string;
  readonly rowIndex: number;
  readonly reviewer: string;
  readonly rating?: number | null;
  readonly thumb?: Thumb | null;
  readonly label?: string | null;
  readonly comment?: string | null;
  /** default now */
  readonly time?: number;
}

export interface FeedbackSummary {
  /** rows with any feedback from anyone */
  readonly count: number;
  readonly ratedCount: number;
  /** null without scale ratings */
  readonly meanRating: number | null;
  readonly thumbsCount: number;
  /** null without thumbs */
  readonly thumbsUpShare: number | null;
  readonly labels: Readonly<Record<string, number>>;
}

export class FeedbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedbackError';
  }
}
