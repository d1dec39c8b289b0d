/**
 * The drift panel's charts: reference vs current distribution of a column, a column's drift score
 * over time, and the dataset drift share over time. ECharts with only these charts registered.
 */
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { DriftColumnView, DriftHistoryPoint } from '../../src/protocol/drift/driftContract';
import { chartFor } from '../shared/chartHost';
import { themedAxis, themedTooltip, type ChartTheme } from '../shared/chartTheme';
import { formatNumber } from '../shared/formatting';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

const time = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** Reference and current shares per bin or category, side by side. */
export function renderDistribution(element: HTMLElement, column: DriftColumnView, theme: ChartTheme): void {
  const h = column.histogram;
  const labels = h.kind === 'numeric' ? h.reference.map((_, i) => `${formatNumber(h.edges[i] ?? 0)} – ${formatNumber(h.edges[i + 1] ?? 0)}`) : h.labels;
  const percent = (shares: number[]): number[] => shares.map((s) => Math.round(s * 10000) / 100);
  const [referenceColor, currentColor] = [theme.palette[0], theme.palette[1]];
  chartFor(element).setOption(
    {
      animation: false,
      textStyle: { fontFamily: theme.fontFamily, color: theme.foreground },
      legend: { top: 0, textStyle: { color: theme.foreground }, inactiveColor: theme.muted },
      grid: { left: 52, right: 16, top: 32, bottom: h.kind === 'numeric' ? 64 : 48 },
      tooltip: { ...themedTooltip(theme, 'axis'), valueFormatter: (v: unknown) => `${String(v)}%` },
      xAxis: { type: 'category', data: labels, ...themedAxis(theme), axisLabel: { color: theme.muted, hideOverlap: true, rotate: h.kind === 'numeric' ? 30 : 0 } },
      yAxis: { type: 'value', name: '% of rows', ...themedAxis(theme), nameLocation: 'middle', nameGap: 36 },
      series: [
        { type: 'bar', name: 'Reference', data: percent(h.reference), itemStyle: { color: referenceColor, opacity: 0.85 }, barGap: '0%' },
        { type: 'bar', name: 'Current', data: percent(h.current), itemStyle: { color: currentColor, opacity: 0.85 } },
      ],
    },
    { notMerge: true },
  );
  element.dataset.series = JSON.stringify({ bins: labels.length, reference: h.reference.length, current: h.current.length });
}

/** A line of values over the monitor's runs with the threshold as a dashed line; points that drifted in red. */
function renderOverTime(
  element: HTMLElement,
  history: readonly DriftHistoryPoint[],
  value: (point: DriftHistoryPoint) => { y: number | null; drifted: boolean },
  options: { name: string; threshold: number | null; max?: number; percent?: boolean; selectedId: number | null; onPick?: (id: number) => void },
  theme: ChartTheme,
): void {
  const chart = chartFor(element);
  const driftColor = theme.palette[2] ?? '#e15759';
  const data = history.map((p) => {
    const { y, drifted } = value(p);
    return {
      value: [p.createdAt, y === null ? null : options.percent ? y * 100 : y],
      id: p.id,
      symbolSize: p.id === options.selectedId ? 12 : 7,
      itemStyle: { color: drifted ? driftColor : theme.palette[0], borderColor: p.id === options.selectedId ? theme.foreground : undefined, borderWidth: p.id === options.selectedId ? 2 : 0 },
    };
  });
  const threshold = options.threshold === null ? null : options.percent ? options.threshold * 100 : options.threshold;
  chart.setOption(
    {
      animation: false,
      textStyle: { fontFamily: theme.fontFamily, color: theme.foreground },
      grid: { left: 52, right: 24, top: 16, bottom: 32 },
      tooltip: {
        ...themedTooltip(theme, 'item'),
        formatter: (p: unknown) => {
          const item = p as { value: [number, number | null] };
          const y = item.value[1];
          return `${time.format(new Date(item.value[0]))}<br>${options.name}: ${y === null ? '—' : `${formatNumber(y)}${options.percent ? '%' : ''}`}`;
        },
      },
      xAxis: { type: 'time', ...themedAxis(theme), splitLine: { show: false } },
      yAxis: { type: 'value', ...themedAxis(theme), ...(options.max !== undefined ? { max: options.percent ? options.max * 100 : options.max } : {}), min: 0, axisLabel: { color: theme.muted, formatter: (v: number) => `${formatNumber(v)}${options.percent ? '%' : ''}` } },
      series: [
        {
          type: 'line',
          name: options.name,
          data,
          showSymbol: true,
          lineStyle: { color: theme.palette[0], width: 2 },
          markLine: threshold === null ? undefined : { silent: true, symbol: 'none', label: { position: 'insideEndTop', color: theme.muted, formatter: `threshold ${formatNumber(threshold)}${options.percent ? '%' : ''}` }, lineStyle: { type: 'dashed', color: theme.muted }, data: [{ yAxis: threshold }] },
        },
      ],
    },
    { notMerge: true },
  );
  chart.off('click');
  if (options.onPick) {
    const pick = options.onPick;
    chart.on('click', (event) => {
      const id = (event.data as { id?: number } | undefined)?.id;
      if (typeof id === 'number') pick(id);
    });
  }
  element.dataset.series = JSON.stringify({ points: data.length, drifted: data.filter((d) => d.itemStyle.color === driftColor).length });
}

export function renderShareOverTime(element: HTMLElement, history: readonly DriftHistoryPoint[], threshold: number | null, selectedId: number | null, onPick: (id: number) => void, theme: ChartTheme): void {
  renderOverTime(element, history, (p) => ({ y: p.driftShare, drifted: p.datasetDrift }), { name: 'drifted columns', threshold, max: 1, percent: true, selectedId, onPick }, theme);
}

export function renderColumnOverTime(element: HTMLElement, history: readonly DriftHistoryPoint[], column: DriftColumnView, selectedId: number | null, onPick: (id: number) => void, theme: ChartTheme): void {
  renderOverTime(
    element,
    history,
    (p) => {
      const c = p.columns.find((x) => x.column === column.column);
      return { y: c?.score ?? null, drifted: c?.drifted ?? false };
    },
    { name: column.scoreIsPValue ? 'p-value' : `${column.test} distance`, threshold: column.threshold, ...(column.scoreIsPValue ? { max: 1 } : {}), selectedId, onPick },
    theme,
  );
}
