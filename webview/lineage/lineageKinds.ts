/** How each node kind looks: a codicon, a theme colour and a name for the legend. */

export interface KindStyle {
  /** legend and screen-reader name */
  name: string;
  /** codicon id */
  icon: string;
  /** a `--vscode-charts-*` colour, so every theme (high contrast too) supplies a readable one */
  color: string;
}

/** In pipeline order: the legend lists them as the graph reads, left to right. */
export const KNOWN_KINDS: readonly (KindStyle & { kind: string })[] = [
  { kind: 'dataset', name: 'Dataset', icon: 'database', color: 'var(--vscode-charts-blue, #3794ff)' },
  { kind: 'featureSet', name: 'Feature set', icon: 'symbol-field', color: 'var(--vscode-charts-purple, #b180d7)' },
  { kind: 'run', name: 'Run', icon: 'beaker', color: 'var(--vscode-charts-green, #89d185)' },
  // charts.orange is translucent (minimap find-match colour); the class-symbol orange is opaque in every theme.
  { kind: 'modelVersion', name: 'Model version', icon: 'package', color: 'var(--vscode-symbolIcon-classForeground, #d67e00)' },
  { kind: 'endpoint', name: 'Endpoint', icon: 'radio-tower', color: 'var(--vscode-charts-yellow, #cca700)' },
  { kind: 'monitor', name: 'Monitor', icon: 'pulse', color: 'var(--vscode-charts-red, #f14c4c)' },
];

const BY_KIND = new Map(KNOWN_KINDS.map((k) => [k.kind, k]));

/** Kinds are an open set: one the panel does not know gets a neutral look and a readable name. */
export function kindStyle(kind: string): KindStyle {
  return BY_KIND.get(kind) ?? { name: humanize(kind), icon: 'circle-outline', color: 'var(--vscode-descriptionForeground, #9d9d9d)' };
}

/** "shadowEndpoint" → "Shadow endpoint" */
function humanize(kind: string): string {
  const words = kind.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
