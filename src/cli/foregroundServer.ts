import { CliError } from './cliContext';

/** `--port`: 0 (or absent) picks a free port. */
export function parsePortOption(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be an integer from 0 to 65535 (0 picks a free port), got "${text}"`);
  return port;
}

/** How long a stop may take before the process exits anyway. */
const STOP_DEADLINE_MS = 10_000;

/**
 * Resolves with the signal's name when the user stops a foreground server (Ctrl+C or SIGTERM).
 * From then on the process is leaving: a second signal, or a stop that takes longer than
 * STOP_DEADLINE_MS, exits at once. That is safe because the store acknowledges a write only once
 * it is in the fsync'd journal: whatever is cut short was never acknowledged.
 */
export function waitForStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      const force = (why: string, code: number): void => {
        process.stderr.write(`mlops: ${why}; exiting now (every acknowledged write is already on disk)\n`);
        process.exit(code);
      };
      process.once('SIGINT', () => force('SIGINT again', 130));
      process.once('SIGTERM', () => force('SIGTERM again', 143));
      setTimeout(() => force(`still stopping after ${STOP_DEADLINE_MS / 1000} s`, 1), STOP_DEADLINE_MS).unref();
      resolve(signal);
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}
