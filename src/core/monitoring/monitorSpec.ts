import type { DriftOptions } from '../drift/driftTypes';
import type { TrafficWindow } from './endpointTraffic';
import type { RetrainPolicy } from '../retraining/retrainPolicy';

/** A *.monitor.yaml after validation, paths resolved against the spec's folder. */
export interface MonitorSpec {
  readonly name: string;
  readonly file: string;
  readonly description?: string;
  readonly reference: { readonly kind: 'model'; readonly uri: string } | { readonly kind: 'file'; readonly path: string; readonly asWritten: string };
  /** a file, or the inputs an endpoint answered (its request log) in a window of rows and/or hours */
  readonly current:
    | { readonly kind: 'file'; readonly path: string; readonly asWritten: string }
    | { readonly kind: 'endpoint'; readonly endpoint: string; readonly window: TrafficWindow; readonly asWritten: string };
  readonly options: DriftOptions;
  readonly schedule?: { readonly everyMinutes?: number; readonly onChange?: boolean };
  /** what to do when the monitor trips (src/core/retraining) */
  readonly retrain?: RetrainPolicy;
}

export const MONITOR_SPEC_SUFFIX = '.monitor.yaml';
