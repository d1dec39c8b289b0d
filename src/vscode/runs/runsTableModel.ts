/**
 * The Runs table as plain data: which columns the runs have, a cell's value, sorting, grouping
 * and "does this column vary". No `vscode` import, so unit tests drive it directly.
 */
import type { Run } from '../../core/tracking/trackingTypes';
import {
  ATTRIBUTE_KEYS,
  type AttributeKey,
  type CellValue,
  type ColumnInfo,
  type GroupAggregate,
  type GroupRow,
  type MetricAggregate,
  type SortKey,
} from '../../protocol/runs/runsContract';

export const STARRED_TAG = 'mlops.starred';
export const NOTE_TAG = 'mlflow.note.content';
export const RUN_NAME_TAG = 'mlflow.runName';

const NUMERIC_ATTRIBUTES: ReadonlySet<AttributeKey> = new Set(['start_time', 'duration']);

/** System tags are shown as attributes (name, note, star) or are noise in a comparison table. */
function isUserTag(key: string): boolean {
  return !key.startsWith('mlflow.') && !key.startsWith('mlops.');
}

/** A column id split into its kind and key; undefined for ids that name no column kind. */
export function parseColumnId(id: string): { kind: ColumnInfo['kind']; key: string } | undefined {
  const dot = id.indexOf('.');
  if (dot < 0) return undefined;
  const prefix = id.slice(0, dot);
  const key = id.slice(dot + 1);
  switch (prefix) {
    case 'attributes':
      return (ATTRIBUTE_KEYS as readonly string[]).includes(key) ? { kind: 'attribute', key } : undefined;
    case 'params':
      return { kind: 'param', key };
    case 'metrics':
      return { kind: 'metric', key };
    case 'tags':
      return { kind: 'tag', key };
    default:
      return undefined;
  }
}

/** Reads one column of a run; a cell getter is built once per column so sorting 10k runs stays cheap. */
export type CellGetter = (run: Run) => CellValue;

export function cellGetter(columnId: string, aggregate: MetricAggregate, now: number = Date.now()): CellGetter {
  const parsed = parseColumnId(columnId);
  if (!parsed) return () => null;
  const { kind, key } = parsed;
  switch (kind) {
    case 'param':
      return (run) => run.data.params.find((p) => p.key === key)?.value ?? null;
    case 'tag':
      return (run) => run.data.tags.find((t) => t.key === key)?.value ?? null;
    case 'metric':
      return (run) => {
        const m = run.data.metrics.find((s) => s.key === key);
        if (!m) return null;
        const v = aggregate === 'last' ? m.value : aggregate === 'min' ? m.min : m.max;
        return Number.isFinite(v) ? v : null;
      };
    case 'attribute':
      return attributeGetter(key as AttributeKey, now);
  }
}

function attributeGetter(key: AttributeKey, now: number): CellGetter {
  switch (key) {
    case 'run_name':
      return (run) => run.info.runName || run.info.runId.slice(0, 8);
    case 'status':
      return (run) => run.info.status;
    case 'start_time':
      return (run) => run.info.startTime;
    case 'duration':
      return (run) => (run.info.endTime ?? (run.info.status === 'RUNNING' ? now : run.info.startTime)) - run.info.startTime;
    case 'user_id':
      return (run) => run.info.userId || null;
    case 'run_id':
      return (run) => run.info.runId;
    case 'starred':
      return (run) => (run.data.tags.find((t) => t.key === STARRED_TAG)?.value === 'true' ? 'true' : null);
    case 'note':
      return (run) => run.data.tags.find((t) => t.key === NOTE_TAG)?.value ?? null;
  }
}

