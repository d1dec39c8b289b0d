import { endianness } from 'node:os';

// A series file holds one (run, key) series: fixed 24-byte points (step, value, timestamp as
// little-endian f64), appended in logging order. Fixed-size points need no framing — the store
// records each file's committed length — and read back as one Float64Array without parsing.
export const POINT_BYTES = 24;

if (endianness() !== 'LE') {
  // Float64Array views use the host byte order; every platform VS Code ships on is little-endian.
  throw new Error('MLOps Studio metric series need a little-endian host');
}

export interface MetricPoint {
  readonly step: number;
  readonly value: number;
  readonly timestamp: number;
}

/** Columns of a series, as read from disk. */
export interface SeriesColumns {
  readonly steps: Float64Array;
  readonly values: Float64Array;
  readonly timestamps: Float64Array;
}

export function encodePoints(points: readonly MetricPoint[]): Uint8Array {
  const out = new Float64Array(points.length * 3);
  for (let i = 0, j = 0; i < points.length; i++, j += 3) {
    const p = points[i] as MetricPoint;
    out[j] = p.step;
    out[j + 1] = p.value;
    out[j + 2] = p.timestamp;
  }
  return new Uint8Array(out.buffer);
}

/** `bytes` must start 8-byte aligned (DurableDatabase.readFile guarantees it). */
export function decodeColumns(bytes: Uint8Array): SeriesColumns {
  const count = Math.floor(bytes.byteLength / POINT_BYTES);
  const raw = new Float64Array(bytes.buffer, bytes.byteOffset, count * 3);
  const steps = new Float64Array(count);
  const values = new Float64Array(count);
  const timestamps = new Float64Array(count);
  for (let i = 0, j = 0; i < count; i++, j += 3) {
    steps[i] = raw[j] as number;
    values[i] = raw[j + 1] as number;
    timestamps[i] = raw[j + 2] as number;
  }
  return { steps, values, timestamps };
}

/** The points at `indices` of a series file's (step, value, timestamp) triples, as columns. */
export function pickTriples(raw: Float64Array, indices: readonly number[]): SeriesColumns {
  const steps = new Float64Array(indices.length);
  const values = new Float64Array(indices.length);
  const timestamps = new Float64Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = (indices[i] as number) * 3;
    steps[i] = raw[j] as number;
    values[i] = raw[j + 1] as number;
    timestamps[i] = raw[j + 2] as number;
  }
  return { steps, values, timestamps };
}

/** The points with minStep <= step <= maxStep. */
export function sliceSteps(c: SeriesColumns, minStep: number, maxStep: number): SeriesColumns {
  const keep: number[] = [];
  for (let i = 0; i < c.steps.length; i++) {
    const step = c.steps[i] as number;
    if (step >= minStep && step <= maxStep) keep.push(i);
  }
  return pick(c, keep);
}

/** The points at `indices`, in that order. */
export function pick(c: SeriesColumns, indices: readonly number[]): SeriesColumns {
  const steps = new Float64Array(indices.length);
  const values = new Float64Array(indices.length);
  const timestamps = new Float64Array(indices.length);
  indices.forEach((idx, i) => {
    steps[i] = c.steps[idx] as number;
    values[i] = c.values[idx] as number;
    timestamps[i] = c.timestamps[idx] as number;
  });
  return { steps, values, timestamps };
}
