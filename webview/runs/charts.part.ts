/** The Runs panel's charts and ECharts, loaded on demand (see runsCharts.ts and shared/lazyBundle.ts). */
import { disposeChart } from '../shared/chartHost';
import { renderCurve } from './curvesChart';
import { renderParallel } from './parallelChart';
import { RUNS_CHARTS_GLOBAL, type RunsCharts } from './runsCharts';
import { renderBoxplot, renderScatter } from './scatterChart';

const charts: RunsCharts = { renderCurve, renderParallel, renderScatter, renderBoxplot, disposeChart };
(window as unknown as Record<string, unknown>)[RUNS_CHARTS_GLOBAL] = charts;
