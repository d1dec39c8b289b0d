/**
 * The Runs table as plain data: which columns the runs have, a cell's value, sorting, grouping
 * and "does this column vary". No `vscode` import, so unit tests drive it directly.
 */
import { NOTE_TAG, STARRED_TAG } from '../runAnnotations';
import type { Run } from '../trackingTypes';
import {
  ATTRIBUTE_KEYS,
  type AttributeKey,
  type CellValue,
  type ColumnInfo,
  type GroupAggregate,
  type GroupRow,
  type MetricAggregate,
  type RunsObjective,
  type SortKey,
} from '../../../protocol/runs/runsContract';
import { objectiveOf, objectivesOf } from './runsObjective';


/** What core/training/tuningRunner.ts tags a study's own run with. */
const STUDY_TAG = { key: 'mlops.kind', value: 'study' } as const;

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

interface RunIndex {
  params: Map<string, string>;
  tags: Map<string, string>;
  metrics: Map<string, Run['data']['metrics'][number]>;
}

/**
 * Key → value maps per run, built once per Run object (the store hands out the same immutable
 * objects until a run changes). Without them every cell is a linear search: 10,000 runs × 200
 * columns × ~100 keys per lookup took a second per query.
 */
const indexes = new WeakMap<Run, RunIndex>();

function indexOf(run: Run): RunIndex {
  let index = indexes.get(run);
  if (!index) {
    index = {
      params: new Map(run.data.params.map((p) => [p.key, p.value])),
      tags: new Map(run.data.tags.map((t) => [t.key, t.value])),
      metrics: new Map(run.data.metrics.map((m) => [m.key, m])),
    };
    indexes.set(run, index);
  }
  return index;
}

/** Reads one column of a run; a cell getter is built once per column so sorting 10k runs stays cheap. */
export type CellGetter = (run: Run) => CellValue;

/**
 * `scan` reads one key of many runs (sorting, grouping, a chart column): a linear search of the
 * run's ~100 entries beats building a map per run. `index` reads many keys of few runs (a page
 * of the table): the per-run maps pay off.
 */
export function cellGetter(columnId: string, aggregate: MetricAggregate, now: number = Date.now(), lookup: 'scan' | 'index' = 'scan'): CellGetter {
  const parsed = parseColumnId(columnId);
  if (!parsed) return () => null;
  const { kind, key } = parsed;
  const indexed = lookup === 'index';
  switch (kind) {
    case 'param':
      return indexed ? (run) => indexOf(run).params.get(key) ?? null : (run) => run.data.params.find((p) => p.key === key)?.value ?? null;
    case 'tag':
      return indexed ? (run) => indexOf(run).tags.get(key) ?? null : (run) => run.data.tags.find((t) => t.key === key)?.value ?? null;
    case 'metric':
      return (run) => {
        const m = indexed ? indexOf(run).metrics.get(key) : run.data.metrics.find((x) => x.key === key);
        if (!m) return null;
        const v = aggregate === 'last' ? m.value : aggregate === 'min' ? m.min : m.max;
        return Number.isFinite(v) ? v : null;
      };
    case 'attribute':
      return attributeGetter(key as AttributeKey, now, indexed);
  }
}

function attributeGetter(key: AttributeKey, now: number, indexed: boolean): CellGetter {
  const tag = (run: Run, name: string): string | undefined => (indexed ? indexOf(run).tags.get(name) : run.data.tags.find((t) => t.key === name)?.value);
  switch (key) {
    case 'run_name':
      return (run) => run.info.runName || run.info.runId.slice(0, 8);
    case 'status':
      // A trial the tuner's pruner stopped is KILLED in MLflow's terms; a person reads "pruned".
      return (run) => (run.info.status === 'KILLED' && tag(run, 'mlops.tune.pruned') !== undefined ? 'PRUNED' : run.info.status);
    case 'start_time':
      return (run) => run.info.startTime;
    case 'duration':
      return (run) => (run.info.endTime ?? (run.info.status === 'RUNNING' ? now : run.info.startTime)) - run.info.startTime;
    case 'user_id':
      return (run) => run.info.userId || null;
    case 'run_id':
      return (run) => run.info.runId;
    case 'starred':
      return (run) => (tag(run, STARRED_TAG) === 'true' ? 'true' : null);
    case 'note':
      return (run) => tag(run, NOTE_TAG) ?? null;
  }
}

/** No value compared yet: the key was seen only on runs whose values are not compared. */
const UNSEEN = Symbol('unseen');

interface KeyStats {
  first: CellValue | typeof UNSEEN;
  varies: boolean;
  count: number;
}

/**
 * Per-key counts and "does it vary" over many runs. Runs logged by the same script list their
 * keys in the same order, so the key seen at the same position in the previous run is tried
 * first: one string comparison instead of a map lookup for nearly every entry.
 */
