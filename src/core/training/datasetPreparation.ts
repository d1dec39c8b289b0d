import { DataError, describeLocation, listNames, quoteValue } from '../data/dataErrors';
import type { DataColumn, DataTable } from '../data/dataTable';
import { findColumn } from '../data/dataTable';
import { isMissingSpelling } from '../data/missingSpellings';
import { fitPreprocessing, transformColumns, type FittedPreprocessing } from './preprocessing';
import { SeededRandom } from './seededRandom';
import { fieldName, SpecError } from './specErrors';
import { isTreeModel, type TaskKind, type TrainSpec } from './trainSpec';

/** One split, encoded: row-major features and the target (class index, or the raw value for regression). */
export interface EncodedSplit {
  readonly x: Float32Array;
  /** class index (classification) or value (regression) */
  readonly y: Float32Array;
  readonly count: number;
}

export interface PreparedData {
  readonly task: TaskKind;
  /** class labels in output order (classification) */
  readonly classes: readonly string[];
  readonly preprocessing: FittedPreprocessing;
  readonly featureColumns: readonly DataColumn[];
  readonly train: EncodedSplit;
  readonly validation: EncodedSplit;
  readonly test: EncodedSplit;
  /** the test split's rows in the table, in split order (to score them as raw records, e.g. for latency) */
  readonly testRows?: Int32Array;
  /** rows dropped because the target was missing (empty, or a spelling such as "NaN") */
  readonly droppedRows: number;
  /** what the user should know about the data although training goes on (one line each) */
  readonly warnings: readonly string[];
  /** per-class loss weight (classification), 1 when no class_weights */
  readonly classWeights: Float32Array;
}

export type SpecPositions = (path: readonly (string | number)[]) => { line: number; column: number };

/** Numeric targets with at most this many distinct integer values are read as classes. */
const MAX_INFERRED_CLASSES = 10;

/**
 * Checks the spec against the data and builds the encoded splits. Every problem is thrown here,
 * before a model is built: unknown columns (pointing at the spec line), an unusable target, a
 * class with no rows. Preprocessing is fitted on the training split only.
 */
