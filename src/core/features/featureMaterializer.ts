/** Computes each feature view from its source (row expressions, windowed aggregations) and writes the offline and online stores. */
import { DataError, describeLocation, quoteValue } from '../data/dataErrors';
import type { DataColumn, DataTable } from '../data/dataTable';
import { readTable } from '../data/tableReader';
import { indexHistory, type FeatureValues } from './featureHistory';
import type { FeatureDef, FeatureRepo, FeatureType, FeatureViewDef } from './featureSpec';
import { writeFeatureView, type FeatureViewMeta, type OnlineEntry, type StoredHistory } from './featureStoreFiles';
import { evaluateExpression, expressionColumns, type ExprValue } from './rowExpression';

export const KEY_SEPARATOR = '\u0001';

export interface MaterializeProgress {
  view: string;
  index: number;
  total: number;
}

function column(table: DataTable, name: string, what: string): DataColumn {
  const c = table.columns.find((col) => col.name === name);
  if (!c) throw new DataError(`${table.file} has no column "${name}" (${what}); its columns are: ${table.columns.map((x) => x.name).join(', ')}`, table.file, { column: name });
  return c;
}

function cellValue(c: DataColumn, row: number): ExprValue {
  if (c.kind === 'numeric') {
    const v = c.values[row]!;
    return Number.isNaN(v) ? null : v;
  }
  const code = c.codes[row]!;
  return code < 0 ? null : (c.categories[code] ?? null);
}

/** Event times in epoch ms: ISO text, or numbers (epoch seconds below 1e11, else milliseconds). */
function eventTimes(table: DataTable, name: string): Float64Array {
  const c = column(table, name, 'the event-time column');
  const out = new Float64Array(table.rowCount);
  if (c.kind === 'numeric') {
    for (let i = 0; i < out.length; i++) {
      const v = c.values[i]!;
      out[i] = Math.abs(v) < 1e11 ? v * 1000 : v;
    }
    return out;
  }
  const parsed = c.categories.map((text) => Date.parse(text));
  for (let i = 0; i < out.length; i++) {
    const code = c.codes[i]!;
    const t = code < 0 ? NaN : parsed[code]!;
    if (code >= 0 && Number.isNaN(t)) {
      const where = table.locate(i);
      throw new DataError(`${describeLocation(table.file, { ...where, column: name })}: ${quoteValue(c.categories[code] as string)} is not a date-time (ISO 8601 such as 2024-05-01T12:00:00Z, or epoch milliseconds)`, table.file, { ...where, column: name, value: c.categories[code] });
    }
    out[i] = t;
  }
  return out;
}

function cast(value: ExprValue, type: FeatureType): number | string | null {
  if (value === null) return null;
  if (type === 'string') return String(value);
  if (type === 'boolean') return value === true || value === 1 || value === 'true' ? 1 : value === false || value === 0 || value === 'false' ? 0 : null;
  const n = typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : Number(value);
  if (!Number.isFinite(n)) return null;
  return type === 'integer' ? Math.round(n) : n;
}

/** Windowed aggregate per entity over (t − window, t] (rows at the same instant as t included). */
function aggregate(feature: FeatureDef, table: DataTable, keys: readonly string[], times: Float64Array): Float64Array {
  const spec = feature.aggregate!;
  const source = spec.column ? column(table, spec.column, `aggregated by feature "${feature.name}"`) : undefined;
  if (source && source.kind !== 'numeric' && spec.fn !== 'count') throw new DataError(`${table.file}: column "${spec.column}" is not numeric, so ${spec.fn} of it (feature "${feature.name}") is undefined`, table.file, { column: spec.column });
  const values = source?.kind === 'numeric' ? source.values : undefined;
  const out = new Float64Array(keys.length).fill(NaN);
  const index = indexHistory({ keys, times, columns: [] });
  const { start, order, sortedTimes } = index;
  for (let b = 0; b + 1 < start.length; b++) {
    const s = start[b]!;
    const e = start[b + 1]!;
    let left = s;
    let right = s; // exclusive
    let sum = 0;
    let count = 0;
    for (let i = s; i < e; i++) {
      const t = sortedTimes[i]!;
      while (right < e && sortedTimes[right]! <= t) {
        const v = values ? values[order[right]!]! : source ? (cellValue(source, order[right]!) === null ? NaN : 1) : 1;
        if (!Number.isNaN(v)) {
          sum += v;
          count++;
        }
        right++;
      }
      while (left < right && sortedTimes[left]! <= t - spec.windowMs) {
        const v = values ? values[order[left]!]! : source ? (cellValue(source, order[left]!) === null ? NaN : 1) : 1;
        if (!Number.isNaN(v)) {
          sum -= v;
          count--;
        }
        left++;
      }
      let result: number;
      if (spec.fn === 'count') result = count;
      else if (spec.fn === 'sum') result = sum;
      else if (spec.fn === 'mean') result = count > 0 ? sum / count : NaN;
      else {
        result = NaN;
        for (let k = left; k < right; k++) {
          const v = values![order[k]!]!;
          if (Number.isNaN(v)) continue;
          if (Number.isNaN(result) || (spec.fn === 'min' ? v < result : v > result)) result = v;
        }
      }
      out[order[i]!] = result;
    }
  }
  return out;
}

