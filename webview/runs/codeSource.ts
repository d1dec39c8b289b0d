import { html, nothing, type TemplateResult } from 'lit';
import type { RunDetails } from '../../src/protocol/runs/runsContract';

/** What the details say about the code that made a run, read from its tags (MLflow's names). */
export interface CodeSourceSummary {
  readonly commit: string;
  readonly branch?: string;
  /** undefined when the run did not record it (logged by another client) */
  readonly dirty?: boolean;
  /** the run keeps the uncommitted changes as `code/uncommitted.diff` */
  readonly diffArtifact?: string;
}

export function codeSourceSummary(details: Pick<RunDetails, 'tags' | 'artifacts'>): CodeSourceSummary | undefined {
  const tag = (key: string): string | undefined => details.tags.find((t) => t.key === key)?.value;
  const commit = tag('mlflow.source.git.commit');
  if (!commit) return undefined;
  const branch = tag('mlflow.source.git.branch');
  const dirty = tag('mlops.git.dirty');
  const diff = details.artifacts.find((a) => a.path === 'code/uncommitted.diff' && !a.isDir);
  return { commit, ...(branch ? { branch } : {}), ...(dirty === undefined ? {} : { dirty: dirty === 'true' }), ...(diff ? { diffArtifact: diff.path } : {}) };
}

/** One line under the run's status: commit (branch) and whether the tree had uncommitted changes. */
export function renderCodeSource(details: RunDetails, showArtifact: (path: string) => void): TemplateResult | typeof nothing {
  const code = codeSourceSummary(details);
  if (!code) return nothing;
  const diffPath = code.diffArtifact;
  return html`<p class="subtle" data-testid="details-code"><span class="codicon codicon-git-commit"></span> <code title=${code.commit}>${code.commit.slice(0, 10)}</code>${code.branch ? html` on ${code.branch}` : nothing}${code.dirty === true
    ? html` · uncommitted changes${diffPath ? html` (<a href="#" @click=${(e: Event) => { e.preventDefault(); showArtifact(diffPath); }}>diff</a>)` : nothing}`
    : code.dirty === false ? html` · clean` : nothing}</p>`;
}
