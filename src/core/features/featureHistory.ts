/** Feature values over time for one feature view, column-oriented, and an index by entity key. */

export type FeatureValues = Float64Array | (string | null)[];

export interface FeatureHistory {
  /** the entity key of each row (composite keys joined with \u0001) */
  readonly keys: readonly (string | number)[];
  /** event time of each row, epoch milliseconds */
  readonly times: Float64Array;
  readonly columns: readonly { readonly name: string; readonly values: FeatureValues }[];
}

/** Rows grouped by key (counting sort, stable), each group ordered by event time. */
export interface HistoryIndex {
  readonly bucketOf: Map<string | number, number>;
  /** rows of bucket b are order[start[b] .. start[b+1]) */
  readonly start: Int32Array;
  readonly order: Int32Array;
  /** times[order[i]], for binary search */
  readonly sortedTimes: Float64Array;
}

export function indexHistory(history: FeatureHistory): HistoryIndex {
  const n = history.times.length;
  const bucketOf = new Map<string | number, number>();
  const rowBucket = new Int32Array(n);
  const keys = history.keys;
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    let b = bucketOf.get(key);
    if (b === undefined) {
      b = bucketOf.size;
      bucketOf.set(key, b);
    }
    rowBucket[i] = b;
  }
  const buckets = bucketOf.size;
  const start = new Int32Array(buckets + 1);
  for (let i = 0; i < n; i++) start[rowBucket[i]! + 1]!++;
  for (let b = 0; b < buckets; b++) start[b + 1]! += start[b]!;
  const fill = start.slice(0, buckets);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[rowBucket[i]!]!++] = i;
  const times = history.times;
  const sortedTimes = new Float64Array(n);
  for (let b = 0; b < buckets; b++) {
    const s = start[b]!;
    const e = start[b + 1]!;
    let sorted = true;
    for (let i = s + 1; i < e; i++) {
      if (times[order[i]!]! < times[order[i - 1]!]!) {
        sorted = false;
        break;
      }
    }
    if (!sorted) {
      // late rows: order by event time; equal times keep file order (the later row wins)
      const part = Array.from(order.subarray(s, e)).sort((x, y) => times[x]! - times[y]! || x - y);
      order.set(part, s);
    }
    for (let i = s; i < e; i++) sortedTimes[i] = times[order[i]!]!;
  }
  return { bucketOf, start, order, sortedTimes };
}

/** The row of `key` with the latest event time ≤ `at` (the last such row in file order on ties), or -1. */
export function latestAtOrBefore(index: HistoryIndex, key: string | number, at: number): number {
  const b = index.bucketOf.get(key);
  if (b === undefined) return -1;
  let lo = index.start[b]!;
  let hi = index.start[b + 1]!;
  const first = lo;
  const times = index.sortedTimes;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo === first ? -1 : index.order[lo - 1]!;
}
