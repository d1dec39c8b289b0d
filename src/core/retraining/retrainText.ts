import type { RetrainAttempt } from './retrainAttempts';
import type { RetrainOutcome, RetrainPlan } from './retrainRunner';

/** What an attempt would do, one line per step (what `mlops retrain --dry-run` prints). */
export function planLines(plan: RetrainPlan): string[] {
  const p = plan.policy;
  const data =
    p.data === 'spec'
      ? `the spec's dataset ${plan.dataset.name}`
      : p.data === 'append_current'
        ? `${plan.dataset.name} + the monitor's current data ${plan.current}`
        : `the monitor's current data ${plan.current} only`;
  const holdout =
    p.holdout.kind === 'file'
      ? `${p.holdout.asWritten}`
      : `${Math.round(p.holdout.fraction * 1000) / 10}% of the labelled rows of ${plan.current}${p.data === 'spec' ? '' : ', left out of the training data'}`;
  const metric = plan.metric ? `${plan.metric} (${plan.direction} is better)` : 'the primary test metric of the trained model (test_accuracy or test_rmse)';
  const against = plan.championVersion !== undefined ? `@${p.alias} (v${plan.championVersion})` : `@${p.alias} (no version holds it yet: the new version takes it if it scores)`;
  const promote = p.promote === 'auto' ? `auto: @${p.alias} moves to the new version if it wins` : `review: a review request to move @${p.alias} is filed if it wins`;
  const last = plan.cooldown ? `; last attempt ${new Date(plan.cooldown.lastStartedAt).toISOString()}` : '';
  return [
    `Monitor ${plan.monitor} (${plan.monitorFile}): retraining policy`,
    `  trigger    ${plan.triggerSummary}`,
    `  train      ${p.specAsWritten} on ${data}`,
    `  register   the run's model as the next version of ${p.model}`,
    `  holdout    ${holdout}`,
    `  compare    new version vs ${against} on ${metric}${p.minImprovement > 0 ? `, by at least ${p.minImprovement}` : ''}`,
    `  promote    ${promote}`,
    `  cool-down  ${p.cooldownHours} h${last}`,
    plan.blockedBy ? `It would not start now: ${plan.blockedBy}.` : 'It would start now.',
  ];
}

/** One sentence for a notification or a terminal: what happened and what it changed. */
export function attemptHeadline(attempt: RetrainAttempt): string {
  const model = attempt.model;
  switch (attempt.status) {
    case 'promoted':
      return `${model}: ${attempt.reason} → @${attempt.alias} moved to v${attempt.version ?? '?'}`;
    case 'review_requested':
      return `${model}: ${attempt.reason} → review #${attempt.reviewId ?? '?'} requested to move @${attempt.alias} to v${attempt.version ?? '?'}`;
    case 'kept':
      return `${model}: ${attempt.reason}`;
    case 'running':
      return `Monitor ${attempt.monitor}: retraining attempt #${attempt.id} is running`;
    default:
      return `Monitor ${attempt.monitor}: retraining ${attempt.reason}`;
  }
}

export function outcomeHeadline(outcome: RetrainOutcome): string {
  if (outcome.kind === 'finished') return attemptHeadline(outcome.attempt);
  if (outcome.kind === 'skipped') return `Monitor ${outcome.monitor}: retraining skipped — ${outcome.reason}`;
  return `Monitor ${outcome.plan.monitor}: dry run, nothing trained or changed`;
}
