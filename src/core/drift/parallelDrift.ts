import { runChildJob } from '../process/childJob';
import type { DriftOptions, DriftReport, DriftTableInput } from './driftTypes';

/** Joins reports over disjoint column sets of the same two tables into one report. */
export function mergeDriftReports(parts: readonly DriftReport[], order: readonly string[], driftShareThreshold: number): DriftReport {
  const first = parts[0];
  if (!first) throw new Error('mergeDriftReports: no reports to merge');
  const rank = new Map(order.map((name, i) => [name, i]));
  const columns = parts.flatMap((p) => p.columns);
  columns.sort((a, b) => Number(b.drifted) - Number(a.drifted) || (rank.get(a.column) ?? 0) - (rank.get(b.column) ?? 0));
  const driftedColumns = columns.filter((c) => c.drifted).length;
  const driftShare = columns.length === 0 ? 0 : driftedColumns / columns.length;
  return {
    ...first,
    columns,
    prediction: parts.find((p) => p.prediction)?.prediction,
    driftedColumns,
    columnCount: columns.length,
    driftShare,
    driftShareThreshold,
    datasetDrift: columns.length > 0 && driftShare >= driftShareThreshold,
    // the parts ran at the same time: the slowest one is the time the report took
    computeMs: Math.max(...parts.map((p) => p.computeMs)),
  };
}

/**
 * Computes a report in `workers` worker processes at once, each over a share of the columns (each
 * gets only its columns). Off the caller's thread, and on a multi-core machine faster than one.
 */
export async function computeDriftReportInWorkers(reference: DriftTableInput, current: DriftTableInput, options: DriftOptions = {}, workers = 2): Promise<DriftReport> {
  const currentNames = new Set(current.columns.map((c) => c.name));
  const names = options.columns ? [...options.columns] : reference.columns.map((c) => c.name).filter((n) => currentNames.has(n) && n !== options.predictionColumn);
  const groups: string[][] = Array.from({ length: Math.max(1, Math.min(workers, names.length)) }, () => []);
  names.forEach((name, i) => groups[i % groups.length]?.push(name));
  const pick = (table: DriftTableInput, wanted: ReadonlySet<string>): DriftTableInput => ({ ...table, columns: table.columns.filter((c) => wanted.has(c.name)) });
  const parts = await Promise.all(
    groups.map((group, i) => {
      const wanted = new Set(group);
      const withPrediction = i === 0 && options.predictionColumn ? options.predictionColumn : undefined;
      if (withPrediction) wanted.add(withPrediction);
      return runChildJob('drift', {
        reference: { kind: 'table', table: pick(reference, wanted) },
        current: { kind: 'table', table: pick(current, wanted) },
        options: { ...options, columns: group, predictionColumn: withPrediction },
      });
    }),
  );
  return mergeDriftReports(parts, names, options.driftShare ?? 0.5);
}
