import { fork } from 'node:child_process';
import { modelRegistryFor } from '../registry/registryAccess';
import type { WorkspaceStore } from '../store/workspaceStore';
import { resolveEndpointEntry } from './endpointEntry';
import type { EndpointToHost, HostToEndpoint } from './endpointTypes';
import { predictionsPathFor, type ScoreProgress, type ScoreResult } from './batchScoring';

export interface ScoreFileOptions {
  readonly onProgress?: (progress: ScoreProgress) => void;
  readonly signal?: AbortSignal;
  /** endpoint process entry override (tests) */
  readonly entry?: string;
}

export class ScoreCancelledError extends Error {
  constructor(input: string) {
    super(`Scoring ${input} was cancelled.`);
    this.name = 'ScoreCancelledError';
  }
}

/**
 * Scores a CSV or Parquet file with the model package in `packageDir` in a child process, writing
 * `outputFile` (default `<name>.predictions.csv`). Cancel kills the child and removes nothing but
 * the partial output's completeness: the file is left as written so far.
 */
export function scoreFile(packageDir: string, inputFile: string, outputFile: string = predictionsPathFor(inputFile), options: ScoreFileOptions = {}): Promise<ScoreResult> {
  const entry = resolveEndpointEntry(options.entry);
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new ScoreCancelledError(inputFile));
    const child = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    let settled = false;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2048)));
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      child.kill('SIGKILL');
      settle(() => reject(new ScoreCancelledError(inputFile)));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('message', (message: EndpointToHost) => {
      if (message.type === 'progress') options.onProgress?.({ rows: message.rows, bytes: message.bytes, totalBytes: message.totalBytes });
      else if (message.type === 'scored') settle(() => resolve({ rows: message.rows, output: message.output, ms: message.ms }));
      else if (message.type === 'failed') settle(() => reject(new Error(message.message)));
    });
    child.on('exit', (code, signal) => settle(() => reject(new Error(`The scoring process ${signal ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`} before finishing ${inputFile}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`))));
    const start: HostToEndpoint = { type: 'score', packageDir, input: inputFile, output: outputFile };
    child.send(start);
  });
}

/** scoreFile for a `models:/` URI of the store's registry. */
export async function scoreFileWithModel(store: WorkspaceStore, modelUri: string, inputFile: string, outputFile?: string, options: ScoreFileOptions = {}): Promise<ScoreResult & { version: number }> {
  const version = modelRegistryFor(store).resolveUri(modelUri);
  const result = await scoreFile(version.packageDir, inputFile, outputFile, options);
  return { ...result, version: version.version };
}
