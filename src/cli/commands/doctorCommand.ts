import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { runChildJob } from '../../core/process/childJob';
import { BACKEND_PREFERENCES, type BackendPreference } from '../../core/process/workerProtocol';
import { PRODUCT_VERSION } from '../../core/product/productInfo';
import { CliError, CliExit, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { trackingTarget, withCliStore } from '../cliStore';
import type { StoreCorruptError } from '../../core/store/storeErrors';
import type { SeriesDamage } from '../../core/tracking/seriesRepair';

/** What `mlops doctor` found in the workspace store (and, with --repair, what it did). */
interface StoreHealth {
  readonly dir: string;
  readonly exists: boolean;
  /** could not be checked: another process holds it */
  readonly inUse?: string;
  /** problems that stop the store from opening, or found in it */
  readonly problems: string[];
  /** notes from opening (a dropped torn journal tail) */
  readonly warnings: string[];
  readonly damagedSeries: SeriesDamage[];
  readonly repaired: boolean;
}

function seriesName(d: SeriesDamage): string {
  return d.runId !== undefined ? `run ${d.runId} metric "${d.key ?? '?'}" (${d.file})` : d.file;
}

function describeSeriesDamage(d: SeriesDamage, repaired: boolean): string {
  const what = d.missing ? 'is missing' : `is ${d.recorded - d.actual} bytes shorter than recorded (${d.actual} of ${d.recorded})`;
  const lost = d.pointsRecorded - d.pointsIntact;
  const kept = d.pointsIntact > 0 ? `${d.pointsIntact} of ${d.pointsRecorded} points intact, up to step ${d.lastIntactStep}` : `none of its ${d.pointsRecorded} points intact`;
  return repaired ? `repaired ${seriesName(d)}: kept ${kept.replace(' intact', '')}; lost ${lost} point${lost === 1 ? '' : 's'}` : `${seriesName(d)} ${what}: ${kept}`;
}

async function checkStore(dir: string, repair: boolean): Promise<StoreHealth> {
  const health: StoreHealth = { dir, exists: existsSync(dir), problems: [], warnings: [], damagedSeries: [], repaired: false };
  if (!health.exists) return health;
  const { openWorkspaceStore, StoreLockedError } = await import('../../core/store/workspaceStore');
  const storeErrors = await import('../../core/store/storeErrors');
  const repairs: string[] = [];
  let store;
  // Each pass repairs the problem that stopped the store from opening, if it can be repaired.
  for (let pass = 0; ; pass++) {
    try {
      store = await openWorkspaceStore({ dir, writerName: 'mlops doctor' });
      break;
    } catch (error) {
      if (error instanceof StoreLockedError) return { ...health, inUse: error.message };
      const done = repair && pass < 3 && error instanceof storeErrors.StoreCorruptError ? await repairUnderLock(dir, error) : undefined;
      if (done === undefined) return { ...health, problems: [...repairs.map((r) => `repaired ${r}`), (error as Error).message] };
      repairs.push(done);
    }
  }
  try {
    const { findDamagedSeries, repairDamagedSeries } = await import('../../core/tracking/seriesRepair');
    const damaged = repair ? await repairDamagedSeries(store.database) : findDamagedSeries(store.database);
    return { ...health, warnings: [...repairs.map((r) => `repaired ${r}`), ...store.warnings], damagedSeries: damaged, repaired: repair && damaged.length > 0 };
  } finally {
    await store.close();
  }
}

async function repairUnderLock(dir: string, error: StoreCorruptError): Promise<string | undefined> {
  const { acquireWriterLock } = await import('../../core/store/writerLock');
  const { repairStoreFiles } = await import('../../core/store/storeRepair');
  const lock = acquireWriterLock(dir, 'mlops doctor --repair');
  try {
    return await repairStoreFiles(dir, error);
  } finally {
    lock.release();
  }
}

function storeLines(health: StoreHealth): string[] {
  if (!health.exists) return [`store       ${health.dir}  (not created yet)`];
  if (health.inUse) return [`store       ${health.dir}  (not checked: ${health.inUse})`];
  const unrepaired = health.repaired ? [] : health.damagedSeries;
  const ok = health.problems.length === 0 && unrepaired.length === 0;
  return [
    `store       ${health.dir}  ${ok ? 'ok' : 'DAMAGED'}`,
    ...health.warnings.map((w) => `  note: ${w}`),
    ...health.problems.map((p) => `  ${p}`),
    ...health.damagedSeries.map((d) => `  ${describeSeriesDamage(d, health.repaired)}`),
    ...(unrepaired.length > 0 ? ['  run `mlops doctor --repair` to cut each damaged series back to its last whole point (what is lost is listed)'] : []),
  ];
}


/** Where tracking goes (a tracking URI, or the workspace store) and, for a server, whether it answers. */
interface TrackingHealth {
  readonly where: 'workspace store' | string;
  readonly via?: string;
  readonly ok: boolean;
  readonly version?: string;
  readonly problem?: string;
}

async function checkTracking(globals: CliGlobalOptions): Promise<TrackingHealth> {
  let target;
  try {
    target = trackingTarget(globals);
  } catch (error) {
    return { where: 'unusable tracking URI', ok: false, problem: (error as Error).message };
  }
  if (target.kind === 'local') return { where: 'workspace store', ok: true };
  try {
    // A real call, with the credentials: it checks the address, the server and the token at once.
    await withCliStore(globals, (store) => store.tracking.searchExperiments({ maxResults: 1 }));
    const version = await fetch(`${target.url}/version`, { signal: AbortSignal.timeout(5_000) }).then(async (r) => (r.ok ? (await r.text()).trim() : undefined)).catch(() => undefined);
    return { where: target.url, via: target.via, ok: true, ...(version ? { version } : {}) };
  } catch (error) {
    return { where: target.url, via: target.via, ok: false, problem: (error as Error).message };
  }
}

function trackingLines(tracking: TrackingHealth): string[] {
  if (tracking.where === 'workspace store' && tracking.ok) return [];
  if (!tracking.via) return [`tracking    ${tracking.problem ?? ''}`];
  if (!tracking.ok) return [`tracking    ${tracking.via}=${tracking.where}  UNREACHABLE`, ...(tracking.problem ?? '').split('\n').map((l) => `  ${l.trim()}`)];
  return [`tracking    ${tracking.via}=${tracking.where}  ok${tracking.version ? ` (MLflow ${tracking.version})` : ''}: experiments, runs, log, run, train, tune, models and predict go there; the store below is for the rest`];
}

/** `mlops doctor`: what this machine offers MLOps Studio — versions, the store, training backends. */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the environment: versions, the workspace store, which TensorFlow.js backend training would use')
    .option('--backend <name>', `backend to try: ${BACKEND_PREFERENCES.join(', ')}`, 'auto')
    .option('--repair', 'repair the workspace store: cut damaged metric series back to their last whole point, and report what was lost')
    .action(async (options: { backend: string; repair?: boolean }) => {
      const preference = options.backend as BackendPreference;
      if (!BACKEND_PREFERENCES.includes(preference)) {
        throw new CliError(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')}, not "${options.backend}"`);
      }
      const globals = program.opts<CliGlobalOptions>();
      const storeDir = resolveStoreDir(globals);
      const repair = options.repair === true;
      const [store, tracking] = await Promise.all([checkStore(storeDir, repair), checkTracking(globals)]);
      // A repair is about the store: no need to wait for every training backend to load.
      const report = repair ? undefined : await runChildJob('detectBackends', { preference });
      const healthy = store.problems.length === 0 && (store.repaired || store.damagedSeries.length === 0) && tracking.ok;
      const summary = {
        version: PRODUCT_VERSION,
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        tracking,
        store: { ...store, ok: store.problems.length === 0 && (store.repaired || store.damagedSeries.length === 0) },
        ...(report ? { training: report } : {}),
      };
      if (globals.json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      } else {
        const lines = [
          `MLOps Studio ${summary.version} on Node ${summary.node} (${summary.platform})`,
          ...trackingLines(tracking),
          ...storeLines(store),
          ...(report
            ? [`training    ${report.chosen} backend`, ...report.attempts.map((a) => `  ${a.ok ? 'ok  ' : 'no  '} ${a.backend.padEnd(10)} ${a.ok ? `${a.ms.toFixed(0)} ms` : a.reason ?? ''}`)]
            : []),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (!healthy) throw new CliExit(1);
    });
}
