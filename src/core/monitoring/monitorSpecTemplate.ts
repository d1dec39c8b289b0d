/**
 * A commented *.monitor.yaml for a model version or an endpoint ("Create Monitor…"): the
 * reference is what the model was trained on (found through its run), the current data what the
 * endpoint served — or a file of new data. The spec parser validates what this writes.
 */
import { DEFAULT_ALIAS, DEFAULT_COOLDOWN_HOURS, DEFAULT_HOLDOUT_FRACTION } from '../retraining/retrainPolicy';
import { parseModelUri } from '../registry/modelUri';

export interface MonitorTemplateInput {
  readonly name: string;
  /** models:/NAME/VERSION or models:/NAME@ALIAS */
  readonly modelUri: string;
  readonly current: { readonly endpoint: string; readonly last: number } | { readonly file: string };
  readonly everyMinutes: number;
}

/** A monitor name from anything ("penguins@champion traffic" → "penguins-champion-traffic"). */
export function monitorNameFrom(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'monitor';
}

const quoted = (text: string): string => JSON.stringify(text);

export function monitorSpecTemplate(input: MonitorTemplateInput): string {
  const current =
    'endpoint' in input.current
      ? [
          'current:',
          `  endpoint: ${quoted(input.current.endpoint)}  # the inputs this endpoint answered (its request log)`,
          `  last: ${input.current.last}              # the newest rows; or hours: 24 for a time window`,
        ]
      : ['current:', `  file: ${quoted(input.current.file)}  # new data to compare (CSV or Parquet, relative to this file)`];
  return [
    `# Drift monitor: compares ${'endpoint' in input.current ? `what ${input.current.endpoint} serves` : input.current.file} with the data`,
    `# ${input.modelUri} was trained on, column by column. "MLOps: Run Monitor" runs it now;`,
    '# "Show Drift Report" opens its history. Reference: the schema in the extension (hover a key).',
    `name: ${quoted(input.name)}`,
    'reference:',
    `  model: ${quoted(input.modelUri)}  # its run's training data (checked against the recorded digest)`,
    ...current,
    '# columns: [bill_length_mm, island]  # default: every column both sides share',
    'drift_share: 0.5                     # the dataset drifted when this share of columns drifted',
    'schedule:',
    `  every_minutes: ${input.everyMinutes}`,
    ...retrainBlock(input),
    '',
  ].join('\n');
}

/**
 * The retraining policy, commented out: it trains and may move an alias, so it waits for the user
 * to uncomment it. The values written are the defaults the parser applies.
 */
function retrainBlock(input: MonitorTemplateInput): string[] {
  const reference = parseModelUri(input.modelUri);
  const alias = reference.kind === 'alias' ? reference.alias : DEFAULT_ALIAS;
  const spec = `${reference.name}.train.yaml`;
  // comments line up after the longest setting, as in the README's example
  const row = (setting: string, comment: string): string => `#   ${setting.padEnd(30)} # ${comment}`;
  const data =
    'endpoint' in input.current
      ? [row('data: spec', "traffic has no labels: train on the spec's dataset"), row('holdout: "data/holdout.csv"', 'labelled rows both versions are scored on')]
      : [row('data: append_current', 'spec | append_current | replace_current'), row(`holdout_fraction: ${DEFAULT_HOLDOUT_FRACTION}`, 'of the current rows, never trained on (or holdout: FILE)')];
  return [
    '# Retraining: uncomment to train a new version when this monitor trips (or on "MLOps: Retrain Now"),',
    `# score it and @${alias} on the same held-out rows, and move @${alias} only if the new version wins.`,
    '# retrain:',
    row(`spec: ${quoted(spec)}`, 'the *.train.yaml that trained this model'),
    row(`model: ${quoted(reference.name)}`, 'registered under this name, as the next version'),
    row(`alias: ${alias}`, `the version to beat (default ${DEFAULT_ALIAS})`),
    ...data,
    row('# metric: test_accuracy', 'default: test_accuracy, or test_rmse for regression'),
    row('min_improvement: 0', 'must beat the champion by at least this much'),
    row(`cooldown_hours: ${DEFAULT_COOLDOWN_HOURS}`, 'at most one attempt per this many hours, whatever its outcome'),
    row('promote: review', 'review (default): file a review request; auto: move the alias'),
  ];
}
