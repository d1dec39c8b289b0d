/**
 * The profile panel's charts: a numeric column's histogram, a categorical column's top
 * categories, and the correlation heatmap. ECharts with only these charts registered.
 */
import { BarChart, HeatmapChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { CorrelationMeasure, CorrelationView, ProfileColumnView } from '../../src/protocol/profile/profileContract';
import { chartFor } from '../shared/chartHost';
import { themedAxis, themedTooltip, type ChartTheme } from '../shared/chartTheme';
import { formatNumber } from '../shared/formatting';
import { columnValue, TOP_SHOWN } from './profileFormat';

echarts.use([BarChart, HeatmapChart, GridComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

/** Rows per bin (numeric) or per top category (text); `data-series` says what was drawn. */
export function renderColumnChart(element: HTMLElement, column: ProfileColumnView, theme: ChartTheme): void {
  const chart = chartFor(element);
  const base = { animation: false, textStyle: { fontFamily: theme.fontFamily, color: theme.foreground } };
  if (column.numeric) {
    const h = column.numeric.histogram;
    const labels = h.counts.map((_, i) => `${columnValue(column, h.edges[i] ?? 0)} – ${columnValue(column, h.edges[i + 1] ?? 0)}`);
    chart.setOption(
      {
        ...base,
        grid: { left: 56, right: 16, top: 16, bottom: 72 },
        tooltip: themedTooltip(theme, 'axis'),
        xAxis: { type: 'category', data: labels, ...themedAxis(theme), axisLabel: { color: theme.muted, hideOverlap: true, rotate: 30 } },
        yAxis: { type: 'value', name: h.fromSample ? 'rows (sample)' : 'rows', ...themedAxis(theme), nameLocation: 'middle', nameGap: 40 },
        series: [{ type: 'bar', name: 'rows', data: h.counts, barCategoryGap: '4%', itemStyle: { color: theme.palette[0] } }],
      },
      { notMerge: true },
    );
    element.dataset.series = JSON.stringify({ kind: 'histogram', column: column.name, bins: h.counts.length, rows: h.counts.reduce((s, c) => s + c, 0) });
    return;
  }
  const top = (column.top ?? []).slice(0, TOP_SHOWN);
  // largest at the top of a horizontal bar chart: ECharts draws the first category at the bottom
  const shown = [...top].reverse();
  chart.setOption(
    {
      ...base,
      grid: { left: 8, right: 32, top: 8, bottom: 24, containLabel: true },
      tooltip: themedTooltip(theme, 'axis'),
      xAxis: { type: 'value', ...themedAxis(theme) },
      yAxis: { type: 'category', data: shown.map((t) => (t.value.length > 28 ? `${t.value.slice(0, 27)}…` : t.value)), ...themedAxis(theme), axisLabel: { color: theme.foreground } },
      series: [{ type: 'bar', name: 'rows', data: shown.map((t) => t.count), itemStyle: { color: theme.palette[1] } }],
    },
    { notMerge: true },
  );
  element.dataset.series = JSON.stringify({ kind: 'categories', column: column.name, categories: top.length, rows: top.reduce((s, t) => s + t.count, 0) });
}

/** The matrix as a heatmap; hovering a cell shows the pair and its value. */
export function renderCorrelationChart(element: HTMLElement, matrix: CorrelationView, measure: CorrelationMeasure, theme: ChartTheme): void {
  const n = matrix.columns.length;
  const data: [number, number, number | '-'][] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data.push([j, n - 1 - i, matrix.values[i]?.[j] ?? '-']);
  const signed = measure !== 'cramersV';
  const cold = theme.palette[0] ?? '#4e9bd6';
  const hot = theme.palette[2] ?? '#e15759';
  const short = (name: string): string => (name.length > 18 ? `${name.slice(0, 17)}…` : name);
  chartFor(element).setOption(
    {
      animation: false,
      textStyle: { fontFamily: theme.fontFamily, color: theme.foreground },
      grid: { left: 8, right: 16, top: 8, bottom: 44, containLabel: true },
      tooltip: {
        ...themedTooltip(theme, 'item'),
        formatter: (p: unknown) => {
          const [x, y, v] = (p as { value: [number, number, number | '-'] }).value;
          return `${matrix.columns[n - 1 - y]} × ${matrix.columns[x]}<br>${v === '-' ? 'not enough rows' : formatNumber(v)}`;
        },
      },
      xAxis: { type: 'category', data: matrix.columns.map(short), ...themedAxis(theme), axisLabel: { color: theme.foreground, rotate: n > 2 ? 30 : 0, interval: 0 }, splitArea: { show: false } },
      yAxis: { type: 'category', data: [...matrix.columns].reverse().map(short), ...themedAxis(theme), axisLabel: { color: theme.foreground, interval: 0 } },
      visualMap: {
        min: signed ? -1 : 0,
        max: 1,
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 120,
        text: ['1', signed ? '−1' : '0'],
        textStyle: { color: theme.muted },
        inRange: { color: signed ? [cold, theme.background, hot] : [theme.background, hot] },
      },
      series: [
        {
          type: 'heatmap',
          data,
          label: { show: n <= 12, color: theme.foreground, formatter: (p: unknown) => { const v = (p as { value: [number, number, number | '-'] }).value[2]; return v === '-' ? '' : v.toFixed(2); } },
          itemStyle: { borderColor: theme.grid, borderWidth: 1 },
          emphasis: { itemStyle: { borderColor: theme.foreground, borderWidth: 2 } },
        },
      ],
    },
    { notMerge: true },
  );
  element.dataset.series = JSON.stringify({ measure, columns: n, cells: data.filter((d) => d[2] !== '-').length });
}
