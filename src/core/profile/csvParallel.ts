/**
 * Parallel CSV profiling: the file is cut into byte ranges at row boundaries, each range is
 * profiled in a worker thread, and the partial profiles are merged in file order (see
 * ProfileBuilder.mergePartial for what merges exactly). Row hashes stream to this thread so
 * duplicates are counted over the whole file in one table.
 *
 * Splits: a quote-parity pass finds, near each cut, the first line feed outside quotes (RFC 4180
 * quoting keeps "" escapes in pairs). A stray quote inside an unquoted field can fool parity, so
 * each range checks that a row really ends at its end; if one does not, the caller falls back
 * to a single pass.
 */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DataError } from '../data/dataErrors';
import { copyRow } from './csvRowFeeder';
import type { RangeJob, RangeMessage } from './csvRangeProtocol';
import { fieldText, scanCsvFile, ScanCancelledError, type ScannedRow } from './csvScanner';
import { ProfileBuilder, type ProfilePartial } from './profileBuilder';
import type { DataProfile, ProfileColumnType, ProfileOptions } from './profileTypes';
import { inferColumnType, PROFILE_INFERENCE_ROWS } from './typeInference';

const QUOTE = 34;
const LF = 10;

type RangeOutcome =
  | { ok: true; partial: ProfilePartial; lines: number; crossedEnd: boolean }
  | { ok: false; name: string; message: string; location?: { line?: number; column?: string } };

/** The profile, or undefined when the file could not be split safely (profile it in one pass). */
export async function profileCsvInParallel(path: string, options: ProfileOptions, workers: number): Promise<DataProfile | undefined> {
  const started = Date.now();
  const display = options.displayName ?? path;

  // The first rows decide the column types, as in a single pass.
  let header: string[] = [];
  const pending: ScannedRow[] = [];
  const head = await scanCsvFile(path, {
    displayName: display,
    signal: options.signal,
    onHeader: (h) => (header = h),
    onRow: (row) => {
      pending.push(copyRow(row));
      return pending.length < PROFILE_INFERENCE_ROWS;
    },
  });
  const names = header.map((h, i) => h || `column_${i + 1}`);
  const types: ProfileColumnType[] = names.map((_, col) => inferColumnType(pending.map((row) => fieldText(row, col))));
  const total = head.bytes;
  const bounds = await findSplits(path, total, workers);
  if (options.signal?.aborted) throw new ScanCancelledError(display);

  const merger = new ProfileBuilder(names, types, {
    file: display,
    format: 'csv',
    target: options.target,
    sampleSize: options.sampleSize,
    exactPearsonColumns: options.exactPearsonColumns,
    expectedRows: estimateRows(pending, total),
    cellText: () => '',
  });
  const bytesDone = new Array<number>(workers).fill(0);
  const rowsDone = new Array<number>(workers).fill(0);
  const running: Worker[] = [];
  const outcomes: Promise<RangeOutcome>[] = [];
  for (let i = 0; i < workers; i++) {
    const job: RangeJob = {
      path,
      displayName: display,
      start: bounds[i]!,
      end: bounds[i + 1]!,
      ...(i > 0 ? { header } : {}),
      names,
      types,
      sampleSize: options.sampleSize,
      exactPearsonColumns: options.exactPearsonColumns,
      // range 0 draws like a single pass; the others need their own streams
      ...(i > 0 ? { sampleSeed: (0x9e3779b9 + i * 0x6d2b79f5) >>> 0 || 1 } : {}),
    };
    const worker = startRangeWorker(job);
    running.push(worker);
    outcomes.push(
      new Promise<RangeOutcome>((resolve) => {
        worker.on('message', (message: RangeMessage) => {
          if (message.type === 'hashes') merger.addRowHashes(message.hashes);
          else if (message.type === 'progress') {
            bytesDone[i] = message.bytesDone;
            rowsDone[i] = message.rows;
            options.onProgress?.({ bytesDone: sum(bytesDone), bytesTotal: total, rows: sum(rowsDone) });
          } else if (message.type === 'done') resolve({ ok: true, partial: message.partial, lines: message.lines, crossedEnd: message.crossedEnd });
          else resolve({ ok: false, name: message.name, message: message.message, ...(message.location ? { location: message.location } : {}) });
        });
        worker.on('error', (error) => resolve({ ok: false, name: 'Error', message: `Profiling ${display} failed in a worker thread: ${error.message}` }));
        worker.on('exit', (code) => resolve({ ok: false, name: 'Error', message: `Profiling ${display}: a worker thread exited (code ${code}) before finishing` }));
      }),
    );
  }

  let onAbort: (() => void) | undefined;
  const cancelled = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ScanCancelledError(display));
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  cancelled.catch(() => undefined);
  try {
    // In file order: an error in a range counts only once every earlier range ended cleanly at
    // its split (the earlier error wins, as in a single pass; a bad split explains later ones).
    let lineOffset = 0;
    for (let i = 0; i < workers; i++) {
      const outcome = await Promise.race([outcomes[i]!, cancelled]);
      if (!outcome.ok) throw rangeError(outcome, lineOffset, display);
      if (outcome.crossedEnd) return undefined;
      merger.mergePartial(outcome.partial, lineOffset);
      lineOffset += outcome.lines - 1;
    }
  } finally {
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    await Promise.all(running.map((w) => w.terminate()));
  }
  options.onProgress?.({ bytesDone: total, bytesTotal: total, rows: merger.rowCount });
  return merger.finish({ bytes: total, elapsedMs: Date.now() - started });
}

