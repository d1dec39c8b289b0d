import { P_VALUE_TESTS, type ColumnDrift, type DriftReport } from './driftTypes';

export const DRIFT_TABLE_HEADER: readonly string[] = ['column', 'kind', 'test', 'statistic', 'p-value / distance', 'threshold', 'drifted', 'missing ref→cur', 'unseen'];

function number(value: number | undefined): string {
  if (value === undefined) return '-';
  if (Number.isNaN(value)) return 'NaN';
  if (value !== 0 && Math.abs(value) < 1e-4) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

function percent(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}

/** One row of cells per column, in report order (drifted first). */
export function driftTableRow(c: ColumnDrift): string[] {
  const comparison = P_VALUE_TESTS.has(c.test) ? `p < ${c.threshold}` : `≥ ${c.threshold}`;
  return [
    c.column,
    c.kind,
    c.test,
    number(c.statistic),
    number(c.score),
    comparison,
    c.drifted ? 'DRIFT' : 'no',
    `${percent(c.referenceMissingShare)}→${percent(c.currentMissingShare)}`,
    c.unseenCategories.length === 0 ? '-' : c.unseenCategories.slice(0, 5).join(', ') + (c.unseenCategories.length > 5 ? ` (+${c.unseenCategories.length - 5})` : ''),
  ];
}

/** "Dataset drift: yes — 3 of 5 columns drifted (60% ≥ 50%)". */
export function datasetDriftLine(report: DriftReport): string {
  const share = percent(report.driftShare);
  const limit = percent(report.driftShareThreshold);
  return report.datasetDrift
    ? `Dataset drift: YES — ${report.driftedColumns} of ${report.columnCount} columns drifted (${share} ≥ ${limit})`
    : `Dataset drift: no — ${report.driftedColumns} of ${report.columnCount} columns drifted (${share} < ${limit})`;
}

/** The report as Markdown, for a preview in the editor or a CI log. */
export function driftReportMarkdown(report: DriftReport): string {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
  const row = (cells: readonly string[]): string => `| ${cells.map(escape).join(' | ')} |`;
  const lines = [
    `# Drift report`,
    '',
    `Reference: \`${report.reference.name}\` (${report.reference.rows} rows) · Current: \`${report.current.name}\` (${report.current.rows} rows)`,
    '',
    `**${datasetDriftLine(report)}**`,
    '',
    row(DRIFT_TABLE_HEADER),
    row(DRIFT_TABLE_HEADER.map(() => '---')),
    ...report.columns.map((c) => row(driftTableRow(c))),
  ];
  if (report.prediction) {
    lines.push('', '## Prediction drift', '', row(DRIFT_TABLE_HEADER), row(DRIFT_TABLE_HEADER.map(() => '---')), row(driftTableRow(report.prediction)));
  }
  lines.push('', `Tests: ks, chisquare and z give p-values (drift when p < threshold); wasserstein (normed by the reference std), jensenshannon and psi are distances (drift when ≥ threshold).`);
  return lines.join('\n') + '\n';
}
