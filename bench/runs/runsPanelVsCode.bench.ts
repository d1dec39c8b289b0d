/**
 * The Runs panel in real VS Code: code-server and Debian's Chromium (the e2e rig), the extension
 * as built in dist/, a workspace store logged through the store's API with
 *   - 10,000 runs × 200 columns (experiment "table-10k"), and
 *   - 100 runs × 10 metrics × 10,000 steps (experiment "curves-100").
 * Measured:
 *   - Open Runs → first rows painted: from choosing the experiment in the quick pick to the
 *     rows in the webview (VS Code creating the webview and loading the panel included);
 *   - frames while scrolling fast inside the real webview (rows fetched on the way, then again);
 *   - 100 runs selected (Ctrl+A) → Curves tab → every chart in view painted;
 *   - the same after closing the panel and opening it again (a new webview; the store's run
 *     views are built by then).
 * (The webview's heap is not separable from the workbench's in code-server; the Chromium bench,
 * runsTable.bench.ts, measures it.)
 * Prints the figures and writes bench/results/runs-panel-vscode.json. Needs `npm run build`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Frame, FrameLocator, Page } from 'playwright-core';
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import { syntheticRuns } from '../../test/webview/runsFakeHost';
import { CURVE_KEYS, logCurveRuns, logTableRuns } from './benchRunsStore';
import { CURVES_SCRIPT, SCROLL_SCRIPT, type CurvesFigures, type ScrollFigures } from './runsPageProbes';

const ROOT = join(__dirname, '..', '..');
const TABLE_RUNS = 10_000;
const CURVE_RUNS = 100;
const STEPS = 10_000;
const RIG_MODULE = join(ROOT, 'test', 'e2e', 'rig', 'rig.mjs');
const WORKBENCH_MODULE = join(ROOT, 'test', 'e2e', 'lib', 'workbench.mjs');

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
  const deadline = Date.now() + 60_000;
  let frame: Frame | null = null;
  while (!frame || frame === previous) {
    if (Date.now() > deadline) throw new Error('the new Runs panel did not show rows within 60 s');
    const grid = workbench.webviewFrame(page).locator('[data-testid=runs-grid] .vg-row').first();
    await grid.waitFor({ timeout: 60_000 });
    frame = await (await grid.elementHandle())!.ownerFrame();
    if (frame === previous) await page.waitForTimeout(20);
  }
  await frame.waitForFunction(() => performance.getEntriesByName('mlops-runs-first-rows').length > 0, undefined, { timeout: 60_000 });
  return frame;
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run "npm run build" first');
  // The e2e rig's plain-JS modules, typed by the interfaces above.
  const rig = (await import(RIG_MODULE)) as RigModule;
  rig.ensureRig();
  const tmpRoot = mkdtempSync(join(tmpdir(), 'mlops-bench-vscode-'));
  const workspace = join(tmpRoot, 'ws');
  const stateDir = join(tmpRoot, 'state');
  mkdirSync(workspace, { recursive: true });
  process.env.MLOPS_E2E_TMP = tmpRoot;
  let browser: Browser | undefined;
  try {
    // ---- the workspace store
    const setup0 = performance.now();
    const store = await openWorkspaceStore({ dir: join(workspace, '.mlops'), writerName: 'bench' });
    await logTableRuns(store.tracking, 'table-10k', syntheticRuns({ runs: TABLE_RUNS, extraParams: 120, extraMetrics: 56, extraTags: 12 }));
    await logCurveRuns(store.tracking, 'curves-100', CURVE_KEYS, CURVE_RUNS, STEPS);
    await store.close();
    const setupMs = performance.now() - setup0;
    console.log(`store: ${TABLE_RUNS} + ${CURVE_RUNS} runs logged in ${(setupMs / 1000).toFixed(1)} s`);

    // ---- VS Code
    const server = rig.startServer({
      extensionsDir: join(tmpRoot, 'extensions'),
      workspace,
      port: await rig.freePort(),
      stateDir,
      linkExt: ROOT,
      settings: { 'workbench.colorTheme': 'Default Dark Modern', 'remote.autoForwardPorts': false },
    });
    process.env.MLOPS_E2E_URL = server.url;
    const workbench = (await import(WORKBENCH_MODULE)) as WorkbenchModule;
    browser = await workbench.launchBrowser();
    const wb = await workbench.openWorkbench(browser, workspace);
    const page = wb.page;

    // ---- table: Open Runs → rows
    await workbench.runCommand(page, 'MLOps: Open Runs');
    const chosenAt = await pickQuickItem(page, 'table-10k');
    const frame = await panelFrame(workbench, page);
    const paint = await frame.evaluate(() => ({ origin: performance.timeOrigin, firstRows: performance.getEntriesByName('mlops-runs-first-rows')[0]!.startTime, scriptReady: performance.getEntriesByName('mlops-runs-script-ready')[0]?.startTime ?? null }));
    const openToRowsMs = paint.origin + paint.firstRows - chosenAt;
    const columns = Number(await frame.locator('[data-testid=runs-grid]').getAttribute('aria-colcount')) - 1;
    const fast = (await frame.evaluate(SCROLL_SCRIPT(2500, 40, 200))) as ScrollFigures;
    await frame.evaluate('(() => { const g = document.querySelector("[data-testid=runs-grid]"); g.scrollTop = 0; g.scrollLeft = 0; })()');
    await page.waitForTimeout(300);
    const fastCached = (await frame.evaluate(SCROLL_SCRIPT(2500, 40, 200))) as ScrollFigures;

    // ---- the table again: the panel closed and opened anew (a new webview, the store warm)
    await workbench.runCommand(page, 'View: Close Editor');
    await workbench.webviewFrame(page).locator('[data-testid=runs-grid]').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
    await workbench.runCommand(page, 'MLOps: Open Runs');
    const againAt = await pickQuickItem(page, 'table-10k');
    const frameAgain = await panelFrame(workbench, page, frame);
    const again = await frameAgain.evaluate(() => performance.timeOrigin + performance.getEntriesByName('mlops-runs-first-rows')[0]!.startTime);
    const reopenToRowsMs = again - againAt;

    // ---- curves: a second panel on the 100 runs, all selected
    await workbench.runCommand(page, 'MLOps: Open Runs');
    await pickQuickItem(page, 'curves-100');
    const curvesFrame = await panelFrame(workbench, page, frameAgain);
    await curvesFrame.locator('[data-testid=runs-grid]').focus();
    await page.keyboard.press('Control+a');
    await curvesFrame.getByTestId('selection-count').getByText(`${CURVE_RUNS} selected`).waitFor();
    await curvesFrame.waitForFunction(() => Boolean((window as unknown as { mlopsRunsCharts?: unknown }).mlopsRunsCharts), undefined, { timeout: 20_000 });
    const curves = (await curvesFrame.evaluate(CURVES_SCRIPT)) as CurvesFigures;
    await workbench.closeWorkbench(wb);

    const results = {
      bench: 'runs-panel-vscode',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpu: cpus()[0]?.model.trim(),
      build: 'dist/ as built (npm run build), code-server + headless Chromium (software rendering), window 1400×900',
      loadAverage: loadavg().map((l) => round(l, 2)),
      storeSetupMs: round(setupMs),
      table: {
        runs: TABLE_RUNS,
        columns,
        /** the experiment chosen in the quick pick → first rows painted in the webview */
        openToFirstRowsMs: round(openToRowsMs),
        /** the webview document's own start → its bundle evaluated, → first rows */
        webviewScriptReadyMs: paint.scriptReady === null ? null : round(paint.scriptReady),
        webviewFirstRowsMs: round(paint.firstRows),
        scrollFast: { ...fast, worstFrameMs: round(fast.worstFrameMs), p95FrameMs: round(fast.p95FrameMs), longestTaskMs: round(fast.longestTaskMs) },
        scrollFastRowsFetched: { ...fastCached, worstFrameMs: round(fastCached.worstFrameMs), p95FrameMs: round(fastCached.p95FrameMs), longestTaskMs: round(fastCached.longestTaskMs) },
        /** the panel closed and opened again: chosen → first rows */
        reopenToFirstRowsMs: round(reopenToRowsMs),
      },
      curves: {
        runs: CURVE_RUNS,
        metrics: CURVE_KEYS.length,
        stepsPerSeries: STEPS,
        firstPaintMs: round(curves.ms),
        firstChartMs: round(curves.firstChartMs),
        /** when each chart's series arrived, ms after the click (read and downsampled on the host one chart at a time) */
        seriesAnsweredAtMs: curves.answeredMs,
        chartsDrawnAtFirstPaint: curves.drawn,
        charts: curves.charts,
        seriesDrawn: curves.series,
        pointsDrawn: curves.points,
      },
      targets: { firstPaintMs: 500, worstFrameMs: 50, curvesMs: 1000, heapMb: 300 },
    };
    console.log(`Real VS Code, table ${TABLE_RUNS} runs × ${columns} columns: experiment chosen → first rows ${results.table.openToFirstRowsMs} ms (the webview document's own start → rows ${results.table.webviewFirstRowsMs} ms, bundle ready at ${results.table.webviewScriptReadyMs} ms)`);
    for (const [name, s] of [
      ['fast scroll (40 rows + 200 px/frame)', results.table.scrollFast],
      ['same fast scroll, rows already fetched', results.table.scrollFastRowsFetched],
    ] as const) {
      console.log(`  ${name}: ${s.frames} frames, worst ${s.worstFrameMs} ms, p95 ${s.p95FrameMs} ms, long tasks ${s.longTasks} (longest ${s.longestTaskMs} ms), ${s.rowsScrolled} rows`);
    }
    console.log(`  closed and opened again: chosen → first rows ${results.table.reopenToFirstRowsMs} ms`);
    console.log(`Real VS Code, curves ${CURVE_RUNS} runs × ${CURVE_KEYS.length} metrics × ${STEPS} steps: ${results.curves.firstPaintMs} ms to paint the ${curves.drawn} charts in view, the first at ${results.curves.firstChartMs} ms; ${curves.series} series / ${curves.points} points`);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'runs-panel-vscode.json'), JSON.stringify(results, null, 2) + '\n');
  } finally {
    await browser?.close().catch(() => undefined);
    rig.stopServer(stateDir);
    rmSync(tmpRoot, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
