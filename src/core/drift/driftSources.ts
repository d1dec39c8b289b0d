import { readTable } from '../data/tableReader';
import type { DriftTableInput } from './driftTypes';

/** Reads a CSV/Parquet file into the plain columns a drift report takes. */
export async function readDriftTable(path: string, displayName?: string): Promise<DriftTableInput> {
  const table = await readTable(path, displayName ? { displayName } : {});
  return { name: displayName ?? path, rowCount: table.rowCount, digest: table.digest, columns: table.columns };
}
