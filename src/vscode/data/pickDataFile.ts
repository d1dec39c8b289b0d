import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';

/** Extensions of the data files a command can read. */
export type DataFileExtension = 'csv' | 'tsv' | 'parquet' | 'pq' | 'jsonl' | 'ndjson';

export interface PickDataFileOptions {
  /** Quick pick title, e.g. "Check drift (1/2): reference data". */
  readonly title: string;
  /** What the file is for, shown as the placeholder. */
  readonly placeHolder: string;
  readonly extensions: readonly DataFileExtension[];
  /** A file not to offer (e.g. the reference data, when picking the current data). */
  readonly exclude?: vscode.Uri;
  /** A file to offer first (e.g. a model's training data). */
  readonly suggested?: vscode.Uri;
}

interface FileItem extends vscode.QuickPickItem {
  readonly uri?: vscode.Uri;
}

const EXCLUDE_GLOB = '**/{node_modules,.mlops,.git,.venv,__pycache__}/**';
const MAX_FILES = 500;

/**
 * A quick pick of the workspace's data files (nearest folders first, named by file with their
 * folder beside), with "Browse…" as the last entry for a file elsewhere. Resolves to undefined
 * when the user cancels. A file dialog alone makes a user hunt through the disk for files that
 * are right there in the workspace.
 */
export async function pickDataFile(options: PickDataFileOptions): Promise<vscode.Uri | undefined> {
  const glob = `**/*.{${options.extensions.join(',')}}`;
  const found = await vscode.workspace.findFiles(glob, EXCLUDE_GLOB, MAX_FILES);
  const files = found
    .filter((uri) => uri.fsPath !== options.exclude?.fsPath && uri.fsPath !== options.suggested?.fsPath)
    .sort((a, b) => depth(a) - depth(b) || a.fsPath.localeCompare(b.fsPath));
  const item = (uri: vscode.Uri, description?: string): FileItem => ({
    label: `$(file) ${basename(uri.fsPath)}`,
    description: description ?? folderOf(uri),
    uri,
  });
  const items: FileItem[] = [
    ...(options.suggested ? [item(options.suggested, `${folderOf(options.suggested)} · suggested`)] : []),
    ...files.map((uri) => item(uri)),
    { label: '$(folder-opened) Browse…', description: found.length >= MAX_FILES ? `only the first ${MAX_FILES} files are listed` : 'a file outside this list' },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: options.title,
    placeHolder: files.length || options.suggested ? options.placeHolder : `No ${options.extensions.join('/')} files in this workspace: browse for one`,
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { 'Data files': [...options.extensions] },
    title: options.title,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return chosen?.[0];
}

/** The file's folder relative to the workspace ('' at its root, the full path outside it). */
function folderOf(uri: vscode.Uri): string {
  const folder = dirname(vscode.workspace.asRelativePath(uri));
  return folder === '.' ? '' : folder;
}

function depth(uri: vscode.Uri): number {
  return vscode.workspace.asRelativePath(uri).split('/').length;
}
