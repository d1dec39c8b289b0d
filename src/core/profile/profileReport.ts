/** A profile as Markdown (terminal, VS Code preview) and as a self-contained HTML snapshot. */
import type { ProfileComparison } from './profileCompare';
import type { ColumnProfile, DataProfile } from './profileTypes';

function num(v: number | undefined | null): string {
  if (v === undefined || v === null || Number.isNaN(v)) return '—';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const abs = Math.abs(v);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e7) ? v.toExponential(3) : v.toFixed(abs < 1 ? 4 : 3);
}
function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
const BARS = ' ▁▂▃▄▅▆▇█';
function sparkline(counts: readonly number[]): string {
  const max = Math.max(...counts, 1);
  return counts.map((c) => BARS[Math.round((c / max) * 8)]).join('');
}
function summary(c: ColumnProfile): string {
  if (c.numeric) {
    const n = c.numeric;
    const when = (v: number): string => (c.type === 'datetime' ? new Date(v).toISOString() : num(v));
    return `min ${when(n.min)} · p50 ${when(n.percentiles[50]!)} · max ${when(n.max)} · mean ${when(n.mean)} · std ${num(n.std)} ${sparkline(n.histogram.counts)}`;
  }
  return (c.top ?? []).slice(0, 3).map((t) => `${cell(t.value)} (${t.count})`).join(', ');
}

export function profileMarkdown(p: DataProfile): string {
  const out: string[] = [];
  out.push(`# Data profile: ${p.file}`, '');
  out.push(`${p.rows.toLocaleString('en-US')} rows · ${p.columns.length} columns · ${(p.bytes / 1e6).toFixed(1)} MB · ${p.format} · duplicates ${p.duplicates.rows}${p.duplicates.exact ? '' : ' (first rows only)'} · profiled in ${(p.elapsedMs / 1000).toFixed(1)} s`, '');
  if (p.warnings.length > 0) {
    out.push('## Warnings', '');
    for (const w of p.warnings) out.push(`- **${w.kind}** ${w.message}`);
    out.push('');
  }
  out.push('## Columns', '', '| column | type | missing | distinct | summary |', '| --- | --- | --- | --- | --- |');
  for (const c of p.columns) out.push(`| ${cell(c.name)} | ${c.type} | ${pct(c.missingShare)} | ${c.distinctExact ? '' : '≈'}${c.distinct} | ${summary(c)} |`);
  out.push('');
  if (p.target) {
    out.push(`## Association with the target "${p.target.column}"`, '', '| column | measure | value |', '| --- | --- | --- |');
    for (const a of p.target.associations) out.push(`| ${cell(a.column)} | ${a.measure} | ${num(a.value)} |`);
    out.push('');
  }
  for (const [title, m] of [
    ['Pearson', p.correlations.pearson],
    ['Spearman (sample)', p.correlations.spearman],
    ["Cramér's V (sample)", p.correlations.cramersV],
  ] as const) {
    if (m.columns.length < 2) continue;
    out.push(`## ${title} (${m.rows.toLocaleString('en-US')} rows)`, '', `| | ${m.columns.map(cell).join(' | ')} |`, `| --- |${m.columns.map(() => ' --- |').join('')}`);
    m.columns.forEach((name, i) => out.push(`| ${cell(name)} | ${m.values[i]!.map((v) => (v === null ? '—' : v.toFixed(2))).join(' | ')} |`));
    out.push('');
  }
  out.push('## First rows', '', `| ${p.head.columns.map(cell).join(' | ')} |`, `|${p.head.columns.map(() => ' --- |').join('')}`);
  for (const row of p.head.rows.slice(0, 10)) out.push(`| ${row.map(cell).join(' | ')} |`);
  out.push('');
  return out.join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * A self-contained HTML snapshot to share: no scripts, no remote content (its CSP forbids both),
 * every cell escaped. Readable in light and dark browsers. The JSON snapshot is the one to re-load.
 */
export function profileHtml(p: DataProfile): string {
  const md = profileMarkdown(p);
  const body = md
    .split('\n')
    .map((line) => {
      if (line.startsWith('# ')) return `<h1>${escapeHtml(line.slice(2))}</h1>`;
      if (line.startsWith('## ')) return `<h2>${escapeHtml(line.slice(3))}</h2>`;
      if (line.startsWith('- ')) return `<li>${escapeHtml(line.slice(2)).replace(/\*\*(.+?)\*\*/g, '<b>$1</b>')}</li>`;
      if (line.startsWith('| ---') || line.startsWith('|---')) return '';
      if (line.startsWith('|')) return `<tr>${line.slice(1, -1).split(/(?<!\\) \| /).map((c) => `<td>${escapeHtml(c.trim().replace(/\\\|/g, '|'))}</td>`).join('')}</tr>`;
      return line ? `<p>${escapeHtml(line)}</p>` : '';
    })
    .join('\n')
    .replace(/(<tr>[\s\S]*?<\/tr>)(?!\n<tr>)/g, '$1</table>')
    .replace(/(<\/h2>|<\/p>)\n(<tr>)/g, '$1\n<table>$2')
    .replace(/((?:<li>.*<\/li>\n?)+)/g, '<ul>$1</ul>');
  const csp = "default-src 'none'; style-src 'unsafe-inline'";
  const style =
    'body{font:14px system-ui,sans-serif;margin:2em;max-width:1200px;color:#222;background:#fff}table{border-collapse:collapse;margin:1em 0}td{border:1px solid #ccc;padding:2px 8px;font-variant-numeric:tabular-nums}tr:first-child td{font-weight:600;background:#f3f3f3}' +
    '@media (prefers-color-scheme:dark){body{color:#ddd;background:#1e1e1e}td{border-color:#555}tr:first-child td{background:#2d2d2d}}';
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><title>Profile ${escapeHtml(p.file)}</title><style>${style}</style></head><body>\n${body}\n<p><small>Profiled ${escapeHtml(p.createdAt)} by MLOps Studio.</small></p></body></html>\n`;
}

export function comparisonMarkdown(c: ProfileComparison): string {
  const out = [`# Profile comparison`, '', `baseline ${c.baseline} (${c.rows.baseline} rows) → current ${c.current} (${c.rows.current} rows)`, '', '| column | status | PSI | mean shift (σ) | missing Δ |', '| --- | --- | --- | --- | --- |'];
  for (const col of c.columns) out.push(`| ${cell(col.column)} | ${col.status} | ${num(col.psi)} | ${num(col.meanShift)} | ${col.missingShareDelta === undefined ? '—' : pct(col.missingShareDelta)} |`);
  return out.join('\n') + '\n';
}
