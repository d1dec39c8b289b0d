/**
 * The Runs panel in real VS Code: code-server and Debian's Chromium (the e2e rig), the extension
 * as built in dist/ (or the folder in $MLOPS_BENCH_EXTENSION: a private copy of the build, so a
 * rebuild of dist/ meanwhile does not change what runs), the window a client of the MLOps engine
 * (a separate process that owns the store: every query and row crosses it). Three parts, each
 * in its own VS Code:
 *
 *   reference  a store of 20 runs × (20 params + 20 metrics): the window's memory with the
 *          extension, the engine and a Runs panel open, but next to no data;
 *   table  a workspace store with
 *            - 10,000 runs × 200 columns (experiment "table-10k"), and
 *            - 100 runs × 10 metrics × 10,000 steps (experiment "curves-100");
 *          measured:
 *            - Open Runs → first rows painted: from choosing the experiment in the quick pick to
 *              the rows in the webview (VS Code creating the webview and loading the panel included);
 *            - frames while scrolling fast inside the real webview (rows fetched on the way, then again);
 *            - the same open after closing the panel and opening it again (a new webview);
 *            - 100 runs selected (Ctrl+A) → Curves tab → every chart in view painted.
 *   large  a store of 100,000 runs × (20 params + 20 metrics) (issue #17's shape, experiment
 *          "scale-100k"): Open Runs → first rows, and the fast scroll.
 *
 * In every part, the memory (VmRSS in /proc/<pid>/status) of the extension host (the node process
 * under this code-server whose command line says --type=extensionHost) and of the engine (pid in
 * <store>/server.json): once the workbench is up, once the MLOps views show the store's
 * experiments (the baseline), after the table's first rows, after scrolling (and for the table part
 * after the curves); the extension host's growth over the baseline is what the store and the open
 * panel cost the window. Once scrolled, the extension host's garbage is collected through its
 * inspector (SIGUSR1 opens it on 127.0.0.1:9229; skipped when that port is taken) and its RSS and
 * JS heap read again: what it holds, not what it has not collected yet (the samples after that
 * follow the GC). A store's extension host memory (panel open, scrolled) minus the reference
 * window's is what that store adds to the window (issue #17's measure, target ≤ 60 MB at 100,000
 * runs). `uptime` is saved next to every figure.
 * (The webview's heap is not separable from the workbench's in code-server; the Chromium bench,
 * runsTable.bench.ts, measures it.)
 *
 * Usage: npm run build && node --import tsx bench/runs/runsPanelVsCode.bench.ts [reference] [table] [large]
 * (no part names: $BENCH_RUNS_PANEL_PARTS, comma-separated, else "reference,table"). Stores are built once
 * per shape and cached in $BENCH_CACHE (default $TMPDIR/mlops-runs-panel-cache; the 100,000-run
 * store takes minutes to build, ~450 MB); each run works on a copy. Prints the figures and writes
 * bench/results/runs-panel-vscode.json (a part run alone keeps the other part's last figures).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { stopEngine } from '../../src/core/engine/engineLauncher';
import { syntheticRuns } from '../../test/webview/runsFakeHost';
import { CURVE_KEYS, logCurveRuns, logTableRuns } from './benchRunsStore';
import { CURVES_SCRIPT, SCROLL_SCRIPT, type CurvesFigures, type ScrollFigures } from './runsPageProbes';
import { cachedStore, enginePid, extensionHostPid, logWideRuns, machineLoad, memoryAfterGc, sampleMemory, shapeKey, type HeldMemory, type Load, type MemorySample, type WideShape } from './runsPanelVsCodeSupport';

const ROOT = join(__dirname, '..', '..');
const EXTENSION = resolve(process.env.MLOPS_BENCH_EXTENSION ?? ROOT);
const RESULTS_FILE = join(ROOT, 'bench', 'results', 'runs-panel-vscode.json');
const TABLE_RUNS = 10_000;
const CURVE_RUNS = 100;
const STEPS = 10_000;
const LARGE: WideShape = { name: 'scale-100k', runs: 100_000, params: 20, metrics: 20 };
/** The reference window: the same extension and engine on a store of 20 runs. */
const REFERENCE: WideShape = { name: 'tiny-20', runs: 20, params: 20, metrics: 20 };
const RIG_MODULE = join(ROOT, 'test', 'e2e', 'rig', 'rig.mjs');
const WORKBENCH_MODULE = join(ROOT, 'test', 'e2e', 'lib', 'workbench.mjs');
const PARTS = ['reference', 'table', 'large'] as const;
type Part = (typeof PARTS)[number];

