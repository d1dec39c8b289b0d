/** Scatter of any param or metric against a metric, one point per run; box plots per group when grouped. */
import type { MatrixResult } from '../../src/protocol/runs/runsContract';
import { formatNumber } from '../shared/formatting';
import type { RunChartTheme } from '../shared/chartTheme';
import { chartFor } from '../shared/chartHost';
import { escapeHtml } from './curvesChart';
import { numericColumn } from './parallelChart';

/** How a study with several objectives shows its Pareto front on the scatter. */
export interface ScatterFront {
  /** the matrix column holding the front tag (`true` on a front trial) */
  frontColumn: number;
  /** the axes are the study's two objectives: join the front's points, in these directions */
  line?: { x: 'minimize' | 'maximize'; y: 'minimize' | 'maximize' };
}

/** matrix columns: [x, y] or [x, y, front tag] */
export function renderScatter(element: HTMLElement, matrix: MatrixResult, labels: { x: string; y: string }, theme: RunChartTheme, front?: ScatterFront): void {
  const chart = chartFor(element);
  const xNumeric = numericColumn(matrix.rows, 0);
  const onFront = (i: number): boolean => front !== undefined && matrix.rows[i]![front.frontColumn] === 'true';
  const points = matrix.rows
    .map((r, i) => ({ x: r[0], y: r[1], i }))
    .filter((p) => p.x !== null && p.x !== '' && typeof p.y === 'number')
    .map((p) => ({
      value: [xNumeric ? Number(p.x) : String(p.x), p.y as number] as [number | string, number],
      name: matrix.runNames[p.i]!,
      front: onFront(p.i),
      itemStyle: onFront(p.i) ? { color: theme.runColor(matrix.runIds[p.i]!), borderColor: theme.foreground, borderWidth: 2 } : { color: theme.runColor(matrix.runIds[p.i]!), opacity: front ? 0.55 : 1 },
      ...(onFront(p.i) ? { symbol: 'diamond', symbolSize: 14 } : {}),
    }));
  const frontPoints = points.filter((p) => p.front);
  // the front as the staircase bounding what its trials dominate (its attainment surface): along x
  // first when smaller x is better, else up or down first
  const frontLine = front?.line && xNumeric
    ? [...frontPoints].sort((a, b) => (a.value[0] as number) - (b.value[0] as number)).map((p) => p.value)
    : undefined;
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
      series: [
        { type: 'scatter', id: 'runs', data: points.map(({ front: _front, ...p }) => p), symbolSize: 8, z: 3 },
        ...(frontLine ? [{ type: 'line', id: 'pareto-front', name: 'Pareto front', data: frontLine, step: front?.line?.x === 'minimize' ? 'end' : 'start', symbol: 'none', silent: true, z: 2, lineStyle: { color: theme.foreground, type: 'dashed', width: 1.5, opacity: 0.8 } }] : []),
      ],
    },
    { replaceMerge: ['series', 'xAxis', 'yAxis'] },
  );
  element.dataset.series = JSON.stringify({ points: points.length, xNumeric, ...(front ? { front: frontPoints.map((p) => p.name).sort(), frontLine: frontLine?.length ?? 0 } : {}) });
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