/** Rows in a file of `total` bytes with rows as long as the first ones. */
export function estimateRows(first: readonly ScannedRow[], total: number): number {
  let bytes = 0;
  for (const row of first) bytes += row.rowEnd - row.rowStart;
  return first.length === 0 ? 0 : Math.ceil((total / Math.max(1, bytes)) * first.length);
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** A range's failure as the error a single pass would throw: line numbers counted from the file's start. */
function rangeError(outcome: Extract<RangeOutcome, { ok: false }>, lineOffset: number, display: string): Error {
  if (outcome.name !== 'DataError') return new Error(outcome.message);
  const location = outcome.location;
  if (!location || location.line === undefined || lineOffset === 0) return new DataError(outcome.message, display, location);
  const line = location.line + lineOffset;
  const message = outcome.message.replace(`${display} line ${location.line}`, `${display} line ${line}`);
  return new DataError(message, display, { ...location, line });
}

/** Worker threads run the bundled script beside this bundle, or the TypeScript source through tsx in development. */
function startRangeWorker(job: RangeJob): Worker {
  const bundled = join(__dirname, 'csvRangeWorker.js');
  if (existsSync(bundled)) return new Worker(bundled, { workerData: job });
  const source = join(__dirname, 'csvRangeWorker.ts');
  const tsx = require.resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)});`, { eval: true, workerData: job });
}

/**
 * Byte offsets [0, s1, …, total] cutting the file into `parts` ranges: each cut is just after
 * the first line feed outside quotes at or after an even share of the file (ranges may be empty).
 */
export async function findSplits(path: string, total: number, parts: number): Promise<number[]> {
  const targets = Array.from({ length: parts - 1 }, (_, i) => Math.floor(((i + 1) * total) / parts));
  const splits: number[] = [];
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let offset = 0;
    let inQuotes = false;
    while (splits.length < targets.length && offset < total) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      let p = 0;
      while (p < bytesRead && splits.length < targets.length) {
        const found = chunk.indexOf(QUOTE, p);
        const q = found < 0 ? bytesRead : found;
        if (!inQuotes) {
          // outside quotes over [p, q): a line feed at or after the next target is a cut
          let from = Math.max(p, targets[splits.length]! - offset);
          while (from < q) {
            const lf = chunk.indexOf(LF, from);
            if (lf < 0 || lf >= q) break;
            splits.push(offset + lf + 1);
            if (splits.length === targets.length) break;
            from = Math.max(lf + 1, targets[splits.length]! - offset);
          }
        }
        if (found < 0) break;
        inQuotes = !inQuotes;
        p = q + 1;
      }
      offset += bytesRead;
    }
  } finally {
    await handle.close();
  }
  while (splits.length < targets.length) splits.push(total);
  return [0, ...splits, total];
}
