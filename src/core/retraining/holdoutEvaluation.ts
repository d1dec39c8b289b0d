import { DataError } from '../data/dataErrors';
import { findColumn, type ColumnKind, type DataColumn } from '../data/dataTable';
import { readTable } from '../data/tableReader';
import { evaluateClassifier, evaluateRegressor, evaluationMetrics, type EvaluationReport } from '../evaluation/evaluationReport';
import { loadModelPackage, type LoadedModel } from '../modelPackage/modelPackageLoader';
import { transformColumns } from '../training/preprocessing';
import { labelledRows } from './labelledRows';

export interface HoldoutEvaluationInput {
  readonly holdout: { readonly path: string; readonly name: string };
  /** model package folders, scored in this order (e.g. candidate, champion) */
  readonly models: readonly { readonly label: string; readonly packageDir: string }[];
}

export interface ModelScore {
  readonly label: string;
  readonly report: EvaluationReport;
  /** flat test_* metrics, as a training run logs them */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface HoldoutEvaluation {
  readonly task: 'classification' | 'regression';
  readonly target: string;
  /** labelled rows every model was scored on (rows without a target are left out for all) */
  readonly rows: number;
  readonly scores: readonly ModelScore[];
}

/**
 * Scores several model packages on the same labelled file (in a worker process). Classification
 * reports share one class list — the union of the models' classes and the labels present — so a
 * class one model never saw counts as a miss for it instead of silently dropping those rows.
 */
export async function evaluateOnHoldout(input: HoldoutEvaluationInput): Promise<HoldoutEvaluation> {
  const models = await Promise.all(input.models.map(async (m) => ({ label: m.label, model: await loadModelPackage(m.packageDir) })));
  const first = models[0];
  if (!first) throw new Error('no model to evaluate');
  const output = first.model.signature.output;
  for (const { label, model } of models) {
    const other = model.signature.output;
    if (other.task !== output.task || other.target !== output.target) {
      throw new Error(`${label} predicts ${other.task} of "${other.target}" but ${first.label} predicts ${output.task} of "${output.target}": they cannot be compared`);
    }
  }
  // Read every feature as the first model was trained on it (a numeric-looking categorical column stays categorical).
  const columnKinds: Record<string, ColumnKind> = {};
  for (const feature of first.model.preprocessing.features) columnKinds[feature.name] = feature.kind;
  const table = await readTable(input.holdout.path, { displayName: input.holdout.name, columnKinds });
  const target = findColumn(table, output.target);
  if (!target) throw new DataError(`${input.holdout.name} has no target column "${output.target}" (its columns: ${table.columns.map((c) => c.name).join(', ')})`, input.holdout.name, { column: output.target });
  const rows = labelledRows(target, table.rowCount);
  if (rows.length === 0) throw new DataError(`${input.holdout.name}: no row has a value in the target column "${output.target}"`, input.holdout.name, { column: output.target });
  const index = Int32Array.from(rows);
  const features = (model: LoadedModel, label: string): DataColumn[] =>
    model.preprocessing.features.map((f) => {
      const column = findColumn(table, f.name);
      if (!column) throw new DataError(`${input.holdout.name} has no column "${f.name}", which ${label} takes (its inputs: ${model.preprocessing.features.map((x) => x.name).join(', ')})`, input.holdout.name, { column: f.name });
      return column;
    });
  const raw = models.map(({ label, model }) => ({ label, model, out: model.predictEncoded(transformColumns(model.preprocessing, features(model, label), index), rows.length) }));

  if (output.task === 'regression') {
    if (target.kind !== 'numeric') throw new DataError(`${input.holdout.name}: the target column "${output.target}" holds text, but the models predict a number`, input.holdout.name, { column: output.target });
    const actual = Float64Array.from(rows, (r) => target.values[r] as number);
    return { task: 'regression', target: output.target, rows: rows.length, scores: raw.map(({ label, out }) => score(label, evaluateRegressor(actual, out))) };
  }

  const labels = rows.map((r) => labelOf(target, r));
  const classes: string[] = [];
  const seen = new Set<string>();
  const add = (c: string): void => {
    if (seen.has(c)) return;
    seen.add(c);
    classes.push(c);
  };
  for (const { model } of raw) for (const c of classesOf(model)) add(c);
  for (const l of labels) add(l);
  const slot = new Map(classes.map((c, i) => [c, i]));
  const actual = Int32Array.from(labels, (l) => slot.get(l) as number);
  return {
    task: 'classification',
    target: output.target,
    rows: rows.length,
    scores: raw.map(({ label, model, out }) => {
      const own = classesOf(model);
      const probabilities = new Float32Array(rows.length * classes.length);
      for (let r = 0; r < rows.length; r++) own.forEach((c, k) => (probabilities[r * classes.length + (slot.get(c) as number)] = out[r * own.length + k] as number));
      return score(label, evaluateClassifier(actual, probabilities, classes));
    }),
  };
}

function score(label: string, report: EvaluationReport): ModelScore {
  return { label, report, metrics: evaluationMetrics(report) };
}

function classesOf(model: LoadedModel): readonly string[] {
  const output = model.signature.output;
  return output.task === 'classification' ? output.classes : [];
}

/** The class label of a row as training wrote it: numeric targets as String(value). */
function labelOf(column: DataColumn, row: number): string {
  return column.kind === 'numeric' ? String(column.values[row]) : (column.categories[column.codes[row] as number] as string);
}
