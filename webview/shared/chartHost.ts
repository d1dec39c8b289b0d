/**
 * One ECharts instance per element, created on first use and resized with it. Each panel's bundle
 * registers only the charts it draws (echarts.use), so this module imports nothing but the core.
 */
import * as echarts from 'echarts/core';

export type ChartInstance = echarts.ECharts;

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
