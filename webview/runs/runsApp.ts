/**
 * The Runs view's controller: holds the state, asks the host for what is on screen, and wires
 * the virtual grid, the toolbar and the compare tabs together.
 */
import { render } from 'lit';
import type {
  ArtifactPreview,
  ColumnInfo,
  FilterError,
  GroupsResult,
  MatrixResult,
  RunDetails,
  RunsContract,
  RunsObjective,
  RunsFocus,
  RunsQuery,
  SeriesResult,
} from '../../src/protocol/runs/runsContract';
import { PARETO_TAG_COLUMN } from '../../src/protocol/runs/runsContract';
import type { HostConnection } from '../shared/hostConnection';
import type { VsCodeApi } from '../shared/vscodeApi';
import { columnLabel, defaultWidth, formatCell } from './cellFormat';
import { formatNumber } from '../shared/formatting';
import { readChartTheme, runColor, setComparedRuns, withRunColors, type ChartTheme } from '../shared/chartTheme';
import { loadBundlePart } from '../shared/lazyBundle';
import { defaultParallelAxes, mainMetricKey } from './columnOrder';
import { RowCache } from './rowCache';
import { RUNS_CHARTS_GLOBAL, type RunsCharts } from './runsCharts';
import { defaultMetricKeys, defaultState, MAX_CHART_RUNS, nextSort, reorderColumns, visibleColumns, type RunsTab, type RunsViewState } from './runsState';
import { renderBody, renderDetails, renderTop, type ViewModel } from './runsTemplates';
import { VirtualGrid, type GridColumn, type GridRow } from './virtualGrid';

/** Runs drawn when none are selected: the top of the table. */
const DEFAULT_COMPARE_RUNS = 10;
const MAX_SIDE_BY_SIDE = 50;
/** The run-details drawer never gets narrower than this. */
const MIN_DETAILS_WIDTH = 360;
/** Points one curves chart receives at most: 100 runs get 200 points each, 10 runs a point per pixel. */
const CHART_POINT_BUDGET = 20_000;

export class RunsApp {
  state: RunsViewState;
  columns: ColumnInfo[] = [];
  /** what the runs are tuned or trained for (host's answer), when they record it */
  objective: RunsObjective | undefined;
  /** a study with several objectives: its trials have a Pareto front */
  objectives: RunsObjective[] | undefined;
  /** the front's runs as the scatter last drew them, for the list under it */
  paretoRuns: Array<{ runId: string; name: string; values: Array<number | null> }> | undefined;
  shown: ColumnInfo[] = [];
  total = 0;
  filterError: FilterError | undefined;
  error: string | undefined;
  groups: GroupsResult | undefined;
  details: RunDetails | undefined;
  preview: { path: string; preview?: ArtifactPreview; error?: string } | undefined;
  sideBySide: { columns: ColumnInfo[]; runs: Array<{ runId: string; cells: Map<string, unknown> }> } | undefined;
  columnChooserOpen = false;
  columnSearch = '';
  status = '';
  private theme: ChartTheme = readChartTheme();
  readonly grid: VirtualGrid;
  private readonly rows: RowCache;
  private readonly selected: Set<string>;
  private layoutTimer: ReturnType<typeof setTimeout> | undefined;
  private filterTimer: ReturnType<typeof setTimeout> | undefined;
  private queryGeneration = 0;
  private chartsKey = '';
  private seriesKey = '';
  private firstRowsMarked = false;
  private parallelKey = '';

