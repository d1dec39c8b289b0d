/**
 * A commented *.monitor.yaml for a model version or an endpoint ("Create Monitor…"): the
 * reference is what the model was trained on (found through its run), the current data what the
 * endpoint served — or a file of new data. The spec parser validates what this writes.
 */
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
    '',
  ].join('\n');
}
