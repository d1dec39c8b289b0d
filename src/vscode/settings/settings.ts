import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import type { CostPrices } from '../../core/process/runCost';
import type { BackendPreference } from '../../core/process/workerProtocol';
import { DEFAULT_STORE_DIR } from '../../core/product/productInfo';

export type TrainingBackendSetting = BackendPreference;

/** Typed access to the `mlops.*` settings; names and defaults match package.json. */
export interface MlopsSettings {
  storeLocation: string;
  trainingBackend: TrainingBackendSetting;
  serverPort: number;
  /** `mlops.engine.idleMinutes`: how long the engine waits with nothing to do before it stops */
  engineIdleMinutes: number;
  /** `mlops.cost.*`: prices of the runs the extension starts */
  costPrices: CostPrices;
}

export function readSettings(scope?: vscode.ConfigurationScope): MlopsSettings {
  const config = vscode.workspace.getConfiguration('mlops', scope);
  return {
    storeLocation: config.get<string>('store.location', DEFAULT_STORE_DIR).trim() || DEFAULT_STORE_DIR,
    trainingBackend: config.get<TrainingBackendSetting>('training.backend', 'auto'),
    serverPort: config.get<number>('server.port', 0),
    engineIdleMinutes: nonNegative(config.get<number>('engine.idleMinutes', 10)),
    costPrices: { cpuHour: nonNegative(config.get<number>('cost.cpuHour', 0)), gbHour: nonNegative(config.get<number>('cost.gbHour', 0)), gpuHour: nonNegative(config.get<number>('cost.gpuHour', 0)) },
  };
}

/** A price typed by hand in settings.json may be anything; nonsense counts as unpriced. */
function nonNegative(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * The store folder of the first workspace folder, or undefined when no folder is open.
 * In an untrusted workspace the workspace's own setting is ignored (it is a restricted
 * configuration), so a cloned repository cannot point the store somewhere else.
 */
export function resolveStoreDir(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') return undefined;
  const location = readSettings(folder.uri).storeLocation;
  return isAbsolute(location) ? location : join(folder.uri.fsPath, location);
}

/**
 * `mlops.tracking.uri`: a team's MLflow tracking server to use instead of the workspace store
 * (empty = the workspace store). Only the user's own setting counts: a workspace cannot redirect
 * where runs and tokens go.
 */
export function readTrackingUri(): string | undefined {
  const inspected = vscode.workspace.getConfiguration('mlops').inspect<string>('tracking.uri');
  const value = (inspected?.globalValue ?? '').trim();
  return value === '' ? undefined : value.replace(/\/+$/, '');
}