class KeyTally {
  readonly stats = new Map<string, KeyStats>();
  private readonly lastKeys: string[] = [];
  private readonly lastStats: KeyStats[] = [];

  see(position: number, key: string, value: CellValue): void {
    let s: KeyStats | undefined;
    if (this.lastKeys[position] === key) s = this.lastStats[position]!;
    else {
      s = this.stats.get(key);
      if (!s) {
        this.stats.set(key, { first: value, varies: false, count: 1 });
        return;
      }
      this.lastKeys[position] = key;
      this.lastStats[position] = s;
    }
    s.count++;
    if (s.first === UNSEEN) s.first = value;
    else if (!s.varies && s.first !== value) s.varies = true;
  }

  /** A key of a run whose values are not compared with the others': it only counts as present. */
  seePresent(key: string): void {
    const s = this.stats.get(key);
    if (s) s.count++;
    else this.stats.set(key, { first: UNSEEN, varies: false, count: 1 });
  }
}

/** The columns of a set of runs, and the objective they record (see `discoverTable`). */
export interface TableShape {
  columns: ColumnInfo[];
  objective?: RunsObjective;
  objectives?: RunsObjective[];
}

/**
 * Every column the runs have (attributes first, then metrics, params and user tags, keys sorted)
 * and whether its value differs between runs, in one pass over the runs' entries: 10,000 runs ×
 * 200 keys is two million entries, so no per-cell lookups and no string building per entry.
 * The objective comes from the same pass (a tag's or param's first value), at no extra cost.
 */
export function discoverTable(runs: readonly Run[], aggregate: MetricAggregate): TableShape {
  const metrics = new KeyTally();
  const params = new KeyTally();
  const tags = new KeyTally();
  for (const run of runs) {
    const t = run.data.tags;
    let study = false;
    for (let i = 0; i < t.length; i++) {
      const tag = t[i]!;
      tags.see(i, tag.key, tag.value);
      if (tag.key === STUDY_TAG.key && tag.value === STUDY_TAG.value) study = true;
    }
    const m = run.data.metrics;
    for (let i = 0; i < m.length; i++) {
      const e = m[i]!;
      const v = aggregate === 'last' ? e.value : aggregate === 'min' ? e.min : e.max;
      metrics.see(i, e.key, Number.isFinite(v) ? v : null);
    }
    const p = run.data.params;
    // A study's own run holds the search's settings (its `seed`, `trials`): not values its trials differ in.
    if (study) for (let i = 0; i < p.length; i++) params.seePresent(p[i]!.key);
    else for (let i = 0; i < p.length; i++) params.see(i, p[i]!.key, p[i]!.value);
  }
  const now = Date.now();
  const columns: ColumnInfo[] = ATTRIBUTE_KEYS.map((key) => {
    const id = `attributes.${key}`;
    const differs = varies(runs, cellGetter(id, aggregate, now));
    return { id, kind: 'attribute', key, numeric: NUMERIC_ATTRIBUTES.has(key), varies: differs, valuesDiffer: differs, present: runs.length };
  });
  const add = (kind: ColumnInfo['kind'], prefix: string, tally: KeyTally): void => {
    const stats = tally.stats;
    for (const key of [...stats.keys()].filter((k) => kind !== 'tag' || isUserTag(k)).sort((a, b) => a.localeCompare(b))) {
      const s = stats.get(key)!;
      // A key some runs lack differs between runs (missing vs present).
      columns.push({ id: `${prefix}.${key}`, kind, key, numeric: kind === 'metric', varies: s.varies || (s.count < runs.length && runs.length > 1), valuesDiffer: s.varies, present: s.count });
    }
  };
  add('metric', 'metrics', metrics);
  add('param', 'params', params);
  add('tag', 'tags', tags);
  const first = (tally: KeyTally, key: string): string | undefined => {
    const value = tally.stats.get(key)?.first;
    return typeof value === 'string' ? value : undefined;
  };
  const objective = objectiveOf(first(tags, 'mlops.tune.objective'), first(params, 'early_stopping'), (key) => metrics.stats.has(key));
  const objectives = objectivesOf(first(tags, 'mlops.tune.objectives'), (key) => metrics.stats.has(key));
  return { columns, ...(objective ? { objective } : {}), ...(objectives ? { objectives } : {}) };
}

/** Every column the runs have; see `discoverTable`. */
export function discoverColumns(runs: readonly Run[], aggregate: MetricAggregate): ColumnInfo[] {
  return discoverTable(runs, aggregate).columns;
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
  const lookup = columnIds.length > 8 ? 'index' : 'scan';
  const getters = columnIds.map((id) => cellGetter(id, aggregate, now, lookup));
  return runs.map((run) => getters.map((g) => g(run)));
}
