import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError, type CliGlobalOptions } from './cliContext';

/*
 * One rule for every command (issue #19): a path typed on the command line is relative to the
 * current folder, as with every Unix tool; a path inside a spec file is relative to that spec
 * file (the spec parsers do that); `--workspace` only chooses the store and where the workspace's
 * own files (features.yaml, *.monitor.yaml) are looked for when none is typed.
 */

/** The absolute path a path typed on the command line names. */
export function cliPath(typed: string): string {
  return resolve(process.cwd(), typed);
}

/** cliPath, refusing a path that does not exist with the absolute path it looked at. */
export function existingCliPath(typed: string, what?: string, exitCode = 2): string {
  const absolute = cliPath(typed);
  if (!existsSync(absolute)) {
    const looked = absolute === typed ? '' : ` (looked at ${absolute})`;
    throw new CliError(`${what ? `${what} ` : ''}${typed} does not exist${looked}`, exitCode);
  }
  return absolute;
}

/** A file typed as an option (relative to the current folder), or the workspace's own `fallback` when none is. */
export function typedOrWorkspaceFile(globals: CliGlobalOptions, typed: string | undefined, fallback: string): string {
  return typed === undefined ? join(resolve(globals.workspace), fallback) : cliPath(typed);
}

/** A monitor typed as a file (…yaml, or with a folder) is a path like any other; otherwise it is a name looked up in the workspace. */
export function monitorArgument(typed: string): string {
  return /\.ya?ml$/i.test(typed) || /[\\/]/.test(typed) ? existingCliPath(typed, 'the monitor spec') : typed;
}