interface RigModule {
  ensureRig(): void;
  freePort(): Promise<number>;
  startServer(options: { extensionsDir: string; workspace: string; port: number; stateDir: string; linkExt: string; settings: Record<string, unknown> }): { url: string };
  stopServer(stateDir: string): void;
}
interface WorkbenchModule {
  launchBrowser(): Promise<Browser>;
  openWorkbench(browser: Browser, folder: string): Promise<{ page: Page; context: BrowserContext }>;
  closeWorkbench(wb: { page: Page; context: BrowserContext }): Promise<void>;
  runCommand(page: Page, title: string): Promise<number>;
  webviewFrame(page: Page): FrameLocator;
  openMlopsViews(page: Page): Promise<Locator>;
  mlopsView(page: Page, name: string): Locator;
  treeRows(view: Locator): Locator;
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Picks `label` in the open quick pick and returns the epoch ms (browser clock) of the Enter. */
async function pickQuickItem(page: Page, label: string): Promise<number> {
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(label);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().waitFor();
  const at = await page.evaluate(() => performance.timeOrigin + performance.now());
  await page.keyboard.press('Enter');
  return at;
}

/** The Runs panel's document inside VS Code's webview iframes, once it has painted rows (not `previous`'s). */
async function panelFrame(workbench: WorkbenchModule, page: Page, previous?: Frame): Promise<Frame> {
  const deadline = Date.now() + 120_000;
  let frame: Frame | null = null;
  while (!frame || frame === previous) {
    if (Date.now() > deadline) throw new Error('the new Runs panel did not show rows within 120 s');
    const grid = workbench.webviewFrame(page).locator('[data-testid=runs-grid] .vg-row').first();
    await grid.waitFor({ timeout: 120_000 });
    frame = await (await grid.elementHandle())!.ownerFrame();
    if (frame === previous) await page.waitForTimeout(20);
  }
  await frame.waitForFunction(() => performance.getEntriesByName('mlops-runs-first-rows').length > 0, undefined, { timeout: 60_000 });
  return frame;
}

function roundScroll(s: ScrollFigures, load: Load): ScrollFigures & { load: Load } {
  return { ...s, worstFrameMs: round(s.worstFrameMs), p95FrameMs: round(s.p95FrameMs), longestTaskMs: round(s.longestTaskMs), load };
}

/** Fast scroll, then again over the rows already fetched. */
async function scrollTwice(frame: Frame, page: Page): Promise<{ scrollFast: ScrollFigures & { load: Load }; scrollFastRowsFetched: ScrollFigures & { load: Load } }> {
  const fast = (await frame.evaluate(SCROLL_SCRIPT(2500, 40, 200))) as ScrollFigures;
  const fastLoad = machineLoad();
  await frame.evaluate('(() => { const g = document.querySelector("[data-testid=runs-grid]"); g.scrollTop = 0; g.scrollLeft = 0; })()');
  await page.waitForTimeout(300);
  const fastCached = (await frame.evaluate(SCROLL_SCRIPT(2500, 40, 200))) as ScrollFigures;
  return { scrollFast: roundScroll(fast, fastLoad), scrollFastRowsFetched: roundScroll(fastCached, machineLoad()) };
}

/** A VS Code on `workspace`, its extension host and engine found, the MLOps views listing the store's experiments. */
interface Session {
  readonly page: Page;
  readonly close: () => Promise<void>;
  readonly memory: (label: string) => MemorySample;
  readonly samples: Record<string, MemorySample>;
  /** the extension host's memory after a full GC, the panel open and scrolled (later samples follow that GC) */
  readonly heldAfterGc: () => Promise<HeldMemory | undefined>;
}

async function openSession(rig: RigModule, workbench: WorkbenchModule, browser: Browser, tmpRoot: string, workspace: string, experiment: string): Promise<Session> {
  const stateDir = join(tmpRoot, `state-${experiment}`);
  const storeDir = join(workspace, '.mlops');
  const server = rig.startServer({
    extensionsDir: join(tmpRoot, `extensions-${experiment}`),
    workspace,
    port: await rig.freePort(),
    stateDir,
    linkExt: EXTENSION,
    settings: { 'workbench.colorTheme': 'Default Dark Modern', 'remote.autoForwardPorts': false },
  });
  process.env.MLOPS_E2E_URL = server.url;
  let wb: { page: Page; context: BrowserContext } | undefined;
  const close = async (): Promise<void> => {
    if (wb) await workbench.closeWorkbench(wb);
    rig.stopServer(stateDir);
    // The engine runs detached (it outlives windows): stop the one this session started.
    await stopEngine(storeDir).catch(() => undefined);
  };
  try {
    wb = await workbench.openWorkbench(browser, workspace);
    const page = wb.page;
    const samples: Record<string, MemorySample> = {};
    let host: number | undefined;
    const deadline = Date.now() + 60_000;
    while ((host = extensionHostPid(stateDir)) === undefined && Date.now() < deadline) await page.waitForTimeout(200);
    if (host === undefined) throw new Error('no extension host process under this code-server');
    const hostPid = host;
    const memory = (label: string): MemorySample => (samples[label] = sampleMemory(hostPid, enginePid(storeDir)));
    memory('workbenchUp');
    // Baseline: the MLOps views show the store (its experiments listed: the engine answers).
    await workbench.openMlopsViews(page);
    // (the most recent experiment's row comes first, expanded: `experiment` may be below the fold)
    await workbench.treeRows(workbench.mlopsView(page, 'Experiments')).first().waitFor({ timeout: 120_000 });
    // Let activation's and the first tree's work finish before the baseline.
    await page.waitForTimeout(3_000);
    memory('mlopsViewsShown');
    return { page, close, memory, samples, heldAfterGc: () => memoryAfterGc(hostPid) };
  } catch (error) {
    // What the window showed, and the engine's log: kept outside the temp folder removed at the end.
    const shot = join(tmpdir(), `mlops-bench-vscode-${experiment}-failure.png`);
    await wb?.page.screenshot({ path: shot }).catch(() => undefined);
    const log = join(storeDir, 'engine.log');
    console.error(`failure screenshot: ${shot}${existsSync(log) ? `\nengine.log:\n${readFileSync(log, 'utf8').slice(-3000)}` : ''}`);
    await close();
    throw error;
  }
}

/** Extension host and engine RSS at each moment, and the host's growth over the baseline. */
function memoryFigures(samples: Record<string, MemorySample>, afterGc: HeldMemory | undefined): Record<string, unknown> {
  const base = samples.mlopsViewsShown?.extensionHostRssMb;
  const growth: Record<string, number | null> = {};
  for (const [label, s] of Object.entries(samples)) {
    if (label === 'workbenchUp' || label === 'mlopsViewsShown') continue;
    growth[label] = base === undefined || s.extensionHostRssMb === undefined ? null : round(s.extensionHostRssMb - base);
  }
  return { samples, extensionHostGrowthOverBaselineMb: growth, extensionHostAfterGc: afterGc ?? null };
}

async function tablePart(rig: RigModule, workbench: WorkbenchModule, browser: Browser, tmpRoot: string): Promise<Record<string, unknown>> {
  const workspace = join(tmpRoot, 'ws-table');
  mkdirSync(workspace, { recursive: true });
  const key = `table-r${TABLE_RUNS}-p124-m60-t14+curves-r${CURVE_RUNS}-m${CURVE_KEYS.length}x${STEPS}`;
  const { builtMs } = await cachedStore(key, workspace, async (store) => {
    await logTableRuns(store.tracking, 'table-10k', syntheticRuns({ runs: TABLE_RUNS, extraParams: 120, extraMetrics: 56, extraTags: 12 }));
    await logCurveRuns(store.tracking, 'curves-100', CURVE_KEYS, CURVE_RUNS, STEPS);
  });
  if (builtMs > 0) console.log(`store: ${TABLE_RUNS} + ${CURVE_RUNS} runs logged in ${(builtMs / 1000).toFixed(1)} s`);
  const session = await openSession(rig, workbench, browser, tmpRoot, workspace, 'table-10k');
  try {
    const { page, memory } = session;
    // ---- table: Open Runs → rows
    await workbench.runCommand(page, 'MLOps: Open Runs');
    const chosenAt = await pickQuickItem(page, 'table-10k');
    const frame = await panelFrame(workbench, page);
    const paint = await frame.evaluate(() => ({ origin: performance.timeOrigin, firstRows: performance.getEntriesByName('mlops-runs-first-rows')[0]!.startTime, scriptReady: performance.getEntriesByName('mlops-runs-script-ready')[0]?.startTime ?? null }));
    const openLoad = machineLoad();
    memory('tablePainted');
    const openToRowsMs = paint.origin + paint.firstRows - chosenAt;
    const columns = Number(await frame.locator('[data-testid=runs-grid]').getAttribute('aria-colcount')) - 1;
    const scrolls = await scrollTwice(frame, page);
    memory('tableScrolled');
    const afterGc = await session.heldAfterGc();

    // ---- the table again: the panel closed and opened anew (a new webview, the engine warm)
    await workbench.runCommand(page, 'View: Close Editor');
    await workbench.webviewFrame(page).locator('[data-testid=runs-grid]').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
    await workbench.runCommand(page, 'MLOps: Open Runs');
    const againAt = await pickQuickItem(page, 'table-10k');
    const frameAgain = await panelFrame(workbench, page, frame);
    const again = await frameAgain.evaluate(() => performance.timeOrigin + performance.getEntriesByName('mlops-runs-first-rows')[0]!.startTime);
    const reopenLoad = machineLoad();
    const reopenToRowsMs = again - againAt;
    memory('tableReopened');

    // ---- curves: a second panel on the 100 runs, all selected
    await workbench.runCommand(page, 'MLOps: Open Runs');
    await pickQuickItem(page, 'curves-100');
    const curvesFrame = await panelFrame(workbench, page, frameAgain);
    await curvesFrame.locator('[data-testid=runs-grid]').focus();
    await page.keyboard.press('Control+a');
    await curvesFrame.getByTestId('selection-count').getByText(`${CURVE_RUNS} selected`).waitFor();
    await curvesFrame.waitForFunction(() => Boolean((window as unknown as { mlopsRunsCharts?: unknown }).mlopsRunsCharts), undefined, { timeout: 20_000 });
    const curves = (await curvesFrame.evaluate(CURVES_SCRIPT)) as CurvesFigures;
    const curvesLoad = machineLoad();
    memory('curvesPainted');

    const figures = {
      storeBuiltMs: builtMs > 0 ? round(builtMs) : 'cached',
      table: {
        runs: TABLE_RUNS,
        columns,
        /** the experiment chosen in the quick pick → first rows painted in the webview */
        openToFirstRowsMs: round(openToRowsMs),
        /** the webview document's own start → its bundle evaluated, → first rows */
        webviewScriptReadyMs: paint.scriptReady === null ? null : round(paint.scriptReady),
        webviewFirstRowsMs: round(paint.firstRows),
        load: openLoad,
        ...scrolls,
        /** the panel closed and opened again: chosen → first rows */
        reopenToFirstRowsMs: round(reopenToRowsMs),
        reopenLoad,
      },
      curves: {
        runs: CURVE_RUNS,
        metrics: CURVE_KEYS.length,
        stepsPerSeries: STEPS,
        firstPaintMs: round(curves.ms),
        firstChartMs: round(curves.firstChartMs),
        /** when each chart's series arrived, ms after the click (read and downsampled in the engine one chart at a time) */
        seriesAnsweredAtMs: curves.answeredMs,
        chartsDrawnAtFirstPaint: curves.drawn,
        charts: curves.charts,
        seriesDrawn: curves.series,
        pointsDrawn: curves.points,
        load: curvesLoad,
      },
      memory: memoryFigures(session.samples, afterGc),
    };
    console.log(`Real VS Code through the engine, table ${TABLE_RUNS} runs × ${columns} columns: experiment chosen → first rows ${figures.table.openToFirstRowsMs} ms (the webview document's own start → rows ${figures.table.webviewFirstRowsMs} ms, bundle ready at ${figures.table.webviewScriptReadyMs} ms) [${openLoad.uptime}]`);
    printScrolls(scrolls);
    console.log(`  closed and opened again: chosen → first rows ${figures.table.reopenToFirstRowsMs} ms [${reopenLoad.uptime}]`);
    console.log(`Real VS Code, curves ${CURVE_RUNS} runs × ${CURVE_KEYS.length} metrics × ${STEPS} steps: ${figures.curves.firstPaintMs} ms to paint the ${curves.drawn} charts in view, the first at ${figures.curves.firstChartMs} ms; ${curves.series} series / ${curves.points} points [${curvesLoad.uptime}]`);
    printMemory(session.samples, afterGc);
    return figures;
  } finally {
    await session.close();
  }
}

/** A store of `shape` (cached), Open Runs on it → first rows, the fast scroll, and the memory on the way. */
async function widePart(rig: RigModule, workbench: WorkbenchModule, browser: Browser, tmpRoot: string, shape: WideShape): Promise<Record<string, unknown>> {
  const workspace = join(tmpRoot, `ws-${shape.name}`);
  mkdirSync(workspace, { recursive: true });
  const { builtMs } = await cachedStore(shapeKey(shape), workspace, (store) => logWideRuns(store, shape));
  if (builtMs > 0) console.log(`store: ${shape.runs} runs logged in ${(builtMs / 1000).toFixed(1)} s`);
  const session = await openSession(rig, workbench, browser, tmpRoot, workspace, shape.name);
  try {
    const { page, memory } = session;
    await workbench.runCommand(page, 'MLOps: Open Runs');
    const chosenAt = await pickQuickItem(page, shape.name);
    const frame = await panelFrame(workbench, page);
    const paint = await frame.evaluate(() => ({ origin: performance.timeOrigin, firstRows: performance.getEntriesByName('mlops-runs-first-rows')[0]!.startTime }));
    const openLoad = machineLoad();
    memory('tablePainted');
    const columns = Number(await frame.locator('[data-testid=runs-grid]').getAttribute('aria-colcount')) - 1;
    const scrolls = await scrollTwice(frame, page);
    memory('tableScrolled');
    const afterGc = await session.heldAfterGc();
    const figures = {
      storeBuiltMs: builtMs > 0 ? round(builtMs) : 'cached',
      table: {
        runs: shape.runs,
        params: shape.params,
        metrics: shape.metrics,
        columns,
        openToFirstRowsMs: round(paint.origin + paint.firstRows - chosenAt),
        webviewFirstRowsMs: round(paint.firstRows),
        load: openLoad,
        ...scrolls,
      },
      memory: memoryFigures(session.samples, afterGc),
    };
    console.log(`Real VS Code through the engine, ${shape.runs} runs × (${shape.params} params + ${shape.metrics} metrics), ${columns} columns: experiment chosen → first rows ${figures.table.openToFirstRowsMs} ms [${openLoad.uptime}]`);
    printScrolls(scrolls);
    printMemory(session.samples, afterGc);
    return figures;
  } finally {
    await session.close();
  }
}

function printScrolls(scrolls: { scrollFast: ScrollFigures & { load: Load }; scrollFastRowsFetched: ScrollFigures & { load: Load } }): void {
  for (const [name, s] of [
    ['fast scroll (40 rows + 200 px/frame)', scrolls.scrollFast],
    ['same fast scroll, rows already fetched', scrolls.scrollFastRowsFetched],
  ] as const) {
    console.log(`  ${name}: ${s.frames} frames, worst ${s.worstFrameMs} ms, p95 ${s.p95FrameMs} ms, long tasks ${s.longTasks} (longest ${s.longestTaskMs} ms), ${s.rowsScrolled} rows [load ${s.load.load1}]`);
  }
}

function printMemory(samples: Record<string, MemorySample>, afterGc: HeldMemory | undefined): void {
  const base = samples.mlopsViewsShown?.extensionHostRssMb;
  for (const [label, s] of Object.entries(samples)) {
    const growth = base !== undefined && s.extensionHostRssMb !== undefined && label !== 'workbenchUp' && label !== 'mlopsViewsShown' ? ` (+${round(s.extensionHostRssMb - base)} MB over the views shown)` : '';
    console.log(`  RSS ${label}: extension host ${s.extensionHostRssMb ?? '?'} MB${growth}, engine ${s.engineRssMb ?? '(none yet)'} MB [load ${s.load.load1}]`);
  }
  if (afterGc) console.log(`  extension host after a full GC (panel open, scrolled): RSS ${afterGc.rssMb ?? '?'} MB, JS heap ${afterGc.heapUsedMb} MB used of ${afterGc.heapTotalMb} MB, external ${afterGc.externalMb} MB [load ${afterGc.load.load1}]`);
  else console.log('  (no GC figure: the inspector port 9229 was taken)');
}

type MemoryOf = { memory?: { samples?: Record<string, MemorySample>; extensionHostAfterGc?: HeldMemory | null } } | undefined;

/** The extension host's RSS in a part's samples taken with its Runs panel open. */
function panelOpenRss(part: unknown): { scrolled: number | undefined; peak: number | undefined } {
  const samples = (part as MemoryOf)?.memory?.samples ?? {};
  const open = Object.entries(samples)
    .filter(([label]) => label !== 'workbenchUp' && label !== 'mlopsViewsShown')
    .flatMap(([, s]) => (s.extensionHostRssMb === undefined ? [] : [s.extensionHostRssMb]));
  return { scrolled: samples.tableScrolled?.extensionHostRssMb, peak: open.length > 0 ? Math.max(...open) : undefined };
}

/**
 * What each store adds to the extension host over the 20-run reference window, in MB: RSS with the
 * Runs panel open and scrolled, the peak of the samples with the panel open, and RSS and JS heap
 * after a full GC (panel open, scrolled), each minus the reference's same figure.
 */
function addedByStores(results: Record<string, unknown>): Record<string, Record<string, number | null>> {
  const reference = panelOpenRss(results.reference);
  const referenceGc = (results.reference as MemoryOf)?.memory?.extensionHostAfterGc ?? undefined;
  const minus = (a: number | undefined, b: number | undefined): number | null => (a === undefined || b === undefined ? null : round(a - b));
  const added = (part: unknown): Record<string, number | null> => {
    const rss = panelOpenRss(part);
    const gc = (part as MemoryOf)?.memory?.extensionHostAfterGc ?? undefined;
    return {
      scrolled: minus(rss.scrolled, reference.scrolled),
      peak: minus(rss.peak, reference.peak),
      rssAfterGc: minus(gc?.rssMb, referenceGc?.rssMb),
      heapUsedAfterGc: minus(gc?.heapUsedMb, referenceGc?.heapUsedMb),
    };
  };
  return { table10kBy203: added(results), runs100kBy40: added(results.large) };
}

function partsToRun(): Part[] {
  const named = process.argv.slice(2).length > 0 ? process.argv.slice(2) : (process.env.BENCH_RUNS_PANEL_PARTS ?? 'reference,table').split(',');
  const parts = named.map((p) => p.trim()).filter((p) => p !== '');
  for (const p of parts) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`unknown part "${p}" (parts: ${PARTS.join(', ')})`);
  return parts as Part[];
}

