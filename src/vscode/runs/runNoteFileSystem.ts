import * as vscode from 'vscode';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { Run } from '../../core/tracking/trackingTypes';

/**
 * A run's note (`mlflow.note.content`) as a markdown file: notes are often several lines and a
 * real editor is the natural place to write them; saving (Ctrl/Cmd+S) stores the note on the run,
 * through whichever tracking store this window uses (its own, the writer window's server, or a
 * team's MLflow server). The path is `/<run id>/<run name> note.md` so the tab says whose note it is.
 */
export const RUN_NOTE_SCHEME = 'mlops-run-note';

export function runNoteUri(run: Run): vscode.Uri {
  const name = (run.info.runName || run.info.runId.slice(0, 8)).replace(/[\\/:*?"<>|]+/g, '-');
  return vscode.Uri.from({ scheme: RUN_NOTE_SCHEME, path: `/${run.info.runId}/${name} note.md` });
}

function runIdOf(uri: vscode.Uri): string {
  const runId = uri.path.split('/')[1];
  if (!runId) throw vscode.FileSystemError.FileNotFound(uri);
  return runId;
}

export class RunNoteFileSystem implements vscode.FileSystemProvider {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changeEmitter.event;
  /**
   * The note as last read or written, with the time it was first seen: VS Code compares a file's
   * mtime before saving over it, so the time only moves when the note itself changed (in another
   * window, say) — then VS Code offers to compare instead of silently overwriting.
   */
  private readonly seen = new Map<string, { text: string; mtime: number }>();

  constructor(
    private readonly tracking: () => Promise<TrackingStore>,
    private readonly onSaved: (runId: string) => void,
  ) {}

  private remember(runId: string, text: string): { text: string; mtime: number } {
    const known = this.seen.get(runId);
    if (known && known.text === text) return known;
    const entry = { text, mtime: Math.max(Date.now(), (known?.mtime ?? 0) + 1) };
    this.seen.set(runId, entry);
    return entry;
  }

  private async read(uri: vscode.Uri): Promise<{ text: string; mtime: number }> {
    const runId = runIdOf(uri);
    const { noteOf } = await import('../../core/tracking/runAnnotations');
    let run: Run;
    try {
      run = await (await this.tracking()).getRun(runId);
    } catch (error) {
      throw vscode.FileSystemError.FileNotFound(`Run ${runId}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return this.remember(runId, noteOf(run));
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const { text, mtime } = await this.read(uri);
    return { type: vscode.FileType.File, ctime: 0, mtime, size: Buffer.byteLength(text) };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return Buffer.from((await this.read(uri)).text, 'utf8');
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const runId = runIdOf(uri);
    const text = Buffer.from(content).toString('utf8');
    const { saveNote } = await import('../../core/tracking/runAnnotations');
    try {
      await saveNote(await this.tracking(), runId, text);
    } catch (error) {
      // Shown by VS Code as "Failed to save '…': <message>".
      throw vscode.FileSystemError.NoPermissions(`the note of run ${runId} was not saved: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.remember(runId, text);
    this.changeEmitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
    this.onSaved(runId);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(`${uri.path}: clear the text and save to remove a run's note`);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(`${uri.path}: rename the run instead (Experiments view → Rename Run…)`);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