  constructor(
    private readonly host: HostConnection<RunsContract>,
    private readonly api: VsCodeApi<RunsViewState>,
    private readonly top: HTMLElement,
    private readonly gridPanel: HTMLElement,
    private readonly body: HTMLElement,
    private readonly detailsHost: HTMLElement,
  ) {
    this.state = { ...defaultState(), ...(api.getState() ?? {}) };
    this.selected = new Set(this.state.selected);
    this.grid = new VirtualGrid(
      {
        row: (i) => this.gridRow(i),
        visibleRowsChanged: (start, end) => {
          if (!this.state.groupBy) this.rows.ensure(start, end);
        },
        sort: (id, additive) => this.sortBy(id, additive),
        resize: (id, width) => this.updateLayout({ ...this.state.layout, widths: { ...this.state.layout.widths, [id]: width } }),
        reorder: (id, before) => this.updateLayout(reorderColumns(this.state.layout, this.columns, id, before, this.objective, this.objectives)),
        toggleSelection: (i, range) => this.toggleRow(i, range),
        selectAll: () => void this.selectAll().catch((error: unknown) => this.fail(error)),
        open: (i) => this.openRow(i),
      },
      'Runs',
    );
    this.gridPanel.append(this.grid.element);
    this.rows = new RowCache(
      (offset, limit) => this.host.request('getRows', { query: this.query(), offset, limit }),
      (result) => {
        this.filterError = result.filterError;
        if (result.total !== this.total) {
          this.total = result.total;
          this.grid.setRowCount(this.total);
        }
        this.grid.invalidateRows(result.offset, result.offset + result.rows.length);
        if (!this.firstRowsMarked) {
          this.firstRowsMarked = true;
          // User Timing mark for the benchmark: rows drawn in the frame after they arrived.
          requestAnimationFrame(() => setTimeout(() => performance.mark('mlops-runs-first-rows'), 0));
          this.preloadChartsWhenQuiet();
        }
      },
      (error) => this.fail(error),
    );
    // Theme switches change the CSS variables; charts read them once per draw.
    new MutationObserver(() => {
      this.theme = readChartTheme();
      this.chartsKey = '';
      this.parallelKey = '';
      if (this.state.tab !== 'table') void this.renderTab();
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  async start(): Promise<void> {
    // The first columns and rows do not depend on getInit's answer (the host knows the panel's
    // scope), so all three requests leave together: one round trip less before the first paint.
    const initRequest = this.host.request('getInit', {});
    const firstLoad = this.reload(false);
    const init = await initRequest;
    const fresh = this.state.scope === undefined;
    this.state.scope = { title: init.title, experimentIds: init.experimentIds, compareRunIds: init.compareRunIds };
    if (fresh) {
      if (init.layout) this.state.layout = init.layout;
      if (init.compareRunIds.length > 0) {
        init.compareRunIds.forEach((id) => this.selected.add(id));
        this.state.tab = 'curves';
      }
    }
    setComparedRuns([...this.selected].slice(0, MAX_CHART_RUNS), this.theme.palette);
    this.host.onNotification('storeChanged', () => void this.reload(true));
    this.host.onNotification('focus', (focus) => this.focus(focus));
    await firstLoad;
    if (fresh && (init.layout || init.compareRunIds.length > 0)) {
      // the saved layout or the compared runs arrived with getInit: lay the columns out again
      if (!this.state.groupBy) this.applyColumns();
      this.save();
      this.renderAll();
    }
    if (init.focus) this.focus(init.focus);
    else if (this.state.detailsRunId) void this.openDetails(this.state.detailsRunId);
  }

  /** "Open Run" from the Experiments view, or a study's leaderboard: its filter and sort, a run's details. */
  focus(focus: RunsFocus): void {
    if (focus.query) {
      clearTimeout(this.filterTimer);
      this.state.filter = focus.query.filter;
      this.state.sort = focus.query.sort;
      this.state.groupBy = undefined;
      this.state.restriction = undefined;
      if (this.state.tab !== 'table') this.setTab('table');
      void this.reload(false);
    }
    if (focus.detailsRunId) void this.openDetails(focus.detailsRunId);
  }

  query(): RunsQuery {
    return { filter: this.state.filter, sort: this.state.sort, aggregate: this.state.aggregate, ...(this.state.restriction ? { runIds: this.state.restriction.runIds } : {}) };
  }

  /** Re-reads columns and rows; `live` keeps the rows on screen until their new values arrive. */
  async reload(live: boolean): Promise<void> {
    const generation = ++this.queryGeneration;
    if (!live && !this.state.groupBy) {
      // A new query starts at the top; its first rows are asked for together with its columns,
      // which saves a round trip before the first paint.
      this.grid.element.scrollTop = 0;
      this.rows.reset();
      this.rows.ensure(0, 60);
    }
    try {
      const result = await this.host.request('getColumns', { query: this.query() });
      if (generation !== this.queryGeneration) return;
      this.columns = result.columns;
      this.objective = result.objective;
      this.objectives = result.objectives;
      this.total = result.total;
      this.filterError = result.filterError;
      this.error = undefined;
      if (this.state.curves.keys.length === 0) this.state.curves.keys = defaultMetricKeys(this.columns, 4, this.objective);
      if (this.state.groupBy) {
        this.groups = await this.host.request('getGroups', { query: this.query(), groupBy: this.state.groupBy });
        if (generation !== this.queryGeneration) return;
        this.applyGroupGrid();
      } else {
        this.groups = undefined;
        this.applyColumns();
        this.grid.setRowCount(this.total);
        if (live) {
          const first = Math.floor(this.grid.element.scrollTop / 24);
          this.rows.refresh(first, first + Math.ceil(this.grid.element.clientHeight / 24) + 12);
        }
        this.grid.invalidate();
      }
    } catch (error) {
      this.fail(error);
    }
    this.save();
    this.renderAll();
    if (live) {
      this.chartsKey = '';
      this.seriesKey = '';
      if (this.state.tab === 'parallel') this.parallelKey = '';
      if (this.details) void this.openDetails(this.details.runId);
    }
    if (this.state.tab !== 'table') await this.renderTab();
  }

  private applyColumns(): void {
    this.shown = visibleColumns(this.columns, this.state.layout, this.state.onlyDiff, this.objective, this.objectives);
    const pinned = new Set(this.state.layout.pinned);
    const sortRank = new Map(this.state.sort.map((s, i) => [s.columnId, { rank: i + 1, descending: s.descending }]));
    const gridColumns: GridColumn[] = this.shown.map((c) => ({
      id: c.id,
      label: columnLabel(c),
      kind: c.kind === 'attribute' ? '' : c.kind === 'metric' ? `${this.objectiveOf(c.key) ? `objective ${this.objectiveOf(c.key)!.direction === 'maximize' ? '↑' : '↓'}` : 'metric'} (${this.state.aggregate})` : c.kind,
      // the objective's caption ("objective ↑ (last)") is longer than a short key
      width: this.state.layout.widths[c.id] ?? (this.objectiveOf(c.key) && c.kind === 'metric' ? Math.max(140, defaultWidth(c)) : defaultWidth(c)),
      numeric: c.numeric,
      pinned: pinned.has(c.id),
      ...(sortRank.has(c.id) ? { sort: sortRank.get(c.id)! } : {}),
    }));
    this.grid.setColumns(gridColumns);
  }

  private applyGroupGrid(): void {
    const groups = this.groups!;
    const label = this.columns.find((c) => c.id === groups.groupBy);
    this.shown = [];
    this.grid.setColumns([
      { id: 'group', label: label ? columnLabel(label) : groups.groupBy, kind: 'group', width: 200, numeric: false, pinned: true },
      { id: 'count', label: 'Runs', kind: 'count', width: 70, numeric: true, pinned: false },
      ...groups.metricColumnIds.map((id) => ({ id, label: id.slice('metrics.'.length), kind: `mean (min – max)`, width: 240, numeric: true, pinned: false })),
    ]);
    this.grid.setRowCount(groups.groups.length);
    this.total = groups.groups.length;
    this.grid.invalidate();
  }

  private gridRow(i: number): GridRow | undefined {
    if (this.groups) {
      const g = this.groups.groups[i];
      if (!g) return undefined;
      const metricIds = this.groups.metricColumnIds;
      return {
        key: `group:${g.value}`,
        selected: g.runIds.every((id) => this.selected.has(id)),
        cell: (j) => {
          if (j === 0) return g.value === null ? { text: '(none)', className: 'missing' } : { text: g.value };
          if (j === 1) return { text: String(g.count) };
          const a = g.aggregates[metricIds[j - 2]!];
          return a && a.mean !== null ? { text: `${formatNumber(a.mean)} (${formatNumber(a.min!)} – ${formatNumber(a.max!)})` } : { text: '—', className: 'missing' };
        },
      };
    }
    const row = this.rows.get(i);
    if (!row) return undefined;
    return {
      key: row.runId,
      selected: this.selected.has(row.runId),
      cell: (j) => {
        const c = this.shown[j]!;
        const cell = formatCell(c, this.rows.cell(i, c.id));
        if (c.id !== 'attributes.run_name') return cell;
        return { ...cell, swatch: runColor(row.runId, this.theme.palette), ...(row.pareto ? { mark: { text: '◆', className: 'pareto-mark', title: `On the study's Pareto front (${this.objectivesText()}): no other trial is better in every objective` } } : {}) };
      },
    };
  }

  // ---- user actions ---------------------------------------------------------------------------

  setFilter(text: string, immediate: boolean): void {
    this.state.filter = text;
    clearTimeout(this.filterTimer);
    this.filterTimer = setTimeout(() => void this.reload(false), immediate ? 0 : 400);
  }

  sortBy(columnId: string, additive: boolean): void {
    if (this.groups) return;
    this.state.sort = nextSort(this.state.sort, columnId, additive);
    void this.reload(false);
  }

  setAggregate(aggregate: RunsViewState['aggregate']): void {
    this.state.aggregate = aggregate;
    void this.reload(false);
  }

  setGroupBy(groupBy: string | undefined): void {
    this.state.groupBy = groupBy;
    void this.reload(false);
  }

  setOnlyDiff(on: boolean): void {
    this.state.onlyDiff = on;
    this.applyColumns();
    this.save();
    this.renderAll();
    if (this.state.tab === 'sideBySide') void this.renderTab();
  }

  setRestriction(restriction: RunsViewState['restriction']): void {
    this.state.restriction = restriction;
    void this.reload(false);
  }

  setTab(tab: RunsTab): void {
    // Another tab's panel replaces the charts' elements: coming back draws them anew.
    if (tab !== this.state.tab) {
      this.chartsKey = '';
      this.parallelKey = '';
    }
    this.state.tab = tab;
    this.save();
    this.renderAll();
    void this.renderTab();
  }

  updateLayout(layout: RunsViewState['layout']): void {
    this.state.layout = layout;
    this.applyColumns();
    this.save();
    this.renderAll();
    clearTimeout(this.layoutTimer);
    this.layoutTimer = setTimeout(() => this.host.notify('saveLayout', { layout: this.state.layout }), 300);
  }

  toggleHidden(id: string): void {
    const hidden = new Set(this.state.layout.hidden);
    if (hidden.has(id)) hidden.delete(id);
    else hidden.add(id);
    this.updateLayout({ ...this.state.layout, hidden: [...hidden] });
  }

  togglePinned(id: string): void {
    const pinned = this.state.layout.pinned.includes(id) ? this.state.layout.pinned.filter((p) => p !== id) : [...this.state.layout.pinned, id];
    this.updateLayout({ ...this.state.layout, pinned });
  }

  toggleRow(i: number, range = false): void {
    const anchor = this.selectionAnchor;
    this.selectionAnchor = i;
    if (range && anchor !== undefined && anchor !== i && !this.groups) {
      void this.selectRows(Math.min(anchor, i), Math.max(anchor, i) + 1).catch((error: unknown) => this.fail(error));
      return;
    }
    if (this.groups) {
      const g = this.groups.groups[i];
      if (!g) return;
      const all = g.runIds.every((id) => this.selected.has(id));
      for (const id of g.runIds) {
        if (all) this.selected.delete(id);
        else this.selected.add(id);
      }
    } else {
      const row = this.rows.get(i);
      if (!row) return;
      if (this.selected.has(row.runId)) this.selected.delete(row.runId);
      else this.selected.add(row.runId);
    }
    this.selectionChanged();
  }

  clearSelection(): void {
    this.selected.clear();
    this.selectionChanged();
  }

  /** Every run the table lists (Ctrl+A): in groups, every group's runs. */
  async selectAll(): Promise<void> {
    if (this.groups) {
      for (const g of this.groups.groups) for (const id of g.runIds) this.selected.add(id);
      this.selectionChanged();
      return;
    }
    await this.selectRows(0, this.total);
  }

  /** Selects rows [start, end) of the table; ids of rows not fetched yet come from the host. */
  private async selectRows(start: number, end: number): Promise<void> {
    const ids: string[] = [];
    for (let i = start; i < end; i++) {
      const row = this.rows.get(i);
      if (!row) break;
      ids.push(row.runId);
    }
    if (ids.length < end - start) {
      const generation = this.queryGeneration;
      const all = await this.host.request('getMatrix', { query: this.query(), columnIds: ['attributes.run_id'] });
      if (generation !== this.queryGeneration) return;
      ids.splice(0, ids.length, ...all.runIds.slice(start, end));
    }
    for (const id of ids) this.selected.add(id);
    this.selectionChanged();
  }

  private selectionChanged(): void {
    this.state.selected = [...this.selected];
    setComparedRuns(this.state.selected.slice(0, MAX_CHART_RUNS), this.theme.palette);
    this.save();
    this.grid.invalidate();
    this.renderAll();
  }

  get selection(): string[] {
    return [...this.selected];
  }

  openRow(i: number): void {
    if (this.groups) {
      const g = this.groups.groups[i];
      if (!g) return;
      const name = this.columns.find((c) => c.id === this.groups!.groupBy);
      this.state.groupBy = undefined;
      this.setRestriction({ label: `${name ? columnLabel(name) : this.groups.groupBy} = ${g.value ?? '(none)'}`, runIds: g.runIds });
      return;
    }
    const row = this.rows.get(i);
    if (row) void this.openDetails(row.runId);
  }

  async openDetails(runId: string): Promise<void> {
    this.state.detailsRunId = runId;
    try {
      this.details = await this.host.request('getRunDetails', { runId });
      if (this.preview && !this.details.artifacts.some((a) => a.path === this.preview!.path)) this.preview = undefined;
    } catch (error) {
      this.details = undefined;
      this.fail(error);
    }
    this.save();
    this.renderAll();
  }

  /**
   * The drawer's width: the user's, else 40% of the panel (keys like `test_confusion_Adelie_Gentoo`
   * and 5-digit numbers fit on one line from 480 px); the table keeps at least 280 px.
   */
  detailsWidth(): number {
    const max = Math.max(MIN_DETAILS_WIDTH, window.innerWidth - 280);
    return Math.round(Math.min(max, Math.max(MIN_DETAILS_WIDTH, this.state.detailsWidth ?? Math.min(760, Math.max(480, window.innerWidth * 0.4)))));
  }

  setDetailsWidth(width: number): void {
    this.state.detailsWidth = Math.round(width);
    this.state.detailsWidth = this.detailsWidth();
    this.save();
    this.renderAll();
  }

  /** Dragging the drawer's left edge: the width follows the pointer, saved when released. */
  startDetailsResize(down: PointerEvent): void {
    const handle = down.currentTarget as HTMLElement;
    const drawer = handle.parentElement!;
    const right = drawer.getBoundingClientRect().right;
    handle.setPointerCapture(down.pointerId);
    down.preventDefault();
    const move = (e: PointerEvent): void => {
      this.state.detailsWidth = right - e.clientX;
      drawer.style.width = `${this.detailsWidth()}px`;
    };
    const up = (): void => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      handle.removeEventListener('pointercancel', up);
      this.setDetailsWidth(this.detailsWidth());
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
    handle.addEventListener('pointercancel', up);
  }

  closeDetails(): void {
    this.details = undefined;
    this.preview = undefined;
    this.state.detailsRunId = undefined;
    this.save();
    this.renderAll();
    this.grid.element.focus();
  }

  async showPreview(path: string): Promise<void> {
    if (!this.details) return;
    this.preview = { path };
    this.renderAll();
    try {
      this.preview = { path, preview: await this.host.request('getArtifactPreview', { runId: this.details.runId, path }) };
    } catch (error) {
      this.preview = { path, error: error instanceof Error ? error.message : String(error) };
    }
    this.renderAll();
  }

  action(kind: 'star' | 'unstar' | 'rename' | 'note' | 'delete', runIds: string[]): void {
    if (runIds.length === 0) return;
    if (kind === 'star' || kind === 'unstar') this.host.notify('setStarred', { runIds, starred: kind === 'star' });
    else if (kind === 'rename') this.host.notify('renameRun', { runId: runIds[0]! });
    else if (kind === 'note') this.host.notify('editNote', { runId: runIds[0]! });
    else this.host.notify('deleteRuns', { runIds });
  }

  registerModel(runId: string): void {
    this.host.notify('registerModel', { runId });
  }

  openCostSettings(): void {
    this.host.notify('openCostSettings', {});
  }

  compareCode(runIds: string[]): void {
    if (runIds.length === 2) this.host.notify('compareRunCode', { runIds });
  }

  async exportCsv(): Promise<void> {
    try {
      const result = await this.host.request('exportCsv', { query: this.query(), columnIds: this.shown.map((c) => c.id) });
      this.status = result.saved ? `Exported ${result.rows} runs to ${result.path}` : '';
    } catch (error) {
      this.fail(error);
    }
    this.renderAll();
  }

  setCurves(patch: Partial<RunsViewState['curves']>): void {
    this.state.curves = { ...this.state.curves, ...patch };
    this.save();
    this.renderAll();
    void this.renderTab();
  }

  setParallelColumns(ids: string[]): void {
    this.state.parallelColumns = ids;
    this.save();
    this.renderAll();
    void this.renderTab();
  }

  setScatter(patch: Partial<RunsViewState['scatter']>): void {
    this.state.scatter = { ...this.state.scatter, ...patch };
    this.save();
    this.renderAll();
    void this.renderTab();
  }

  /** The runs the charts draw: the selection, or the first rows of the table. */
  compareRunIds(): string[] {
    if (this.selected.size > 0) return [...this.selected].slice(0, MAX_CHART_RUNS);
    const ids: string[] = [];
    for (let i = 0; i < Math.min(this.total, DEFAULT_COMPARE_RUNS); i++) {
      const row = this.rows.get(i);
      if (row) ids.push(row.runId);
    }
    return ids;
  }

  parallelAxes(): string[] {
    if (this.state.parallelColumns && this.state.parallelColumns.length > 0) return this.state.parallelColumns;
    // Brushing restricts the table (and its columns): the chart keeps the axes it was brushed on.
    if (this.state.restriction && this.parallelDefault) return this.parallelDefault;
    if (this.groups) return this.parallelDefault ?? [];
    this.parallelDefault = defaultParallelAxes(this.columns, this.objective, this.total, this.objectives);
    return this.parallelDefault;
  }

  private parallelDefault: string[] | undefined;

  /** Lines take the colour of the objective (else the main metric) when it is an axis: worse → better. */
  parallelColoring(axes: readonly string[]): { axis: number; higherIsBetter: boolean; metric: string } | undefined {
    const metric = mainMetricKey(this.columns, this.objective);
    const axis = metric === undefined ? -1 : axes.indexOf(`metrics.${metric}`);
    if (axis < 0) return undefined;
    const objective = this.objective;
    const higherIsBetter = objective && metric === objective.metric ? objective.direction === 'maximize' : !/loss|rmse|mae|mse|error/i.test(metric!);
    return { axis, higherIsBetter, metric: metric! };
  }
  /** runs the parallel chart leaves out: they have none of its params (a study's own run) */
  parallelLeftOut = 0;

  // ---- rendering ----------------------------------------------------------------------------

  private fail(error: unknown): void {
    this.error = error instanceof Error ? error.message : String(error);
    this.renderAll();
  }

  private save(): void {
    this.api.setState({ ...this.state, selected: [...this.selected] });
  }

  renderAll(): void {
    const model: ViewModel = { app: this, state: this.state };
    render(renderTop(model), this.top);
    render(renderBody(model), this.body);
    render(renderDetails(this), this.detailsHost);
    this.gridPanel.hidden = this.state.tab !== 'table';
    this.disposeDetachedCharts();
  }

  /** ECharts keeps every instance until disposed: those of elements a render removed go now. */
  private disposeDetachedCharts(): void {
    for (const element of this.drawnCharts) {
      if (element.isConnected) continue;
      this.chartsModule?.disposeChart(element);
      this.drawnCharts.delete(element);
    }
  }

  /** Records a chart element drawn into, so it is disposed once a render removes it. */
  private drew(element: HTMLElement): void {
    this.drawnCharts.add(element);
  }

  /** Draws the charts of the current tab; asks the host only for what it has not got yet. */
  async renderTab(): Promise<void> {
    const tab = this.state.tab;
    const panel = this.body.querySelector<HTMLElement>('.tab-panel');
    if (!panel) return;
    // Read at draw time: the theme's variables may be set after this script first ran.
    this.theme = readChartTheme();
    try {
      if (tab === 'sideBySide') await this.loadSideBySide();
      else if (tab !== 'table') {
        const charts = await this.loadCharts();
        if (this.state.tab !== tab) return;
        if (tab === 'curves') await this.drawCurves(panel, charts);
        else if (tab === 'parallel') await this.drawParallel(panel, charts);
        else if (tab === 'scatter') await this.drawScatter(panel, charts);
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Fetches the charts' code once the table is on screen and nobody has scrolled it for a moment,
   * so a chart tab opens without waiting for it — and evaluating it (a long task) never lands in
   * the middle of a fling.
   */
  private preloadChartsWhenQuiet(): void {
    const quietMs = 1500;
    let timer = 0;
    const arm = (): void => {
      clearTimeout(timer);
      timer = window.setTimeout(() => {
        this.grid.element.removeEventListener('scroll', arm);
        requestIdleCallback(() => void this.loadCharts().catch(() => undefined), { timeout: 2000 });
      }, quietMs);
    };
    this.grid.element.addEventListener('scroll', arm, { passive: true });
    arm();
  }

  private async loadCharts(): Promise<RunsCharts> {
    this.chartsModule ??= await loadBundlePart<RunsCharts>('charts', RUNS_CHARTS_GLOBAL);
    return this.chartsModule;
  }

  private async drawCurves(panel: HTMLElement, { renderCurve }: RunsCharts): Promise<void> {
    if (this.selected.size === 0 && this.total > 0 && this.rows.get(0) === undefined) {
      // Nothing selected and the first rows are not loaded yet (panel opened on this tab).
      const first = await this.host.request('getRows', { query: this.query(), offset: 0, limit: DEFAULT_COMPARE_RUNS });
      first.rows.forEach((r) => this.fallbackRuns.push(r.runId));
    }
    const runIds = this.compareRunIds().length > 0 ? this.compareRunIds() : this.fallbackRuns.slice(0, DEFAULT_COMPARE_RUNS);
    setComparedRuns(runIds, this.theme.palette);
    const keys = this.state.curves.keys;
    const x = this.state.curves.xAxis === 'step' ? 'step' : 'time';
    const charts = [...panel.querySelectorAll<HTMLElement>('.chart[data-metric]')];
    const width = charts[0]?.clientWidth ?? 600;
    // Never more points than pixels, and a budget per chart when many runs overlap.
    const maxPoints = Math.max(50, Math.min(2000, Math.round(width), Math.floor(CHART_POINT_BUDGET / Math.max(1, runIds.length))));
    const fetchKey = JSON.stringify([runIds, x, maxPoints]);
    const key = JSON.stringify([fetchKey, keys, this.state.curves]);
    if (key === this.chartsKey) return;
    this.chartsKey = key;
    const started = performance.now();
    // Smoothing, log scale or a theme change only redraw; other runs or another x source refetch.
    if (fetchKey !== this.seriesKey) {
      this.seriesByKey.clear();
      this.seriesKey = fetchKey;
    }
    const fetchOne = async (metric: string): Promise<SeriesResult | undefined> => {
      const cached = this.seriesByKey.get(metric);
      if (cached) return cached;
      const asked = performance.now();
      const data = await this.host.request('getSeries', { runIds, keys: [metric], maxPoints, x });
      if (key !== this.chartsKey) return undefined;
      // User Timing for the benchmark: the host's answers apart from the drawing.
      performance.measure('mlops-curves-fetch', { start: asked });
      this.seriesByKey.set(metric, data);
      if (!this.lastSeries || this.lastSeries.runs.length !== data.runs.length) {
        this.lastSeries = { runs: data.runs, series: [] };
        this.renderAll();
      }
      return data;
    };
    // One request per chart, all asked at once: the host answers them in order (runsRequests.ts),
    // so it reads and downsamples chart n+1 while the view draws chart n, and the first chart
    // shows as soon as it is ready.
    const draw = async (elements: HTMLElement[]): Promise<void> => {
      const answers = elements.map((element) => fetchOne(element.dataset.metric!));
      for (let i = 0; i < elements.length; i++) {
        const data = await answers[i];
        if (key !== this.chartsKey) return;
        const element = elements[i]!;
        if (data && element.isConnected) {
          renderCurve(element, element.dataset.metric!, data, this.state.curves, withRunColors(this.theme));
          this.drew(element);
        }
      }
    };
    // Charts below the fold are fetched and drawn when they scroll into view: first paint costs what is seen.
    this.chartObserver?.disconnect();
    const observer = new IntersectionObserver((entries) => {
      const entering = entries.filter((e) => e.isIntersecting).map((e) => e.target as HTMLElement);
      entering.forEach((e) => observer.unobserve(e));
      if (entering.length > 0) void draw(entering).catch((error: unknown) => this.fail(error));
    });
    this.chartObserver = observer;
    const visible: HTMLElement[] = [];
    for (const element of charts) {
      const box = element.getBoundingClientRect();
      if (box.top < window.innerHeight && box.bottom > 0) visible.push(element);
      else observer.observe(element);
    }
    await draw(visible);
    if (key !== this.chartsKey) return;
    performance.measure('mlops-curves-draw', { start: started });
    panel.dataset.rendered = String(Math.round(performance.now() - started));
  }

  private chartObserver: IntersectionObserver | undefined;
  private chartsModule: RunsCharts | undefined;
  private readonly drawnCharts = new Set<HTMLElement>();
  /** the row toggled last: Shift+Space or Shift+click selects from it */
  private selectionAnchor: number | undefined;
  private readonly seriesByKey = new Map<string, SeriesResult>();
  lastSeries: SeriesResult | undefined;
  private readonly fallbackRuns: string[] = [];

  private async drawParallel(panel: HTMLElement, { renderParallel }: RunsCharts): Promise<void> {
    const axes = this.parallelAxes();
    const element = panel.querySelector<HTMLElement>('.chart[data-chart=parallel]');
    if (!element || axes.length === 0) return;
    const base = { ...this.query(), runIds: undefined };
    const key = JSON.stringify([axes, base]);
    if (key === this.parallelKey) return;
    this.parallelKey = key;
    const all: MatrixResult = await this.host.request('getMatrix', { query: { filter: base.filter, sort: base.sort, aggregate: base.aggregate }, columnIds: axes });
    if (this.state.tab !== 'parallel' || !element.isConnected) return;
    const matrix = withParams(all, axes);
    if (matrix.runIds.length !== all.runIds.length || this.parallelLeftOut > 0) {
      this.parallelLeftOut = all.runIds.length - matrix.runIds.length;
      this.renderAll();
    }
    const labels = axes.map((id) => {
      const c = this.columns.find((x) => x.id === id);
      const label = c ? columnLabel(c) : id;
      const objective = c?.kind === 'metric' ? this.objectiveOf(c.key) : undefined;
      return { columnId: id, label: objective ? `${label} (objective, ${objective.direction === 'maximize' ? 'max' : 'min'})` : label };
    });
    this.drew(element);
    const coloring = this.parallelColoring(axes);
    renderParallel(
      element,
      matrix,
      labels,
      withRunColors(this.theme),
      (runIds) => {
        this.state.restriction = runIds ? { label: `${runIds.length} runs brushed in parallel coordinates`, runIds } : undefined;
        void this.reloadKeepingParallel();
      },
      coloring,
    );
  }

  private async reloadKeepingParallel(): Promise<void> {
    const key = this.parallelKey;
    await this.reload(false);
    this.parallelKey = key;
  }

  /** The objective (of a study with several, any one) this metric is, if it is one. */
  objectiveOf(metric: string): RunsObjective | undefined {
    return this.objectives?.find((o) => o.metric === metric) ?? (this.objective?.metric === metric ? this.objective : undefined);
  }

  /** "maximize val_accuracy, minimize cost" */
  objectivesText(): string {
    return (this.objectives ?? []).map((o) => `${o.direction} ${o.metric}`).join(', ');
  }

  /**
   * The scatter's axes: the user's choice, else — for a study with several objectives — its second
   * objective against its first (the front's trade-off), else the first varying param against the main metric.
   */
  scatterAxes(): { x: string | undefined; y: string | undefined } {
    const metrics = this.columns.filter((c) => c.kind === 'metric');
    const main = mainMetricKey(this.columns, this.objective);
    const [first, second] = this.objectives ?? [];
    return {
      x: this.state.scatter.x ?? (second ? `metrics.${second.metric}` : undefined) ?? this.columns.find((c) => c.kind === 'param' && c.valuesDiffer)?.id ?? metrics[0]?.id,
      y: this.state.scatter.y ?? (first ? `metrics.${first.metric}` : undefined) ?? (main === undefined ? undefined : `metrics.${main}`),
    };
  }

  private async drawScatter(panel: HTMLElement, { renderScatter, renderBoxplot }: RunsCharts): Promise<void> {
    const { x, y } = this.scatterAxes();
    const element = panel.querySelector<HTMLElement>('.chart[data-chart=scatter]');
    if (!element || !x || !y) return;
    const label = (id: string): string => {
      const c = this.columns.find((col) => col.id === id);
      return c ? columnLabel(c) : id;
    };
    const objectives = this.objectives;
    if (objectives) {
      // the front's trials drawn apart, and joined by a line when the axes are the study's two objectives
      const matrix = await this.host.request('getMatrix', { query: this.query(), columnIds: [x, y, PARETO_TAG_COLUMN] });
      const direction = (id: string): RunsObjective['direction'] | undefined => objectives.find((o) => `metrics.${o.metric}` === id)?.direction;
      const dx = direction(x);
      const dy = direction(y);
      const line = objectives.length === 2 && dx !== undefined && dy !== undefined && x !== y ? { x: dx, y: dy } : undefined;
      renderScatter(element, matrix, { x: label(x), y: label(y) }, withRunColors(this.theme), { frontColumn: 2, ...(line ? { line } : {}) });
      const ids = objectives.map((o) => `metrics.${o.metric}`);
      const onFront = matrix.runIds.filter((_, i) => matrix.rows[i]![2] === 'true');
      const values = onFront.length ? await this.host.request('getMatrix', { query: { ...this.query(), runIds: onFront }, columnIds: ids }) : undefined;
      this.paretoRuns = values?.runIds.map((runId, i) => ({ runId, name: values.runNames[i]!, values: values.rows[i]!.map((v) => (typeof v === 'number' ? v : null)) }));
      this.renderAll();
    } else {
      this.paretoRuns = undefined;
      const matrix = await this.host.request('getMatrix', { query: this.query(), columnIds: [x, y] });
      renderScatter(element, matrix, { x: label(x), y: label(y) }, withRunColors(this.theme));
    }
    this.drew(element);
    const box = panel.querySelector<HTMLElement>('.chart[data-chart=boxplot]');
    if (box && this.state.groupBy) {
      const grouped = await this.host.request('getMatrix', { query: this.query(), columnIds: [this.state.groupBy, y] });
      renderBoxplot(box, grouped, { group: label(this.state.groupBy), y: label(y) }, withRunColors(this.theme));
      this.drew(box);
    }
  }

  private async loadSideBySide(): Promise<void> {
    const runIds = this.compareRunIds().slice(0, MAX_SIDE_BY_SIDE);
    if (runIds.length === 0) {
      this.sideBySide = { columns: [], runs: [] };
      this.renderAll();
      return;
    }
    const q: RunsQuery = { filter: '', sort: [], aggregate: this.state.aggregate, runIds };
    const [cols, rows] = await Promise.all([this.host.request('getColumns', { query: q }), this.host.request('getRows', { query: q, offset: 0, limit: MAX_SIDE_BY_SIDE })]);
    this.sideBySide = {
      columns: cols.columns.filter((c) => c.id !== 'attributes.run_name'),
      runs: rows.rows.map((r) => ({ runId: r.runId, cells: new Map(rows.columnIds.map((id, j) => [id, r.cells[j]])) })),
    };
    this.renderAll();
  }
}

/**
 * The runs that have at least one of the params on the axes: a study's own run, or a run of
 * another script, has none of them and would only draw a flat line through "—" on every axis.
 */
function withParams(matrix: MatrixResult, axes: readonly string[]): MatrixResult {
  const params = axes.flatMap((id, j) => (id.startsWith('params.') ? [j] : []));
  if (params.length === 0) return matrix;
  const keep = matrix.rows.flatMap((row, i) => (params.some((j) => row[j] !== null) ? [i] : []));
  if (keep.length === matrix.rows.length) return matrix;
  return { ...matrix, runIds: keep.map((i) => matrix.runIds[i]!), runNames: keep.map((i) => matrix.runNames[i]!), rows: keep.map((i) => matrix.rows[i]!) };
}
