import type { BackendReport } from '../process/workerProtocol';
import type { TaskKind } from './trainSpec';

/** Sent once the data is read, checked and split — after this, training has started. */
export interface TrainReadyEvent {
  readonly type: 'ready';
  readonly backend: BackendReport;
  readonly task: TaskKind;
  readonly classes: readonly string[];
  readonly datasetDigest: string;
  /** the point-in-time training set the job built from a feature-set dataset (what it trained on) */
  readonly trainingSet?: { readonly path: string; readonly views: readonly string[]; readonly rows: number };
  readonly rows: { readonly total: number; readonly dropped: number; readonly train: number; readonly validation: number; readonly test: number };
  /** what the user should know about the data although training goes on, e.g. rows dropped for a missing label */
  readonly warnings?: readonly string[];
  readonly features: readonly { readonly name: string; readonly kind: 'numeric' | 'categorical' }[];
  readonly columns: readonly { readonly name: string; readonly kind: 'numeric' | 'categorical'; readonly missing: number }[];
  readonly inputWidth: number;
  readonly parameters: number;
  readonly epochs: number;
  readonly batchesPerEpoch: number;
}

/** Batch losses since the last flush, as columns (global batch step). */
export interface BatchLossColumns {
  readonly steps: number[];
  readonly values: number[];
  readonly timestamps: number[];
}

/** Streamed during training: every epoch end, and in between when an epoch runs long. */
export interface TrainProgressEvent {
  readonly type: 'progress';
  /** 1-based; the epoch in progress, or just finished when `epochMetrics` is set */
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batchesPerEpoch: number;
  readonly batchLoss: BatchLossColumns;
  /** loss, val_loss, accuracy/val_accuracy or rmse/val_rmse of a finished epoch */
  readonly epochMetrics?: Readonly<Record<string, number>>;
  readonly samplesPerSecond?: number;
}

export interface TrainPhaseEvent {
  readonly type: 'phase';
  readonly phase: 'evaluating' | 'packaging';
}

export type TrainEvent = TrainReadyEvent | TrainProgressEvent | TrainPhaseEvent;
