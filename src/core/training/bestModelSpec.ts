import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { isMap, isPair, isScalar, parseDocument } from 'yaml';
import type { ModelSearchResult } from './modelSearch';
import type { LeaderboardEntry } from './modelSearchLeaderboard';
import { leaveOutIgnoredSettings } from './treeIgnoredSettings';

/*
 * "Find Best Model" ends in a file, not only a table: the winner as a training spec next to the
 * data — the reviewable recipe that `mlops train` re-runs, diffed and committed like code.
 */

/** `<data-stem>.best.train.yaml` next to the data, or -2, -3 … when that name is taken (never overwritten). */
export function freeBestSpecPath(dataPath: string): string {
  const folder = dirname(dataPath);
  const stem = basename(dataPath, extname(dataPath)).replace(/[^\w.-]+/g, '-');
  let path = join(folder, `${stem}.best.train.yaml`);
  for (let n = 2; existsSync(path); n++) path = join(folder, `${stem}.best-${n}.train.yaml`);
  return path;
}

/** Creates the next free best-spec file next to the data with `text` (exclusive create, so two searches never share one). */
export async function claimBestSpecPath(dataPath: string, text: string): Promise<string> {
  for (;;) {
    const path = freeBestSpecPath(dataPath);
    try {
      await writeFile(path, text, { flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** Writes `render(path)` to the next free best-spec path next to the data; returns the path. */
export async function writeBestSpec(dataPath: string, render: (outPath: string) => Promise<string>): Promise<string> {
  for (;;) {
    const path = freeBestSpecPath(dataPath);
    const text = await render(path);
    try {
      await writeFile(path, text, { flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** A starting spec for a data file and target, with the defaults "Create Training Spec" writes; the search replaces `model`. */
export function baseSpecTextForData(dataPath: string, target: string): string {
  const quote = (v: string): string => (/^[\w./-]+$/.test(v) ? v : JSON.stringify(v));
  const stem = basename(dataPath, extname(dataPath));
  return [
    `experiment: ${quote(stem)}`,
    `dataset: ${quote(basename(dataPath))}`,
    `target: ${quote(target)}`,
    'features: all',
    'preprocessing:',
    '  impute:',
    '    numeric: median',
    '    categorical: most_frequent',
    '  standardize: true',
    '  one_hot:',
    '    handle_unknown: ignore',
    'split:',
    '  train: 0.7',
    '  validation: 0.15',
    '  test: 0.15',
    'model:',
    '  type: mlp',
    'optimizer:',
    '  name: adam',
    '  learning_rate: 0.01',
    'epochs: 100',
    'batch_size: 32',
    'early_stopping:',
    '  patience: 10',
    '  monitor: val_loss',
    'seed: 42',
    '',
  ].join('\n');
}

export interface BestSpecInput {
  /** the spec every candidate trained from (its `model` is replaced by the winner's) */
  readonly baseSpecPath: string;
  /** where the best spec goes (its dataset path is rewritten relative to it) */
  readonly outPath: string;
  readonly experiment: string;
  readonly result: ModelSearchResult;
  /** who ran the search, for the header, e.g. "`mlops find-best-model`" */
  readonly foundBy: string;
  readonly now?: Date;
}

/** The winner of a search, or undefined when no candidate completed. */
export function searchWinner(result: ModelSearchResult): LeaderboardEntry | undefined {
  return result.leaderboard.find((e) => e.state === 'complete' && e.value !== undefined) ?? result.leaderboard.find((e) => e.state === 'complete');
}

/** The base spec with the winner's `model`, its dataset path taken relative to `outPath`, and a header saying how it was found. */
export async function bestSpecText(input: BestSpecInput): Promise<string> {
  const { result } = input;
  const winner = searchWinner(result);
  const candidate = result.candidates.find((c) => c.label === winner?.label);
  if (!winner || !candidate) throw new Error('no candidate completed, so there is no best model to write');
  const doc = parseDocument(await readFile(input.baseSpecPath, 'utf8'));
  // the base spec's own comments describe it, not the winner (and a relative $schema link would break)
  doc.commentBefore = null;
  if (isMap(doc.contents)) {
    const first = doc.contents.items[0];
    if (isPair(first) && isScalar(first.key)) first.key.commentBefore = null;
  }
  const rebase = (written: unknown): unknown => (typeof written === 'string' ? relative(dirname(input.outPath), resolve(dirname(input.baseSpecPath), written)).split(sep).join('/') || '.' : written);
  const dataset: unknown = doc.get('dataset');
  if (isMap(dataset)) {
    for (const key of ['path', 'entities', 'features']) if (dataset.has(key)) dataset.set(key, rebase(dataset.get(key)));
  } else {
    doc.set('dataset', rebase(isScalar(dataset) ? dataset.value : dataset));
  }
  doc.set('experiment', input.experiment);
  doc.set('model', doc.createNode(structuredClone(candidate.model)));
  // The base spec was written for every candidate; the winner's spec keeps only what its model
  // uses (a tree model ignores these, so training it gives the same model without them).
  const leftOut = leaveOutIgnoredSettings(doc, candidate.model.type);
  const tried = result.leaderboard.filter((e) => e.state !== 'skipped');
  const skipped = result.leaderboard.length - tried.length;
  const format = (v: number | undefined): string => (v === undefined ? '—' : v.toPrecision(4));
  const date = (input.now ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
  const header = [
    `Best model found by ${input.foundBy} on ${date}.`,
    `Search space: ${result.candidates.map((c) => c.label).join(', ')} (the rest of this spec fixed).`,
    `Trials: ${tried.length} trained${skipped > 0 ? `, ${skipped} skipped (time budget ${result.budgetSeconds} s)` : ''}, as child runs of search run ${result.parentRunId}.`,
    `Ranked by ${result.metric} (${result.direction === 'minimize' ? 'lower' : 'higher'} is better): ${result.leaderboard
      .filter((e) => e.state === 'complete')
      .map((e) => `${e.label} ${format(e.value)}`)
      .join(', ')}.`,
    ...(result.maxLatencyMs !== undefined
      ? [`Latency budget: p99 ≤ ${result.maxLatencyMs} ms a row${result.leaderboard.some((e) => e.state === 'too_slow') ? `; ranked out as too slow: ${result.leaderboard.filter((e) => e.state === 'too_slow').map((e) => e.label).join(', ')}` : ''}.`]
      : []),
    `Winner: ${winner.label} (run ${winner.runId ?? '?'}).`,
    ...(leftOut.length > 0 ? [`Left out as the ${candidate.model.type} model does not use them: ${leftOut.join(', ')}.`] : []),
    `\`mlops train ${basename(input.outPath)}\` re-runs it (same data, split and seed).`,
  ];
  return `${header.map((l) => `# ${l}`).join('\n')}\n${doc.toString({ lineWidth: 0 })}`;
}
