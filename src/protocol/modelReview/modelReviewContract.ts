/**
 * The model review panel's contract. One version is its model card; two or more are the review:
 * the same cards side by side with metric deltas and the differences called out. Plain data only:
 * the webview never sees registry or store objects.
 */

export const MODEL_REVIEW_VIEW_TYPE = 'mlops.modelReview';

/** [x, y] pairs */
export type Points = [number, number][];

export interface ClassCurveView {
  label: string;
  points: Points;
  /** null when the class is absent from the test split */
  area: number | null;
}

export type CurvesView =
  | { task: 'classification'; roc: ClassCurveView[]; pr: ClassCurveView[] }
  | { task: 'regression'; predictedVsActual: Points; residuals: { edges: number[]; counts: number[] } };

export interface SignatureInputView {
  name: string;
  type: string;
  categories: string[] | null;
  optional: boolean;
}

/** A text evaluation run of the version (`mlops eval --model`) with its scores and reviewers' feedback. */
export interface TextEvaluationView {
  runId: string;
  runName: string;
  startTime: number;
  /** bleu, rouge1_f, rouge2_f, rougeL_f, rougeLsum_f, exact_match, rows */
  metrics: Record<string, number | null>;
  rougeStemming: boolean | null;
  feedback: { count: number; meanRating: number | null; thumbsUpShare: number | null };
}

/** What people said about a version: ratings posted to its endpoints, and its text evaluations. */
export interface VersionFeedbackView {
  /** feedback applications posted to endpoints about this version's answers; null when not readable here */
  endpoint: { count: number; ratedCount: number; meanRating: number | null; labels: [string, number][]; lastAt: number | null } | null;
  /** newest first */
  textEvaluations: TextEvaluationView[];
}

export interface VersionCardView {
  name: string;
  version: number;
  uri: string;
  aliases: string[];
  stage: string;
  description: string;
  createdAt: number;
  registeredBy: string;
  trainedBy: string | null;
  /** set for a version registered from a source that is not a model package (MLflow registers any): only what is known */
  external?: { source: string };
  task: 'classification' | 'regression' | null;
  target: string | null;
  modelType: string | null;
  backend: string | null;
  parameters: number | null;
  sizeBytes: number;
  signature: { inputs: SignatureInputView[]; output: string } | null;
  /** test_* metrics; null values were NaN or infinite when logged */
  evaluation: Record<string, number | null>;
  training: Record<string, number | null>;
  /** what `training` was measured at, in the model type's words ("Last epoch", "After boosting round 137", "All 100 trees") */
  trainingMetricsAt?: string;
  /** how long it trained, in the model type's words ({label: "Boosting rounds", value: "137 of 500, stopped early"}); null: not known */
  trainedFor?: { label: string; value: string } | null;
  /**
   * the training run's CPU-seconds and cost (null: not measured, or no price set in `mlops.cost.*`),
   * and its one-row predict latency p99 on the test split in ms (null: trained before it was measured)
   */
  trainingUsage?: { cpuSeconds: number | null; cost: number | null; predictLatencyP99Ms?: number | null };
  confusionMatrix: { labels: string[]; matrix: number[][] } | null;
  curves: CurvesView | null;
  /** a tree model's share of the total split gain per input column, largest first (absent or null: not a tree model) */
  featureImportance?: { name: string; importance: number; permutation?: number | null }[] | null;
  /** what `permutation` measures: the rise of this test loss when the column is shuffled */
  permutationMetric?: 'log_loss' | 'mse' | null;
  dataset: { digest: string | null; source: string | null; name: string | null };
  params: Record<string, string>;
  run: { runId: string; runName: string | null; startTime: number | null; status: string | null; gitCommit: string | null; available: boolean };
  files: { spec: boolean; evaluationReport: boolean };
  feedback: VersionFeedbackView | null;
}

export interface MetricRowView {
  key: string;
  values: (number | null)[];
  /** against the first (baseline) version */
  deltas: (number | null)[];
  higherIsBetter: boolean;
  best: number | null;
}

export interface ComparisonView {
  metrics: MetricRowView[];
  params: { key: string; values: (string | null)[]; differs: boolean }[];
  inputs: { name: string; types: (string | null)[]; differs: boolean }[];
  outputDiffers: boolean;
  datasetDiffers: boolean;
}

export interface PendingReviewView {
  reviewId: number;
  alias: string;
  version: number;
  previousVersion: number | null;
  requestedBy: string;
  requestedAt: number;
  comment: string;
}

export interface ModelReviewState {
  model: { name: string; description: string; requireReview: boolean; aliases: { alias: string; version: number }[]; versionCount: number };
  /** the versions shown, baseline first */
  versions: VersionCardView[];
  /** present when two or more versions are shown */
  comparison: ComparisonView | null;
  pendingReviews: PendingReviewView[];
}

/** A file of a version worth opening from the panel. */
export const VERSION_FILES = ['spec', 'evaluationReport', 'packageFolder'] as const;
export type VersionFile = (typeof VERSION_FILES)[number];

export interface ModelReviewContract {
  requests: {
    getState: { params: Record<string, never>; result: ModelReviewState };
  };
  viewNotifications: {
    /** point an alias at the version (a review request when the model requires one) */
    promote: { version: number };
    decideReview: { reviewId: number; decision: 'approve' | 'reject' };
    /** add a version of the same model to the comparison, picked on the host */
    addVersion: Record<string, never>;
    removeVersion: { version: number };
    openFile: { version: number; file: VersionFile };
    openRun: { runId: string };
    showLineage: { version: number };
    /** the `mlops.cost.*` settings, where the prices behind a cost are set */
    openCostSettings: Record<string, never>;
  };
  hostNotifications: {
    /** the registry changed (alias moved, review decided, version deleted): fetch the state again */
    changed: Record<string, never>;
  };
}
