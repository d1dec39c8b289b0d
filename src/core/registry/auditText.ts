import type { AuditEntry } from './registryTypes';

/** One line saying what an audit entry changed, e.g. "@champion v1 → v2 (review #1)". */
export function describeAuditEntry(entry: AuditEntry): string {
  const d = entry.detail;
  const v = entry.version === null ? '' : `v${entry.version}`;
  switch (entry.action) {
    case 'alias.set':
      return `@${entry.alias} → ${v}`;
    case 'alias.moved':
      return `@${entry.alias} v${String(d.from)} → ${v}${d.reviewId !== undefined ? ` (review #${String(d.reviewId)})` : ''}`;
    case 'alias.deleted':
      return `@${entry.alias} removed from ${v}${d.reason ? ` (${String(d.reason)})` : ''}`;
    case 'version.registered':
      return `${v} from ${String(d.source)}`;
    case 'version.stage':
      return `${v} ${String(d.from)} → ${String(d.to)}`;
    case 'review.requested':
      return `#${String(d.reviewId)} @${entry.alias} → ${v}: ${String(d.comment)}`;
    case 'review.approved':
    case 'review.rejected':
    case 'review.cancelled':
      return `#${String(d.reviewId)} @${entry.alias} → ${v}${d.comment ? `: ${String(d.comment)}` : ''}${d.reason ? ` (${String(d.reason)})` : ''}`;
    case 'model.tagged':
    case 'version.tagged':
      return `${v} ${String(d.key)}=${String(d.value)}`.trim();
    case 'model.tag_deleted':
    case 'version.tag_deleted':
      return `${v} ${String(d.key)}`.trim();
    case 'model.review_setting':
      return d.requireReview ? 'alias moves now need review' : 'alias moves no longer need review';
    case 'model.renamed':
      return `${String(d.from)} → ${String(d.to)}`;
    case 'retrain.decided':
    case 'retrain.failed':
      return `${d.monitor !== undefined ? `monitor ${String(d.monitor)}: ` : ''}${String(d.reason ?? d.error ?? '')}`;
    case 'model.deleted':
      return `versions ${(d.versions as number[] | undefined)?.join(', ') || 'none'}`;
    default:
      return v;
  }
}
