/** Profiles a CSV/TSV file by streaming it through the byte scanner into a ProfileBuilder, in parallel ranges when it is big. */
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { estimateRows, profileCsvInParallel } from './csvParallel';
import { copyRow, CsvRowFeeder } from './csvRowFeeder';
import { fieldText, scanCsvFile, type ScannedRow } from './csvScanner';
import type { DataProfile, ProfileColumnType, ProfileOptions } from './profileTypes';
import { inferColumnType, PROFILE_INFERENCE_ROWS } from './typeInference';

/** Below this many bytes per range, starting worker threads costs more than it saves. */
const MIN_RANGE_BYTES = 32 * 1024 * 1024;
const MAX_WORKERS = 4; // each worker thread costs ~35 MB: the 500 MB budget of issue 9

export interface CsvParallelism {
  /** worker threads (default: available cores, at most 4, at least 32 MB each); 1 = one pass on this thread */
  workers?: number;
  /** the smallest range worth a worker (tests set 0 to split small files) */
  minRangeBytes?: number;
}

export async function profileCsv(path: string, options: ProfileOptions = {}, parallelism: CsvParallelism = {}): Promise<DataProfile> {
  let bytes = 0;
  try {
    bytes = (await stat(path)).size;
  } catch {
    // the scanner reports a missing or unreadable file with its name
  }
  const minRange = parallelism.minRangeBytes ?? MIN_RANGE_BYTES;
  const workers = Math.min(parallelism.workers ?? Math.min(availableParallelism(), MAX_WORKERS), minRange > 0 ? Math.floor(bytes / minRange) : Infinity);
  if (workers >= 2 && bytes > 0) {
    const profile = await profileCsvInParallel(path, options, workers);
    if (profile) return profile;
  }
  return profileCsvOnePass(path, options);
}

/** One pass on this thread (small files, one core, or a file whose split points were not row boundaries). */
export async function profileCsvOnePass(path: string, options: ProfileOptions = {}): Promise<DataProfile> {
  const started = Date.now();
  const display = options.displayName ?? path;
  let names: string[] = [];
  const pending: ScannedRow[] = [];
  let feeder: CsvRowFeeder | undefined;
  let rowsSeen = 0;

  const bytesTotal = await stat(path).then((s) => s.size, () => 0); // (the scanner names a missing file)
  const start = (): CsvRowFeeder => {
    const types: ProfileColumnType[] = names.map((_, col) => inferColumnType(pending.map((row) => fieldText(row, col))));
    const f = new CsvRowFeeder(names, types, {
      file: display,
      format: 'csv',
      target: options.target,
      sampleSize: options.sampleSize,
      exactPearsonColumns: options.exactPearsonColumns,
      expectedRows: estimateRows(pending, bytesTotal),
    });
    for (const row of pending) f.feed(row);
    pending.length = 0;
    return f;
  };

  const scan = await scanCsvFile(path, {
    displayName: display,
    signal: options.signal,
    onHeader: (header) => {
      names = header.map((h, i) => h || `column_${i + 1}`);
    },
    onRow: (row) => {
      rowsSeen++;
      if (feeder) {
        feeder.feed(row);
        return;
      }
      pending.push(copyRow(row));
      if (pending.length >= PROFILE_INFERENCE_ROWS) feeder = start();
    },
    onProgress: (bytesDone, total) => options.onProgress?.({ bytesDone, bytesTotal: total, rows: rowsSeen }),
  });
  feeder ??= start();
  return feeder.builder.finish({ bytes: scan.bytes, elapsedMs: Date.now() - started });
}
