/**
 * What the Runs panel's chart code offers the table's code. The charts (and ECharts) are built
 * as their own part, `runs-charts.js` (charts.part.ts), loaded when a chart tab is first shown or
 * when the table has painted and the page is idle; only types cross this file.
 */
import type { disposeChart } from '../shared/chartHost';
import type { renderCurve } from './curvesChart';
import type { renderParallel } from './parallelChart';
import type { renderBoxplot, renderScatter } from './scatterChart';

export const RUNS_CHARTS_GLOBAL = 'mlopsRunsCharts';

export interface RunsCharts {
  renderCurve: typeof renderCurve;
  renderParallel: typeof renderParallel;
  renderScatter: typeof renderScatter;
  renderBoxplot: typeof renderBoxplot;
  disposeChart: typeof disposeChart;
}
