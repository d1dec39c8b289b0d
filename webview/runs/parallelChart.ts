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

/**
 * How a numeric axis reads best: a log scale for positive values spanning two orders of magnitude
 * or more (learning rates, weight decay), whole-number ticks for counts (layers, units, epochs).
 */
export function numericScale(rows: readonly (readonly CellValue[])[], j: number): { log: boolean; integer: boolean } {
  let min = Infinity;
  let max = -Infinity;
  let integer = true;
  for (const r of rows) {
    if (r[j] === null || r[j] === '') continue;
    const v = Number(r[j]);
    if (v < min) min = v;
    if (v > max) max = v;
    if (!Number.isInteger(v)) integer = false;
  }
  return { log: min > 0 && max / min >= 100, integer: integer && min !== Infinity };
}

/** Pixels per character of the axis names and labels (12px UI font): enough to keep them apart. */
const CHAR_PX = 7;
const MARGIN = { left: 70, right: 110 };

/**
 * An axis name in lines that fit between two axes, broken after `.`, `_` or `-` (a name like
 * `optimizer.learning_rate` reads as `optimizer.` / `learning_rate`), never inside a word if avoidable.
 */
export function wrapAxisName(name: string, maxChars: number): string {
  const parts = name.split(/(?<=[._\-\s])/);
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    if (line !== '' && line.length + part.length > maxChars) {
      lines.push(line);
      line = '';
    }
    line += part;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}

/** Worse → better: purple, red, orange (readable on dark and light backgrounds, and apart for red-green colour blindness). */
export const OUTCOME_SCALE = ['#6a3fc8', '#d6456b', '#f89540'];

function mix(a: string, b: string, t: number): string {
  const channel = (hex: string, i: number): number => parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
  return `rgb(${[0, 1, 2].map((i) => Math.round(channel(a, i) + (channel(b, i) - channel(a, i)) * t)).join(',')})`;
}

/** The colour of an outcome at `t` (0 the worst run, 1 the best). */
export function outcomeColor(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (OUTCOME_SCALE.length - 1);
  const i = Math.min(OUTCOME_SCALE.length - 2, Math.floor(x));
  return mix(OUTCOME_SCALE[i]!, OUTCOME_SCALE[i + 1]!, x - i);
}

/** Colour lines by one axis (the objective): which params lead to good runs is then seen at a glance. */
export interface OutcomeColoring {
  axis: number;
  higherIsBetter: boolean;
}

export function renderParallel(
  element: HTMLElement,
  matrix: MatrixResult,
  axes: readonly AxisSpec[],
  theme: RunChartTheme,
  onBrush: (runIds: string[] | undefined) => void,
  coloring?: OutcomeColoring,
): void {
  const chart = chartFor(element);
  const spacing = (Math.max(element.clientWidth, 300) - MARGIN.left - MARGIN.right) / Math.max(1, axes.length - 1);
  const nameChars = Math.max(8, Math.floor((spacing - 12) / CHAR_PX));
  const names = axes.map((a) => wrapAxisName(a.label, nameChars));
  const nameLines = Math.max(1, ...names.map((n) => n.split('\n').length));
  // Same axes as the last draw (a live update): merge them so the user's brushed ranges stay.
  const axesKey = axes.map((a) => a.columnId).join('\n');
  const sameAxes = element.dataset.axes === axesKey;
  element.dataset.axes = axesKey;
  const numeric = axes.map((_, j) => numericColumn(matrix.rows, j));
  const scales = axes.map((_, j) => (numeric[j] ? numericScale(matrix.rows, j) : undefined));
  const categories = axes.map((_, j) =>
    numeric[j] ? [] : [...new Set(matrix.rows.map((r) => (r[j] === null ? '—' : String(r[j]))))].sort((a, b) => a.localeCompare(b)),
  );
  const outcome = coloring && numeric[coloring.axis] ? outcomes(matrix.rows, coloring) : undefined;
  const data = matrix.rows.map((row, i) => ({
    value: row.map((v, j) => (numeric[j] ? (v === null || v === '' ? null : Number(v)) : v === null ? '—' : String(v))),
    lineStyle: { color: outcome ? (outcome[i] === undefined ? theme.muted : outcomeColor(outcome[i]!)) : theme.runColor(matrix.runIds[i]!) },
    name: matrix.runNames[i],
  }));
  // The best runs are drawn last, on top of the others.
  const drawOrder = outcome ? data.map((_, i) => i).sort((a, b) => (outcome[a] ?? -1) - (outcome[b] ?? -1)) : data.map((_, i) => i);
  chart.setOption(
    {
      animation: false,
      textStyle: { fontFamily: theme.fontFamily, color: theme.foreground },
      // Room above the axes for their (wrapped) names; the outer margins for the first and last axes' labels.
      parallel: { left: MARGIN.left, right: MARGIN.right, top: 24 + nameLines * 15, bottom: 24, parallelAxisDefault: { nameGap: 12, nameTextStyle: { color: theme.foreground, fontWeight: 'bold', lineHeight: 15 }, axisLabel: { color: theme.muted }, axisLine: { lineStyle: { color: theme.muted } } } },
      parallelAxis: axes.map((a, j) => ({
        dim: j,
        name: names[j],
        type: numeric[j] ? (scales[j]!.log ? 'log' : 'value') : 'category',
        scale: true,
        ...(numeric[j]
          ? { ...(scales[j]!.integer ? { minInterval: 1 } : {}), axisLabel: { color: theme.muted, formatter: (v: number) => formatNumber(v) } }
          : { data: categories[j], axisLabel: { color: theme.muted, width: Math.max(48, Math.min(spacing - 16, MARGIN.right - 8)), overflow: 'truncate' } }),
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
      series: [{ type: 'parallel', id: 'runs', data: drawOrder.map((i) => data[i]!), lineStyle: { width: 1.2, opacity: 0.7 }, inactiveOpacity: 0.06, activeOpacity: 0.9, progressive: 2000, smooth: false }],
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
    onBrush(series.getRawIndicesByActiveState('active').map((i) => matrix.runIds[drawOrder[i]!]!));
  });
  element.dataset.series = JSON.stringify({ axes: axes.map((a) => a.columnId), runs: matrix.runIds.length, numeric, coloredBy: outcome ? axes[coloring!.axis]!.columnId : null, topRun: matrix.runNames[drawOrder.at(-1)!] ?? null });
}

/** Each run's outcome on the colouring axis, 0 (worst) to 1 (best); undefined where it has none. */
function outcomes(rows: readonly (readonly CellValue[])[], { axis, higherIsBetter }: OutcomeColoring): Array<number | undefined> {
  const values = rows.map((r) => (r[axis] === null || r[axis] === '' ? undefined : Number(r[axis])));
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  const min = Math.min(...present);
  const max = Math.max(...present);
  return values.map((v) => {
    if (v === undefined || !Number.isFinite(v)) return undefined;
    const t = max > min ? (v - min) / (max - min) : 1;
    return higherIsBetter ? t : 1 - t;
  });
}
