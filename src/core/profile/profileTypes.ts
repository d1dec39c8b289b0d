/** A data profile as saved (JSON), shown, and compared. */

export type ProfileColumnType = 'integer' | 'float' | 'boolean' | 'datetime' | 'string' | 'empty';

export interface NumericSummary {
  min: number;
  max: number;
  mean: number;
  /** sample standard deviation (n − 1) */
  std: number;
  skewness: number;
  /** p at 0, 0.01, …, 1 (101 points); exact while the sketch holds every value */
  percentiles: number[];
  quantilesExact: boolean;
  histogram: { edges: number[]; counts: number[]; fromSample: boolean };
}

export interface ColumnProfile {
  name: string;
  type: ProfileColumnType;
  /** non-missing cells */
  count: number;
  missing: number;
  missingShare: number;
  distinct: number;
  /** false when the count is a HyperLogLog estimate */
  distinctExact: boolean;
  numeric?: NumericSummary;
  /** most frequent values (text, booleans; also datetimes as text) */
  top?: { value: string; count: number }[];
  /** counts of values first seen after the tracking cap are not kept */
  topApproximate?: boolean;
  /** cells that did not fit the inferred type (counted as missing for the statistics) */
  mismatches?: { count: number; firstLine: number; firstValue: string };
}

export interface CorrelationMatrix {
  columns: string[];
  /** symmetric; null where a pair had fewer than 3 complete rows or no variance */
  values: (number | null)[][];
  /** rows used: all rows or the size of the sample */
  rows: number;
}

export interface TargetAssociation {
  column: string;
  /** |pearson| (numeric–numeric), correlation ratio η (numeric–categorical), Cramér's V (categorical–categorical) */
  measure: 'pearson' | 'eta' | 'cramersV';
  value: number;
}

export type ProfileWarningKind = 'constant' | 'allMissing' | 'mostlyMissing' | 'highCardinality' | 'skewed' | 'leakage' | 'duplicates' | 'typeMismatch';

export interface ProfileWarning {
  kind: ProfileWarningKind;
  column?: string;
  message: string;
}

export interface DataProfile {
  version: 1;
  file: string;
  format: 'csv' | 'parquet' | 'jsonl';
  bytes: number;
  rows: number;
  columns: ColumnProfile[];
  duplicates: { rows: number; exact: boolean };
  correlations: { pearson: CorrelationMatrix; spearman: CorrelationMatrix; cramersV: CorrelationMatrix };
  target?: { column: string; associations: TargetAssociation[] };
  warnings: ProfileWarning[];
  /** the first rows, as text, for a grid */
  head: { columns: string[]; rows: string[][] };
  sampleSize: number;
  elapsedMs: number;
  createdAt: string;
}

export interface ProfileProgress {
  bytesDone: number;
  bytesTotal: number;
  rows: number;
}

export interface ProfileOptions {
  target?: string;
  /** the name used in messages and in the profile */
  displayName?: string;
  signal?: AbortSignal;
  onProgress?: (progress: ProfileProgress) => void;
  /** rows kept for Spearman, Cramér's V, η and histograms (default 20,000) */
  sampleSize?: number;
  /** numeric columns with exact streaming Pearson (more use the sample) */
  exactPearsonColumns?: number;
}
