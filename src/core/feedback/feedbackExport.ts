import type { FeedbackEntry } from './feedbackTypes';

const COLUMNS = ['run_id', 'row_index', 'reviewer', 'created_at', 'updated_at', 'rating', 'thumb', 'label', 'comment'] as const;

function record(entry: FeedbackEntry): Record<(typeof COLUMNS)[number], string | number | null> {
  return {
    run_id: entry.runId,
    row_index: entry.rowIndex,
    reviewer: entry.reviewer,
    created_at: new Date(entry.createdAt).toISOString(),
    updated_at: new Date(entry.updatedAt).toISOString(),
    rating: entry.rating,
    thumb: entry.thumb,
    label: entry.label,
    comment: entry.comment,
  };
}

/** RFC 4180 quoting: fields with commas, quotes or line breaks are quoted, quotes doubled. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function feedbackToCsv(entries: readonly FeedbackEntry[]): string {
  const lines = [COLUMNS.join(','), ...entries.map((e) => { const r = record(e); return COLUMNS.map((c) => csvField(r[c])).join(','); })];
  return lines.join('\r\n') + '\r\n';
}

export function feedbackToJsonl(entries: readonly FeedbackEntry[]): string {
  return entries.map((e) => JSON.stringify(record(e))).join('\n') + (entries.length > 0 ? '\n' : '');
}
