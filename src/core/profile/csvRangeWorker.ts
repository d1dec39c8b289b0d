/**
 * Worker thread entry of parallel CSV profiling: profiles the rows of one byte range and posts
 * progress, batches of row hashes (duplicates are counted across ranges in one table by the
 * parent) and finally the range's partial profile. Started by csvParallel.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CsvRowFeeder } from './csvRowFeeder';
import { scanCsvFile } from './csvScanner';
import type { RangeJob, RangeMessage } from './csvRangeProtocol';

const HASH_BATCH = 65_536;

function post(message: RangeMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

async function run(job: RangeJob): Promise<void> {
  let batch = new Float64Array(HASH_BATCH);
  let filled = 0;
  const flush = (): void => {
    if (filled === 0) return;
    const hashes = filled === batch.length ? batch : batch.slice(0, filled);
    post({ type: 'hashes', hashes }, [hashes.buffer as ArrayBuffer]);
    batch = new Float64Array(HASH_BATCH);
    filled = 0;
  };
  const feeder = new CsvRowFeeder(job.names, job.types, {
    file: job.displayName,
    format: 'csv',
    sampleSize: job.sampleSize,
    exactPearsonColumns: job.exactPearsonColumns,
    sampleSeed: job.sampleSeed,
    onRowHash: (hash) => {
      batch[filled++] = hash;
      if (filled === HASH_BATCH) flush();
    },
  });
  let rows = 0;
  const result = await scanCsvFile(job.path, {
    displayName: job.displayName,
    range: { start: job.start, end: job.end, header: job.header },
    onHeader: () => undefined,
    onRow: (row) => {
      feeder.feed(row);
      rows++;
    },
    onProgress: (done) => post({ type: 'progress', bytesDone: Math.min(done, job.end) - job.start, rows }),
  });
  flush();
  post({ type: 'done', partial: feeder.builder.toPartial(), lines: result.lines, crossedEnd: result.crossedEnd });
}

run(workerData as RangeJob).catch((error: unknown) => {
  const e = error instanceof Error ? error : new Error(String(error));
  const location = (e as { location?: { line?: number; column?: string } }).location;
  post({ type: 'failed', name: e.name, message: e.message, ...(location ? { location } : {}) });
});
