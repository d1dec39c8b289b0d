import type { DataColumn } from '../data/dataTable';
import { computeColumnDrift, DriftInputError } from './columnDrift';
import type { ColumnDrift, DriftOptions, DriftReport, DriftTableInput } from './driftTypes';

function byName(table: DriftTableInput, name: string, side: 'reference' | 'current'): DataColumn {
  const column = table.columns.find((c) => c.name === name);
  if (!column) throw new DriftInputError(`column "${name}" is not in the ${side} data ${table.name} (it has: ${table.columns.map((c) => c.name).join(', ')})`);
  return column;
}

/** Compares every watched column of `current` with `reference` and decides dataset drift. */
export function computeDriftReport(reference: DriftTableInput, current: DriftTableInput, options: DriftOptions = {}): DriftReport {
  const started = performance.now();
  const driftShareThreshold = options.driftShare ?? 0.5;
  const currentNames = new Set(current.columns.map((c) => c.name));
  const names = options.columns
    ? [...options.columns]
    : reference.columns.map((c) => c.name).filter((name) => currentNames.has(name) && name !== options.predictionColumn);
  if (names.length === 0) throw new DriftInputError(`${reference.name} and ${current.name} have no column in common to compare`);
  const compare = (name: string): ColumnDrift => {
    const own = options.perColumn?.[name];
    return computeColumnDrift(byName(reference, name, 'reference'), byName(current, name, 'current'), {
      test: own?.test ?? options.test,
      threshold: own?.threshold ?? options.threshold,
    });
  };
  const order = new Map(names.map((n, i) => [n, i]));
  const columns = names.filter((n) => n !== options.predictionColumn).map(compare);
  columns.sort((a, b) => Number(b.drifted) - Number(a.drifted) || (order.get(a.column) as number) - (order.get(b.column) as number));
  const prediction = options.predictionColumn ? compare(options.predictionColumn) : undefined;
  const driftedColumns = columns.filter((c) => c.drifted).length;
  const driftShare = columns.length === 0 ? 0 : driftedColumns / columns.length;
  return {
    reference: { name: reference.name, rows: reference.rowCount, digest: reference.digest },
    current: { name: current.name, rows: current.rowCount, digest: current.digest },
    columns,
    prediction,
    driftedColumns,
    columnCount: columns.length,
    driftShare,
    driftShareThreshold,
    datasetDrift: columns.length > 0 && driftShare >= driftShareThreshold,
    computeMs: performance.now() - started,
    createdAt: Date.now(),
  };
}
