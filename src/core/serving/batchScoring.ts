import { createReadStream, createWriteStream, statSync } from 'node:fs';
import Papa from 'papaparse';
import { readTable } from '../data/tableReader';
import type { LoadedModel } from '../modelPackage/modelPackageLoader';
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

async function scoreCsv(model: LoadedModel, input: string, totalBytes: number, write: (text: string) => Promise<void>, options: InProcessScoreOptions): Promise<number> {
  let encoder: ((cells: string[][], line: number) => Float32Array) | undefined;
  let rows = 0;
  let bytes = 0;
  let pending = '';
  const delimiter = /\.tsv$/i.test(input) ? '\t' : ',';
  const scoreLines = async (text: string): Promise<void> => {
    let data = splitCsv(text, delimiter);
    if (!encoder) {
      encoder = recordEncoder(model.preprocessing, (data[0] ?? []).map((h) => h.trim()), input);
      data = data.slice(1);
    }
    if (data.length === 0) return;
    const x = encoder(data, rows + 2);
    await write(formatOutputs(model, model.predictEncoded(x, data.length), data.length));
    rows += data.length;
    options.onProgress?.({ rows, bytes: Math.min(bytes, totalBytes), totalBytes });
  };
  const stream = createReadStream(input, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      options.signal?.throwIfAborted();
      bytes += Buffer.byteLength(chunk);
      const text = pending + chunk;
      const cut = text.lastIndexOf('\n');
      if (cut < 0) {
        pending = text;
        continue;
      }
      const complete = text.slice(0, cut);
      // A newline inside a quoted field: wait for the rest of the record.
      if (complete.includes('"') && (complete.split('"').length - 1) % 2 === 1) {
        pending = text;
        continue;
      }
      pending = text.slice(cut + 1);
      await scoreLines(complete);
    }
    if (pending.trim() !== '') await scoreLines(pending);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EACCES') throw new Error(`${input}: cannot read (${(error as Error).message})`, { cause: error });
    throw error;
  } finally {
    stream.destroy();
  }
  if (!encoder) throw new Error(`${input} is empty: it has no header line`);
  return rows;
}

/** Complete CSV lines → cells: a plain split when there are no quotes (the common, fast case), papaparse otherwise. */
function splitCsv(text: string, delimiter: string): string[][] {
  if (text.includes('"')) return Papa.parse<string[]>(text, { skipEmptyLines: true, delimiter }).data;
  const lines = text.split('\n');
  const out: string[][] = [];
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    out.push(line.split(delimiter));
  }
  return out;
}

/** Encodes CSV rows straight from their string cells (no row objects), like transformRecords. */
function recordEncoder(fitted: FittedPreprocessing, header: readonly string[], file: string): (cells: string[][], firstLine: number) => Float32Array {
  const plan = fitted.features.map((feature) => {
    const index = header.indexOf(feature.name);
    if (index < 0) throw new Error(`${file}: column "${feature.name}" is missing from the header (the model takes ${fitted.features.map((f) => f.name).join(', ')})`);
    return { feature, index, slots: feature.kind === 'categorical' ? new Map(feature.categories.map((c, i) => [c, i])) : undefined };
  });
  const width = fitted.width;
  const native = fitted.encoding === 'native';
  return (cells, firstLine) => {
    const out = new Float32Array(cells.length * width);
    for (let r = 0; r < cells.length; r++) {
      const row = cells[r] as string[];
      let offset = r * width;
      for (const { feature, index, slots } of plan) {
        const cell = row[index] ?? '';
        if (native) {
          out[offset++] = nativeCell(feature, cell, slots, file, firstLine + r);
          continue;
        }
        if (feature.kind === 'numeric') {
          let x = feature.fill;
          if (cell !== '' && cell !== 'NA' && cell !== 'NaN') {
            x = +cell;
            if (!Number.isFinite(x)) throw new Error(`${file}, line ${firstLine + r}, column "${feature.name}": ${JSON.stringify(cell)} is not a number`);
          }
          out[offset] = (x - feature.center) / feature.scale;
          offset += 1;
        } else {
          const category = cell === '' || cell === 'NA' ? feature.fill : cell;
          const slot = category === null ? -1 : (slots?.get(category) ?? -1);
          if (slot < 0 && category !== null && category !== feature.fill && feature.handleUnknown === 'error') {
            throw new Error(`${file}, line ${firstLine + r}, column "${feature.name}": category "${cell}" was not seen in training`);
          }
          if (slot >= 0) out[offset + slot] = 1;
          offset += feature.categories.length;
        }
      }
    }
    return out;
  };
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
