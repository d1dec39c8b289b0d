import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { WorkspaceRegistry } from '../../core/engine/engineRegistryBackend';
import type { UriResolution } from '../../core/registry/modelUriResolution';
import type { UriMatch } from '../../core/registry/modelUriScan';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { Run } from '../../core/tracking/trackingTypes';
import { openWorkspaceRegistry } from '../models/workspaceRegistry';
import { trackingOf, type StoreService } from '../store/storeService';

/** Runs a lens looks at: the newest few are enough for "latest" and "compare the last two". */
const RECENT_RUNS = 10;
/** A training writes many times a second; lenses and diagnostics refresh once it settles. */
const REFRESH_DELAY_MS = 400;

/**
 * What CodeLenses, hovers and diagnostics read from the store, read lazily (nothing until a
 * spec, a script or a model URI is on screen) and cached until the store changes.
 */
export class CodeInsightsData implements vscode.Disposable {
  private readonly runsCache = new Map<string, Promise<readonly Run[]>>();
  private readonly resolutions = new Map<string, Promise<UriResolution | undefined>>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires (debounced) when what was read may be stale. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private registrySubscription: { dispose(): void } | undefined;

  constructor(private readonly storeService: StoreService) {
    this.subscription = storeService.onDidChange(() => this.stale());
  }

  private stale(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.runsCache.clear();
      this.resolutions.clear();
      this.changeEmitter.fire();
    }, REFRESH_DELAY_MS);
  }

  /** The tracking store, if this folder has one (a lens never creates it). */
  async tracking(): Promise<TrackingStore | undefined> {
    return trackingOf(await this.storeService.access());
  }

  /** The workspace registry (this window's store or the holder's); undefined without a store, or on a team's MLflow server. */
  async registry(): Promise<WorkspaceRegistry | undefined> {
    const opened = await openWorkspaceRegistry(this.storeService);
    if (!('registry' in opened)) return undefined;
    // Others' registrations and alias moves arrive through the store's change event; this window's own at once.
    this.registrySubscription ??= opened.registry.onDidChange(() => this.stale());
    return opened.registry;
  }

  /** The newest runs trained from the spec at `fsPath`, newest first (tuning trials included). */
  runsOfSpec(fsPath: string): Promise<readonly Run[]> {
    return this.cached(`spec:${fsPath}`, async (tracking) => {
      const { runs } = await tracking.searchRuns({ filter: `tags.\`mlops.spec\` = ${quoted(fsPath)}`, orderBy: ['attributes.start_time DESC'], maxResults: RECENT_RUNS });
      return runs;
    });
  }

  /**
   * The newest runs of the script at `fsPath`: run as an experiment (its command names the file)
   * or logged by the script's own MLflow client (MLflow names the entry point in mlflow.source.name).
   */
  runsOfScript(fsPath: string): Promise<readonly Run[]> {
    return this.cached(`script:${fsPath}`, async (tracking) => {
      const file = basename(fsPath);
      // "_" in LIKE matches any one character: the exact check below keeps only this file's runs.
      if (file.includes('%')) return [];
      const search = (filter: string): Promise<readonly Run[]> => tracking.searchRuns({ filter, orderBy: ['attributes.start_time DESC'], maxResults: RECENT_RUNS }).then((r) => r.runs, () => []);
      const [asExperiment, byClient] = await Promise.all([search(`tags.\`mlops.command\` LIKE ${quoted(`%${file}%`)}`), search(`tags.\`mlflow.source.name\` LIKE ${quoted(`%${file}`)}`)]);
      const names = new RegExp(`(^|[\\s/\\\\"'])${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[\\s"'])`);
      const byId = new Map<string, Run>();
      for (const run of [...asExperiment, ...byClient]) {
        const tag = (key: string): string => run.data.tags.find((t) => t.key === key)?.value ?? '';
        if (names.test(tag('mlops.command')) || names.test(tag('mlflow.source.name'))) byId.set(run.info.runId, run);
      }
      return [...byId.values()].sort((a, b) => b.info.startTime - a.info.startTime).slice(0, RECENT_RUNS);
    });
  }

  /** What a model or run URI points at now; undefined when there is no store to ask. */
  resolve(match: UriMatch): Promise<UriResolution | undefined> {
    let resolution = this.resolutions.get(match.uri);
    if (!resolution) {
      resolution = (async () => {
        const tracking = await this.tracking();
        if (!tracking) {
          this.resolutions.delete(match.uri);
          return undefined;
        }
        if (match.kind === 'run') {
          const { resolveUriMatch } = await import('../../core/registry/modelUriResolution');
          return resolveUriMatch(match, undefined, tracking);
        }
        const registry = await this.registry();
        // A team's MLflow server: this registry is out of reach, so say nothing rather than "missing".
        if (!registry) {
          this.resolutions.delete(match.uri);
          return undefined;
        }
        return resolveModelUri(match.uri, registry, tracking);
      })().catch(() => undefined);
      this.resolutions.set(match.uri, resolution);
    }
    return resolution;
  }

  private cached(key: string, read: (tracking: TrackingStore) => Promise<readonly Run[]>): Promise<readonly Run[]> {
    let runs = this.runsCache.get(key);
    if (!runs) {
      runs = this.tracking()
        .then((tracking) => {
          // No store yet: ask again next time (the store's opening fires no change for it).
          if (!tracking) this.runsCache.delete(key);
          return tracking ? read(tracking) : [];
        })
        .catch(() => []);
      this.runsCache.set(key, runs);
    }
    return runs;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
    this.registrySubscription?.dispose();
    this.changeEmitter.dispose();
  }
}

/** What a `models:/` URI points at now (the registry's message names what is missing and what exists). */
async function resolveModelUri(uri: string, registry: WorkspaceRegistry, tracking: TrackingStore): Promise<UriResolution> {
  let version;
  try {
    version = await registry.resolveUri(uri);
  } catch (error) {
    // The registry's answer (no such model, alias …) is worth underlining; an engine out of reach is not.
    const { TrackingError } = await import('../../core/tracking/trackingErrors');
    if (!(error instanceof TrackingError)) throw error;
    return { kind: 'unresolved', message: error.message };
  }
  const run = version.runId === '' ? undefined : await tracking.getRun(version.runId).catch(() => undefined);
  return { kind: 'version', version, run };
}

/** A string constant of the search grammar (Windows paths have backslashes, names may have quotes). */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
