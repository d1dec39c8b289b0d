/**
 * Worker thread entry of the CSV reader: reads the rows of one byte range of a file into typed
 * columns (kinds decided by the parent) and posts them back, buffers transferred. Line numbers
 * count from 1 at the range start; the parent shifts them. Started by csvReader.ts.
 */
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { scanCsvBytes } from '../profile/csvScanner';
import type { CsvRangeJob, CsvRangeResult } from './csvRangeJob';
import { CsvTableReader } from './csvReader';

async function readRange(path: string, start: number, end: number): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(end - start);
  const handle = await open(path, 'r');
  try {
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, start + filled);
      if (bytesRead === 0) throw new Error(`${path} became shorter while it was read`);
      filled += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return bytes;
}

async function run(job: CsvRangeJob): Promise<void> {
  const bytes = await readRange(job.path, job.start, job.end);
  const reader = new CsvTableReader(job.display, job.encoding, undefined, job.kinds);
  reader.onHeader([...job.header], 1);
  scanCsvBytes(bytes, { display: job.display, delimiter: job.delimiter, encodingChecked: true, range: { start: 0, end: Infinity, header: [...job.header] }, onHeader: reader.onHeader, onRow: reader.onRow, raggedRow: reader.raggedRow });
  const part = reader.part();
  const transfer = [part.lines.buffer, ...part.columns.map((c) => (c.kind === 'numeric' ? c.values.buffer : c.codes.buffer))] as ArrayBuffer[];
  const result: CsvRangeResult = { ok: true, columns: part.columns, lines: part.lines };
  parentPort!.postMessage(result, transfer);
}

run(workerData as CsvRangeJob).catch((error: unknown) => {
  const e = error instanceof Error ? error : new Error(String(error));
  const location = (e as { location?: { line?: number; column?: string; value?: string } }).location;
  const result: CsvRangeResult = { ok: false, name: e.name, message: e.message, ...(location ? { location } : {}) };
  parentPort!.postMessage(result);
});
