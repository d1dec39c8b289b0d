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
  let failure: unknown;
  let writing: Promise<void> = Promise.resolve();
  const stream = createReadStream(input, { encoding: 'utf8', highWaterMark: 1 << 20 });
  stream.on('data', (chunk) => (bytes += Buffer.byteLength(chunk as string)));
  await new Promise<void>((resolve, reject) => {
    stream.on('error', (error) => reject(new Error(`${input}: cannot read (${error.message})`)));
    Papa.parse<string[]>(stream as unknown as File, {
      skipEmptyLines: true,
      chunk: (result, parser) => {
        try {
          options.signal?.throwIfAborted();
          let data = result.data;
          if (!encoder) {
            const header = data[0] ?? [];
            encoder = recordEncoder(model.preprocessing, header, input);
            data = data.slice(1);
          }
          const x = encoder(data, rows + 2);
          const text = formatOutputs(model, model.predictEncoded(x, data.length), data.length);
          rows += data.length;
          const done = rows;
          writing = writing.then(() => write(text)).then(() => options.onProgress?.({ rows: done, bytes: Math.min(bytes, totalBytes), totalBytes }));
          writing.catch((error: unknown) => {
            failure ??= error;
            parser.abort();
          });
        } catch (error) {
          failure = error;
          parser.abort();
        }
      },
      complete: () => resolve(),
      error: (error: Error) => reject(new Error(`${input}: ${error.message}`)),
    });
  });
  await writing.catch(() => undefined);
  stream.destroy();
  if (failure) throw failure;
  if (!encoder) throw new Error(`${input} is empty: it has no header line`);
  return rows;
}

/** Encodes CSV rows straight from their string cells (no row objects), like transformRecords. */
function recordEncoder(fitted: FittedPreprocessing, header: readonly string[], file: string): (cells: string[][], firstLine: number) => Float32Array {
  const plan = fitted.features.map((feature) => {
    const index = header.indexOf(feature.name);
    if (index < 0) throw new Error(`${file}: column "${feature.name}" is missing from the header (the model takes ${fitted.features.map((f) => f.name).join(', ')})`);
    return { feature, index, slots: feature.kind === 'categorical' ? new Map(feature.categories.map((c, i) => [c, i])) : undefined };
  });
  const width = fitted.width;
  return (cells, firstLine) => {
    const out = new Float32Array(cells.length * width);
    for (let r = 0; r < cells.length; r++) {
      const row = cells[r] as string[];
      let offset = r * width;
      for (const { feature, index, slots } of plan) {
        const cell = row[index] ?? '';
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
