/** How a table cell reads: numbers with 4–5 significant digits, times in the user's locale, missing as "—". */
import type { CellValue, ColumnInfo } from '../../src/protocol/runs/runsContract';
import { formatDuration, formatNumber } from '../shared/formatting';
import type { GridCell } from './virtualGrid';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

export function formatCell(column: Pick<ColumnInfo, 'id' | 'kind'>, value: CellValue | undefined): GridCell {
  if (value === null || value === undefined || value === '') return { text: '—', className: 'missing' };
  switch (column.id) {
    case 'attributes.start_time':
      return { text: dateTime.format(new Date(Number(value))) };
    case 'attributes.duration':
      return { text: formatDuration(Number(value)) };
    case 'attributes.status':
      return { text: String(value).toLowerCase(), className: `status-${String(value)}` };
    case 'attributes.starred':
      return { text: '★', className: 'star' };
  }
  if (typeof value === 'number') return { text: formatNumber(value) };
  return { text: value };
}

const ATTRIBUTE_LABELS: Record<string, string> = {
  run_name: 'Run',
  status: 'Status',
  start_time: 'Started',
  duration: 'Duration',
  user_id: 'User',
  run_id: 'Run ID',
  starred: '★',
  note: 'Note',
};

export function columnLabel(column: Pick<ColumnInfo, 'kind' | 'key'>): string {
  return column.kind === 'attribute' ? (ATTRIBUTE_LABELS[column.key] ?? column.key) : column.key;
}

export function defaultWidth(column: Pick<ColumnInfo, 'kind' | 'key'>): number {
  if (column.kind === 'attribute') {
    return { run_name: 220, status: 90, start_time: 165, duration: 100, user_id: 90, run_id: 110, starred: 40, note: 180 }[column.key] ?? 120;
  }
  // Headers are bold (~8 px a character at the UI font size): `test_accuracy` fits whole.
  return Math.max(90, Math.min(220, 20 + column.key.length * 8));
}
