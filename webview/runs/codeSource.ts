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

/** A run made by Re-run…: which run it re-ran and whether its metrics matched. */
export function rerunSummary(details: Pick<RunDetails, 'tags'>): { of: string; matched?: boolean } | undefined {
  const of = details.tags.find((t) => t.key === 'mlops.rerun.of')?.value;
  if (!of) return undefined;
  const matched = details.tags.find((t) => t.key === 'mlops.rerun.matched')?.value;
  return { of, ...(matched === undefined ? {} : { matched: matched === 'true' }) };
}

export function renderRerun(details: RunDetails): TemplateResult | typeof nothing {
  const rerun = rerunSummary(details);
  if (!rerun) return nothing;
  const verdict = rerun.matched === true ? ' · reproduced its metrics' : rerun.matched === false ? html` · <span class="state-error">metrics differ</span>` : nothing;
  return html`<p class="subtle" data-testid="details-rerun"><span class="codicon codicon-debug-rerun"></span> re-run of <code title=${rerun.of}>${rerun.of.slice(0, 8)}</code>${verdict}</p>`;
}
