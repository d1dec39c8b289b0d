/** Messages between the CSV reader (csvReader.ts) and the worker thread that reads a file's second half (csvRangeReader.ts). */
import type { ColumnPart, DecidedKind } from './csvColumns';
import type { DataEncoding } from './textDecoding';

export interface CsvRangeJob {
  readonly path: string;
  readonly display: string;
  /** byte range [start, end) beginning at a row boundary */
  readonly start: number;
  readonly end: number;
  readonly delimiter: number;
  readonly encoding: DataEncoding;
  readonly header: readonly string[];
  /** decided from the file's first rows by the parent */
  readonly kinds: readonly DecidedKind[];
}

export type CsvRangeResult =
  | { readonly ok: true; readonly columns: ColumnPart[]; readonly lines: Int32Array }
  | { readonly ok: false; readonly name: string; readonly message: string; readonly location?: { line?: number; column?: string; value?: string } };
