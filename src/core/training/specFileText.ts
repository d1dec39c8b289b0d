import { isUtf8 } from 'node:buffer';
import { open, stat } from 'node:fs/promises';
import { describeFileKind } from '../data/regularFile';
import { firstInvalidUtf8 } from '../data/textDecoding';
import { SpecError } from './specErrors';

/** A spec is a short YAML file; anything larger is a wrong path (a dataset, a model), not a spec. */
const MAX_SPEC_BYTES = 4 * 1024 * 1024;

/**
 * The text of a spec file (training, tuning, monitor, feature definitions), refusing what is not
 * one before reading it: a FIFO would block the read until a writer appears (a `mlops train`
 * would hang), a device never ends, a 2 GB file is not YAML, and invalid UTF-8 would reach the
 * YAML parser as U+FFFD. `what` names the file in the message ("the spec", "the monitor spec").
 */
export async function readSpecText(path: string, what: string): Promise<string> {
  const refuse = (message: string, line = 1, column = 1): SpecError => new SpecError(path, [{ message: `cannot read ${what}: ${message}`, field: '', line, column }]);
  // stat, not open: opening a FIFO for reading blocks until a writer appears
  let stats;
  try {
    stats = await stat(path);
  } catch (error) {
    throw refuse((error as Error).message);
  }
  if (!stats.isFile()) throw refuse(`it is ${describeFileKind(stats)}, not a regular file`);
  if (stats.size > MAX_SPEC_BYTES) throw refuse(`it is ${(stats.size / 1024 / 1024).toFixed(1)} MB; a spec is a short YAML file (at most ${MAX_SPEC_BYTES / 1024 / 1024} MB) — is this the right path?`);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw refuse((error as Error).message);
  }
  try {
    const bytes = await handle.readFile();
    if (!isUtf8(bytes)) {
      const offset = firstInvalidUtf8(bytes);
      const before = bytes.subarray(0, offset);
      const line = before.filter((b) => b === 10).length + 1;
      const column = offset - (before.lastIndexOf(10) + 1) + 1;
      throw refuse(`byte 0x${(bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0')} at line ${line}, column ${column} is not valid UTF-8; save the file as UTF-8`, line, column);
    }
    return bytes.toString('utf8');
  } finally {
    await handle.close();
  }
}
