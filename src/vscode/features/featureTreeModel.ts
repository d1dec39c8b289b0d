/**
 * The Features view's content as plain data (no vscode import, so it is unit-tested directly):
 * files → feature views → fields, with freshness, TTL and owner; a spec that does not parse
 * becomes its issues, each pointing at a line.
 */
import type { FeatureRepo, FeatureViewDef } from '../../core/features/featureSpec';
import type { FeatureViewMeta } from '../../core/features/featureStoreFiles';
import type { SpecIssue } from '../../core/training/specErrors';

interface NodeBase {
  /** the features.yaml this node comes from */
  file: string;
  /** 1-based line a click opens */
  line: number;
  label: string;
  description: string;
  tooltip: string;
}

export type FeatureTreeNode =
  | (NodeBase & { kind: 'file'; valid: true; children: FeatureTreeNode[] })
  | (NodeBase & { kind: 'file'; valid: false; children: FeatureTreeNode[] })
  | (NodeBase & { kind: 'issue'; column: number; field: string })
  | (NodeBase & { kind: 'view'; view: string; materialized: boolean; children: FeatureTreeNode[] })
  | (NodeBase & { kind: 'field'; view: string; type: string })
  | (NodeBase & { kind: 'entity' })
  | (NodeBase & { kind: 'source'; path: string });

export interface FeatureFileInput {
  file: string;
  /** path shown (relative to the workspace) */
  displayPath: string;
  text: string;
  repo?: FeatureRepo;
  issues?: readonly SpecIssue[];
  /** freshness of each view that was materialized */
  metas: ReadonlyMap<string, FeatureViewMeta>;
}

const count = new Intl.NumberFormat('en-US');

