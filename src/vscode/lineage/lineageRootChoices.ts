/**
 * What "MLOps: Show Lineage" can start from: the argument a view passes, or a quick pick of model
 * versions (aliases first), recent runs, endpoints and monitors. Plain data, no `vscode`, so the
 * rules are unit-tested without an editor; the store is read through the engine (lineage.rootChoices).
 */
import type { EngineClient } from '../../core/engine/engineClient';
import { MAX_ROOT_RUNS, MAX_ROOT_VERSIONS_PER_MODEL, type LineageRootSources } from '../../core/lineage/lineageRootSources';
import type { LineageNode, LineageNodeRef } from '../../core/lineage/lineageTypes';
import type { StoreAccess } from '../store/storeService';

/** Aliases every team uses come first; then the rest alphabetically. */
const FIRST_ALIASES = ['champion', 'challenger'];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export interface LineageRootChoice {
  label: string;
  description?: string;
  detail?: string;
  /** absent on a separator */
  root?: LineageNodeRef;
  separator?: true;
}

/** What the picker is built from: the engine's answer to lineage.rootChoices. */
export type RootChoiceSources = LineageRootSources;

function aliasRank(alias: string): number {
  const i = FIRST_ALIASES.indexOf(alias);
  return i === -1 ? FIRST_ALIASES.length : i;
}

const when = (epochMs: number): string => new Date(epochMs).toLocaleString();

/** Quick-pick entries, grouped under separators; empty groups are left out. */
export function lineageRootChoices(sources: RootChoiceSources): LineageRootChoice[] {
  const aliases = sources.models.flatMap((m) =>
    Object.entries(m.aliases)
      .sort(([a], [b]) => aliasRank(a) - aliasRank(b) || a.localeCompare(b))
      .map(([alias, version]): LineageRootChoice => ({ label: `$(tag) ${m.name}@${alias}`, description: `v${version}`, detail: `models:/${m.name}@${alias}`, root: { kind: 'modelVersion', id: `${m.name}/${version}` } })),
  );
  // Aliases of different models interleave by rank: every @champion before any @challenger.
  aliases.sort((a, b) => aliasRank(a.label.slice(a.label.lastIndexOf('@') + 1)) - aliasRank(b.label.slice(b.label.lastIndexOf('@') + 1)));
  const versions = sources.models.flatMap((m) => {
    const byVersion = new Map<number, string[]>();
    for (const [alias, version] of Object.entries(m.aliases)) byVersion.set(version, [...(byVersion.get(version) ?? []), `@${alias}`]);
    return m.versions.slice(0, MAX_ROOT_VERSIONS_PER_MODEL).map((v): LineageRootChoice => ({
      label: `$(package) ${m.name} v${v.version}`,
      description: [...(byVersion.get(v.version) ?? []).sort((a, b) => aliasRank(a.slice(1)) - aliasRank(b.slice(1))), `registered ${when(v.creationTime)}`].join(' · '),
      root: { kind: 'modelVersion', id: `${m.name}/${v.version}` },
    }));
  });
  const runs = sources.runs.slice(0, MAX_ROOT_RUNS).map((r): LineageRootChoice => ({
    label: `$(beaker) ${r.runName || r.runId.slice(0, 8)}`,
    description: `${r.status.toLowerCase()} · ${when(r.startTime)}`,
    detail: r.runId,
    root: { kind: 'run', id: r.runId },
  }));
  const lineageNodes = (icon: string) => (n: LineageNode): LineageRootChoice => ({ label: `$(${icon}) ${n.label}`, ...(n.detail ? { description: n.detail } : {}), root: { kind: n.kind, id: n.id } });
  const groups: [string, LineageRootChoice[]][] = [
    ['Model versions', [...aliases, ...versions]],
    ['Recent runs', runs],
    ['Endpoints', sources.endpoints.map(lineageNodes('radio-tower'))],
    ['Monitors', sources.monitors.map(lineageNodes('pulse'))],
  ];
  return groups.flatMap(([title, items]) => (items.length > 0 ? [{ label: title, separator: true as const }, ...items] : []));
}

