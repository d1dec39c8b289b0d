/** Formatting shared by the profile panel's view and charts. */
import type { ProfileColumnView } from '../../src/protocol/profile/profileContract';
import { formatNumber } from '../shared/formatting';

/** How many top categories the bar chart shows (the table and detail give the rest). */
export const TOP_SHOWN = 15;

/** A value of the column as text: datetimes arrive as epoch milliseconds. */
export function columnValue(column: ProfileColumnView, value: number): string {
  if (column.type === 'datetime') {
    const iso = new Date(value).toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
  }
  return formatNumber(value);
}
