import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SpecError, type SpecIssue } from '../training/specErrors';
import { DEFAULT_ALIAS, DEFAULT_COOLDOWN_HOURS, DEFAULT_HOLDOUT_FRACTION, type MetricDirection, type PromoteMode, type RetrainDataMode, type RetrainPolicy } from './retrainPolicy';

/** The `retrain:` block as the schema allows it (snake_case, optional fields). */
export interface RawRetrainPolicy {
  spec: string;
  model: string;
  alias?: string;
  metric?: string;
  direction?: MetricDirection;
  min_improvement?: number;
  cooldown_hours?: number;
  data: RetrainDataMode;
  holdout?: string;
  holdout_fraction?: number;
  promote?: PromoteMode;
}

/** `latest` and `v3` already mean something in a models:/ URI (the registry refuses them as aliases). */
const RESERVED_ALIAS = /^(latest|v\d+)$/i;

/**
 * Turns a schema-valid `retrain:` block into a policy, with the checks a schema cannot make: the
 * training spec exists, `holdout` and `holdout_fraction` are not both set, the alias is usable.
 * Every problem points at its field's line in the monitor spec.
 */
export function retrainPolicyFrom(raw: RawRetrainPolicy, specPath: string, locate: (path: readonly (string | number)[]) => { line: number; column: number }): RetrainPolicy {
  const folder = dirname(specPath);
  const issues: SpecIssue[] = [];
  const issue = (field: string, message: string): void => {
    issues.push({ message, field: `retrain.${field}`, ...locate(['retrain', field]) });
  };
  const trainSpec = resolve(folder, raw.spec);
  if (!existsSync(trainSpec)) issue('spec', `\`retrain.spec\`: ${raw.spec} does not exist (looked for ${trainSpec})`);
  if (raw.holdout !== undefined && raw.holdout_fraction !== undefined) {
    issue('holdout_fraction', 'set either `retrain.holdout` (a labelled file) or `retrain.holdout_fraction` (a share of the current data), not both');
  }
  if (raw.alias !== undefined && RESERVED_ALIAS.test(raw.alias)) {
    issue('alias', `\`retrain.alias\` "${raw.alias}" is reserved: "latest" means the newest version and "v<number>" reads as a version number`);
  }
  if (issues.length > 0) throw new SpecError(specPath, issues);
  return {
    specPath: trainSpec,
    specAsWritten: raw.spec,
    model: raw.model,
    alias: raw.alias ?? DEFAULT_ALIAS,
    ...(raw.metric !== undefined ? { metric: raw.metric } : {}),
    ...(raw.direction !== undefined ? { direction: raw.direction } : {}),
    minImprovement: raw.min_improvement ?? 0,
    cooldownHours: raw.cooldown_hours ?? DEFAULT_COOLDOWN_HOURS,
    data: raw.data,
    holdout: raw.holdout !== undefined ? { kind: 'file', path: resolve(folder, raw.holdout), asWritten: raw.holdout } : { kind: 'sample', fraction: raw.holdout_fraction ?? DEFAULT_HOLDOUT_FRACTION },
    promote: raw.promote ?? 'review',
  };
}
