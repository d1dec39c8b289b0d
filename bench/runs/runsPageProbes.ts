/**
 * Scripts the Runs panel benchmarks run inside the panel's page (the harness page, or the
 * webview frame in real VS Code): frame gaps while scrolling, and the curves tab timed from the
 * click to every chart in view painted.
 */

export interface ScrollFigures {
  frames: number;
  worstFrameMs: number;
  p95FrameMs: number;
  longTasks: number;
  longestTaskMs: number;
  rowsScrolled: number;
  maxCellsInDom: number;
}

/** Runs in the page: scrolls down (and right) for `ms`, measuring frame gaps and long tasks. */
export const SCROLL_SCRIPT = (ms: number, rowsPerFrame: number, colsPxPerFrame: number): string => `(async () => {
  await new Promise((r) => setTimeout(r, 50));
  const grid = document.querySelector('[data-testid=runs-grid]');
  const longTasks = [];
  const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(e.duration); });
  observer.observe({ type: 'longtask', buffered: false });
  const gaps = [];
  let maxCells = 0;
  const start = performance.now();
  let last = start;
  await new Promise((resolve) => {
    function frame(now) {
      gaps.push(now - last);
      last = now;
      grid.scrollTop += ${rowsPerFrame} * 24;
      grid.scrollLeft = (grid.scrollLeft + ${colsPxPerFrame}) % (grid.scrollWidth - grid.clientWidth);
      maxCells = Math.max(maxCells, document.querySelectorAll('.vg-cell').length);
      if (now - start < ${ms}) requestAnimationFrame(frame); else resolve();
    }
    requestAnimationFrame(frame);
  });
  await new Promise((r) => setTimeout(r, 100));
  observer.disconnect();
  gaps.shift();
  const sorted = gaps.slice().sort((a, b) => a - b);
  return {
    frames: gaps.length,
    worstFrameMs: sorted[sorted.length - 1] || 0,
    p95FrameMs: sorted[Math.floor(sorted.length * 0.95)] || 0,
    longTasks: longTasks.length,
    longestTaskMs: longTasks.length ? Math.max(...longTasks) : 0,
    rowsScrolled: Math.round(grid.scrollTop / 24),
    maxCellsInDom: maxCells,
  };
})()`;

export interface CurvesFigures {
  chartsLoaded: boolean;
  firstChartMs: number;
  requests: number;
  /** when each chart's series arrived, ms after the click */
  answeredMs: number[];
  drawn: number;
  ms: number;
  charts: number;
  series: number;
  points: number;
}

/** Clicks the Curves tab and waits for every chart in view; the first chart's time too. */
export const CURVES_SCRIPT = `(async () => {
  const chartsLoaded = Boolean(window.mlopsRunsCharts);
  const t0 = performance.now();
  let firstChart = null;
  const watch = new MutationObserver(() => { if (firstChart === null && document.querySelector('.chart[data-series]')) firstChart = performance.now() - t0; });
  watch.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-series'] });
  document.querySelector('[data-testid=tab-curves]').click();
  await new Promise((resolve, reject) => {
    const check = () => {
      const p = document.querySelector('[data-testid=curves-panel]');
      const alert = document.querySelector('[role=alert]');
      if (p && p.dataset.rendered) resolve();
      else if (alert) reject(new Error('the curves failed: ' + alert.textContent));
      else if (performance.now() - t0 > 60000) reject(new Error('the curves were not drawn within 60 s'));
      else setTimeout(check, 5);
    };
    check();
  });
  // Two frames: ECharts paints in its own animation frame after setOption.
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const charts = [...document.querySelectorAll('.chart[data-metric]')].map((c) => JSON.parse(c.dataset.series || '[]'));
  watch.disconnect();
  const fetches = performance.getEntriesByName('mlops-curves-fetch');
  const answeredMs = fetches.map((e) => Math.round(e.startTime + e.duration - t0));
  return { chartsLoaded, firstChartMs: firstChart, requests: fetches.length, answeredMs, drawn: charts.filter((c) => c.length > 0).length, ms: performance.now() - t0, charts: charts.length, series: charts.reduce((s, c) => s + c.length, 0), points: charts.reduce((s, c) => s + c.reduce((t, x) => t + x.points, 0), 0) };
})()`;

