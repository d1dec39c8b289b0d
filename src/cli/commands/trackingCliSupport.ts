import type { Command } from 'commander';
import type { WorkspaceStore } from '../../core/store/workspaceStore';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { noteLocalOnly, withCliStore } from '../cliStore';
import { ensureExperiment } from '../../core/tracking/ensureExperiment';

export { EXIT_STORE_LOCKED } from '../cliStore';

/**
 * Opens the workspace store as "mlops CLI" for one command and always closes it. Engine errors
 * that are the user's to fix (locked store, bad filter, unknown run) become one clear CliError.
 * This is for commands that need the store on this disk: with a tracking URI in force they say
 * so (cliStore.ts has why); tracking and registry commands use withTracking / withCliStore.
 */
export async function withStore<T>(
  program: Command,
  action: (store: WorkspaceStore, globals: CliGlobalOptions) => Promise<T>,
  options: { create?: boolean } = {},
): Promise<T> {
  const globals = program.opts<CliGlobalOptions>();
  const dir = resolveStoreDir(globals);
  noteLocalOnly(globals, dir, options);
  return withCliStore({ ...globals, local: true, trackingUri: undefined }, (store) => action(store.workspace as WorkspaceStore, globals), { ...options, throughHolder: false });
}

/**
 * For commands that need only tracking: the MLflow server of --tracking-uri / MLFLOW_TRACKING_URI,
 * else the workspace store (through the server of the process holding it, when one does: see
 * cliStore.ts).
 */
export async function withTracking<T>(
  program: Command,
  action: (tracking: TrackingStore, globals: CliGlobalOptions) => Promise<T>,
  options: { create?: boolean } = {},
): Promise<T> {
  const globals = program.opts<CliGlobalOptions>();
  return withCliStore(globals, (store) => action(store.tracking, globals), options);
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
  if (options.create) return ensureExperiment(store.tracking, nameOrId);
  throw new CliError(`No experiment named or numbered "${nameOrId}" (see mlops experiments list)`);
}
