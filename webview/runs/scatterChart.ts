/** Scatter of any param or metric against a metric, one point per run; box plots per group when grouped. */
import type { MatrixResult } from '../../src/protocol/runs/runsContract';
import { formatNumber } from '../shared/formatting';
import type { RunChartTheme } from '../shared/chartTheme';
import { chartFor } from '../shared/chartHost';
import { escapeHtml } from './curvesChart';
import { numericColumn } from './parallelChart';

/** matrix columns: [x, y] or [x, y, group] */
export function renderScatter(element: HTMLElement, matrix: MatrixResult, labels: { x: string; y: string }, theme: RunChartTheme): void {
  const chart = chartFor(element);
  const xNumeric = numericColumn(matrix.rows, 0);
  const points = matrix.rows
    .map((r, i) => ({ x: r[0], y: r[1], i }))
    .filter((p) => p.x !== null && p.x !== '' && typeof p.y === 'number')
    .map((p) => ({ value: [xNumeric ? Number(p.x) : String(p.x), p.y as number], name: matrix.runNames[p.i], itemStyle: { color: theme.runColor(matrix.runIds[p.i]!) } }));
  const categories = xNumeric ? undefined : [...new Set(points.map((p) => String(p.value[0])))].sort((a, b) => a.localeCompare(b));
  const axis = { axisLine: { lineStyle: { color: theme.muted } }, axisLabel: { color: theme.muted }, splitLine: { lineStyle: { color: theme.grid } }, nameTextStyle: { color: theme.foreground } };
  chart.setOption(
    {
      animation: false,
      textStyle: { fontFamily: theme.fontFamily, color: theme.foreground },
      grid: { left: 64, right: 24, top: 24, bottom: 48 },
      xAxis: { type: xNumeric ? 'value' : 'category', data: categories, scale: true, name: labels.x, nameLocation: 'middle', nameGap: 28, ...axis },
      yAxis: { type: 'value', scale: true, name: labels.y, ...axis, axisLabel: { color: theme.muted, formatter: (v: number) => formatNumber(v) } },
      tooltip: {
        trigger: 'item',
        backgroundColor: theme.tooltipBackground,
        borderColor: theme.tooltipBorder,
        textStyle: { color: theme.foreground },
        formatter: (p: unknown) => {
          const item = p as { name: string; value: [number | string, number] };
          return `<b>${escapeHtml(item.name)}</b><br>${escapeHtml(labels.x)}: ${typeof item.value[0] === 'number' ? formatNumber(item.value[0]) : escapeHtml(item.value[0])}<br>${escapeHtml(labels.y)}: ${formatNumber(item.value[1])}`;
        },
      },
      series: [{ type: 'scatter', id: 'runs', data: points, symbolSize: 8 }],
    },
    { replaceMerge: ['series', 'xAxis', 'yAxis'] },
  );
  element.dataset.series = JSON.stringify({ points: points.length, xNumeric });
}

/** Five-number summary per group: min, Q1, median, Q3, max. */
export function boxStats(values: number[]): [number, number, number, number, number] {
  const v = values.slice().sort((a, b) => a - b);
  const q = (p: number): number => {
    const pos = (v.length - 1) * p;
    const lo = Math.floor(pos);
    return v[lo]! + (v[Math.min(lo + 1, v.length - 1)]! - v[lo]!) * (pos - lo);
  };
  return [v[0]!, q(0.25), q(0.5), q(0.75), v[v.length - 1]!];
}

export function renderBoxplot(element: HTMLElement, matrix: MatrixResult, labels: { group: string; y: string }, theme: RunChartTheme): void {
  const chart = chartFor(element);
  const groups = new Map<string, number[]>();
  for (const r of matrix.rows) {
    if (typeof r[1] !== 'number') continue;
    const key = r[0] === null ? '—' : String(r[0]);
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(r[1]);
  }
  const names = [...groups.keys()].sort((a, b) => a.localeCompare(b));
  const axis = { axisLine: { lineStyle: { color: theme.muted } }, axisLabel: { color: theme.muted }, splitLine: { lineStyle: { color: theme.grid } }, nameTextStyle: { color: theme.foreground } };
  chart.setOption(
    {
      animation: false,
      textStyle: { fontFamily: theme.fontFamily, color: theme.foreground },
      grid: { left: 64, right: 24, top: 24, bottom: 48 },
      xAxis: { type: 'category', data: names, name: labels.group, nameLocation: 'middle', nameGap: 28, ...axis },
      yAxis: { type: 'value', scale: true, name: labels.y, ...axis },
      tooltip: { trigger: 'item', backgroundColor: theme.tooltipBackground, borderColor: theme.tooltipBorder, textStyle: { color: theme.foreground } },
      series: [{ type: 'boxplot', id: 'groups', data: names.map((n) => boxStats(groups.get(n)!)), itemStyle: { color: theme.background, borderColor: theme.palette[0] } }],
    },
    { replaceMerge: ['series', 'xAxis', 'yAxis'] },
  );
  element.dataset.series = JSON.stringify({ groups: names });
}
