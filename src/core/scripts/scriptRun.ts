import { fork } from 'node:child_process';
import { resolveWorkerEntry } from '../process/childJob';
import { runCost, type CostPrices } from '../process/runCost';
import { sampleMetrics, startSystemMetrics, usageMetrics, type SystemMetricsSampler } from '../process/systemMetrics';
import type { HostToWorker, WorkerToHost } from '../process/workerProtocol';
import type { GuardedScriptExit } from './guardedScript';
import { gitRunFields, readGitSource, writeUncommittedDiff } from '../tracking/gitSource';
import type { TrackingStore } from '../tracking/trackingStore';
import type { RunStatus } from '../tracking/trackingTypes';

/** Output kept on the run as an artifact: the last bytes, so a chatty script cannot fill the disk. */
const LOG_TAIL_BYTES = 1024 * 1024;
/** Heartbeats keep the run from being failed by crash recovery while the script runs. */
const HEARTBEAT_MS = 5000;

export interface ScriptRunOptions {
  store: TrackingStore;
  /** a shell command line, e.g. `python train.py --epochs 3` */
  command: string;
  cwd: string;
  experimentId: string;
  runName?: string;
  /** where the script's MLflow client logs: the local server's URL and token, if one runs */
  tracking?: { uri: string; token?: string };
  /** extra environment for the script */
  env?: NodeJS.ProcessEnv;
  /** output as it comes (stdout and stderr interleaved) */
  onOutput?: (text: string) => void;
  /** the run exists and the process started */
  onStarted?: (info: { runId: string; pid: number | undefined }) => void;
  signal?: AbortSignal;
  /** prices of a CPU-hour and a GB-hour: the run gets a `cost` metric when any is set */
  prices?: CostPrices;
  /** how often the script's process tree is sampled for `system/*` metrics; default 5000 */
  systemMetricsIntervalMs?: number;
}

export interface ScriptRunResult {
  runId: string;
  status: RunStatus;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs any command (Python too) as a tracked run: the run is created first and handed to the
 * script through MLflow's environment variables, so `mlflow.start_run()` in the script continues
 * it; the output is captured as the run's `logs/output.txt`; the exit code sets the status
 * (0 → FINISHED, otherwise FAILED; cancel → KILLED).
 */
export async function runScriptAsExperiment(options: ScriptRunOptions): Promise<ScriptRunResult> {
  const { store } = options;
  const git = await readGitSource(options.cwd);
  const { tags: gitTags, ...gitFields } = gitRunFields(git);
  const run = await store.createRun({
    experimentId: options.experimentId,
    ...(options.runName ? { runName: options.runName } : {}),
    source: { type: 'LOCAL', name: options.command },
    ...gitFields,
    tags: [
      { key: 'mlops.kind', value: 'script' },
      { key: 'mlops.command', value: options.command },
      ...gitTags,
    ],
  });
  const runId = run.info.runId;
  await writeUncommittedDiff(store, runId, git).catch(() => undefined);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    MLFLOW_EXPERIMENT_ID: options.experimentId,
    MLFLOW_RUN_ID: runId,
    // Python prints as it goes instead of buffering until exit, so the output is live.
    PYTHONUNBUFFERED: '1',
  };
  if (options.tracking) {
    env.MLFLOW_TRACKING_URI = options.tracking.uri;
    if (options.tracking.token) env.MLFLOW_TRACKING_TOKEN = options.tracking.token;
  }

  let tail = '';
  const capture = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-LOG_TAIL_BYTES);
    options.onOutput?.(text);
  };
  // The command runs under a guard process (a worker): when this process dies, even by SIGKILL,
  // the guard kills the script's process group with it; a script cannot watch its parent itself.
  const entry = resolveWorkerEntry();
  const guard = fork(entry.path, [], { execArgv: entry.execArgv, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  options.onStarted?.({ runId, pid: guard.pid });
  guard.stdout!.on('data', capture);
  guard.stderr!.on('data', capture);
  const heartbeat = setInterval(() => void store.heartbeat(runId).catch(() => undefined), HEARTBEAT_MS);
  let cancelled = false;
  let scriptPid: number | undefined;
  const killScript = (): void => {
    // The shell and everything it started: the script's own children (data loaders…) too.
    try {
      if (scriptPid !== undefined && process.platform !== 'win32') process.kill(-scriptPid, 'SIGTERM');
      else if (scriptPid !== undefined) process.kill(scriptPid, 'SIGTERM');
    } catch {
      // it has just ended
    }
  };
  const onAbort = (): void => {
    cancelled = true;
    // before the script started: it is killed as soon as the guard says it runs
    killScript();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  // System metrics of the script's process tree (the shell and all it starts), one logBatch a
  // sample, in order; a failed write loses a sample, never the run.
  let sampler: SystemMetricsSampler | undefined;
  let sampleWrites: Promise<void> = Promise.resolve();
  let scriptCpu: number | undefined;
  let ended: GuardedScriptExit | undefined;
  guard.on('message', (message: WorkerToHost) => {
    if (message.type === 'event') {
      scriptPid = (message.payload as { pid?: number }).pid;
      if (scriptPid !== undefined && !sampler) {
        sampler = startSystemMetrics({
          pid: scriptPid,
          ...(options.systemMetricsIntervalMs !== undefined ? { intervalMs: options.systemMetricsIntervalMs } : {}),
          onSample: (sample) => {
            sampleWrites = sampleWrites.then(() => store.logBatch({ runId, metrics: sampleMetrics(sample) })).catch(() => undefined);
          },
        });
      }
      if (cancelled) killScript();
    } else if (message.type === 'done') {
      ended = message.result as GuardedScriptExit;
      // the guard has waited for the shell: its children's time is the script's, to its end
      scriptCpu = message.cpu?.children;
    }
    else if (message.type === 'failed') capture(Buffer.from(`\nmlops: could not run "${options.command}": ${message.message}\n`));
  });
  const scriptEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const start: HostToWorker = { type: 'start', kind: 'script', input: { command: options.command, cwd: options.cwd, env: scriptEnv } };
  guard.send(start);
  const { code, signal } = await new Promise<GuardedScriptExit>((resolve) => {
    guard.on('error', (error) => {
      capture(Buffer.from(`\nmlops: could not start "${options.command}": ${error.message}\n`));
      resolve({ code: 127, signal: null });
    });
    // 'close': the output is read to its end (and the script's exit came before)
    guard.on('close', (c, s) => resolve(ended ?? { code: c === 0 ? 1 : c, signal: s }));
  });
  clearInterval(heartbeat);
  options.signal?.removeEventListener('abort', onAbort);
  const usage = await sampler?.stop(scriptCpu === undefined ? undefined : { cpuSeconds: scriptCpu });
  await sampleWrites;

  const status: RunStatus = cancelled ? 'KILLED' : code === 0 ? 'FINISHED' : 'FAILED';
  await store.writeArtifact(runId, 'logs/output.txt', tail);
  await store.logBatch({
    runId,
    ...(usage ? { metrics: usageMetrics(usage, runCost(usage, options.prices), Date.now()) } : {}),
    tags: [
      { key: 'mlops.exit_code', value: code === null ? `signal ${signal ?? '?'}` : String(code) },
      ...(status === 'FAILED' ? [{ key: 'mlops.error', value: `"${options.command}" exited with ${code === null ? `signal ${signal}` : `code ${code}`}` }] : []),
    ],
  });
  await store.updateRun(runId, { status, endTime: Date.now() });
  return { runId, status, exitCode: code, signal };
}
