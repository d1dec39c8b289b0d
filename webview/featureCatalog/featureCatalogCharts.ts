/** The selected feature's distribution: a histogram for numbers, top values for text. ECharts with only a bar chart. */
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { FeatureDistributionView } from '../../src/protocol/featureCatalog/featureCatalogContract';
import { chartFor } from '../shared/chartHost';
import type { ChartTheme } from '../shared/chartTheme';
import { formatNumber } from '../shared/formatting';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

/** Histogram margins; the label spacing below is worked out from the width between them. */
const NUMERIC_GRID = { left: 56, right: 16, top: 16, bottom: 44 };
const LABEL_FONT_PX = 12;
/** blank space kept between two neighbouring axis labels */
const LABEL_GAP_PX = 12;

let measuring: CanvasRenderingContext2D | null | undefined;

/** Width of a label as the canvas will draw it (a rough guess where the page cannot measure). */
function labelWidth(text: string, fontFamily: string): number {
  measuring ??= document.createElement('canvas').getContext('2d');
  if (!measuring) return text.length * LABEL_FONT_PX * 0.6;
  measuring.font = `${LABEL_FONT_PX}px ${fontFamily}`;
  return measuring.measureText(text).width;
}

/**
 * Every how many bars a range label fits without touching its neighbours. Labels stay level
 * (rotated ranges overlapped and could not be read); the tooltip gives every bar's range.
 */
export function histogramLabelEvery(chartWidth: number, bars: number, widestLabel: number): number {
  const band = Math.max(1, chartWidth - NUMERIC_GRID.left - NUMERIC_GRID.right) / Math.max(1, bars);
  return Math.max(1, Math.ceil((widestLabel + LABEL_GAP_PX) / band));
}

export function renderFeatureDistribution(element: HTMLElement, feature: string, distribution: FeatureDistributionView, theme: ChartTheme): void {
  const numeric = distribution.kind === 'numeric';
  const labels = numeric ? distribution.counts.map((_, i) => `${formatNumber(distribution.edges[i] ?? 0)}–${formatNumber(distribution.edges[i + 1] ?? 0)}`) : [...distribution.labels, ...(distribution.otherCount > 0 ? ['(other)'] : [])];
  const counts = numeric ? distribution.counts : [...distribution.counts, ...(distribution.otherCount > 0 ? [distribution.otherCount] : [])];
  const chart = chartFor(element);
  const widest = numeric ? Math.max(0, ...labels.map((l) => labelWidth(l, theme.fontFamily))) : 0;
  // asked again at every layout, so a narrower panel spreads the labels further apart
  const every = (): number => histogramLabelEvery(chart.getWidth(), labels.length, widest);
  const numericLabels = { color: theme.muted, fontSize: LABEL_FONT_PX, rotate: 0, hideOverlap: false, interval: (index: number): boolean => index % every() === 0 };
  // text reads best as horizontal bars, ranked top-down
  const categoryAxis = {
    type: 'category',
    data: numeric ? labels : [...labels].reverse(),
    axisLine: { lineStyle: { color: theme.muted } },
    axisTick: numeric ? { alignWithLabel: true, interval: (index: number): boolean => index % every() === 0 } : {},
    axisLabel: numeric ? numericLabels : { color: theme.muted, hideOverlap: true, width: 140, overflow: 'truncate' },
  };
  const valueAxis = { type: 'value', name: 'rows', nameLocation: 'middle', nameGap: numeric ? 44 : 28, nameTextStyle: { color: theme.foreground }, axisLabel: { color: theme.muted }, splitLine: { lineStyle: { color: theme.grid } } };
  chart.setOption(
    {
      animation: false,
      textStyle: { fontFamily: theme.fontFamily, color: theme.foreground },
      grid: numeric ? NUMERIC_GRID : { left: 150, right: 24, top: 8, bottom: 44 },
      tooltip: { trigger: 'axis', backgroundColor: theme.tooltipBackground, borderColor: theme.tooltipBorder, textStyle: { color: theme.foreground } },
      xAxis: numeric ? categoryAxis : valueAxis,
      yAxis: numeric ? valueAxis : categoryAxis,
      series: [{ type: 'bar', name: feature, data: numeric ? counts : [...counts].reverse(), barCategoryGap: numeric ? '4%' : '30%', itemStyle: { color: theme.palette[0], opacity: 0.9 } }],
    },
    { notMerge: true },
  );
  // where the shown x labels sit (px from the chart's left edge, centred on their bar as ECharts places them), for tests
  const shownLabels = numeric
    ? labels.flatMap((text, i) => {
        if (i % every() !== 0) return [];
        const centre = Number(chart.convertToPixel({ xAxisIndex: 0 }, i));
        const width = labelWidth(text, theme.fontFamily);
        return [{ text, left: Math.round(centre - width / 2), right: Math.round(centre + width / 2) }];
      })
    : [];
  element.dataset.series = JSON.stringify({ feature, kind: distribution.kind, bars: counts.length, total: counts.reduce((s, c) => s + c, 0) });
  element.dataset.xLabels = JSON.stringify(shownLabels);
}