export function prepareData(table: DataTable, spec: TrainSpec, specFile: string, positionOf: SpecPositions): PreparedData {
  const unknown = (path: (string | number)[], name: string): never => {
    const at = positionOf(path);
    throw new SpecError(specFile, [
      { message: `column ${quoteValue(name)} is not in ${table.file} (its columns: ${listNames(table.columns.map((c) => c.name))})`, field: fieldName(path), ...at },
    ]);
  };
  const target = findColumn(table, spec.target) ?? unknown(['target'], spec.target);
  for (const [name] of Object.entries(spec.columnKinds)) if (!findColumn(table, name)) unknown(['columns', name], name);
  let featureNames: string[];
  if (spec.features.mode === 'list') {
    spec.features.columns.forEach((name, i) => {
      if (!findColumn(table, name)) unknown(['features', i], name);
      if (name === spec.target) {
        throw new SpecError(specFile, [{ message: `the target "${name}" cannot also be a feature`, field: fieldName(['features', i]), ...positionOf(['features', i]) }]);
      }
    });
    featureNames = spec.features.columns;
  } else {
    const excluded = spec.features.mode === 'exclude' ? spec.features.columns : [];
    excluded.forEach((name, i) => {
      if (!findColumn(table, name)) unknown(['features', 'exclude', i], name);
    });
    featureNames = table.columns.map((c) => c.name).filter((n) => n !== spec.target && !excluded.includes(n));
  }
  if (featureNames.length === 0) {
    throw new SpecError(specFile, [{ message: 'no feature columns are left once the target and the excluded columns are removed', field: 'features', ...positionOf(['features']) }]);
  }
  const featureColumns = featureNames.map((n) => findColumn(table, n) as DataColumn);

  const task = spec.task ?? inferTask(target);
  if (task === 'regression' && target.kind !== 'numeric') {
    throw new DataError(`${describeLocation(table.file, { column: target.name })}: the target is text, so the task cannot be regression`, table.file, { column: target.name });
  }
  const { labelled, warning } = labelledRows(table, target);
  const droppedRows = table.rowCount - labelled.length;

  let classes: string[] = [];
  const y = new Float32Array(table.rowCount);
  if (task === 'classification') {
    const labelOf = (r: number): string => (target.kind === 'numeric' ? String(target.values[r]) : (target.categories[target.codes[r] as number] as string));
    const distinct = [...new Set(labelled.map(labelOf))];
    classes = target.kind === 'numeric' ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
    if (classes.length < 2) {
      throw new DataError(
        `${describeLocation(table.file, { column: target.name })}: the target has ${classes.length === 0 ? 'no values' : `only one class (${quoteValue(classes[0] as string)})`}${droppedRows > 0 ? ` once the ${droppedRows} rows whose target is missing are dropped` : ''} — a classifier needs at least two`,
        table.file,
        { column: target.name, ...(classes[0] !== undefined ? { value: classes[0] } : {}) },
      );
    }
    const indexOf = new Map(classes.map((c, i) => [c, i]));
    for (const r of labelled) y[r] = indexOf.get(labelOf(r)) as number;
  } else {
    for (const r of labelled) y[r] = (target as { values: Float64Array }).values[r] as number;
  }

  const stratified = task === 'classification' && spec.split.stratified;
  const { train, validation, test } = splitRows(labelled, stratified ? (r) => y[r] as number : undefined, spec);
  checkSplitSizes(table, spec, { labelled: labelled.length, dropped: droppedRows, stratified, train: train.length, validation: validation.length, test: test.length });
  // tree models take values and category indices as they are (missing ones too)
  const preprocessing = fitPreprocessing(featureColumns, train, spec.preprocessing, isTreeModel(spec.model.type) ? 'native' : undefined);
  const encode = (rows: Int32Array): EncodedSplit => ({
    x: transformColumns(preprocessing, featureColumns, rows),
    y: Float32Array.from(rows, (r) => y[r] as number),
    count: rows.length,
  });
  return {
    task,
    classes,
    preprocessing,
    featureColumns,
    train: encode(train),
    validation: encode(validation),
    test: encode(test),
    testRows: test,
    droppedRows,
    warnings: warning ? [warning] : [],
    classWeights: classWeightsFor(spec, classes, train, y, specFile, positionOf),
  };
}

/** How many dropped rows a warning names by line. */
const LINES_NAMED = 5;

/**
 * Rows with a label. A row whose target is missing cannot be learned from and is dropped, as
 * pandas' dropna would: an empty cell, or in a text target a missing-value spelling ("NaN", "nan",
 * "NA", "null", …) — those must never become classes. The warning says how many, which spellings
 * and where, so a class that only looks like one ("NA" for North America) is noticed.
 */
function labelledRows(table: DataTable, target: DataColumn): { labelled: number[]; warning?: string } {
  const missingCodes = new Set<number>([-1]);
  if (target.kind === 'categorical') target.categories.forEach((label, code) => isMissingSpelling(label) && missingCodes.add(code));
  const labelled: number[] = [];
  const bySpelling = new Map<string, number>();
  const lines: string[] = [];
  for (let r = 0; r < table.rowCount; r++) {
    const code = target.kind === 'categorical' ? (target.codes[r] as number) : Number.isNaN(target.values[r]) ? -1 : 0;
    if (!missingCodes.has(code)) {
      labelled.push(r);
      continue;
    }
    const spelling = code >= 0 && target.kind === 'categorical' ? quoteValue(target.categories[code] as string) : 'empty';
    bySpelling.set(spelling, (bySpelling.get(spelling) ?? 0) + 1);
    if (lines.length < LINES_NAMED) {
      const at = table.locate(r);
      lines.push(at.line !== undefined ? String(at.line) : String(at.row ?? r + 1));
    }
  }
  const dropped = table.rowCount - labelled.length;
  if (dropped === 0) return { labelled };
  const kinds = [...bySpelling].map(([spelling, n]) => `${spelling} ×${n}`).join(', ');
  const unit = table.locate(0).line !== undefined ? 'line' : 'row';
  const where = `${unit}${lines.length > 1 ? 's' : ''} ${lines.join(', ')}${dropped > lines.length ? ', …' : ''}`;
  return {
    labelled,
    warning: `${describeLocation(table.file, { column: target.name })}: dropped ${dropped} of ${table.rowCount} rows whose target is missing (${kinds}; ${where})`,
  };
}

