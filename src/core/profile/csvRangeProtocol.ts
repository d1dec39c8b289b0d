/** Messages between parallel CSV profiling (csvParallel.ts) and its range workers (csvRangeWorker.ts). */
import type { ProfilePartial } from './profileBuilder';
import type { ProfileColumnType } from './profileTypes';

export interface RangeJob {
  path: string;
  displayName: string;
  /** byte range [start, end) beginning at a row boundary */
  start: number;
  end: number;
  /** the header's fields, for ranges after the first (the first reads the header itself) */
  header?: string[];
  names: string[];
  types: ProfileColumnType[];
  sampleSize?: number;
  exactPearsonColumns?: number;
  sampleSeed?: number;
}

export type RangeMessage =
  | { type: 'progress'; bytesDone: number; rows: number }
  | { type: 'hashes'; hashes: Float64Array }
  | { type: 'done'; partial: ProfilePartial; lines: number; crossedEnd: boolean }
  | { type: 'failed'; name: string; message: string; location?: { line?: number; column?: string } };
