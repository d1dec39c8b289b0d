import { resolve } from 'node:path';
import { DEFAULT_STORE_DIR } from '../core/product/productInfo';

/** Options every subcommand understands: where the workspace is and how to print. */
export interface CliGlobalOptions {
  workspace: string;
  store?: string;
  json?: boolean;
  /** an MLflow tracking server (else $MLFLOW_TRACKING_URI): see cliStore.ts */
  trackingUri?: string;
  /** the workspace store even when MLFLOW_TRACKING_URI is set */
  local?: boolean;
}

/** The store folder for a CLI invocation: `--store` wins, then MLOPS_STORE, then `<workspace>/.mlops`. */
export function resolveStoreDir(options: CliGlobalOptions): string {
  const explicit = options.store ?? process.env.MLOPS_STORE;
  if (explicit) return resolve(options.workspace, explicit);
  return resolve(options.workspace, DEFAULT_STORE_DIR);
}

/** A failure the CLI reports as one clear line on stderr and exit code `exitCode`, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Ends the CLI with `exitCode` and nothing more to say (the command already printed its outcome). */
export class CliExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'CliExit';
  }
}
