import { createWriteStream, statSync } from 'node:fs';
import { DataError } from '../data/dataErrors';
import { readTable } from '../data/tableReader';
import type { LoadedModel } from '../modelPackage/modelPackageLoader';
import { fieldText, scanCsvFile } from '../profile/csvScanner';
import { transformColumns, type FittedPreprocessing } from '../training/preprocessing';

export interface ScoreProgress {
  readonly rows: number;
  readonly bytes: number;
  readonly totalBytes: number;
}

export interface ScoreResult {
  readonly rows: number;
  readonly output: string;
  readonly ms: number;
}

export interface InProcessScoreOptions {
  readonly onProgress?: (progress: ScoreProgress) => void;
  readonly signal?: AbortSignal;
}

/** Default output file: `data/x.csv` → `data/x.predictions.csv`. */
export function predictionsPathFor(input: string): string {
  return input.replace(/(\.[^./\\]+)?$/, '.predictions.csv');
}

/** Header of the predictions file: the predicted target, then one probability per class. */
export function predictionHeader(model: LoadedModel): string[] {
  const out = model.signature.output;
  return out.task === 'regression' ? [`predicted_${out.target}`] : [`predicted_${out.target}`, ...out.classes.map((c) => `probability_${c}`)];
}

/**
 * Scores a CSV (streamed in chunks, never as row objects) or a Parquet file through the model and
 * writes one prediction line per input row, in order. Runs in whatever process calls it; the host
 * runs it in a child process (scoreFile) so a big file never blocks the extension host.
 */
export async function scoreFileInProcess(model: LoadedModel, input: string, output: string, options: InProcessScoreOptions = {}): Promise<ScoreResult> {
  const started = performance.now();
  const totalBytes = statSync(input).size;
  const sink = createWriteStream(output);
  const sinkError = new Promise<never>((_, reject) => sink.on('error', (error) => reject(new Error(`${output}: cannot write predictions (${error.message})`))));
  sinkError.catch(() => undefined);
  const write = async (text: string): Promise<void> => {
    if (!sink.write(text)) await Promise.race([new Promise<void>((resolve) => sink.once('drain', () => resolve())), sinkError]);
  };
  let rows = 0;
  try {
    await write(`${predictionHeader(model).map(csvCell).join(',')}\n`);
    if (/\.(parquet|pq)$/i.test(input)) {
      const table = await readTable(input);
      const columns = model.preprocessing.features.map((f) => {
        const column = table.columns.find((c) => c.name === f.name);
        if (!column) throw new Error(`${input}: column "${f.name}" is missing (the model takes ${model.preprocessing.features.map((x) => x.name).join(', ')})`);
        return column;
      });
      const CHUNK = 65536;
      for (let start = 0; start < table.rowCount; start += CHUNK) {
        options.signal?.throwIfAborted();
        const n = Math.min(CHUNK, table.rowCount - start);
        const index = Int32Array.from({ length: n }, (_, i) => start + i);
        await write(formatOutputs(model, model.predictEncoded(transformColumns(model.preprocessing, columns, index), n), n));
        rows += n;
        options.onProgress?.({ rows, bytes: Math.round((totalBytes * rows) / Math.max(1, table.rowCount)), totalBytes });
      }
    } else {
      rows = await scoreCsv(model, input, totalBytes, write, options);
    }
    await new Promise<void>((resolve, reject) => sink.end((error?: Error | null) => (error ? reject(error) : resolve())));
  } catch (error) {
    sink.destroy();
    throw error;
  }
  return { rows, output, ms: performance.now() - started };
}

/** Rows scored at once: one vectorized pass per batch. */
const SCORE_BATCH = 8192;

/**
 * Streams the CSV through the shared byte scanner (the reader of every command: its quoting,
 * blank-line, encoding and line rules) and builds text only for the model's input columns.
 */
async function scoreCsv(model: LoadedModel, input: string, totalBytes: number, write: (text: string) => Promise<void>, options: InProcessScoreOptions): Promise<number> {
  let encoder: ((cells: readonly string[][], lines: readonly number[]) => Float32Array) | undefined;
  let columns: number[] = [];
  let rows = 0;
  let cells: string[][] = [];
  let lines: number[] = [];
  const ready: string[] = [];
  const scoreBatch = (): void => {
    if (cells.length === 0 || !encoder) return;
    const x = encoder(cells, lines);
    ready.push(formatOutputs(model, model.predictEncoded(x, cells.length), cells.length));
    rows += cells.length;
    cells = [];
    lines = [];
  };
  let header = false;
  let bytesDone = 0;
  await scanCsvFile(input, {
    onHeader: (names) => {
      header = true;
      const plan = recordEncoder(model.preprocessing, names, input);
      encoder = plan.encode;
      columns = plan.columns;
    },
    onRow: (row) => {
      const picked = new Array<string>(columns.length);
      for (let k = 0; k < columns.length; k++) picked[k] = fieldText(row, columns[k] as number);
      cells.push(picked);
      lines.push(row.line);
      if (cells.length === SCORE_BATCH) scoreBatch();
    },
    raggedRow: (line, found, expected) => new Error(`${input}, line ${line}: has ${found} field${found === 1 ? '' : 's'} but the header has ${expected}`),
    onProgress: (done) => {
      bytesDone = done;
    },
    // between reads: write what was scored (with backpressure), report, and stop when cancelled
    afterRead: async () => {
      options.signal?.throwIfAborted();
      for (const text of ready.splice(0)) await write(text);
      options.onProgress?.({ rows, bytes: Math.min(bytesDone, totalBytes), totalBytes });
    },
  }).catch((error: unknown) => {
    if (error instanceof DataError && / is empty: /.test(error.message)) throw new Error(`${input} is empty: it has no header line`);
    throw error;
  });
  if (!header) throw new Error(`${input} is empty: it has no header line`);
  scoreBatch();
  for (const text of ready.splice(0)) await write(text);
  options.onProgress?.({ rows, bytes: totalBytes, totalBytes });
  return rows;
}

