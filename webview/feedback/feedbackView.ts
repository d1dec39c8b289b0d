import { html, nothing, type TemplateResult } from 'lit';
import type { FeedbackExportFormat, FeedbackRow, FeedbackSession, FeedbackThumb } from '../../src/protocol/feedback/feedbackContract';

export interface FeedbackViewModel {
  session?: FeedbackSession;
  row?: FeedbackRow;
  index: number;
  loading: boolean;
  saving: boolean;
  /** "Saved" after the last change was stored */
  savedAt?: number;
  error?: string;
}

export interface FeedbackViewActions {
  move(delta: number): void;
  rate(rating: number): void;
  thumb(thumb: FeedbackThumb): void;
  setLabel(label: string): void;
  setComment(comment: string, final: boolean): void;
  exportAs(format: FeedbackExportFormat): void;
  retry(): void;
}

export const FEEDBACK_STYLES = `
.review { max-width: 980px; }
.progress-line { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin-bottom: 12px; }
/* the track is a faint tint of the fill's colour, not the fill under opacity (that dimmed the fill too) */
.progress-bar { --fill: var(--vscode-progressBar-background, var(--vscode-focusBorder, #0078d4)); flex: 1; min-width: 120px; height: 6px; background: color-mix(in srgb, var(--fill) 22%, transparent); outline: 1px solid color-mix(in srgb, var(--fill) 45%, transparent); outline-offset: -1px; border-radius: 3px; position: relative; overflow: hidden; }
.progress-fill { position: absolute; inset: 0 auto 0 0; background: var(--fill); border-radius: 3px; }
.text-block { white-space: pre-wrap; padding: 8px 10px; margin: 4px 0 12px; border-radius: 3px; background: var(--vscode-textBlockQuote-background); border-left: 3px solid var(--vscode-textBlockQuote-border); }
.prediction { border-left-color: var(--vscode-focusBorder); }
.section-title { font-weight: 600; margin-top: 8px; }
.scores { color: var(--vscode-descriptionForeground); font-variant-numeric: tabular-nums; }
.rating { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin: 10px 0; }
.rating button { min-width: 34px; padding: 4px 8px; font: inherit; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; cursor: pointer; }
.rating button[aria-pressed="true"] { color: var(--vscode-button-foreground); background: var(--vscode-button-background); box-shadow: inset 0 -2px 0 currentColor; font-weight: 600; }
.rating button:focus-visible, .field input:focus, .field textarea:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
.field { display: flex; flex-direction: column; gap: 4px; margin: 8px 0; }
.field input, .field textarea { font: inherit; color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); padding: 4px 6px; }
.field textarea { min-height: 60px; resize: vertical; }
.keys { color: var(--vscode-descriptionForeground); font-size: .9em; }
kbd { font-family: var(--vscode-editor-font-family); border: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, currentColor)); border-radius: 3px; padding: 0 4px; }
`;

const fmt = (value: number, digits: number): string => value.toFixed(digits);

/** The whole review panel for one state; pure, so tests can render it without a host. */
export function renderFeedback(model: FeedbackViewModel, actions: FeedbackViewActions): TemplateResult {
  const { session, row } = model;
  return html`
    <div class="review">
      <header class="panel-header">
        <div>
          <h1>Review ${session ? session.runName : 'evaluation'}</h1>
          <p class="subtle">${session ? html`Reviewer <strong>${session.reviewer}</strong> · run ${session.runId.slice(0, 8)}` : 'Loading the evaluation run…'}</p>
        </div>
        <div class="toolbar">
          <vscode-button secondary @click=${() => actions.exportAs('csv')} ?disabled=${!session}>Export CSV</vscode-button>
          <vscode-button secondary @click=${() => actions.exportAs('jsonl')} ?disabled=${!session}>Export JSONL</vscode-button>
        </div>
      </header>
      ${model.error
        ? html`<section class="banner banner-error" role="alert"><span class="codicon codicon-error" aria-hidden="true"></span><div>${model.error}</div><vscode-button secondary @click=${actions.retry}>Try again</vscode-button></section>`
        : nothing}
      ${session ? renderProgress(model, session, actions) : nothing}
      ${row ? renderRow(row, model, session, actions) : nothing}
    </div>
  `;
}

