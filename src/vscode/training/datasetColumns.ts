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
