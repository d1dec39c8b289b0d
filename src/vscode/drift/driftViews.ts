import type { DriftReport, ColumnDrift } from '../../core/drift/driftTypes';
import { P_VALUE_TESTS } from '../../core/drift/driftTypes';
import type { DriftHistoryEntry } from '../../core/monitoring/driftHistory';
import type { DriftColumnView, DriftHistoryPoint, DriftReportView } from '../../protocol/drift/driftContract';

/** NaN and infinities do not survive postMessage's JSON: null, which the panel shows as "—". */
function finite(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

function columnView(c: ColumnDrift): DriftColumnView {
  return {
    column: c.column,
    kind: c.kind,
    test: c.test,
    statistic: finite(c.statistic),
    pValue: finite(c.pValue),
    score: finite(c.score),
    threshold: c.threshold,
    scoreIsPValue: P_VALUE_TESTS.has(c.test),
    drifted: c.drifted,
    reason: c.reason,
    referenceCount: c.referenceCount,
    currentCount: c.currentCount,
    referenceMissingShare: c.referenceMissingShare,
    currentMissingShare: c.currentMissingShare,
    unseenCategories: [...c.unseenCategories],
    histogram: c.histogram.kind === 'numeric'
      ? { kind: 'numeric', edges: [...c.histogram.edges], reference: [...c.histogram.reference], current: [...c.histogram.current] }
      : { kind: 'categorical', labels: [...c.histogram.labels], reference: [...c.histogram.reference], current: [...c.histogram.current] },
  };
}

export function driftReportView(report: DriftReport, id: number | null): DriftReportView {
  return {
    id,
    reference: { name: report.reference.name, rows: report.reference.rows, digest: report.reference.digest ?? null },
    current: { name: report.current.name, rows: report.current.rows, digest: report.current.digest ?? null },
    columns: report.columns.map(columnView),
    prediction: report.prediction ? columnView(report.prediction) : null,
    driftedColumns: report.driftedColumns,
    columnCount: report.columnCount,
    driftShare: report.driftShare,
    driftShareThreshold: report.driftShareThreshold,
    datasetDrift: report.datasetDrift,
    createdAt: report.createdAt,
  };
}

export function driftHistoryPoint(entry: DriftHistoryEntry): DriftHistoryPoint {
  return {
    id: entry.id,
    createdAt: entry.createdAt,
    datasetDrift: entry.datasetDrift,
    driftShare: entry.driftShare,
    driftedColumns: entry.driftedColumns,
    columnCount: entry.columnCount,
    columns: entry.columns.map((c) => ({ column: c.column, test: c.test, score: finite(c.score), drifted: c.drifted })),
  };
}
