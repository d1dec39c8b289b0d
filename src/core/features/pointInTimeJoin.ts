/**
 * Point-in-time-correct training sets (Feast's get_historical_features): for each entity row
 * (key, timestamp), each feature's value from the latest feature row of that key whose event
 * time is at or before the timestamp and no older than the view's TTL. A row exactly at the
 * timestamp counts; a row exactly TTL old counts; rows later than the timestamp never leak in.
 */
import { indexHistory, latestAtOrBefore, type FeatureHistory, type FeatureValues, type HistoryIndex } from './featureHistory';

export interface PitViewRequest {
  readonly view: string;
  readonly history: FeatureHistory;
  /** null = no TTL (any age) */
  readonly ttlMs: number | null;
  readonly features: readonly string[];
  /** a prebuilt index of `history` (reused across calls) */
  readonly index?: HistoryIndex;
}

export interface PitColumn {
  /** "view:feature" */
  readonly name: string;
  readonly values: FeatureValues;
}

export interface PitResult {
  readonly columns: PitColumn[];
  /** entity rows with no value within TTL, per view */
  readonly misses: Record<string, number>;
}

export function pointInTimeJoin(entityKeys: readonly (string | number)[], entityTimes: Float64Array, views: readonly PitViewRequest[]): PitResult {
  const n = entityTimes.length;
  if (entityKeys.length !== n) throw new Error(`Point-in-time join: ${entityKeys.length} entity keys but ${n} timestamps`);
  const columns: PitColumn[] = [];
  const misses: Record<string, number> = {};
  for (const request of views) {
    const index = request.index ?? indexHistory(request.history);
    const sources = request.features.map((feature) => {
      const column = request.history.columns.find((c) => c.name === feature);
      if (!column) throw new Error(`Feature view "${request.view}" has no feature "${feature}"; it has: ${request.history.columns.map((c) => c.name).join(', ')}`);
      return column.values;
    });
    const picked = new Int32Array(n);
    const times = request.history.times;
    const ttl = request.ttlMs;
    let missed = 0;
    for (let i = 0; i < n; i++) {
      const at = entityTimes[i]!;
      let row = Number.isNaN(at) ? -1 : latestAtOrBefore(index, entityKeys[i]!, at);
      if (row >= 0 && ttl !== null && at - times[row]! > ttl) row = -1;
      if (row < 0) missed++;
      picked[i] = row;
    }
    misses[request.view] = missed;
    request.features.forEach((feature, f) => {
      const source = sources[f]!;
      if (source instanceof Float64Array) {
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const row = picked[i]!;
          out[i] = row < 0 ? NaN : source[row]!;
        }
        columns.push({ name: `${request.view}:${feature}`, values: out });
      } else {
        const out = new Array<string | null>(n);
        for (let i = 0; i < n; i++) {
          const row = picked[i]!;
          out[i] = row < 0 ? null : (source[row] ?? null);
        }
        columns.push({ name: `${request.view}:${feature}`, values: out });
      }
    });
  }
  return { columns, misses };
}
