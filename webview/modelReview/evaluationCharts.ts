/**
 * The model card's evaluation charts: ROC and precision–recall per class, or predicted vs actual
 * and the residual histogram. ECharts with only these charts registered (DESIGN §5).
 */
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { ClassCurveView, CurvesView } from '../../src/protocol/modelReview/modelReviewContract';
import { chartFor } from '../shared/chartHost';
import type { ChartTheme } from '../shared/chartTheme';
import { formatNumber } from '../shared/formatting';

echarts.use([LineChart, ScatterChart, BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type EvaluationChartKind = 'roc' | 'pr' | 'predictedVsActual' | 'residuals';

/** Which charts a version's curves give, in display order. */
export function chartKinds(curves: CurvesView | null): EvaluationChartKind[] {
  if (!curves) return [];
  return curves.task === 'classification' ? ['roc', 'pr'] : ['predictedVsActual', 'residuals'];
}

export const CHART_TITLES: Record<EvaluationChartKind, string> = {
  roc: 'ROC curve (one vs rest)',
  pr: 'Precision–recall (one vs rest)',
  predictedVsActual: 'Predicted vs actual',
  residuals: 'Residuals (predicted − actual)',
};

function axis(theme: ChartTheme, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'value',
    name,
    nameLocation: 'middle',
    nameGap: 28,
    nameTextStyle: { color: theme.foreground },
    axisLine: { lineStyle: { color: theme.muted } },
    axisLabel: { color: theme.muted, formatter: (v: number) => formatNumber(v) },
    splitLine: { lineStyle: { color: theme.grid } },
    ...extra,
  };
}

function base(theme: ChartTheme): Record<string, unknown> {
  return {
    animation: false,
    color: theme.palette,
    textStyle: { fontFamily: theme.fontFamily, color: theme.foreground },
    tooltip: { backgroundColor: theme.tooltipBackground, borderColor: theme.tooltipBorder, textStyle: { color: theme.foreground }, valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v)) },
  };
}

function curveOption(curves: ClassCurveView[], kind: 'roc' | 'pr', theme: ChartTheme): Record<string, unknown> {
  const areaName = kind === 'roc' ? 'AUC' : 'AP';
  const name = (c: ClassCurveView): string => `${c.label} (${areaName} ${c.area === null ? 'n/a' : c.area.toFixed(3)})`;
  const series: Record<string, unknown>[] = curves.map((c) => ({ type: 'line', name: name(c), data: c.points, showSymbol: false, step: kind === 'pr' ? 'end' : undefined, lineStyle: { width: 2 } }));
  if (kind === 'roc') series.push({ type: 'line', name: 'chance', data: [[0, 0], [1, 1]], showSymbol: false, silent: true, lineStyle: { type: 'dashed', width: 1, color: theme.muted }, itemStyle: { color: theme.muted } });
  return {
    ...base(theme),
    // Inside the plot, in the corner a good curve leaves empty: lower right for ROC, lower left for PR.
    legend: {
      orient: 'vertical',
      bottom: 52,
      ...(kind === 'roc' ? { right: 20 } : { left: 60 }),
      backgroundColor: theme.background,
      borderColor: theme.grid,
      borderWidth: 1,
      padding: 6,
      itemHeight: 10,
      textStyle: { color: theme.foreground },
      inactiveColor: theme.muted,
    },
    grid: { left: 52, right: 16, top: 12, bottom: 44 },
    xAxis: axis(theme, kind === 'roc' ? 'False positive rate' : 'Recall', { min: 0, max: 1 }),
    yAxis: axis(theme, kind === 'roc' ? 'True positive rate' : 'Precision', { min: 0, max: 1, nameGap: 36 }),
    tooltip: { ...(base(theme)['tooltip'] as object), trigger: 'axis' },
    series,
  };
}

/** Draws one chart into `element`; returns what it drew, for tests (also kept in data-series). */
export function renderEvaluationChart(element: HTMLElement, curves: CurvesView, kind: EvaluationChartKind, theme: ChartTheme): { series: number; points: number } {
  const chart = chartFor(element);
  let option: Record<string, unknown>;
  let drawn: { series: number; points: number };
  if (curves.task === 'classification' && (kind === 'roc' || kind === 'pr')) {
    const list = kind === 'roc' ? curves.roc : curves.pr;
    option = curveOption(list, kind, theme);
    drawn = { series: list.length, points: list.reduce((a, c) => a + c.points.length, 0) };
  } else if (curves.task === 'regression' && kind === 'predictedVsActual') {
    const values = curves.predictedVsActual.flat().filter(Number.isFinite);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    option = {
      ...base(theme),
      grid: { left: 60, right: 16, top: 12, bottom: 44 },
      xAxis: axis(theme, 'Actual', { scale: true }),
      yAxis: axis(theme, 'Predicted', { scale: true, nameGap: 44 }),
      tooltip: { ...(base(theme)['tooltip'] as object), trigger: 'item' },
      series: [
        { type: 'scatter', name: 'test rows', data: curves.predictedVsActual, symbolSize: 4, itemStyle: { opacity: 0.6 } },
        { type: 'line', name: 'perfect', data: [[lo, lo], [hi, hi]], showSymbol: false, silent: true, lineStyle: { type: 'dashed', color: theme.muted } },
      ],
    };
    drawn = { series: 1, points: curves.predictedVsActual.length };
  } else if (curves.task === 'regression' && kind === 'residuals') {
    const { edges, counts } = curves.residuals;
    const labels = counts.map((_, i) => formatNumber(((edges[i] ?? 0) + (edges[i + 1] ?? 0)) / 2));
    option = {
      ...base(theme),
      grid: { left: 52, right: 16, top: 12, bottom: 44 },
      xAxis: { ...axis(theme, 'Residual (bin centre)'), type: 'category', data: labels, axisLabel: { color: theme.muted, hideOverlap: true } },
      yAxis: axis(theme, 'Test rows', { nameGap: 36, minInterval: 1 }),
      tooltip: { ...(base(theme)['tooltip'] as object), trigger: 'axis' },
      series: [{ type: 'bar', name: 'rows', data: counts, barCategoryGap: '4%' }],
    };
    drawn = { series: 1, points: counts.length };
  } else {
    throw new Error(`No ${kind} chart for a ${curves.task} model`);
  }
  chart.setOption(option, { notMerge: true });
  element.dataset.series = JSON.stringify(drawn);
  return drawn;
}
