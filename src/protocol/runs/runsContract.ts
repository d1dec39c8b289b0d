/** The Runs panel's contract: a table of runs paged by the host, metric series downsampled by the host, details and actions. */

export const RUNS_VIEW_TYPE = 'mlops.runs';

/** The host never sends more points than this for one (run, metric) series. */
export const MAX_SERIES_POINTS = 2_000;
/** At most this many rows per getRows request. */
export const MAX_PAGE_ROWS = 2_000;
/** At most this many runs in one series or matrix request. */
export const MAX_COMPARE_RUNS = 500;
/** Runs a panel holds (MLflow's search limit). */
export const MAX_TABLE_RUNS = 50_000;

export type ColumnKind = 'attribute' | 'param' | 'metric' | 'tag';
export type MetricAggregate = 'last' | 'min' | 'max';
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

/** Attribute columns every run has; ids are `attributes.<key>`. */
export const ATTRIBUTE_KEYS = ['run_name', 'status', 'start_time', 'duration', 'user_id', 'run_id', 'starred', 'note'] as const;
export type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];

export interface ColumnInfo {
  /** `attributes.<key>`, `params.<key>`, `metrics.<key>`, `tags.<key>` */
  id: string;
  kind: ColumnKind;
  key: string;
  /** numeric columns sort and aggregate as numbers */
  numeric: boolean;
  /** more than one distinct value among the runs of the query ("only differences"); a run without it counts as one */
  varies: boolean;
  /** two runs that have it hold different values (runs without it left aside): what a sweep tuned */
  valuesDiffer: boolean;
  /** how many runs of the query have a value */
  present: number;
}

/** The metric a study optimizes (its `mlops.tune.objective` tag) or a spec monitors (early stopping). */
export interface RunsObjective {
  metric: string;
  direction: 'minimize' | 'maximize';
  source: 'study' | 'spec';
}

/** The tag a study puts on each trial of its Pareto front (value `true`), as a column id for getMatrix. */
export const PARETO_TAG_COLUMN = 'tags.mlops.tune.pareto';

export type CellValue = number | string | null;

export interface SortKey {
  columnId: string;
  descending: boolean;
}

/** What the table shows; the host filters, sorts and pages it. */
export interface RunsQuery {
  /** MLflow search grammar, e.g. `metrics.acc > 0.9 AND params.lr = '0.01'` */
  filter: string;
  sort: SortKey[];
  aggregate: MetricAggregate;
  /** restricts to these runs (selection compare, parallel-coordinates brushing) */
  runIds?: string[];
}

/** A new panel's query (no filter, no sort, last values): the host starts on it while the view loads. */
export const DEFAULT_RUNS_QUERY: Readonly<RunsQuery> = { filter: '', sort: [], aggregate: 'last' };

export interface RowData {
  runId: string;
  /** a trial on its study's Pareto front (a study with several objectives) */
  pareto?: true;
  /** one value per column of the columns list the host last returned, in that order */
  cells: CellValue[];
}

/** Where a filter failed to parse, for an inline error under the filter box. */
export interface FilterError {
  /** 1-based column in the filter text */
  column: number;
  message: string;
}

export interface ColumnsResult {
  columns: ColumnInfo[];
  total: number;
  /** what these runs are tuned or trained for, when a run records it: the table and charts lead with it */
  objective?: RunsObjective;
  /** a study with several objectives (its `mlops.tune.objectives` tag): its trials have a Pareto front */
  objectives?: RunsObjective[];
  /** set when the filter did not parse; columns and total then describe the unfiltered runs */
  filterError?: FilterError;
  /** increases whenever the store changed */
  revision: number;
}

export interface RowsResult {
  total: number;
  offset: number;
  /** column ids the cells are aligned with */
  columnIds: string[];
  rows: RowData[];
  filterError?: FilterError;
  revision: number;
}

export interface GroupAggregate {
  mean: number | null;
  min: number | null;
  max: number | null;
}

export interface GroupRow {
  /** the param or tag value; null for runs without it */
  value: string | null;
  count: number;
  runIds: string[];
  /** by metric column id */
  aggregates: Record<string, GroupAggregate>;
}

export interface GroupsResult {
  groupBy: string;
  groups: GroupRow[];
  metricColumnIds: string[];
  filterError?: FilterError;
}

/** Which x column a series request wants: steps, or wall-clock timestamps (also for relative time). */
export type SeriesX = 'step' | 'time';

