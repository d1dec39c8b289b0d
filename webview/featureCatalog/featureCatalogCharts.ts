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

export function renderFeatureDistribution(element: HTMLElement, feature: string, distribution: FeatureDistributionView, theme: ChartTheme): void {
  const numeric = distribution.kind === 'numeric';
  const labels = numeric ? distribution.counts.map((_, i) => `${formatNumber(distribution.edges[i] ?? 0)} – ${formatNumber(distribution.edges[i + 1] ?? 0)}`) : [...distribution.labels, ...(distribution.otherCount > 0 ? ['(other)'] : [])];
  const counts = numeric ? distribution.counts : [...distribution.counts, ...(distribution.otherCount > 0 ? [distribution.otherCount] : [])];
  // text reads best as horizontal bars, ranked top-down
  const categoryAxis = { type: 'category', data: numeric ? labels : [...labels].reverse(), axisLine: { lineStyle: { color: theme.muted } }, axisLabel: { color: theme.muted, hideOverlap: true, rotate: numeric ? 30 : 0, width: 140, overflow: 'truncate' } };
  const valueAxis = { type: 'value', name: 'rows', nameLocation: 'middle', nameGap: numeric ? 44 : 28, nameTextStyle: { color: theme.foreground }, axisLabel: { color: theme.muted }, splitLine: { lineStyle: { color: theme.grid } } };
  chartFor(element).setOption(
    {
      animation: false,
      textStyle: { fontFamily: theme.fontFamily, color: theme.foreground },
      grid: numeric ? { left: 56, right: 16, top: 16, bottom: 72 } : { left: 150, right: 24, top: 8, bottom: 44 },
      tooltip: { trigger: 'axis', backgroundColor: theme.tooltipBackground, borderColor: theme.tooltipBorder, textStyle: { color: theme.foreground } },
      xAxis: numeric ? categoryAxis : valueAxis,
      yAxis: numeric ? valueAxis : categoryAxis,
      series: [{ type: 'bar', name: feature, data: numeric ? counts : [...counts].reverse(), barCategoryGap: numeric ? '4%' : '30%', itemStyle: { color: theme.palette[0], opacity: 0.9 } }],
    },
    { notMerge: true },
  );
  element.dataset.series = JSON.stringify({ feature, kind: distribution.kind, bars: counts.length, total: counts.reduce((s, c) => s + c, 0) });
}