/**
 * Encodes CSV rows straight from the text of the model's input columns (no row objects), like
 * transformRecords; `columns` says which fields of a row those are, in the model's order.
 */
function recordEncoder(fitted: FittedPreprocessing, header: readonly string[], file: string): { columns: number[]; encode: (cells: readonly string[][], lines: readonly number[]) => Float32Array } {
  const plan = fitted.features.map((feature, index) => {
    const column = header.indexOf(feature.name);
    if (column < 0) throw new Error(`${file}: column "${feature.name}" is missing from the header (the model takes ${fitted.features.map((f) => f.name).join(', ')})`);
    return { feature, index, column, slots: feature.kind === 'categorical' ? new Map(feature.categories.map((c, i) => [c, i])) : undefined };
  });
  const width = fitted.width;
  const native = fitted.encoding === 'native';
  return { columns: plan.map((p) => p.column), encode: (cells, lines) => {
    const out = new Float32Array(cells.length * width);
    for (let r = 0; r < cells.length; r++) {
      const row = cells[r] as string[];
      let offset = r * width;
      for (const { feature, index, slots } of plan) {
        const cell = row[index] ?? '';
        if (native) {
          out[offset++] = nativeCell(feature, cell, slots, file, lines[r] as number);
          continue;
        }
        if (feature.kind === 'numeric') {
          let x = feature.fill;
          if (cell !== '' && cell !== 'NA' && cell !== 'NaN') {
            x = +cell;
            if (!Number.isFinite(x)) throw new Error(`${file}, line ${lines[r] as number}, column "${feature.name}": ${JSON.stringify(cell)} is not a number`);
          }
          out[offset] = (x - feature.center) / feature.scale;
          offset += 1;
        } else {
          const category = cell === '' || cell === 'NA' ? feature.fill : cell;
          const slot = category === null ? -1 : (slots?.get(category) ?? -1);
          if (slot < 0 && category !== null && category !== feature.fill && feature.handleUnknown === 'error') {
            throw new Error(`${file}, line ${lines[r] as number}, column "${feature.name}": category "${cell}" was not seen in training`);
          }
          if (slot >= 0) out[offset + slot] = 1;
          offset += feature.categories.length;
        }
      }
    }
    return out;
  } };
}

/** A cell in the native encoding of tree models: the number, the category's index, NaN when missing or unseen. */
function nativeCell(feature: FittedPreprocessing['features'][number], cell: string, slots: Map<string, number> | undefined, file: string, line: number): number {
  if (cell === '' || cell === 'NA' || (feature.kind === 'numeric' && cell === 'NaN')) return NaN;
  if (feature.kind === 'numeric') {
    const x = +cell;
    if (!Number.isFinite(x)) throw new Error(`${file}, line ${line}, column "${feature.name}": ${JSON.stringify(cell)} is not a number`);
    return x;
  }
  const slot = slots?.get(cell);
  if (slot === undefined && feature.handleUnknown === 'error') throw new Error(`${file}, line ${line}, column "${feature.name}": category "${cell}" was not seen in training`);
  return slot ?? NaN;
}

function formatOutputs(model: LoadedModel, out: Float32Array, n: number): string {
  const spec = model.signature.output;
  const lines: string[] = new Array<string>(n);
  if (spec.task === 'regression') {
    for (let r = 0; r < n; r++) lines[r] = String(out[r]);
    return `${lines.join('\n')}\n`;
  }
  const k = spec.classes.length;
  const labels = spec.classes.map(csvCell);
  for (let r = 0; r < n; r++) {
    let best = 0;
    let line = '';
    for (let c = 0; c < k; c++) {
      const p = out[r * k + c] as number;
      if (p > (out[r * k + best] as number)) best = c;
      line += `,${p.toPrecision(6)}`;
    }
    lines[r] = (labels[best] as string) + line;
  }
  return `${lines.join('\n')}\n`;
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
