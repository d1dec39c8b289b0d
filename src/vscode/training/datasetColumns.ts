import { open } from 'node:fs/promises';
import { extname } from 'node:path';

/** Bytes read to find a CSV header: enough for thousands of columns, never the whole file. */
const HEADER_BYTES = 256 * 1024;

/**
 * Column names of a CSV/TSV (its header line) or Parquet file (its footer schema), read without
 * loading the data, so the spec wizard stays instant on large files.
 */
export async function readDatasetColumns(path: string): Promise<string[]> {
  if (extname(path).toLowerCase() === '.parquet') {
    const { asyncBufferFromFile, parquetMetadataAsync, parquetSchema } = await import('hyparquet');
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
    return parquetSchema(metadata).children.map((c) => c.element.name);
  }
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    const end = text.search(/\r?\n/);
    if (end < 0 && bytesRead === HEADER_BYTES) throw new Error(`${path}: no end of the header line in the first ${HEADER_BYTES / 1024} KB`);
    const header = end < 0 ? text : text.slice(0, end);
    if (header.trim() === '') throw new Error(`${path} is empty: a dataset needs a header line with column names`);
    const { default: Papa } = await import('papaparse');
    const delimiter = extname(path).toLowerCase() === '.tsv' ? '\t' : '';
    const parsed = Papa.parse<string[]>(header, { delimiter });
    return (parsed.data[0] ?? []).map((name) => name.trim());
  } finally {
    await handle.close();
  }
}

/** Rows looked at to tell what a target column holds. */
const SAMPLE_ROWS = 2000;

export interface ColumnSample {
  /** every non-empty value read is a number */
  numeric: boolean;
  /** distinct non-empty values among those read */
  distinct: number;
  /** a few of them, to show */
  examples: string[];
}

/**
 * What a column holds, from the first rows (the first 256 KB of a CSV/TSV, the first rows of a
 * Parquet file): enough to tell text labels from numbers before the wizard offers a task.
 */
export async function sampleColumn(path: string, column: string): Promise<ColumnSample> {
  const values = extname(path).toLowerCase() === '.parquet' ? await parquetValues(path, column) : await delimitedValues(path, column);
  const present = values.filter((v) => v !== '');
  const distinct = [...new Set(present)];
  return { numeric: present.length > 0 && present.every((v) => v.trim() !== '' && Number.isFinite(Number(v))), distinct: distinct.length, examples: distinct.slice(0, 3) };
}

async function delimitedValues(path: string, column: string): Promise<string[]> {
  const handle = await open(path, 'r');
  let text: string;
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0);
    text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    // the last line may be cut in the middle
    if (bytesRead === HEADER_BYTES) text = text.slice(0, Math.max(0, text.lastIndexOf('\n')));
  } finally {
    await handle.close();
  }
  const { default: Papa } = await import('papaparse');
  const parsed = Papa.parse<string[]>(text, { delimiter: extname(path).toLowerCase() === '.tsv' ? '\t' : '', skipEmptyLines: true, preview: SAMPLE_ROWS + 1 });
  const [header, ...rows] = parsed.data;
  const index = (header ?? []).map((h) => h.trim()).indexOf(column);
  return index < 0 ? [] : rows.map((r) => (r[index] ?? '').trim());
}

async function parquetValues(path: string, column: string): Promise<string[]> {
  const { asyncBufferFromFile, parquetReadObjects } = await import('hyparquet');
  const rows = await parquetReadObjects({ file: await asyncBufferFromFile(path), columns: [column], rowEnd: SAMPLE_ROWS });
  return rows.map((r) => {
    const v: unknown = (r as Record<string, unknown>)[column];
    return v === null || v === undefined ? '' : typeof v === 'bigint' ? v.toString() : String(v);
  });
}
