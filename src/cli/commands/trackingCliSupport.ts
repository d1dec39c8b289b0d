import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { WorkspaceStore } from '../../core/store/workspaceStore';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';

/** Exit code when another process holds the store (distinct from usage errors, 2). */
export const EXIT_STORE_LOCKED = 3;

/**
 * Opens the workspace store as "mlops CLI" for one command and always closes it. Engine errors
 * that are the user's to fix (locked store, bad filter, unknown run) become one clear CliError.
 */
export async function withStore<T>(
  program: Command,
  action: (store: WorkspaceStore, globals: CliGlobalOptions) => Promise<T>,
  options: { create?: boolean } = {},
): Promise<T> {
  const globals = program.opts<CliGlobalOptions>();
  const dir = resolveStoreDir(globals);
  if (!options.create && !existsSync(dir)) {
    // Reading must not leave a .mlops folder behind in whatever directory the user happened to be.
    throw new CliError(`No workspace store at ${dir}: nothing has been tracked in this workspace yet (mlops log start creates it; -w chooses the workspace).`, 1);
  }
  // Lazy: sql.js loads only for commands that touch the store.
  const { openWorkspaceStore, StoreLockedError } = await import('../../core/store/workspaceStore');
  let store: WorkspaceStore;
  try {
    store = await openWorkspaceStore({ dir, writerName: 'mlops CLI' });
  } catch (error) {
    if (error instanceof StoreLockedError) throw new CliError(error.message, EXIT_STORE_LOCKED);
    throw error;
  }
  for (const warning of store.warnings) process.stderr.write(`mlops: warning: ${warning}\n`);
  try {
    return await action(store, globals);
  } catch (error) {
    const { TrackingError } = await import('../../core/tracking/trackingErrors');
    const { FilterSyntaxError } = await import('../../core/tracking/searchFilter');
    if (error instanceof TrackingError || error instanceof FilterSyntaxError) throw new CliError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}

/**
 * Like withStore for commands that need only tracking: when another process (a VS Code window,
 * `mlops server`) holds the store and runs its MLflow-compatible server, the command goes through
 * that server instead of failing with "in use".
 */
export async function withTracking<T>(
  program: Command,
  action: (tracking: TrackingStore, globals: CliGlobalOptions) => Promise<T>,
  options: { create?: boolean } = {},
): Promise<T> {
  try {
    return await withStore(program, (store, globals) => action(store.tracking, globals), options);
  } catch (error) {
    if (!(error instanceof CliError) || error.exitCode !== EXIT_STORE_LOCKED) throw error;
    const globals = program.opts<CliGlobalOptions>();
    const { trackingClientOfWriter } = await import('./serverFallback');
    const writer = await trackingClientOfWriter(resolveStoreDir(globals));
    if (!writer) throw new CliError(`${error.message} (It runs no MLflow-compatible server the CLI could use instead: start one there with "MLOps: Start MLflow-Compatible Server".)`, EXIT_STORE_LOCKED);
    process.stderr.write(`mlops: the store is in use by another process; going through its server at ${writer.url}\n`);
    try {
      return await action(writer.tracking, globals);
    } catch (remoteError) {
      const { TrackingError } = await import('../../core/tracking/trackingErrors');
      const { RemoteServerError } = await import('../../core/remote/mlflowHttp');
      if (remoteError instanceof TrackingError || remoteError instanceof RemoteServerError) throw new CliError(remoteError.message);
      throw remoteError;
    }
  }
}

/** JSON with NaN and ±Infinity written as the strings MLflow's REST API uses. */
export function printJson(value: unknown): void {
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : v),
    2,
  );
  process.stdout.write(`${text}\n`);
}

/** A plain aligned table; the last column is not padded. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  process.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
}

export function formatTime(ms: number | null): string {
  if (ms === null) return '-';
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

/** `k=v` options (repeatable) into tags. */
export function parseKeyValues(items: readonly string[] | undefined, what: string): { key: string; value: string }[] {
  return (items ?? []).map((item) => {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new CliError(`${what} must look like key=value, got "${item}"`);
    return { key: item.slice(0, eq), value: item.slice(eq + 1) };
  });
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** An experiment given by name or id. */
export async function resolveExperimentId(store: { readonly tracking: TrackingStore }, nameOrId: string, options: { create?: boolean } = {}): Promise<string> {
  const byName = await store.tracking.getExperimentByName(nameOrId);
  if (byName) return byName.experimentId;
  if (/^\d+$/.test(nameOrId)) {
    try {
      return (await store.tracking.getExperiment(nameOrId)).experimentId;
    } catch {
      // fall through: a numeric name that does not exist yet
    }
  }
  if (options.create) return store.tracking.createExperiment(nameOrId);
  throw new CliError(`No experiment named or numbered "${nameOrId}" (see mlops experiments list)`);
}
