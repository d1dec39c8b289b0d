import { runCli } from '../../../src/cli/main';

export interface InProcessCliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `mlops -w WORKSPACE ARGS…` in this process and captures what it prints: faster than a
 * child process, for tests that run many commands. (A command that must not share this process,
 * e.g. one talking to a server the test runs, uses runCli from ./runCli instead.)
 */
export async function mlopsInProcess(workspace: string, ...args: string[]): Promise<InProcessCliResult> {
  let out = '';
  let err = '';
  const realOut = process.stdout.write.bind(process.stdout);
  const realErr = process.stderr.write.bind(process.stderr);
  // Only text is ours: node:test talks to its parent through stdout in binary chunks.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]): boolean => (typeof chunk === 'string' ? ((out += chunk), true) : realOut(chunk, ...rest))) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array): boolean => ((err += String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { code: await runCli(['-w', workspace, ...args]), out, err };
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
}
