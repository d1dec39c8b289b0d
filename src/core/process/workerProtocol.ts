/**
 * Messages between the extension host (or CLI) and a worker child process. Heavy work runs in
 * such a child so a crash, an out-of-memory or a cancel (kill) never takes the host down.
 */

import type { DriftJobInput } from '../drift/driftJob';
import type { DriftReport } from '../drift/driftTypes';
import type { FeatureViewMeta } from '../features/featureStoreFiles';
import type { MaterializeJobInput } from '../features/materializeJob';
import type { DataProfile } from '../profile/profileTypes';
import type { HoldoutEvaluation, HoldoutEvaluationInput } from '../retraining/holdoutEvaluation';
import type { RetrainDataInput, RetrainDataResult } from '../retraining/retrainData';
import type { GuardedScriptExit, GuardedScriptInput } from '../scripts/guardedScript';
import type { TrainJobInput, TrainJobResult } from '../training/trainJob';
import type { ProcessCpu } from './processCpu';

/** Every kind of job a worker can run, with its input and result types. */
export interface WorkerJobs {
  detectBackends: {
    input: { preference: BackendPreference; wasmDir?: string };
    result: BackendReport;
  };
  /** trains one model from a spec; streams TrainEvent payloads (src/core/training/trainingEvents.ts) */
  train: {
    input: TrainJobInput;
    result: TrainJobResult;
  };
  /** compares current data with reference data column by column (src/core/drift/driftJob.ts) */
  drift: {
    input: DriftJobInput;
    result: DriftReport;
  };
  /** profiles a data file; streams ProfileProgress payloads (src/core/profile/profileTypes.ts); cancel = kill */
  profile: {
    input: { path: string; target?: string; displayName?: string };
    result: DataProfile;
  };
  /** builds a retraining attempt's training and holdout files (src/core/retraining/retrainData.ts) */
  retrainData: {
    input: RetrainDataInput;
    result: RetrainDataResult;
  };
  /** scores model packages on the same labelled file (src/core/retraining/holdoutEvaluation.ts) */
  evaluateOnHoldout: {
    input: HoldoutEvaluationInput;
    result: HoldoutEvaluation;
  },
  /** materializes feature views of a features.yaml and their statistics; streams MaterializeJobEvent payloads */
  materializeFeatures: {
    input: MaterializeJobInput;
    result: FeatureViewMeta[];
  };
  /** runs a user's command line, its output on the worker's stdout/stderr; streams `{ pid }` (src/core/scripts/guardedScript.ts) */
  script: {
    input: GuardedScriptInput;
    result: GuardedScriptExit;
  };
}

export type WorkerJobKind = keyof WorkerJobs;
/**
 * TensorFlow.js backends, plus `js`: MLOps Studio's own typed-array trainer for dense networks
 * (no TensorFlow.js; faster than wasm for the small models specs describe). `auto` never picks
 * `js` on its own: it is chosen by name.
 */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu' | 'js';
export type BackendPreference = 'auto' | BackendName;

/** Every value `--backend` and the `mlops.training.backend` setting accept, fastest first after auto. */
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'js', 'wasm', 'cpu'];

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  /** why it failed or was skipped; empty when it worked */
  reason?: string;
  ms: number;
}

export interface BackendReport {
  chosen: BackendName;
  attempts: BackendAttempt[];
}

export type HostToWorker = { type: 'start'; kind: WorkerJobKind; input: unknown } | { type: 'cancel' };

export type WorkerToHost =
  | { type: 'event'; payload: unknown }
  /** where the host cannot read the worker's use (no /proc: macOS, Windows), the worker says it now and then */
  | { type: 'usage'; cpu: ProcessCpu }
  | { type: 'done'; result: unknown; cpu?: ProcessCpu }
  | { type: 'failed'; message: string; detail?: string; cpu?: ProcessCpu };