/** "just now", "12 min ago", "3 h ago", "5 d ago". */
export function ago(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** "materialized 3 h ago · 12,345 rows" or "never materialized". */
export function freshnessText(meta: FeatureViewMeta | undefined, now: number): string {
  if (!meta) return 'never materialized';
  return `materialized ${ago(Math.max(0, now - Date.parse(meta.materializedAt)))} · ${count.format(meta.rows)} row${meta.rows === 1 ? '' : 's'}`;
}

export function ttlText(ttlMs: number | null): string {
  if (ttlMs === null) return 'no TTL';
  for (const [unit, size] of [['w', 604_800_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ttlMs % size === 0) return `TTL ${ttlMs / size}${unit}`;
  }
  return `TTL ${ttlMs} ms`;
}

/** The 1-based line of `name: NAME` at or after line `from` (so a field is found inside its view), else `fallback`. */
export function lineOfName(lines: readonly string[], name: string, from = 0, fallback = 1): number {
  const pattern = new RegExp(`^\\s*(?:-\\s*)?name:\\s*["']?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*(?:#.*)?$`);
  for (let i = Math.max(0, from); i < lines.length; i++) if (pattern.test(lines[i]!)) return i + 1;
  return fallback;
}

function sectionLine(lines: readonly string[], section: string): number {
  const i = lines.findIndex((l) => l.startsWith(`${section}:`));
  return i < 0 ? 0 : i;
}

function viewNode(input: FeatureFileInput, view: FeatureViewDef, lines: readonly string[], now: number): FeatureTreeNode {
  const meta = input.metas.get(view.name);
  const line = lineOfName(lines, view.name, sectionLine(lines, 'feature_views'));
  const parts = [freshnessText(meta, now), ttlText(view.ttlMs), ...(view.owner ? [view.owner] : [])];
  const tooltip = [
    `${view.name}${view.description ? ` — ${view.description}` : ''}`,
    `entities: ${view.entities.join(', ')} (join keys: ${view.joinKeys.join(', ')})`,
    `source: ${view.source.name} (${view.source.path}, event time "${view.source.timestamp}")`,
    ttlText(view.ttlMs),
    ...(view.owner ? [`owner: ${view.owner}`] : []),
    ...(view.tags.length ? [`tags: ${view.tags.join(', ')}`] : []),
    meta
      ? `${freshnessText(meta, now)} on ${new Date(meta.materializedAt).toLocaleString()}; ${count.format(meta.entities)} entities; events up to ${meta.latestEventTime ?? '—'}${meta.skippedRows ? `; ${count.format(meta.skippedRows)} source rows skipped (missing key or event time)` : ''}`
      : 'never materialized: run "MLOps: Materialize Features"',
  ].join('\n');
  const fields: FeatureTreeNode[] = view.features.map((f) => ({
    kind: 'field',
    file: input.file,
    line: lineOfName(lines, f.name, line),
    view: view.name,
    type: f.type,
    label: f.name,
    description: f.aggregate ? `${f.type} · ${f.aggregate.fn}` : f.type,
    tooltip: [`${view.name}:${f.name} (${f.type})`, ...(f.description ? [f.description] : []), ...(f.aggregate ? [`${f.aggregate.fn}${f.aggregate.column ? ` of ${f.aggregate.column}` : ''} over a window`] : []), ...(f.tags.length ? [`tags: ${f.tags.join(', ')}`] : [])].join('\n'),
  }));
  return { kind: 'view', file: input.file, line, view: view.name, materialized: meta !== undefined, label: view.name, description: parts.join(' · '), tooltip, children: fields };
}

/** One features.yaml as a tree node: its views (with fields), entities and sources; or its problems. */
export function featureFileNode(input: FeatureFileInput, now: number): FeatureTreeNode {
  const lines = input.text.split(/\r?\n/);
  if (!input.repo) {
    const issues = input.issues ?? [];
    return {
      kind: 'file',
      valid: false,
      file: input.file,
      line: issues[0]?.line ?? 1,
      label: input.displayPath,
      description: `invalid: ${issues.length} problem${issues.length === 1 ? '' : 's'}`,
      tooltip: issues.map((i) => `${input.displayPath}:${i.line}:${i.column}${i.field ? ` (${i.field})` : ''}: ${i.message}`).join('\n'),
      children: issues.map((i) => ({
        kind: 'issue',
        file: input.file,
        line: i.line,
        column: i.column,
        field: i.field,
        label: i.message,
        description: `line ${i.line}${i.field ? ` · ${i.field}` : ''}`,
        tooltip: `${input.displayPath}:${i.line}:${i.column}${i.field ? ` (${i.field})` : ''}: ${i.message}`,
      })),
    };
  }
  const repo = input.repo;
  const views = repo.views.map((v) => viewNode(input, v, lines, now));
  const entities: FeatureTreeNode[] = repo.entities.map((e) => ({
    kind: 'entity',
    file: input.file,
    line: lineOfName(lines, e.name, sectionLine(lines, 'entities')),
    label: e.name,
    description: `entity · keys ${e.joinKeys.join(', ')}`,
    tooltip: `entity ${e.name}: join keys ${e.joinKeys.join(', ')}${e.description ? `\n${e.description}` : ''}`,
  }));
  const sources: FeatureTreeNode[] = repo.sources.map((s) => ({
    kind: 'source',
    file: input.file,
    path: s.path,
    line: lineOfName(lines, s.name, sectionLine(lines, 'sources')),
    label: s.name,
    description: `source · time ${s.timestamp}`,
    tooltip: `source ${s.name}: ${s.path}\nevent time column "${s.timestamp}"${s.description ? `\n${s.description}` : ''}`,
  }));
  const materialized = views.filter((v) => v.kind === 'view' && v.materialized).length;
  return {
    kind: 'file',
    valid: true,
    file: input.file,
    line: 1,
    label: input.displayPath,
    description: `${repo.views.length} view${repo.views.length === 1 ? '' : 's'} · ${materialized} materialized`,
    tooltip: `${input.displayPath}: ${repo.entities.length} entities, ${repo.sources.length} sources, ${repo.views.length} feature views`,
    children: [...views, ...entities, ...sources],
  };
}
