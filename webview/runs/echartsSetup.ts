/** ECharts with only what the Runs panel draws: tree-shaken from echarts/core (DESIGN §5). */
import { BoxplotChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, ParallelComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, ScatterChart, ParallelChart, BoxplotChart, GridComponent, TooltipComponent, DataZoomComponent, ParallelComponent, CanvasRenderer]);

export { echarts };
export type ChartInstance = echarts.ECharts;

/** One chart per element, created on first use and resized with it. */
export function chartFor(element: HTMLElement): ChartInstance {
  const existing = echarts.getInstanceByDom(element);
  if (existing) return existing;
  const chart = echarts.init(element, undefined, { renderer: 'canvas' });
  new ResizeObserver(() => chart.resize()).observe(element);
  return chart;
}

export function disposeChart(element: HTMLElement): void {
  echarts.getInstanceByDom(element)?.dispose();
}
