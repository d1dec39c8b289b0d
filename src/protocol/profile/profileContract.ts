/**
 * The data profile panel's contract: one file's profile (types, missing values, distributions,
 * correlations, target association, warnings, the first rows) and, on request, its comparison
 * with another file or a saved profile. Numbers that were NaN or infinite arrive as null.
 */

export const PROFILE_VIEW_TYPE = 'mlops.profile';
/** "Open With… MLOps Data Profile" on CSV, TSV, Parquet and JSON Lines files */
export const PROFILE_EDITOR_VIEW_TYPE = 'mlops.profileEditor';

export type ProfileColumnKind = 'integer' | 'float' | 'boolean' | 'datetime' | 'string' | 'empty';

export interface ProfileQuantile {
  /** 0–100 */
  p: number;
  value: number;
}

export interface ProfileNumericView {
  /** datetimes: epoch milliseconds */
  min: number;
  max: number;
  mean: number;
  std: number | null;
  skewness: number | null;
  quantiles: ProfileQuantile[];
  quantilesExact: boolean;
  histogram: { edges: number[]; counts: number[]; fromSample: boolean };
}

export interface ProfileColumnView {
  name: string;
  type: ProfileColumnKind;
  count: number;
  missing: number;
  missingShare: number;
  distinct: number;
  distinctExact: boolean;
  numeric: ProfileNumericView | null;
  top: { value: string; count: number }[] | null;
  topApproximate: boolean;
  mismatches: { count: number; firstLine: number; firstValue: string } | null;
}

export type CorrelationMeasure = 'pearson' | 'spearman' | 'cramersV';

export interface CorrelationView {
  columns: string[];
  values: (number | null)[][];
  rows: number;
}

export interface ProfileWarningView {
  kind: string;
  column: string | null;
  message: string;
}

export interface ProfileView {
  file: string;
  format: 'csv' | 'parquet' | 'jsonl';
  bytes: number;
  rows: number;
  columns: ProfileColumnView[];
  duplicates: { rows: number; exact: boolean };
  correlations: Record<CorrelationMeasure, CorrelationView>;
  target: { column: string; associations: { column: string; measure: 'pearson' | 'eta' | 'cramersV'; value: number | null }[] } | null;
  warnings: ProfileWarningView[];
  /** the first rows of the file, as text */
  sample: { columns: string[]; rows: string[][] };
  sampleSize: number;
  elapsedMs: number;
  createdAt: string;
}

export interface ProfileColumnComparisonView {
  column: string;
  status: 'same' | 'drifted' | 'added' | 'removed' | 'typeChanged';
  baselineType: string | null;
  currentType: string | null;
  missingShare: { baseline: number | null; current: number | null };
  mean: { baseline: number | null; current: number | null };
  /** difference of means in baseline standard deviations */
  meanShift: number | null;
  distinct: { baseline: number | null; current: number | null };
  psi: number | null;
}

export interface ProfileComparisonView {
  baseline: string;
  current: string;
  rows: { baseline: number; current: number };
  columns: ProfileColumnComparisonView[];
}

/** A failure, with where it happened when the engine said so (malformed files). */
export interface ProfileErrorView {
  message: string;
  file: string | null;
  line: number | null;
  column: string | null;
}

export interface ProfilePanelState {
  /** the file as shown (workspace-relative) */
  file: string;
  /** the file's path, saved by the view so a reload reopens the panel */
  path: string;
  target: string | null;
  phase: 'profiling' | 'ready' | 'failed' | 'cancelled';
  profile: ProfileView | null;
  error: ProfileErrorView | null;
  comparison: ProfileComparisonView | null;
  /** a comparison that failed (the profile itself is fine) */
  comparisonError: string | null;
}

export interface ProfileContract {
  requests: {
    getState: { params: Record<string, never>; result: ProfilePanelState };
  };
  viewNotifications: {
    /** pick another target column and profile again */
    changeTarget: Record<string, never>;
    /** profile the file again (after a failure or a cancel) */
    reprofile: Record<string, never>;
    saveJson: Record<string, never>;
    saveHtml: Record<string, never>;
    /** pick another data file or saved profile as the baseline */
    compareWith: Record<string, never>;
    clearComparison: Record<string, never>;
    /** open the data file at a line (a malformed row) */
    openAt: { line: number };
  };
  hostNotifications: {
    /** profiling started or finished, or a comparison changed: fetch the state again */
    changed: Record<string, never>;
  };
}
