/**
 * Chart colours from the VS Code theme. ECharts draws on a canvas and cannot use CSS variables,
 * so the computed values are read here and re-read when the theme changes.
 */

export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  tooltipBackground: string;
  tooltipBorder: string;
  fontFamily: string;
  palette: string[];
}

/**
 * Distinct hues that read on light and dark editors alike (Tableau 10 without its browns, which
 * vanish on dark backgrounds); the theme's own chart colours follow.
 */
const EXTRA_HUES = ['#4e9bd6', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#17becf', '#bcbd22', '#e377c2'];

/**
 * More hues spread by the golden angle: with a few dozen colours two runs of a small comparison
 * rarely share one. Mid lightness reads on light, dark and high-contrast backgrounds.
 */
const GOLDEN_HUES = Array.from({ length: 26 }, (_, i) => `hsl(${Math.round((i * 137.508 + 20) % 360)}, 62%, ${i % 2 === 0 ? 55 : 62}%)`);

export function readChartTheme(root: Element = document.documentElement): ChartTheme {
  const style = getComputedStyle(root);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  const themed = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-red', '--vscode-charts-purple', '--vscode-charts-yellow']
    .map((name) => style.getPropertyValue(name).trim())
    .filter((c) => c !== '');
  return {
    foreground: v('--vscode-foreground', '#cccccc'),
    muted: v('--vscode-descriptionForeground', '#999999'),
    grid: v('--vscode-editorGroup-border', v('--vscode-panel-border', '#80808040')),
    background: v('--vscode-editor-background', '#1e1e1e'),
    tooltipBackground: v('--vscode-editorHoverWidget-background', v('--vscode-editorWidget-background', v('--vscode-editor-background', '#252526'))),
    tooltipBorder: v('--vscode-editorHoverWidget-border', v('--vscode-panel-border', '#454545')),
    fontFamily: v('--vscode-font-family', 'sans-serif'),
    palette: [...EXTRA_HUES, ...themed.filter((c) => !EXTRA_HUES.includes(c)), ...GOLDEN_HUES],
  };
}

/** FNV-1a of the run id: the palette slot a run gets in every chart, session and panel. */
function slotOf(runId: string, size: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < runId.length; i++) {
    h ^= runId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % size;
}

/** Colours of the runs being compared, so two of them never share one (see assignRunColors). */
let compared = new Map<string, string>();

/**
 * Colours for the compared runs, in selection order from the most distinct colours first. A run
 * keeps the colour it had while runs are added to or removed from the comparison (hashed
 * colours alone collide too often: two of four runs in the same hue is unreadable).
 */
export function assignRunColors(runIds: readonly string[], palette: readonly string[], previous: ReadonlyMap<string, string> = new Map()): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const runId of runIds) {
    const before = previous.get(runId);
    if (before !== undefined && !used.has(before) && palette.includes(before)) {
      out.set(runId, before);
      used.add(before);
    }
  }
  let next = 0;
  for (const runId of runIds) {
    if (out.has(runId)) continue;
    while (next < palette.length && used.has(palette[next]!)) next++;
    const color = next < palette.length ? palette[next]! : palette[slotOf(runId, palette.length)]!;
    out.set(runId, color);
    used.add(color);
  }
  return out;
}

export function setComparedRuns(runIds: readonly string[], palette: readonly string[]): void {
  compared = assignRunColors(runIds, palette, compared);
}

/**
 * A theme that also knows each run's colour. Chart code that is loaded as a part of its own
 * (webview/shared/lazyBundle.ts) has its own copy of this module, so it is handed the colours of
 * the page's copy rather than reading `runColor` itself.
 */
export interface RunChartTheme extends ChartTheme {
  runColor(runId: string): string;
}

export function withRunColors(theme: ChartTheme): RunChartTheme {
  return { ...theme, runColor: (runId) => runColor(runId, theme.palette) };
}

/** A run's colour: its compared-set colour if it is being compared, else its hashed one. */
export function runColor(runId: string, palette: readonly string[]): string {
  return compared.get(runId) ?? palette[slotOf(runId, palette.length)]!;
}

/** Axis lines, labels, names and split lines in the theme's colours (ECharts axis options). */
export function themedAxis(theme: ChartTheme): Record<string, unknown> {
  return {
    nameTextStyle: { color: theme.foreground },
    axisLine: { lineStyle: { color: theme.muted } },
    axisLabel: { color: theme.muted },
    splitLine: { lineStyle: { color: theme.grid } },
  };
}

/** A tooltip that looks like VS Code's hovers. */
export function themedTooltip(theme: ChartTheme, trigger: 'axis' | 'item'): Record<string, unknown> {
  return { trigger, backgroundColor: theme.tooltipBackground, borderColor: theme.tooltipBorder, textStyle: { color: theme.foreground } };
}