export async function materializeView(view: FeatureViewDef, storeDir: string): Promise<FeatureViewMeta> {
  const table = await readTable(view.source.path);
  const times = eventTimes(table, view.source.timestamp);
  const keyColumns = view.joinKeys.map((k) => column(table, k, `join key of feature view "${view.name}"`));
  for (const f of view.features) {
    if (f.expr) for (const name of expressionColumns(f.expr)) column(table, name, `used by feature "${view.name}:${f.name}"`);
  }
  // rows with a missing key or event time cannot be joined: left out and counted
  const rows: number[] = [];
  const keys: string[] = [];
  for (let i = 0; i < table.rowCount; i++) {
    if (Number.isNaN(times[i]!)) continue;
    const parts = keyColumns.map((c) => cellValue(c, i));
    if (parts.some((p) => p === null)) continue;
    rows.push(i);
    keys.push(parts.map(String).join(KEY_SEPARATOR));
  }
  const keptTimes = Float64Array.from(rows, (i) => times[i]!);
  const columns: { name: string; values: FeatureValues }[] = [];
  const types: Record<string, FeatureType> = {};
  for (const f of view.features) {
    types[f.name] = f.type;
    if (f.aggregate) {
      const all = aggregate(f, table, keys.length === table.rowCount ? keys : expand(keys, rows, table.rowCount), keys.length === table.rowCount ? keptTimes : expandTimes(keptTimes, rows, table.rowCount));
      columns.push({ name: f.name, values: Float64Array.from(rows, (i) => all[i]!) });
      continue;
    }
    const expr = f.expr!;
    if (f.type === 'string') {
      columns.push({ name: f.name, values: rows.map((i) => cast(evaluateExpression(expr, (name) => cellValue(column(table, name, ''), i)), 'string') as string | null) });
    } else {
      const lookup = new Map(table.columns.map((c) => [c.name, c]));
      columns.push({ name: f.name, values: Float64Array.from(rows, (i) => (cast(evaluateExpression(expr, (name) => cellValue(lookup.get(name)!, i)), f.type) as number | null) ?? NaN) });
    }
  }
  const history: StoredHistory = { keys, times: keptTimes, columns, types };
  const index = indexHistory(history);
  const online: Record<string, OnlineEntry> = {};
  let latest = -Infinity;
  for (const [key, b] of index.bucketOf) {
    const row = index.order[index.start[b + 1]! - 1]!;
    const values: Record<string, number | string | null> = {};
    for (const c of columns) {
      const v = c.values[row];
      values[c.name] = v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v;
    }
    online[String(key)] = { eventTime: new Date(keptTimes[row]!).toISOString(), values };
    if (keptTimes[row]! > latest) latest = keptTimes[row]!;
  }
  const meta: FeatureViewMeta = {
    view: view.name,
    materializedAt: new Date().toISOString(),
    rows: keys.length,
    entities: index.bucketOf.size,
    latestEventTime: Number.isFinite(latest) ? new Date(latest).toISOString() : null,
    sourcePath: view.source.path,
    sourceDigest: table.digest,
    features: view.features.map((f) => ({ name: f.name, type: f.type })),
    skippedRows: table.rowCount - keys.length,
  };
  await writeFeatureView(storeDir, meta, history, online);
  return meta;
}

// Aggregation runs over table rows; skipped rows get a key nobody else has so they never join a window.
function expand(keys: readonly string[], rows: readonly number[], n: number): string[] {
  const out = Array.from({ length: n }, (_, i) => `${KEY_SEPARATOR}skipped${i}`);
  rows.forEach((row, k) => (out[row] = keys[k]!));
  return out;
}
function expandTimes(times: Float64Array, rows: readonly number[], n: number): Float64Array {
  const out = new Float64Array(n);
  rows.forEach((row, k) => (out[row] = times[k]!));
  return out;
}

export async function materializeRepo(repo: FeatureRepo, storeDir: string, options: { views?: readonly string[]; onProgress?: (p: MaterializeProgress) => void } = {}): Promise<FeatureViewMeta[]> {
  const chosen = options.views && options.views.length > 0 ? options.views.map((name) => {
    const view = repo.views.find((v) => v.name === name);
    if (!view) throw new Error(`${repo.file} has no feature view "${name}"; it has: ${repo.views.map((v) => v.name).join(', ')}`);
    return view;
  }) : repo.views;
  const out: FeatureViewMeta[] = [];
  for (const [index, view] of chosen.entries()) {
    options.onProgress?.({ view: view.name, index, total: chosen.length });
    out.push(await materializeView(view, storeDir));
  }
  return out;
}
