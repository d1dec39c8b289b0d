import * as vscode from 'vscode';
import type { TrackingStore } from '../../core/tracking/trackingStore';

/**
 * Read-only documents of a run's captured output, read through the tracking store (so they open
 * the same way whether the store is this window's, the writer window's or a team's MLflow server):
 * `mlops-run-log:/<run id>/<run name> <file name>?artifact=<path>` or `…?tag=<key>` for output kept
 * in a tag. The run's name is in the file name so the editor tab says whose output it is.
 */
export const RUN_LOG_SCHEME = 'mlops-run-log';

export function runLogUri(run: { runId: string; runName: string }, source: { kind: 'artifact'; path: string } | { kind: 'tag'; key: string }): vscode.Uri {
  const name = (run.runName || run.runId.slice(0, 8)).replace(/[\\/:*?"<>|]+/g, '-');
  const file = source.kind === 'artifact' ? (source.path.split('/').pop() ?? source.path) : `${source.key.replace(/^mlops\./, '')}.log`;
  const query: Record<string, string> = source.kind === 'artifact' ? { artifact: source.path } : { tag: source.key };
  return vscode.Uri.from({ scheme: RUN_LOG_SCHEME, path: `/${run.runId}/${name} ${file}`, query: new URLSearchParams(query).toString() });
}

export function runLogContentProvider(tracking: () => Promise<TrackingStore>): vscode.TextDocumentContentProvider {
  return {
    provideTextDocumentContent: async (uri) => {
      const runId = uri.path.split('/')[1] ?? '';
      const store = await tracking();
      const query = new URLSearchParams(uri.query);
      const tag = query.get('tag');
      if (tag) return (await store.getRun(runId)).data.tags.find((t) => t.key === tag)?.value ?? `(run ${runId} has no tag ${tag} any more)`;
      return (await store.readArtifact(runId, query.get('artifact') ?? '')).toString('utf8');
    },
  };
}
