/** Number and time formatting shared by panels; locale-aware, compact where space is tight. */

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat(undefined);
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const significant = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 5 });
const scientific = new Intl.NumberFormat(undefined, { notation: 'scientific', maximumSignificantDigits: 4 });

/** A metric or param value with 4–5 significant digits; scientific when tiny or huge. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-4 || abs >= 1e9) ? scientific.format(value) : significant.format(value);
}

export function formatCount(value: number): string {
  return value >= 100_000 ? compact.format(value) : whole.format(value);
}

/** "3 minutes ago", "yesterday": relative to `now` (epoch ms). */
export function formatRelativeTime(epochMs: number, now: number): string {
  const seconds = Math.round((epochMs - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return relative.format(seconds, 'second');
  if (abs < 45 * 60) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 26 * 86400) return relative.format(Math.round(seconds / 86400), 'day');
  return new Date(epochMs).toLocaleDateString();
}

/** "1 h 02 min", "4.2 s", "—" for an unknown duration. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  if (minutes < 60) return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
