/**
 * One ECharts instance per element, created on first use and resized with it. Each panel's bundle
 * registers only the charts it draws (echarts.use), so this module imports nothing but the core.
 */
import * as echarts from 'echarts/core';

export type ChartInstance = echarts.ECharts;

/** The resize watch of each chart element, stopped when its chart is disposed. */
const resizeWatches = new WeakMap<HTMLElement, ResizeObserver>();

export function chartFor(element: HTMLElement): ChartInstance {
  const existing = echarts.getInstanceByDom(element);
  if (existing) return existing;
  const chart = echarts.init(element, undefined, { renderer: 'canvas' });
  // A removed element reports a last resize (to 0 × 0); a disposed chart must not be resized:
  // ECharts logs "Instance … has been disposed" for every call on one.
  const watch = new ResizeObserver(() => {
    if (!chart.isDisposed() && element.isConnected) chart.resize();
  });
  watch.observe(element);
  resizeWatches.set(element, watch);
  return chart;
}

export function disposeChart(element: HTMLElement): void {
  resizeWatches.get(element)?.disconnect();
  resizeWatches.delete(element);
  echarts.getInstanceByDom(element)?.dispose();
}
