import { readDriftTable } from './driftSources';
import { computeDriftReport } from './driftReport';
import type { DriftOptions, DriftReport, DriftTableInput } from './driftTypes';

/** A side of a drift job: a file the worker reads, or columns already in memory. */
export type DriftJobSource = { kind: 'file'; path: string; name?: string } | { kind: 'table'; table: DriftTableInput };

export interface DriftJobInput {
  reference: DriftJobSource;
  current: DriftJobSource;
  options?: DriftOptions;
}

async function load(source: DriftJobSource): Promise<DriftTableInput> {
  return source.kind === 'file' ? readDriftTable(source.path, source.name) : source.table;
}

/** Runs in a worker process (job kind `drift`) so large reports stay off the host's event loop. */
export async function runDriftJob(input: DriftJobInput): Promise<DriftReport> {
  const [reference, current] = await Promise.all([load(input.reference), load(input.current)]);
  return computeDriftReport(reference, current, input.options);
}
