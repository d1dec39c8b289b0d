import '@vscode-elements/elements/dist/vscode-button/index.js';
import { render } from 'lit';
import type { FeedbackContract, FeedbackThumb, SaveFeedbackParams } from '../../src/protocol/feedback/feedbackContract';
import { startPanel } from '../shared/panelBootstrap';
import { FEEDBACK_STYLES, renderFeedback, type FeedbackViewModel } from './feedbackView';

interface FeedbackState {
  runId?: string;
  index?: number;
}

const { api, host, root } = startPanel<FeedbackContract, FeedbackState>(FEEDBACK_STYLES);

let model: FeedbackViewModel = { index: api.getState()?.index ?? -1, loading: true, saving: false };
let commentTimer: ReturnType<typeof setTimeout> | undefined;

function update(patch: Partial<FeedbackViewModel>): void {
  model = { ...model, ...patch };
  if (model.session) api.setState({ runId: model.session.runId, index: model.index });
  root.setAttribute('aria-busy', String(model.loading));
  render(renderFeedback(model, { move, rate, thumb, setLabel, setComment, exportAs: (format) => host.notify('exportFeedback', { format }), retry: start }), root);
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function show(index: number): Promise<void> {
  update({ loading: true });
  try {
    const row = await host.request('getRow', { index });
    update({ row, index, loading: false, error: undefined, savedAt: undefined });
  } catch (error) {
    update({ loading: false, error: message(error) });
  }
}

async function start(): Promise<void> {
  update({ loading: true, error: undefined });
  try {
    const session = await host.request('getSession', {});
    const restored = model.index >= 0 && model.index < session.total ? model.index : session.firstUnrated;
    update({ session });
    if (session.total > 0) await show(restored);
    else update({ loading: false });
  } catch (error) {
    update({ loading: false, error: message(error) });
  }
}

function move(delta: number): void {
  const total = model.session?.total ?? 0;
  const next = Math.min(total - 1, Math.max(0, model.index + delta));
  if (next !== model.index && !model.loading) void flushComment().then(() => show(next));
}

async function save(change: Omit<SaveFeedbackParams, 'index'>): Promise<void> {
  const { row, session } = model;
  if (!row || !session) return;
  const index = row.index;
  update({ saving: true });
  try {
    const result = await host.request('saveFeedback', { index, ...change });
    const current = model.row?.index === index ? { row: { ...row, mine: result.mine } } : {};
    update({ ...current, session: { ...session, ratedByMe: result.ratedByMe }, saving: false, savedAt: Date.now(), error: undefined });
  } catch (error) {
    update({ saving: false, error: `Not saved: ${message(error)}` });
  }
}

function rate(rating: number): void {
  // Pressing the current rating again clears it.
  void save({ rating: model.row?.mine?.rating === rating ? null : rating });
}

function thumb(value: FeedbackThumb): void {
  void save({ thumb: model.row?.mine?.thumb === value ? null : value });
}

function setLabel(label: string): void {
  void save({ label: label.trim() === '' ? null : label.trim() });
}

let pendingComment: string | undefined;
function setComment(comment: string, final: boolean): void {
  pendingComment = comment;
  clearTimeout(commentTimer);
  if (final) void flushComment();
  else commentTimer = setTimeout(() => void flushComment(), 700);
}

async function flushComment(): Promise<void> {
  clearTimeout(commentTimer);
  if (pendingComment === undefined) return;
  const comment = pendingComment;
  pendingComment = undefined;
  if ((model.row?.mine?.comment ?? '') !== comment) await save({ comment: comment === '' ? null : comment });
}

document.addEventListener('keydown', (event) => {
  const target = event.target as HTMLElement | null;
  const typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement;
  if (typing) {
    if (event.key === 'Escape') target.blur();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (/^[1-5]$/.test(event.key)) rate(Number(event.key));
  else if (event.key === '+' || event.key === '=') thumb('up');
  else if (event.key === '-') thumb('down');
  else if (event.key === 'ArrowRight' || event.key === 'ArrowDown' || event.key === 'j') move(1);
  else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp' || event.key === 'k') move(-1);
  else return;
  event.preventDefault();
});

void start();
