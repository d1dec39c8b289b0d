import { homedir } from 'node:os';
import { dirname, sep } from 'node:path';

/**
 * Error messages go to whoever can reach the server (a team behind a proxy, a CI job): they name
 * what went wrong, not where the workspace lives on this machine nor who owns it. Folders of the
 * server are replaced by placeholders, longest first so the most specific one wins.
 */
export interface ServerDetails {
  /** the workspace store folder (`.mlops`), when the server runs on one */
  readonly storeDir?: string;
}

export function serverPlaceholders(details: ServerDetails): [string, string][] {
  const pairs: [string, string][] = [];
  if (details.storeDir) {
    pairs.push([details.storeDir, '<store>']);
    pairs.push([dirname(details.storeDir), '<workspace>']);
  }
  pairs.push([process.cwd(), '<server>']);
  try {
    // The home folder names the OS user.
    pairs.push([homedir(), '~']);
  } catch {
    // no home folder: nothing to hide
  }
  return pairs.filter(([path]) => path.length > 1 && path !== sep).sort((a, b) => b[0].length - a[0].length);
}

/** `message` with every server folder in it (also as a file: URL) replaced by its placeholder. */
export function redactServerPaths(message: string, placeholders: readonly [string, string][]): string {
  let out = message;
  for (const [path, placeholder] of placeholders) {
    const forms = [path, encodeURI(`file://${path}`), `file://${path}`];
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(placeholder);
  }
  return out;
}