/** Every column the runs have: attributes first, then metrics, params and user tags, keys sorted. */
export function discoverColumns(runs: readonly Run[], aggregate: MetricAggregate): ColumnInfo[] {
  const metrics = new Set<string>();
  const params = new Set<string>();
  const tags = new Set<string>();
  for (const run of runs) {
    for (const m of run.data.metrics) metrics.add(m.key);
    for (const p of run.data.params) params.add(p.key);
    for (const t of run.data.tags) if (isUserTag(t.key)) tags.add(t.key);
  }
  const sorted = (s: Set<string>): string[] => [...s].sort((a, b) => a.localeCompare(b));
  const ids = [
    ...ATTRIBUTE_KEYS.map((k) => `attributes.${k}`),
    ...sorted(metrics).map((k) => `metrics.${k}`),
    ...sorted(params).map((k) => `params.${k}`),
    ...sorted(tags).map((k) => `tags.${k}`),
  ];
  const now = Date.now();
  return ids.map((id) => {
    const parsed = parseColumnId(id)!;
    const getter = cellGetter(id, aggregate, now);
    const numeric = parsed.kind === 'metric' || (parsed.kind === 'attribute' && NUMERIC_ATTRIBUTES.has(parsed.key as AttributeKey));
    return { id, kind: parsed.kind, key: parsed.key, numeric, varies: varies(runs, getter) };
  });
}

function varies(runs: readonly Run[], getter: CellGetter): boolean {
  if (runs.length < 2) return false;
  const first = getter(runs[0]!);
  for (let i = 1; i < runs.length; i++) if (getter(runs[i]!) !== first) return true;
  return false;
}

/** Missing values sort last in both directions: they are never the best run. */
export function compareCells(a: CellValue, b: CellValue): number {
  if (a === null) return b === null ? 0 : 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const na = typeof a === 'number' ? a : Number(a);
  const nb = typeof b === 'number' ? b : Number(b);
  // Params are strings in MLflow; "10" after "9" is what a user comparing learning rates expects.
  if (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return String(a).localeCompare(String(b));
}

/** A stable multi-key sort (first key wins); values are read once per run and key. */
export function sortRuns(runs: readonly Run[], sort: readonly SortKey[], aggregate: MetricAggregate): Run[] {
  if (sort.length === 0) return runs.slice();
  const now = Date.now();
  const getters = sort.map((s) => cellGetter(s.columnId, aggregate, now));
  const keyed = runs.map((run, index) => ({ run, index, values: getters.map((g) => g(run)) }));
  keyed.sort((x, y) => {
    for (let k = 0; k < sort.length; k++) {
      const a = x.values[k]!;
      const b = y.values[k]!;
      if (a === null || b === null) {
        if (a !== b) return a === null ? 1 : -1;
        continue;
      }
      const c = compareCells(a, b);
      if (c !== 0) return sort[k]!.descending ? -c : c;
    }
    return x.index - y.index;
  });
  return keyed.map((k) => k.run);
}

/** Runs grouped by one param or tag value, with mean/min/max of every metric per group. */
export function groupRuns(runs: readonly Run[], groupBy: string, metricColumnIds: readonly string[], aggregate: MetricAggregate): GroupRow[] {
  const key = cellGetter(groupBy, aggregate);
  const groups = new Map<string | null, Run[]>();
  for (const run of runs) {
    const raw = key(run);
    const value = raw === null ? null : String(raw);
    let list = groups.get(value);
    if (!list) groups.set(value, (list = []));
    list.push(run);
  }
  const getters = metricColumnIds.map((id) => cellGetter(id, aggregate));
  const rows: GroupRow[] = [];
  for (const [value, members] of groups) {
    const aggregates: Record<string, GroupAggregate> = {};
    metricColumnIds.forEach((id, j) => {
      let sum = 0;
      let n = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const run of members) {
        const v = getters[j]!(run);
        if (typeof v !== 'number') continue;
        sum += v;
        n++;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      aggregates[id] = n === 0 ? { mean: null, min: null, max: null } : { mean: sum / n, min, max };
    });
    rows.push({ value, count: members.length, runIds: members.map((r) => r.info.runId), aggregates });
  }
  return rows.sort((a, b) => compareCells(a.value, b.value));
}

/** Values of the given columns for each run, aligned with `columnIds`. */
export function rowCells(runs: readonly Run[], columnIds: readonly string[], aggregate: MetricAggregate): CellValue[][] {
  const now = Date.now();
  const getters = columnIds.map((id) => cellGetter(id, aggregate, now));
  return runs.map((run) => getters.map((g) => g(run)));
}
