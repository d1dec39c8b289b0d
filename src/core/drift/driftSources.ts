import { readTable } from '../data/tableReader';
import type { DriftTableInput } from './driftTypes';

/** Reads a CSV/Parquet file into the plain columns a drift report takes (from the store's prepared tables when `cacheFolder` holds them). */
export async function readDriftTable(path: string, displayName?: string, cacheFolder?: string): Promise<DriftTableInput> {
  const table = await readTable(path, { ...(displayName ? { displayName } : {}), ...(cacheFolder ? { cacheFolder } : {}) });
  return { name: displayName ?? path, rowCount: table.rowCount, digest: table.digest, columns: table.columns };
}
