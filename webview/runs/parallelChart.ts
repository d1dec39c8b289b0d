/**
 * Parallel coordinates over params and metrics for every run of the query. Brushing an axis
 * range reports the runs inside all brushed ranges, which then filter the table.
 */
import type { CellValue, MatrixResult } from '../../src/protocol/runs/runsContract';
import { formatNumber } from '../shared/formatting';
import type { RunChartTheme } from '../shared/chartTheme';
import { chartFor } from '../shared/chartHost';
import { escapeHtml } from './curvesChart';

export interface AxisSpec {
  columnId: string;
  label: string;
}

/** A column is drawn as numbers only if every present value is a number (params arrive as strings). */
export function numericColumn(rows: readonly (readonly CellValue[])[], j: number): boolean {
  return rows.every((r) => r[j] === null || r[j] === '' || Number.isFinite(Number(r[j])));
}

export function renderParallel(element: HTMLElement, matrix: MatrixResult, axes: readonly AxisSpec[], theme: RunChartTheme, onBrush: (runIds: string[] | undefined) => void): void {
  const chart = chartFor(element);
  // Same axes as the last draw (a live update): merge them so the user's brushed ranges stay.
  const axesKey = axes.map((a) => a.columnId).join('\n');
  const sameAxes = element.dataset.axes === axesKey;
  element.dataset.axes = axesKey;
  const numeric = axes.map((_, j) => numericColumn(matrix.rows, j));
  const categories = axes.map((_, j) =>
    numeric[j] ? [] : [...new Set(matrix.rows.map((r) => (r[j] === null ? '—' : String(r[j]))))].sort((a, b) => a.localeCompare(b)),
  );
  const data = matrix.rows.map((row, i) => ({
    value: row.map((v, j) => (numeric[j] ? (v === null || v === '' ? null : Number(v)) : v === null ? '—' : String(v))),
    lineStyle: { color: theme.runColor(matrix.runIds[i]!) },
    name: matrix.runNames[i],
  }));
  chart.setOption(
    {
      animation: false,
      textStyle: { fontFamily: theme.fontFamily, color: theme.foreground },
      parallel: { left: 60, right: 90, top: 40, bottom: 30, parallelAxisDefault: { nameTextStyle: { color: theme.foreground, fontWeight: 'bold' }, axisLabel: { color: theme.muted }, axisLine: { lineStyle: { color: theme.muted } } } },
      parallelAxis: axes.map((a, j) => ({
        dim: j,
        name: a.label,
        type: numeric[j] ? 'value' : 'category',
        scale: true,
        ...(numeric[j] ? { axisLabel: { color: theme.muted, formatter: (v: number) => formatNumber(v) } } : { data: categories[j] }),
        areaSelectStyle: { width: 16, borderColor: theme.foreground, color: theme.muted, opacity: 0.3 },
      })),
      tooltip: {
        trigger: 'item',
        confine: true,
        backgroundColor: theme.tooltipBackground,
        borderColor: theme.tooltipBorder,
        textStyle: { color: theme.foreground },
        formatter: (p: unknown) => escapeHtml(String((p as { name?: string }).name ?? '')),
      },
      series: [{ type: 'parallel', id: 'runs', data, lineStyle: { width: 1.2, opacity: 0.7 }, inactiveOpacity: 0.06, activeOpacity: 0.9, progressive: 2000, smooth: false }],
    },
    { replaceMerge: sameAxes ? ['series'] : ['parallelAxis', 'series'] },
  );
  chart.off('axisareaselected');
  chart.on('axisareaselected', () => {
    const brushed = axes.some((_, j) => {
      const model = (chart as unknown as { getModel(): { getComponent(type: string, index: number): { activeIntervals?: unknown[] } | undefined } }).getModel();
      return (model.getComponent('parallelAxis', j)?.activeIntervals?.length ?? 0) > 0;
    });
    if (!brushed) {
      onBrush(undefined);
      return;
    }
    const series = (chart as unknown as { getModel(): { getSeriesByIndex(i: number): { getRawIndicesByActiveState(state: string): number[] } } }).getModel().getSeriesByIndex(0);
    onBrush(series.getRawIndicesByActiveState('active').map((i) => matrix.runIds[i]!));
  });
  element.dataset.series = JSON.stringify({ axes: axes.map((a) => a.columnId), runs: matrix.runIds.length, numeric });
}