export interface SeriesData {
  runId: string;
  key: string;
  /** steps, or epoch milliseconds for `x: 'time'` */
  x: number[];
  /** rounded to 7 significant digits: more than a chart or its tooltip can show, half the bytes */
  values: number[];
  /** points before downsampling */
  total: number;
  downsampled: boolean;
}

export interface SeriesResult {
  series: SeriesData[];
  /** run start times (epoch ms) for the relative-time axis, and names for legends */
  runs: Array<{ runId: string; name: string; startTime: number }>;
}

/** Values of a few columns for every run of a query: parallel coordinates and scatter. */
export interface MatrixResult {
  columnIds: string[];
  runIds: string[];
  runNames: string[];
  /** rows[i][j] = value of column j for run i */
  rows: CellValue[][];
  /** runs beyond MAX_TABLE_RUNS are left out */
  truncated: boolean;
}

export interface ArtifactInfo {
  path: string;
  isDir: boolean;
  size?: number;
}

export interface RunDetails {
  runId: string;
  name: string;
  status: RunStatus;
  experimentId: string;
  startTime: number;
  endTime: number | null;
  params: Array<{ key: string; value: string }>;
  metrics: Array<{ key: string; last: number; min: number; max: number; count: number; step: number }>;
  tags: Array<{ key: string; value: string }>;
  note: string;
  starred: boolean;
  artifacts: ArtifactInfo[];
  /** artifact listing stopped at this many entries */
  artifactsTruncated: boolean;
  /** parsed `model/signature.json` (or MLmodel's signature) if present */
  signature?: ModelSignature;
}

export interface SignatureField {
  name: string;
  type: string;
}

export interface ModelSignature {
  inputs: SignatureField[];
  outputs: SignatureField[];
}

export type ArtifactPreview =
  | { kind: 'text'; text: string; truncated: boolean }
  | { kind: 'json'; text: string; truncated: boolean }
  | { kind: 'csv'; header: string[]; rows: string[][]; truncated: boolean }
  | { kind: 'image'; dataUri: string }
  | { kind: 'unavailable'; reason: string };

/** Column layout remembered per workspace and panel scope. */
export interface ColumnLayout {
  order: string[];
  hidden: string[];
  pinned: string[];
  widths: Record<string, number>;
}

/**
 * What "Open Run" or a study's "Show Leaderboard" asks a panel to show: a run's details, and/or
 * a filter and sort that replace the current ones (a study's trials, best first).
 */
export interface RunsFocus {
  detailsRunId?: string;
  query?: { filter: string; sort: SortKey[] };
}

export interface RunsPanelInit {
  title: string;
  experimentIds: string[];
  /** runs to select and compare at once (from "Compare Runs") */
  compareRunIds: string[];
  layout?: ColumnLayout;
  /** asked for while the view was not loaded */
  focus?: RunsFocus;
}

export type RunsExportResult = { saved: false } | { saved: true; path: string; rows: number };

export interface RunsContract {
  requests: {
    getInit: { params: Record<string, never>; result: RunsPanelInit };
    getColumns: { params: { query: RunsQuery }; result: ColumnsResult };
    getRows: { params: { query: RunsQuery; offset: number; limit: number }; result: RowsResult };
    getGroups: { params: { query: RunsQuery; groupBy: string }; result: GroupsResult };
    getMatrix: { params: { query: RunsQuery; columnIds: string[] }; result: MatrixResult };
    getSeries: { params: { runIds: string[]; keys: string[]; maxPoints: number; x: SeriesX }; result: SeriesResult };
    getRunDetails: { params: { runId: string }; result: RunDetails };
    getArtifactPreview: { params: { runId: string; path: string }; result: ArtifactPreview };
    exportCsv: { params: { query: RunsQuery; columnIds: string[] }; result: RunsExportResult };
  };
  viewNotifications: {
    setStarred: { runIds: string[]; starred: boolean };
    renameRun: { runId: string };
    editNote: { runId: string };
    /** register the run's model package as a version (the Models view's "Register Model…" flow) */
    registerModel: { runId: string };
    /** VS Code's diff editor between the code of two runs (their specs, or scripts at their commits) */
    compareRunCode: { runIds: string[] };
    deleteRuns: { runIds: string[] };
    saveLayout: { layout: ColumnLayout };
    /** the `mlops.cost.*` settings, where the prices behind a run's `cost` are set */
    openCostSettings: Record<string, never>;
  };
  hostNotifications: {
    /** the store changed: re-read what is on screen */
    storeChanged: { revision: number };
    /** show this run's details and/or this filter and sort (the panel was already open) */
    focus: RunsFocus;
  };
}
