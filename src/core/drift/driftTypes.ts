/** What a drift report says, per column and for the dataset. Plain data: it crosses processes and is stored as JSON. */
import type { DataColumn } from '../data/dataTable';

/** ks, chisquare and z give p-values (drift when p < threshold); the rest are distances (drift when ≥ threshold). */
export type DriftTestName = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | 'psi';

export const DRIFT_TEST_NAMES: readonly DriftTestName[] = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi'];

export const P_VALUE_TESTS: ReadonlySet<DriftTestName> = new Set<DriftTestName>(['ks', 'chisquare', 'z']);

export interface ColumnDriftOptions {
  /** the test to run; chosen from the data the way Evidently does by default when absent */
  test?: DriftTestName;
  /** p-value below which (p-value tests) or distance at or above which (distance tests) the column drifted */
  threshold?: number;
}

export interface DriftOptions extends ColumnDriftOptions {
  /** columns to compare; every column the two tables share when absent */
  columns?: readonly string[];
  /** per-column test and threshold, overriding `test`/`threshold` */
  perColumn?: Readonly<Record<string, ColumnDriftOptions>>;
  /** the dataset drifted when at least this share of the columns drifted (default 0.5) */
  driftShare?: number;
  /** a model-output column, reported as prediction drift and left out of the dataset share */
  predictionColumn?: string;
}

export type DriftHistogram =
  | { kind: 'numeric'; edges: number[]; reference: number[]; current: number[] }
  | { kind: 'categorical'; labels: string[]; reference: number[]; current: number[] };

export interface ColumnDrift {
  column: string;
  kind: 'numeric' | 'categorical';
  test: DriftTestName;
  /** the test statistic: D, χ², z, or the distance itself */
  statistic: number;
  /** p-value tests only */
  pValue?: number;
  /** the value compared with the threshold: the p-value or the distance */
  score: number;
  threshold: number;
  drifted: boolean;
  /** how the test was chosen, for people reading the report */
  reason: string;
  referenceCount: number;
  currentCount: number;
  referenceMissingShare: number;
  currentMissingShare: number;
  /** current categories never seen in the reference (categorical columns) */
  unseenCategories: string[];
  /** shares per bin or category, for charts */
  histogram: DriftHistogram;
}

export interface DriftReport {
  reference: { name: string; rows: number; digest?: string };
  current: { name: string; rows: number; digest?: string };
  /** drifted first, then by column order */
  columns: ColumnDrift[];
  prediction?: ColumnDrift;
  driftedColumns: number;
  columnCount: number;
  driftShare: number;
  driftShareThreshold: number;
  datasetDrift: boolean;
  /** time spent computing the statistics (not reading files) */
  computeMs: number;
  createdAt: number;
}

/** Columns as the data readers produce them, without the table's functions (structured-clone friendly). */
export interface DriftTableInput {
  name: string;
  rowCount: number;
  digest?: string;
  columns: readonly DataColumn[];
}
