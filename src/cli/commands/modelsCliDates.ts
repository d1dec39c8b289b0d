import { CliError } from '../cliContext';

/**
 * A moment for "which version held the alias then": a date alone means the end of that day in
 * local time (what held it that day, last); a date with a time, an ISO timestamp, epoch ms or "now".
 */
export function parseAtDate(text: string): number {
  const trimmed = text.trim();
  if (trimmed === 'now') return Date.now();
  if (/^\d{10,}$/.test(trimmed)) return Number(trimmed);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  if (day) {
    const end = new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]), 23, 59, 59, 999);
    if (end.getMonth() === Number(day[2]) - 1) return end.getTime();
  } else {
    const parsed = Date.parse(trimmed);
    if (!Number.isNaN(parsed)) return parsed;
  }
  throw new CliError(`--at "${text}" is not a date: use 2026-03-01, 2026-03-01T14:00, an ISO timestamp, epoch milliseconds or "now"`);
}