/** Reads what the picker offers, in one call to whichever process holds the store. */
export function rootChoiceSources(engine: EngineClient): Promise<RootChoiceSources> {
  return engine.call('lineage.rootChoices', {});
}

/** The root a restored panel showed, from the webview state it saved. */
export function rootOfPanelState(state: unknown): LineageNodeRef | undefined {
  if (!isRecord(state) || !isRecord(state.root)) return undefined;
  const { kind, id } = state.root;
  return typeof kind === 'string' && /^[a-z][A-Za-z0-9]*$/.test(kind) && typeof id === 'string' && id !== '' ? { kind, id } : undefined;
}

/** What a command argument names: a view's node, a models:/ URI or KIND:ID string, or a node ref. */
export type LineageArgument = { root: LineageNodeRef } | { target: string } | undefined;

/**
 * Reads the argument VS Code passes when the command runs from a view's context menu: a Models
 * view version, an Experiments view run, an Endpoints view endpoint, a Monitors view monitor.
 * Other extensions and commands may pass a URI string or `{ kind, id }` / `{ name, version }`.
 */
export function lineageArgument(arg: unknown): LineageArgument {
  if (typeof arg === 'string') return arg.trim() === '' ? undefined : { target: arg };
  if (!isRecord(arg)) return undefined;
  const kind = arg.kind;
  if (kind === 'version' && isRecord(arg.version) && typeof arg.version.name === 'string' && typeof arg.version.version === 'number') {
    return { root: { kind: 'modelVersion', id: `${arg.version.name}/${arg.version.version}` } };
  }
  if (kind === 'run' && isRecord(arg.run) && isRecord(arg.run.info) && typeof arg.run.info.runId === 'string') {
    return { root: { kind: 'run', id: arg.run.info.runId } };
  }
  if (kind === 'running' && isRecord(arg.endpoint) && typeof arg.endpoint.name === 'string') return { root: { kind: 'endpoint', id: arg.endpoint.name } };
  if (kind === 'stopped' && typeof arg.name === 'string' && typeof arg.uri === 'string') return { root: { kind: 'endpoint', id: arg.name } };
  if (typeof kind === 'string' && typeof arg.id === 'string') return { root: { kind, id: arg.id } };
  if (typeof arg.name === 'string' && typeof arg.version === 'number') return { root: { kind: 'modelVersion', id: `${arg.name}/${arg.version}` } };
  // A Monitors view node: { name, file } of a *.monitor.yaml.
  if (kind === undefined && typeof arg.name === 'string' && typeof arg.file === 'string') return { root: { kind: 'monitor', id: arg.name } };
  return undefined;
}

/** Why lineage cannot be read right now, in words that say what to do; undefined when it can. */
export function lineageUnavailable(access: StoreAccess): string | undefined {
  switch (access.state) {
    case 'noFolder':
      return 'Lineage is kept in the workspace store: open the folder you train in, then show lineage again.';
    case 'absent':
      return `There is no workspace store at ${access.dir} yet, so nothing has recorded lineage: train a model ("MLOps: Train Model…") and register it, and its lineage starts there.`;
    case 'client':
      // a window or process holding the store answers lineage through its engine
      if (access.origin === 'engine') return undefined;
      return `Lineage is recorded in the workspace store, but tracking goes to the MLflow server ${access.url} (setting mlops.tracking.uri), which keeps no lineage graph. Clear the setting to use the workspace store.`;
    case 'error':
      return access.message;
  }
}

/** The engine that answers lineage here (this window's store or the holder's), or why there is none. */
export function lineageEngine(access: StoreAccess): { engine: EngineClient } | { why: string } {
  // as engineOf (storeService.ts), which this vscode-free module cannot import
  if (access.state === 'client' && access.origin === 'engine') return { engine: access.engine };
  return { why: lineageUnavailable(access) ?? 'The workspace store is not open.' };
}
