import type { VersionFeedback } from '../../core/feedback/versionFeedback';
import { formatNumber, formatTime, printTable } from './trackingCliSupport';

const number = (value: number | undefined | null, digits: number): string => (value === undefined || value === null ? '-' : value.toFixed(digits));

/** Endpoint feedback and text evaluations of one version, as `mlops feedback summary` and `mlops models show` print them. */
export function printVersionFeedback(uri: string, feedback: VersionFeedback): void {
  const e = feedback.endpoint;
  if (e) {
    const parts = [`${e.count} request${e.count === 1 ? '' : 's'} with feedback`];
    if (e.meanRating !== null) parts.push(`mean rating ${e.meanRating.toFixed(2)} (${e.ratedCount} rating${e.ratedCount === 1 ? '' : 's'})`);
    const labels = Object.entries(e.labels).map(([label, n]) => `${label} ${n}`).join(', ');
    if (labels) parts.push(`labels: ${labels}`);
    if (e.lastAt !== null) parts.push(`last ${formatTime(e.lastAt)}`);
    process.stdout.write(`endpoint feedback on ${uri}: ${parts.join(' · ')}\n`);
  }
  if (feedback.textEvaluations.length === 0) {
    process.stdout.write(`no text evaluations of ${uri} (mlops eval FILE --model ${uri} links one)\n`);
    return;
  }
  process.stdout.write(`text evaluations of ${uri}:\n`);
  printTable(
    ['RUN', 'STARTED', 'BLEU', 'ROUGE-1', 'ROUGE-2', 'ROUGE-L', 'ROUGE-Lsum', 'EXACT', 'ROWS', 'STEMMED', 'REVIEWED', 'MEAN RATING', 'THUMBS UP'],
    feedback.textEvaluations.map((t) => [
      `${t.runName} (${t.runId.slice(0, 8)})`,
      formatTime(t.startTime),
      number(t.metrics.bleu, 2),
      number(t.metrics.rouge1_f, 4),
      number(t.metrics.rouge2_f, 4),
      number(t.metrics.rougeL_f, 4),
      number(t.metrics.rougeLsum_f, 4),
      number(t.metrics.exact_match, 3),
      t.metrics.rows === undefined ? '-' : formatNumber(t.metrics.rows),
      t.rougeStemming === null ? '-' : t.rougeStemming ? 'yes' : 'no',
      String(t.feedback.count),
      number(t.feedback.meanRating, 2),
      t.feedback.thumbsUpShare === null ? '-' : `${(t.feedback.thumbsUpShare * 100).toFixed(0)}%`,
    ]),
  );
}
