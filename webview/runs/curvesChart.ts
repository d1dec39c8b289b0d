/**
 * Metric curves: one chart per metric, every compared run overlaid in its own stable colour.
 * Updates replace only the series, so a live refresh keeps the user's zoom; charts share one
 * group so zooming or hovering one moves them all.
 */
import type { SeriesResult } from '../../src/protocol/runs/runsContract';
import { formatDuration } from '../shared/formatting';
import { formatNumber } from '../shared/formatting';
import type { RunChartTheme } from '../shared/chartTheme';
import { curvePoints, pointAt, valueAt, type XAxisMode } from './curveSeries';
import { chartFor } from '../shared/chartHost';
import { echarts } from './echartsSetup';

export interface CurveSettings {
  xAxis: XAxisMode;
  smoothing: number;
  logScale: boolean;
}

const GROUP = 'mlops-curves';
/** Lines in one tooltip; the rest are counted. */
const TOOLTIP_ROWS = 15;

interface TooltipItem {
  /** the hovered x (ECharts snaps it to the nearest point of any series) */
  axisValue: number;
}

export function renderCurve(element: HTMLElement, key: string, data: SeriesResult, settings: CurveSettings, theme: RunChartTheme): void {
  const chart = chartFor(element);
  const fresh = chart.group !== GROUP;
  const starts = new Map(data.runs.map((r) => [r.runId, r.startTime]));
  const many = data.runs.length > 20;
  const keyed = data.series.filter((s) => s.key === key);
  // Hairlines (width 1) take the rasterizer's fast path: with thousands of segments per chart,
  // wider strokes cost several times more to draw on a software-rendered canvas.
  const lineWidth = many || keyed.reduce((sum, s) => sum + s.x.length, 0) > 4000 ? 1 : 1.5;
  const names = new Map(data.runs.map((r) => [r.runId, r.name]));
  const series = keyed.map((s) => ({
      type: 'line' as const,
      id: s.runId,
      name: names.get(s.runId) ?? s.runId,
      data: curvePoints(s, settings.xAxis, starts.get(s.runId) ?? 0, settings.smoothing, settings.logScale),
      dimensions: ['x', 'y'],
      showSymbol: false,
      symbolSize: 4,
      // No client-side sampling: the host already sent at most one point per pixel.
      lineStyle: { width: lineWidth },
      color: theme.runColor(s.runId),
      // Hover focus recomputes every series' style: affordable for a few runs, not for a hundred.
      ...(many ? { emphasis: { disabled: true } } : { emphasis: { focus: 'series' as const } }),
    }));
  const xType = settings.xAxis === 'time' ? ('time' as const) : ('value' as const);
  const axisCommon = {
    axisLine: { lineStyle: { color: theme.muted } },
    axisLabel: { color: theme.muted },
    splitLine: { lineStyle: { color: theme.grid } },
  };
  chart.setOption(
    {
      animation: false,
      textStyle: { fontFamily: theme.fontFamily, color: theme.foreground },
      grid: { left: 56, right: 16, top: 12, bottom: 52 },
      xAxis: {
        type: xType,
        scale: true,
        name: settings.xAxis === 'step' ? 'step' : settings.xAxis === 'time' ? '' : 'time since start',
        nameLocation: 'middle',
        nameGap: 24,
        nameTextStyle: { color: theme.muted },
        ...axisCommon,
        axisLabel: { color: theme.muted, ...(settings.xAxis === 'relative' ? { formatter: (v: number) => formatDuration(v * 1000) } : {}) },
      },
      yAxis: { type: settings.logScale ? 'log' : 'value', scale: true, ...axisCommon, axisLabel: { color: theme.muted, formatter: (v: number) => formatNumber(v) } },
      tooltip: {
        trigger: 'axis',
        confine: true,
        className: 'curve-tooltip',
        backgroundColor: theme.tooltipBackground,
        borderColor: theme.tooltipBorder,
        textStyle: { color: theme.foreground, fontSize: 12 },
        axisPointer: { type: 'line', lineStyle: { color: theme.muted } },
        // Every run's value at the hovered x, read off our own arrays: ECharts lists only the runs
        // with a point nearest to it (and lets go of typed-array data once stored).
        formatter: (raw: unknown) => {
          const x = (raw as TooltipItem[])[0]?.axisValue;
          if (typeof x !== 'number') return '';
          const items = series.flatMap((s) => {
            const y = valueAt(s.data, x);
            return y === undefined ? [] : [{ name: s.name, color: s.color, y }];
          });
          return tooltipHtml(x, items, settings.xAxis);
        },
      },
      ...(fresh
        ? {
            dataZoom: [
              { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
              { type: 'slider', xAxisIndex: 0, height: 14, bottom: 4, filterMode: 'none', textStyle: { color: theme.muted }, borderColor: theme.grid },
            ],
          }
        : {}),
      series,
    },
    // Only the series are replaced: axes, tooltip and the dataZoom window (the user's zoom) stay.
    { replaceMerge: ['series'], lazyUpdate: false },
  );
  if (fresh) {
    chart.group = GROUP;
    echarts.connect(GROUP);
  }
  recordZoom(element, chart);
  if (fresh) chart.on('datazoom', () => recordZoom(element, chart));
  element.dataset.series = JSON.stringify(
    series.map((s) => {
      const points = s.data.length / 2;
      return { id: s.id, name: s.name, color: s.color, points, first: points > 0 ? pointAt(s.data, 0) : undefined, last: points > 0 ? pointAt(s.data, points - 1) : undefined };
    }),
  );
}

/** The zoom window as percentages, on the element: tests and live updates check it survives. */
function recordZoom(element: HTMLElement, chart: ReturnType<typeof chartFor>): void {
  const zoom = (chart.getOption() as { dataZoom?: Array<{ start?: number; end?: number }> }).dataZoom?.[0];
  element.dataset.zoom = zoom ? `${Math.round((zoom.start ?? 0) * 10) / 10}-${Math.round((zoom.end ?? 100) * 10) / 10}` : '';
}

function tooltipHtml(x: number, items: Array<{ name: string; color: string; y: number }>, mode: XAxisMode): string {
  if (items.length === 0) return '';
  const xText = mode === 'step' ? `step ${formatNumber(x)}` : mode === 'time' ? new Date(x).toLocaleString() : formatDuration(x * 1000);
  const sorted = [...items].sort((a, b) => b.y - a.y);
  const rows = sorted
    .slice(0, TOOLTIP_ROWS)
    .map((i) => `<div><span class="swatch" style="background:${i.color}"></span>${escapeHtml(i.name)}: <b>${formatNumber(i.y)}</b></div>`);
  const more = sorted.length > TOOLTIP_ROWS ? `<div>… and ${sorted.length - TOOLTIP_ROWS} more runs</div>` : '';
  return `<div><b>${xText}</b></div>${rows.join('')}${more}`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