function renderProgress(model: FeedbackViewModel, session: FeedbackSession, actions: FeedbackViewActions): TemplateResult {
  const share = session.total === 0 ? 0 : session.ratedByMe / session.total;
  return html`<div class="progress-line">
    <vscode-button secondary icon="arrow-left" aria-label="Previous row" @click=${() => actions.move(-1)} ?disabled=${model.index <= 0}>Previous</vscode-button>
    <span>Row <strong>${model.index + 1}</strong> of ${session.total}</span>
    <vscode-button secondary icon="arrow-right" aria-label="Next row" @click=${() => actions.move(1)} ?disabled=${model.index >= session.total - 1}>Next</vscode-button>
    <span class="progress-bar" role="progressbar" aria-valuemin="0" aria-valuemax=${session.total} aria-valuenow=${session.ratedByMe} aria-label="Rated rows">
      <span class="progress-fill" style="width: ${(share * 100).toFixed(1)}%"></span>
    </span>
    <span data-testid="rated" aria-live="polite">${session.ratedByMe} of ${session.total} rated</span>
    <span class="subtle" aria-live="polite">${model.saving ? 'Saving…' : model.savedAt ? 'Saved' : ''}</span>
  </div>`;
}

function renderRow(row: FeedbackRow, model: FeedbackViewModel, session: FeedbackSession | undefined, actions: FeedbackViewActions): TemplateResult {
  const mine = row.mine;
  return html`
    <div class="section-title">Input</div>
    <div class="text-block">${row.input}</div>
    <div class="section-title">Prediction</div>
    <div class="text-block prediction" data-testid="prediction">${row.prediction}</div>
    <div class="section-title">${row.references.length === 1 ? 'Reference' : `References (${row.references.length})`}</div>
    ${row.references.map((ref) => html`<div class="text-block">${ref}</div>`)}
    <p class="scores">BLEU ${fmt(row.bleu, 1)} · ROUGE-1 F ${fmt(row.rouge1F, 3)} · ROUGE-L F ${fmt(row.rougeLF, 3)}${row.exactMatch ? ' · exact match' : ''}</p>
    <div class="rating" role="group" aria-label="Rating">
      <span>Rating</span>
      ${[1, 2, 3, 4, 5].map((n) => html`<button type="button" aria-pressed=${String(mine?.rating === n)} aria-label="Rate ${n} of 5" title="Key ${n}" @click=${() => actions.rate(n)}>${n}</button>`)}
      <span style="width: 12px"></span>
      <button type="button" aria-pressed=${String(mine?.thumb === 'up')} aria-label="Thumbs up" title="Key +" @click=${() => actions.thumb('up')}><span class="codicon codicon-thumbsup" aria-hidden="true"></span></button>
      <button type="button" aria-pressed=${String(mine?.thumb === 'down')} aria-label="Thumbs down" title="Key -" @click=${() => actions.thumb('down')}><span class="codicon codicon-thumbsdown" aria-hidden="true"></span></button>
    </div>
    <label class="field">Label
      <input type="text" list="feedback-labels" maxlength="200" .value=${mine?.label ?? ''} placeholder="e.g. hallucination, too long, off-topic"
        @change=${(e: Event) => actions.setLabel((e.target as HTMLInputElement).value)} />
      <datalist id="feedback-labels">${(session?.labels ?? []).map((l) => html`<option value=${l}></option>`)}</datalist>
    </label>
    <label class="field">Comment
      <textarea maxlength="10000" .value=${mine?.comment ?? ''}
        @input=${(e: Event) => actions.setComment((e.target as HTMLTextAreaElement).value, false)}
        @change=${(e: Event) => actions.setComment((e.target as HTMLTextAreaElement).value, true)}></textarea>
    </label>
    <p class="keys"><kbd>1</kbd>–<kbd>5</kbd> rate · <kbd>+</kbd>/<kbd>-</kbd> thumbs · <kbd>←</kbd>/<kbd>→</kbd> previous/next · <kbd>Esc</kbd> leaves a text field · saved as you go</p>
  `;
}
