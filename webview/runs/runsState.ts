/** What the Runs view remembers (vscode.setState) and the column-layout rules. Pure. */
import { DEFAULT_RUNS_QUERY, type ColumnInfo, type ColumnLayout, type MetricAggregate, type RunsObjective, type SortKey } from '../../src/protocol/runs/runsContract';
import { defaultColumnOrder, isConfusionMetric, isPerClassMetric } from './columnOrder';
import type { XAxisMode } from './curveSeries';

/** Runs overlaid in one chart at most; a larger selection compares its first runs. */
export const MAX_CHART_RUNS = 100;

export type RunsTab = 'table' | 'curves' | 'parallel' | 'scatter' | 'sideBySide';

export interface RunsScopeState {
  title: string;
  experimentIds: string[];
  compareRunIds: string[];
}

export interface Restriction {
  label: string;
  runIds: string[];
}

export interface RunsViewState {
  scope?: RunsScopeState;
  filter: string;
  sort: SortKey[];
  aggregate: MetricAggregate;
  groupBy?: string;
  onlyDiff: boolean;
  layout: ColumnLayout;
  selected: string[];
  tab: RunsTab;
  restriction?: Restriction;
  curves: { xAxis: XAxisMode; smoothing: number; logScale: boolean; keys: string[] };
  parallelColumns?: string[];
  scatter: { x?: string; y?: string };
  detailsRunId?: string;
  /** the run-details drawer's width in px, once the user dragged it */
  detailsWidth?: number;
}

/** Hidden until asked for: long and rarely compared. */
const HIDDEN_BY_DEFAULT = ['attributes.run_id', 'attributes.user_id'];

export function defaultState(): RunsViewState {
  return {
    filter: DEFAULT_RUNS_QUERY.filter,
    sort: [...DEFAULT_RUNS_QUERY.sort],
    aggregate: DEFAULT_RUNS_QUERY.aggregate,
    onlyDiff: false,
    layout: { order: [], hidden: [...HIDDEN_BY_DEFAULT], pinned: ['attributes.run_name'], widths: {} },
    selected: [],
    tab: 'table',
    curves: { xAxis: 'step', smoothing: 0, logScale: false, keys: [] },
    scatter: {},
  };
}

/**
 * The columns to show, in display order: the user's order first, the others (all of them in a new
 * table, a new metric later) in the default order (columnOrder.ts: objective, test metrics, params
 * that differ, …); hidden ones and, with "only differences", constant ones left out. The run name
 * always stays: rows need a label.
 */
export function visibleColumns(columns: readonly ColumnInfo[], layout: ColumnLayout, onlyDiff: boolean, objective?: RunsObjective, objectives?: readonly RunsObjective[]): ColumnInfo[] {
  const byId = new Map(columns.map((c) => [c.id, c]));
  const seen = new Set<string>();
  const ordered: ColumnInfo[] = [];
  for (const id of layout.order) {
    const c = byId.get(id);
    if (c && !seen.has(id)) {
      ordered.push(c);
      seen.add(id);
    }
  }
  for (const c of defaultColumnOrder(columns, objective, objectives)) if (!seen.has(c.id)) ordered.push(c);
  const hidden = new Set(layout.hidden);
  return ordered.filter((c) => c.id === 'attributes.run_name' || (!hidden.has(c.id) && (!onlyDiff || c.varies || c.kind === 'attribute')));
}

/** Moves `id` before `beforeId` in the full order (columns not yet in the order are added). */
export function reorderColumns(layout: ColumnLayout, all: readonly ColumnInfo[], id: string, beforeId: string, objective?: RunsObjective, objectives?: readonly RunsObjective[]): ColumnLayout {
  const order = visibleColumns(all, { ...layout, hidden: [] }, false, objective, objectives).map((c) => c.id);
  const from = order.indexOf(id);
  if (from < 0) return layout;
  order.splice(from, 1);
  const to = order.indexOf(beforeId);
  order.splice(to < 0 ? order.length : to, 0, id);
  return { ...layout, order };
}

/** Click: sort by this column alone (toggling direction); Shift+click: add it as the next key or flip it. */
export function nextSort(sort: readonly SortKey[], columnId: string, additive: boolean): SortKey[] {
  const existing = sort.find((s) => s.columnId === columnId);
  if (additive) {
    if (!existing) return [...sort, { columnId, descending: false }];
    return sort.map((s) => (s.columnId === columnId ? { ...s, descending: !s.descending } : s));
  }
  if (existing && sort.length === 1) {
    // asc → desc → unsorted
    return existing.descending ? [] : [{ columnId, descending: true }];
  }
  return [{ columnId, descending: false }];
}

/**
 * The metric keys worth charting first: the objective, the usual quality metrics, then the rest
 * alphabetically; per-class and confusion counts last (one value per run, no curve to see).
 */
export function defaultMetricKeys(columns: readonly ColumnInfo[], count: number, objective?: RunsObjective): string[] {
  const keys = columns.filter((c) => c.kind === 'metric').map((c) => c.key);
  const rank = (k: string): number => {
    if (k === objective?.metric) return -1;
    if (isConfusionMetric(k) || isPerClassMetric(k)) return 30;
    const i = ['loss', 'val_loss', 'accuracy', 'val_accuracy', 'rmse', 'val_rmse'].indexOf(k);
    if (i >= 0) return i;
    return /loss|acc|rmse|auc|f1|r2/i.test(k) ? 10 : 20;
  };
  return keys.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).slice(0, count);
}
