/**
 * Entry point of worker child processes (dist/worker.js). The parent sends one `start` message;
 * the worker runs that job, streams events, reports `done` or `failed`, and exits. Cancel = the
 * parent kills the process, so jobs need no cooperative cancellation to stop promptly.
 */
import { existsSync } from 'node:fs';
import { exitWithParent } from './exitWithParent';
import type { HostToWorker, WorkerJobKind, WorkerJobs, WorkerToHost } from './workerProtocol';
import { processCpuSeconds } from './processCpu';

type JobHandler<K extends WorkerJobKind> = (input: WorkerJobs[K]['input'], emit: (payload: unknown) => void) => Promise<WorkerJobs[K]['result']>;

/** Handlers load their modules on demand so a worker pays only for the job it runs. */
const handlers: { [K in WorkerJobKind]: () => Promise<JobHandler<K>> } = {
  detectBackends: async () => {
    const { selectBackend } = await import('../training/backendSelection');
    return (input) => selectBackend(input.preference, input.wasmDir);
  },
  train: async () => {
    const { runTrainJob } = await import('../training/trainJob');
    return (input, emit) => runTrainJob(input, emit);
  },
  drift: async () => {
    const { runDriftJob } = await import('../drift/driftJob');
    return (input) => runDriftJob(input);
  },
  retrainData: async () => {
    const { prepareRetrainData } = await import('../retraining/retrainData');
    return (input) => prepareRetrainData(input);
  },
  evaluateOnHoldout: async () => {
    const { evaluateOnHoldout } = await import('../retraining/holdoutEvaluation');
    return (input) => evaluateOnHoldout(input);
  },
  materializeFeatures: async () => {
    const { runMaterializeJob } = await import('../features/materializeJob');
    return (input, emit) => runMaterializeJob(input, emit);
  },
  script: async () => {
    const { runGuardedScript } = await import('../scripts/guardedScript');
    return (input, emit) => runGuardedScript(input, emit);
  },
  profile: async () => {
    const { profileFile } = await import('../profile/profileFile');
    return (input, emit) => {
      let last = 0;
      return profileFile(input.path, {
        target: input.target,
        displayName: input.displayName,
        onProgress: (progress) => {
          const now = Date.now();
          if (now - last < 200 && progress.bytesDone < progress.bytesTotal) return;
          last = now;
          emit(progress);
        },
      });
    };
  },
};

function send(message: WorkerToHost): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

/** How often a worker on a system without /proc reports its own CPU time and memory. */
const USAGE_REPORT_MS = 5000;

async function run(kind: WorkerJobKind, input: unknown): Promise<void> {
  const usage = existsSync('/proc/self/stat') ? undefined : setInterval(() => void send({ type: 'usage', cpu: processCpuSeconds() }), USAGE_REPORT_MS);
  usage?.unref();
  try {
    const handler = (await handlers[kind]()) as JobHandler<WorkerJobKind>;
    const result = await handler(input as WorkerJobs[WorkerJobKind]['input'], (payload) => void send({ type: 'event', payload }));
    await send({ type: 'done', result, cpu: processCpuSeconds() });
  } catch (error) {
    await send({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
      detail: error instanceof Error ? error.stack : undefined,
      cpu: processCpuSeconds(),
    });
  }
  if (usage) clearInterval(usage);
  process.disconnect?.();
}

if (!process.send) {
  process.stderr.write('worker.js is started by MLOps Studio as a child process; it is not a command.\n');
  process.exitCode = 2;
} else {
  exitWithParent();
  process.on('message', (message: HostToWorker) => {
    if (message.type === 'start') {
      if (!Object.prototype.hasOwnProperty.call(handlers, message.kind)) {
        void send({ type: 'failed', message: `Unknown worker job "${String(message.kind)}"` }).then(() => process.disconnect?.());
        return;
      }
      void run(message.kind, message.input);
    } else if (message.type === 'cancel') {
      process.exit(130);
    }
  });
}