export function inferTask(target: DataColumn): TaskKind {
  if (target.kind === 'categorical') return 'classification';
  const distinct = new Set<number>();
  for (const v of target.values) {
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return 'regression';
    distinct.add(v);
    if (distinct.size > MAX_INFERRED_CLASSES) return 'regression';
  }
  return 'classification';
}

/**
 * A split fraction that rounds to no rows at all is an error, not a quiet fallback: without test
 * rows a run has no test metrics, without validation rows early stopping watches the training
 * loss. A fraction of 0 asks for no rows and is fine.
 */
function checkSplitSizes(table: DataTable, spec: TrainSpec, sizes: { labelled: number; dropped: number; stratified: boolean; train: number; validation: number; test: number }): void {
  const empty = sizes.train === 0 ? 'train' : sizes.test === 0 && spec.split.test > 0 ? 'test' : sizes.validation === 0 && spec.split.validation > 0 ? 'validation' : undefined;
  if (!empty) return;
  const fix =
    empty === 'train'
      ? 'add rows, or lower split.validation and split.test'
      : empty === 'test'
        ? 'add rows, or set split.test to 0 to train without test metrics'
        : 'add rows, or set split.validation to 0 (early stopping then watches the training loss)';
  const rows = `${sizes.labelled} labelled row${sizes.labelled === 1 ? '' : 's'}${sizes.dropped > 0 ? ` (${sizes.dropped} more dropped for a missing target)` : ''}`;
  const fractions = `train ${spec.split.train} / validation ${spec.split.validation} / test ${spec.split.test}${sizes.stratified ? ', rounded per class (stratified)' : ''}`;
  throw new DataError(
    `${table.file}: the split leaves no ${empty} rows — ${rows} split ${fractions} gives train ${sizes.train}, validation ${sizes.validation}, test ${sizes.test}; ${fix}`,
    table.file,
  );
}

/** Shuffles with the split seed; stratified splits cut each class separately so proportions hold. */
function splitRows(rows: number[], stratum: ((row: number) => number) | undefined, spec: TrainSpec): { train: Int32Array; validation: Int32Array; test: Int32Array } {
  const random = new SeededRandom(spec.split.seed);
  const groups = new Map<number, number[]>();
  for (const r of rows) {
    const key = stratum ? stratum(r) : 0;
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const group = random.shuffle(groups.get(key) as number[]);
    const nTest = Math.round(group.length * spec.split.test);
    const nValidation = Math.round(group.length * spec.split.validation);
    test.push(...group.slice(0, nTest));
    validation.push(...group.slice(nTest, nTest + nValidation));
    train.push(...group.slice(nTest + nValidation));
  }
  // the per-class order would otherwise leak into mini-batches and metrics curves
  return { train: Int32Array.from(random.shuffle(train)), validation: Int32Array.from(validation), test: Int32Array.from(test) };
}

function classWeightsFor(spec: TrainSpec, classes: readonly string[], train: Int32Array, y: Float32Array, specFile: string, positionOf: SpecPositions): Float32Array {
  const weights = new Float32Array(Math.max(classes.length, 1)).fill(1);
  if (spec.classWeights === undefined || classes.length === 0) return weights;
  if (spec.classWeights === 'balanced') {
    // sklearn's "balanced": n_samples / (n_classes * count(class))
    const counts = new Float64Array(classes.length);
    for (const r of train) counts[y[r] as number]! += 1;
    for (let c = 0; c < classes.length; c++) weights[c] = (counts[c] as number) > 0 ? train.length / (classes.length * (counts[c] as number)) : 1;
    return weights;
  }
  for (const [label, weight] of Object.entries(spec.classWeights)) {
    const index = classes.indexOf(label);
    if (index < 0) {
      throw new SpecError(specFile, [
        { message: `class_weights names class ${quoteValue(label)}, which the target does not have (classes: ${listNames(classes)})`, field: `class_weights.${label}`, ...positionOf(['class_weights', label]) },
      ]);
    }
    weights[index] = weight;
  }
  return weights;
}
