/** Profiles and comparisons as the panel shows them (no vscode: unit-tested on its own). */
import { compareProfiles } from '../../core/profile/profileCompare';
import type { ColumnProfile, CorrelationMatrix, DataProfile } from '../../core/profile/profileTypes';
import type { CorrelationView, ProfileColumnView, ProfileComparisonView, ProfileErrorView, ProfileView } from '../../protocol/profile/profileContract';

/** The quantiles the detail shows, of the 101 percentiles a profile keeps. */
const QUANTILES = [1, 5, 25, 50, 75, 95, 99];

const finite = (v: number | undefined | null): number | null => (v === undefined || v === null || !Number.isFinite(v) ? null : v);

function columnView(c: ColumnProfile): ProfileColumnView {
  const n = c.numeric;
  return {
    name: c.name,
    type: c.type,
    count: c.count,
    missing: c.missing,
    missingShare: c.missingShare,
    distinct: c.distinct,
    distinctExact: c.distinctExact,
    numeric: n
      ? {
          min: n.min,
          max: n.max,
          mean: n.mean,
          std: finite(n.std),
          skewness: finite(n.skewness),
          quantiles: QUANTILES.filter((p) => n.percentiles[p] !== undefined).map((p) => ({ p, value: n.percentiles[p]! })),
          quantilesExact: n.quantilesExact,
          histogram: n.histogram,
        }
      : null,
    top: c.top ?? null,
    topApproximate: c.topApproximate ?? false,
    mismatches: c.mismatches ?? null,
  };
}

function matrixView(m: CorrelationMatrix): CorrelationView {
  return { columns: m.columns, rows: m.rows, values: m.values.map((row) => row.map(finite)) };
}

export function profileView(p: DataProfile): ProfileView {
  return {
    file: p.file,
    format: p.format,
    bytes: p.bytes,
    rows: p.rows,
    columns: p.columns.map(columnView),
    duplicates: p.duplicates,
    correlations: { pearson: matrixView(p.correlations.pearson), spearman: matrixView(p.correlations.spearman), cramersV: matrixView(p.correlations.cramersV) },
    target: p.target ? { column: p.target.column, associations: p.target.associations.map((a) => ({ column: a.column, measure: a.measure, value: finite(a.value) })) } : null,
    warnings: p.warnings.map((w) => ({ kind: w.kind, column: w.column ?? null, message: w.message })),
    sample: p.head ?? { columns: p.columns.map((c) => c.name), rows: [] },
    sampleSize: p.sampleSize,
    elapsedMs: p.elapsedMs,
    createdAt: p.createdAt,
  };
}

/** Per-column deltas of `current` against `baseline`, with profileCompare's verdict (PSI, missing share). */
export function comparisonView(baseline: DataProfile, current: DataProfile): ProfileComparisonView {
  const comparison = compareProfiles(baseline, current);
  const find = (p: DataProfile, name: string): ColumnProfile | undefined => p.columns.find((c) => c.name === name);
  return {
    baseline: comparison.baseline,
    current: comparison.current,
    rows: comparison.rows,
    columns: comparison.columns.map((c) => {
      const b = find(baseline, c.column);
      const k = find(current, c.column);
      return {
        column: c.column,
        status: c.status,
        baselineType: c.baselineType ?? null,
        currentType: c.currentType ?? null,
        missingShare: { baseline: b?.missingShare ?? null, current: k?.missingShare ?? null },
        mean: { baseline: finite(b?.numeric?.mean), current: finite(k?.numeric?.mean) },
        meanShift: finite(c.meanShift),
        distinct: { baseline: b?.distinct ?? null, current: k?.distinct ?? null },
        psi: finite(c.psi),
      };
    }),
  };
}

/**
 * An engine error with its place pulled out of the message ("data.csv line 12, column "x": …"), so
 * the panel can say where and offer to open the file there.
 */
export function profileErrorView(message: string): ProfileErrorView {
  const match = /^(.+?) line (\d+)(?:, column "([^"]*)")?(?: column \d+)?: /.exec(message);
  if (!match) return { message, file: null, line: null, column: null };
  return { message, file: match[1]!, line: Number(match[2]), column: match[3] ?? null };
}
