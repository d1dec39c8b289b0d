import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { pickDataFile } from '../data/pickDataFile';
import { readDatasetColumns, sampleColumn, type ColumnSample } from './datasetColumns';

export interface Choice<T> extends vscode.QuickPickItem {
  value: T;
}

/**
 * "MLOps: Create Training Spec from Dataset…": dataset → target → task → model, then writes a
 * commented *.train.yaml next to the dataset's folder and opens it. Returns the new spec's URI.
 */
export async function createTrainSpec(datasetArg?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const dataset = datasetArg ?? (await pickDataset());
  if (!dataset) return undefined;
  let columns: string[];
  try {
    columns = await readDatasetColumns(dataset.fsPath);
  } catch (error) {
    void vscode.window.showErrorMessage(`MLOps: cannot read the columns of ${basename(dataset.fsPath)}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  if (columns.length < 2) {
    void vscode.window.showErrorMessage(`MLOps: ${basename(dataset.fsPath)} has ${columns.length} column(s); training needs a target and at least one feature.`);
    return undefined;
  }
  const target = await vscode.window.showQuickPick(
    columns.map((c, i) => ({ label: c, value: c, ...(i === columns.length - 1 ? { description: 'last column' } : {}) }) satisfies Choice<string>),
    { title: 'Create training spec (2/4): the column to predict', placeHolder: 'Target column', ignoreFocusOut: true },
  );
  if (!target) return undefined;
  const sample = await sampleColumn(dataset.fsPath, target.value).catch(() => undefined);
  const task = await vscode.window.showQuickPick<Choice<'auto' | 'classification' | 'regression'>>(taskChoices(target.value, sample), {
    title: 'Create training spec (3/4): task',
    placeHolder: sample ? describeSample(target.value, sample) : undefined,
    ignoreFocusOut: true,
  });
  if (!task) return undefined;
  const model = await vscode.window.showQuickPick<Choice<'mlp' | 'linear' | 'gbdt' | 'random_forest'>>(
    [
      { label: 'Neural network (MLP)', description: 'two hidden layers, early stopping', value: 'mlp' },
      { label: 'Linear model', description: 'logistic regression for classes, linear regression for values', value: 'linear' },
      { label: 'Boosted trees', description: 'gradient-boosted trees, early stopping: what usually wins on tables', value: 'gbdt' },
      { label: 'Random forest', description: '100 trees, the usual first baseline', value: 'random_forest' },
    ],
    { title: 'Create training spec (4/4): model', ignoreFocusOut: true },
  );
  if (!model) return undefined;

  const datasetDir = dirname(dataset.fsPath);
  // Datasets often live in a data/ folder; the spec then goes beside that folder, as in examples/.
  const specDir = basename(datasetDir) === 'data' ? dirname(datasetDir) : datasetDir;
  const stem = basename(dataset.fsPath, extname(dataset.fsPath)).replace(/[^\w.-]+/g, '-');
  let specPath = join(specDir, `${stem}.train.yaml`);
  for (let n = 2; existsSync(specPath); n++) specPath = join(specDir, `${stem}-${n}.train.yaml`);
  const linear = task.value === 'regression' ? 'linear_regression' : 'logistic_regression';
  await writeFile(
    specPath,
    specText({ dataset: relative(specDir, dataset.fsPath).split(sep).join('/'), target: target.value, task: task.value, model: model.value === 'linear' ? linear : model.value, experiment: stem, file: basename(specPath) }),
    { flag: 'wx' },
  );
  const uri = vscode.Uri.file(specPath);
  await vscode.window.showTextDocument(uri);
  return uri;
}

async function pickDataset(): Promise<vscode.Uri | undefined> {
  return pickDataFile({ title: 'Create training spec (1/4): dataset', placeHolder: 'CSV or Parquet file to train on', extensions: ['csv', 'tsv', 'parquet'] });
}

/** Text labels can only be classes: Regression is not offered for them. Numbers: the likelier task first. */
export function taskChoices(target: string, sample: ColumnSample | undefined): Choice<'auto' | 'classification' | 'regression'>[] {
  const auto: Choice<'auto'> = { label: 'Decide from the data', description: 'classification for labels or few integer values, else regression', value: 'auto' };
  const classification: Choice<'classification'> = { label: 'Classification', description: `predict the class of ${target}`, value: 'classification' };
  const regression: Choice<'regression'> = { label: 'Regression', description: `predict the value of ${target}`, value: 'regression' };
  if (!sample) return [auto, classification, regression];
  if (!sample.numeric) return [{ ...classification, description: `predict which of its ${sample.distinct}${sample.distinct >= SAMPLE_CAP ? '+' : ''} labels a row has` }];
  const fewValues = sample.distinct <= 20;
  return fewValues ? [classification, regression, auto] : [regression, classification, auto];
}

/** Distinct values counted at most up to this in the wizard's description. */
const SAMPLE_CAP = 2000;

function describeSample(target: string, sample: ColumnSample): string {
  const examples = sample.examples.join(', ');
  return sample.numeric
    ? `${target} holds numbers (${sample.distinct} distinct in the first rows, e.g. ${examples})`
    : `${target} holds text labels (e.g. ${examples}): a classification task`;
}

function specText(s: { dataset: string; target: string; task: 'auto' | 'classification' | 'regression'; model: string; experiment: string; file: string }): string {
  const quote = (v: string): string => (/^[\w./-]+$/.test(v) ? v : JSON.stringify(v));
  const trees = s.model === 'gbdt' || s.model === 'random_forest';
  const lines = [
    `# Training spec created by MLOps Studio. Hover a field for its documentation;`,
    `# train it with "MLOps: Train Model…" or \`npx mlops train ${s.file}\`.`,
    `experiment: ${quote(s.experiment)}`,
    `dataset: ${quote(s.dataset)}`,
    `target: ${quote(s.target)}`,
    ...(s.task === 'auto' ? ['# task: classification | regression (inferred from the target when omitted)'] : [`task: ${s.task}`]),
    `features: all`,
    ...(trees
      ? []
      : [`preprocessing:`, `  impute:`, `    numeric: median`, `    categorical: most_frequent`, `  standardize: true`, `  one_hot:`, `    handle_unknown: ignore`]),
    `split:`,
    `  train: 0.7`,
    `  validation: 0.15`,
    `  test: 0.15`,
    `model:`,
    `  type: ${s.model}`,
    ...(s.model === 'mlp' ? [`  layers:`, `    - units: 32`, `      activation: relu`, `    - units: 16`, `      activation: relu`] : []),
    // a tree model is grown, not fitted by gradient descent: its spec has no optimizer, epochs or batches
    ...(s.model === 'gbdt' ? [`  learning_rate: 0.1`, `  max_iter: 100          # boosting rounds; early stopping usually ends sooner`, `  max_leaf_nodes: 31`, `  min_samples_leaf: 20`] : []),
    ...(s.model === 'random_forest' ? [`  n_estimators: 100`, `  max_features: auto     # sqrt of the features for classes, all for values`] : []),
    ...(trees ? [] : [`optimizer:`, `  name: adam`, `  learning_rate: 0.01`, `epochs: 100`, `batch_size: 32`]),
    // a forest grows all its trees
    ...(s.model === 'random_forest' ? [] : [`early_stopping:`, `  patience: 10`, `  monitor: val_loss`]),
    `seed: 42`,
    '',
  ];
  return lines.join('\n');
}
