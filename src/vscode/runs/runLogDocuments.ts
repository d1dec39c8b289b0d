import * as vscode from 'vscode';
import type { TrackingStore } from '../../core/tracking/trackingStore';

/**
 * Read-only documents of a run's captured output, read through the tracking store (so they open
 * the same way whether the store is this window's, the writer window's or a team's MLflow server):
 * `mlops-run-log:/<run id>/<artifact path>`, or `…/<name>?tag=<key>` for output kept in a tag.
 */
export const RUN_LOG_SCHEME = 'mlops-run-log';

export function runLogUri(runId: string, source: { kind: 'artifact'; path: string } | { kind: 'tag'; key: string }): vscode.Uri {
  if (source.kind === 'artifact') return vscode.Uri.from({ scheme: RUN_LOG_SCHEME, path: `/${runId}/${source.path}` });
  return vscode.Uri.from({ scheme: RUN_LOG_SCHEME, path: `/${runId}/${source.key.replace(/^mlops\./, '')}.log`, query: new URLSearchParams({ tag: source.key }).toString() });
}

export function runLogContentProvider(tracking: () => Promise<TrackingStore>): vscode.TextDocumentContentProvider {
  return {
    provideTextDocumentContent: async (uri) => {
      const [, runId = '', ...rest] = uri.path.split('/');
      const store = await tracking();
      const tag = new URLSearchParams(uri.query).get('tag');
      if (tag) return (await store.getRun(runId)).data.tags.find((t) => t.key === tag)?.value ?? `(run ${runId} has no tag ${tag} any more)`;
      return (await store.readArtifact(runId, rest.join('/'))).toString('utf8');
    },
  };
}