async function main(): Promise<void> {
  const parts = partsToRun();
  if (!existsSync(join(EXTENSION, 'dist', 'extension.js'))) throw new Error(`${EXTENSION}/dist/extension.js is missing: run "npm run build" first`);
  // The e2e rig's plain-JS modules, typed by the interfaces above.
  const rig = (await import(RIG_MODULE)) as RigModule;
  rig.ensureRig();
  const tmpRoot = mkdtempSync(join(tmpdir(), 'mlops-bench-vscode-'));
  process.env.MLOPS_E2E_TMP = tmpRoot;
  const previous = existsSync(RESULTS_FILE) ? (JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>) : {};
  let browser: Browser | undefined;
  try {
    const workbench = (await import(WORKBENCH_MODULE)) as WorkbenchModule;
    browser = await workbench.launchBrowser();
    const measured: Record<string, unknown> = {};
    if (parts.includes('reference')) measured.reference = await widePart(rig, workbench, browser, tmpRoot, REFERENCE);
    if (parts.includes('table')) Object.assign(measured, await tablePart(rig, workbench, browser, tmpRoot));
    if (parts.includes('large')) measured.large = await widePart(rig, workbench, browser, tmpRoot, LARGE);
    const kept = {
      ...(parts.includes('reference') ? {} : { reference: previous.reference }),
      ...(parts.includes('table') ? {} : { storeBuiltMs: previous.storeBuiltMs, table: previous.table, curves: previous.curves, memory: previous.memory }),
      ...(parts.includes('large') ? {} : { large: previous.large }),
    };
    const added = addedByStores({ ...kept, ...measured });
    const results = {
      bench: 'runs-panel-vscode',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpu: cpus()[0]?.model.trim(),
      build: 'dist/ as built (npm run build), code-server + headless Chromium (software rendering), window 1400×900; the window a client of the MLOps engine process',
      loadAverage: loadavg().map((l) => round(l, 2)),
      partsMeasured: parts,
      ...kept,
      ...measured,
      /** the extension host's RSS with a store's Runs panel open (after scrolling; the peak; after a full GC) and its JS heap after the GC, minus the same in the 20-run reference window */
      extensionHostRssAddedMb: added,
      targets: { firstPaintMs: 500, worstFrameMs: 50, curvesMs: 1000, heapMb: 300, extensionHostRssAddedMbAt100k: 60 },
    };
    console.log(`Extension host memory added (MB), the Runs panel open and scrolled, over the 20-run reference window: ${JSON.stringify(added)}`);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(RESULTS_FILE, JSON.stringify(results, null, 2) + '\n');
  } finally {
    await browser?.close().catch(() => undefined);
    rmSync(tmpRoot, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
