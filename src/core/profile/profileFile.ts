import { extname } from 'node:path';
import { profileCsv } from './csvProfiler';
import type { DataProfile, ProfileOptions } from './profileTypes';
import { profileJsonl, profileParquet } from './recordProfiler';

export const PROFILE_EXTENSIONS = ['.csv', '.tsv', '.txt', '.jsonl', '.ndjson', '.parquet', '.pq'] as const;

/** Profiles a CSV/TSV, JSON Lines or Parquet file, chosen by its extension. */
export function profileFile(path: string, options: ProfileOptions = {}): Promise<DataProfile> {
  const extension = extname(path).toLowerCase();
  if (extension === '.parquet' || extension === '.pq') return profileParquet(path, options);
  if (extension === '.jsonl' || extension === '.ndjson') return profileJsonl(path, options);
  return profileCsv(path, options);
}
