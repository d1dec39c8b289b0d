/**
 * The drift panel's contract: one drift report (a one-off check) or a monitor with its history of
 * reports. Numbers that were NaN or infinite arrive as null (JSON cannot carry them).
 */

export const DRIFT_VIEW_TYPE = 'mlops.drift';

export type DriftHistogramView =
  | { kind: 'numeric'; edges: number[]; reference: number[]; current: number[] }
  | { kind: 'categorical'; labels: string[]; reference: number[]; current: number[] };

export interface DriftColumnView {
  column: string;
  kind: 'numeric' | 'categorical';
  test: string;
  statistic: number | null;
  /** p-value tests only (ks, chisquare, z) */
  pValue: number | null;
  /** what is compared with the threshold: the p-value or the distance */
  score: number | null;
  threshold: number;
  /** p-value tests drift below the threshold, distances at or above it */
  scoreIsPValue: boolean;
  drifted: boolean;
  reason: string;
  referenceCount: number;
  currentCount: number;
  referenceMissingShare: number;
  currentMissingShare: number;
  unseenCategories: string[];
  histogram: DriftHistogramView;
}

export interface DriftReportView {
  /** the stored report's id; null for a one-off check that was not stored */
  id: number | null;
  reference: { name: string; rows: number; digest: string | null };
  current: { name: string; rows: number; digest: string | null };
  /** drifted first, then in column order */
  columns: DriftColumnView[];
  prediction: DriftColumnView | null;
  driftedColumns: number;
  columnCount: number;
  driftShare: number;
  driftShareThreshold: number;
  datasetDrift: boolean;
  createdAt: number;
}

export interface DriftHistoryPoint {
  id: number;
  createdAt: number;
  datasetDrift: boolean;
  driftShare: number;
  driftedColumns: number;
  columnCount: number;
  columns: { column: string; test: string; score: number | null; drifted: boolean }[];
}

export interface DriftPanelState {
  title: string;
  monitor: {
    name: string;
    file: string;
    openAlerts: number;
    driftShareThreshold: number | null;
    history: DriftHistoryPoint[];
    /** a monitor of an endpoint's traffic: the feedback applications posted about its answers (in the window's hours, if any) */
    feedback: { endpoint: string; count: number; ratedCount: number; meanRating: number | null; labels: [string, number][] } | null;
  } | null;
  /** the newest report, or the one-off check's; null for a monitor that never ran */
  report: DriftReportView | null;
}

export interface DriftContract {
  requests: {
    getState: { params: Record<string, never>; result: DriftPanelState };
    /** a stored report of this panel's monitor (a point of the history) */
    getReport: { params: { id: number }; result: DriftReportView };
  };
  viewNotifications: {
    runMonitor: Record<string, never>;
    acknowledgeAlerts: Record<string, never>;
    openSpec: Record<string, never>;
  };
  hostNotifications: {
    /** the monitor ran again or its alerts changed: fetch the state again */
    changed: Record<string, never>;
  };
}
