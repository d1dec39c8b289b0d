import type { CategoricalColumn, DataColumn, NumericColumn } from '../data/dataTable';
import type { PreprocessingSpec } from './trainSpec';

/**
 * Fitted preprocessing: plain JSON saved in the model package, applied identically at training
 * time (to typed columns) and at serving time (to JSON records).
 */
export interface FittedNumericFeature {
  readonly name: string;
  readonly kind: 'numeric';
  /** value that replaces a missing cell */
  readonly fill: number;
  /** x' = (x - center) / scale */
  readonly center: number;
  readonly scale: number;
}

export interface FittedCategoricalFeature {
  readonly name: string;
  readonly kind: 'categorical';
  /** category that replaces a missing cell; null = encode missing as all zeros */
  readonly fill: string | null;
  /** one output column per category, in this order */
  readonly categories: readonly string[];
  readonly handleUnknown: 'ignore' | 'error';
}

export type FittedFeature = FittedNumericFeature | FittedCategoricalFeature;

export interface FittedPreprocessing {
  /**
   * "native" (tree models): one column per feature — a number as it is, a category as its index
   * in `categories`, NaN when missing or unseen — so the trees route missing values and split
   * categories themselves. Absent: imputed, scaled and one-hot encoded (networks, linear models).
   */
  readonly encoding?: 'native';
  readonly features: readonly FittedFeature[];
  /** columns of the encoded matrix */
  readonly width: number;
  /** names of the encoded columns ("island=Biscoe"), for explanations */
  readonly encodedNames: readonly string[];
}

export class UnknownCategoryError extends Error {
  constructor(
    readonly feature: string,
    readonly value: string,
    readonly rowIndex: number,
  ) {
    super(`column "${feature}": category "${value}" was not seen in training (one_hot.handle_unknown is "error")`);
    this.name = 'UnknownCategoryError';
  }
}

/** Fits imputation, scaling and one-hot categories on the given (training) rows only. */
export function fitPreprocessing(columns: readonly DataColumn[], rows: Int32Array, spec: PreprocessingSpec, encoding?: 'native'): FittedPreprocessing {
  if (encoding === 'native') {
    // the categories (and their limit) as for one-hot; no fill values, no scaling
    const features = columns.map((column): FittedFeature =>
      column.kind === 'numeric' ? { name: column.name, kind: 'numeric', fill: 0, center: 0, scale: 1 } : { ...fitCategorical(column, rows, { ...spec, impute: { ...spec.impute, categorical: 'most_frequent' } }), fill: null },
    );
    return { encoding, features, width: features.length, encodedNames: features.map((f) => f.name) };
  }
  const features = columns.map((column) => (column.kind === 'numeric' ? fitNumeric(column, rows, spec) : fitCategorical(column, rows, spec)));
  const encodedNames = features.flatMap((f) => (f.kind === 'numeric' ? [f.name] : f.categories.map((c) => `${f.name}=${c}`)));
  return { features, width: encodedNames.length, encodedNames };
}

function fitNumeric(column: NumericColumn, rows: Int32Array, spec: PreprocessingSpec): FittedNumericFeature {
  const present: number[] = [];
  for (const r of rows) {
    const v = column.values[r] as number;
    if (!Number.isNaN(v)) present.push(v);
  }
  let fill: number;
  switch (spec.impute.numeric) {
    case 'constant':
      fill = typeof spec.impute.fillValue === 'number' ? spec.impute.fillValue : 0;
      break;
    case 'median':
      fill = median(present);
      break;
    case 'most_frequent':
      fill = mostFrequent(present) ?? 0;
      break;
    default:
      fill = present.length > 0 ? present.reduce((a, b) => a + b, 0) / present.length : 0;
  }
  if (!spec.standardize) return { name: column.name, kind: 'numeric', fill, center: 0, scale: 1 };
  // Statistics over the imputed column, as a pipeline imputer → scaler computes them.
  const n = rows.length;
  let sum = 0;
  for (const v of present) sum += v;
  sum += fill * (n - present.length);
  const mean = n > 0 ? sum / n : 0;
  let squares = 0;
  for (const v of present) squares += (v - mean) ** 2;
  squares += (fill - mean) ** 2 * (n - present.length);
  const std = n > 0 ? Math.sqrt(squares / n) : 0;
  // A constant column carries no signal; scale 1 keeps it finite (sklearn does the same).
  return { name: column.name, kind: 'numeric', fill, center: mean, scale: std > 1e-12 ? std : 1 };
}

function fitCategorical(column: CategoricalColumn, rows: Int32Array, spec: PreprocessingSpec): FittedCategoricalFeature {
  const counts = new Map<number, number>();
  let missing = 0;
  for (const r of rows) {
    const code = column.codes[r] as number;
    if (code < 0) missing++;
    else counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  const seen = [...counts.keys()].map((c) => column.categories[c] as string);
  let fill: string | null;
  if (spec.impute.categorical === 'constant') {
    fill = typeof spec.impute.fillValue === 'string' ? spec.impute.fillValue : 'missing';
    if (missing > 0 && !seen.includes(fill)) seen.push(fill);
  } else {
    let best = -1;
    let bestCount = -1;
    for (const [code, count] of counts) {
      const name = column.categories[code] as string;
      // ties go to the alphabetically first category so the fit does not depend on row order
      if (count > bestCount || (count === bestCount && name < (column.categories[best] as string))) {
        best = code;
        bestCount = count;
      }
    }
    fill = best >= 0 ? (column.categories[best] as string) : null;
  }
  if (seen.length > spec.oneHot.maxCategories) {
    throw new Error(
      `column "${column.name}" has ${seen.length} distinct values in the training rows, more than one_hot.max_categories (${spec.oneHot.maxCategories}); exclude it if it is an identifier or raise the limit`,
    );
  }
  seen.sort();
  return { name: column.name, kind: 'categorical', fill, categories: seen, handleUnknown: spec.oneHot.handleUnknown };
}

/** Encodes the given rows of typed columns (in `fitted.features` order) into a row-major matrix. */
export function transformColumns(fitted: FittedPreprocessing, columns: readonly DataColumn[], rows: Int32Array): Float32Array {
  if (fitted.encoding === 'native') return nativeColumns(fitted, columns, rows);
  const out = new Float32Array(rows.length * fitted.width);
  let offset = 0;
  fitted.features.forEach((feature, f) => {
    const column = columns[f];
    if (!column || column.name !== feature.name) throw new Error(`preprocessing expects column "${feature.name}" at position ${f}`);
    if (feature.kind === 'numeric') {
      if (column.kind !== 'numeric') throw new Error(`column "${feature.name}" was numeric in training but is categorical here`);
      for (let i = 0; i < rows.length; i++) {
        const raw = column.values[rows[i] as number] as number;
        out[i * fitted.width + offset] = ((Number.isNaN(raw) ? feature.fill : raw) - feature.center) / feature.scale;
      }
      offset += 1;
      return;
    }
    if (column.kind !== 'categorical') throw new Error(`column "${feature.name}" was categorical in training but is numeric here`);
    // table code → one-hot slot (-1 = unseen)
    const slotOfCode = column.categories.map((c) => feature.categories.indexOf(c));
    const fillSlot = feature.fill === null ? -1 : feature.categories.indexOf(feature.fill);
    for (let i = 0; i < rows.length; i++) {
      const code = column.codes[rows[i] as number] as number;
      let slot: number;
      if (code < 0) slot = fillSlot;
      else {
        slot = slotOfCode[code] as number;
        if (slot < 0 && feature.handleUnknown === 'error') throw new UnknownCategoryError(feature.name, column.categories[code] as string, rows[i] as number);
      }
      if (slot >= 0) out[i * fitted.width + offset + slot] = 1;
    }
    offset += feature.categories.length;
  });
  return out;
}

/**
 * Encodes JSON records (serving input). Numbers may come as numbers or numeric strings; null,
 * undefined and "" are missing. Throws on a non-numeric value for a numeric feature.
 */
export function transformRecords(fitted: FittedPreprocessing, records: readonly Readonly<Record<string, unknown>>[]): Float32Array {
  if (fitted.encoding === 'native') return nativeRecords(fitted, records);
  const out = new Float32Array(records.length * fitted.width);
  records.forEach((record, i) => {
    let offset = 0;
    for (const feature of fitted.features) {
      const value = record[feature.name];
      const missing = value === null || value === undefined || value === '';
      if (feature.kind === 'numeric') {
        let x: number;
        if (missing) x = feature.fill;
        else {
          x = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
          if (!Number.isFinite(x)) throw new Error(`row ${i + 1}, column "${feature.name}": ${JSON.stringify(value)} is not a finite number`);
        }
        out[i * fitted.width + offset] = (x - feature.center) / feature.scale;
        offset += 1;
        continue;
      }
      const category = missing ? feature.fill : String(value);
      const slot = category === null ? -1 : feature.categories.indexOf(category);
      if (slot < 0 && !missing && feature.handleUnknown === 'error') throw new UnknownCategoryError(feature.name, String(value), i);
      if (slot >= 0) out[i * fitted.width + offset + slot] = 1;
      offset += feature.categories.length;
    }
  });
  return out;
}

/** Native encoding of typed columns: values as they are, categories as indices, NaN for missing. */
function nativeColumns(fitted: FittedPreprocessing, columns: readonly DataColumn[], rows: Int32Array): Float32Array {
  const width = fitted.width;
  const out = new Float32Array(rows.length * width);
  fitted.features.forEach((feature, f) => {
    const column = columns[f];
    if (!column || column.name !== feature.name) throw new Error(`preprocessing expects column "${feature.name}" at position ${f}`);
    if (feature.kind === 'numeric') {
      if (column.kind !== 'numeric') throw new Error(`column "${feature.name}" was numeric in training but is categorical here`);
      for (let i = 0; i < rows.length; i++) out[i * width + f] = column.values[rows[i] as number] as number;
      return;
    }
    if (column.kind !== 'categorical') throw new Error(`column "${feature.name}" was categorical in training but is numeric here`);
    const indexOfCode = column.categories.map((c) => feature.categories.indexOf(c));
    for (let i = 0; i < rows.length; i++) {
      const code = column.codes[rows[i] as number] as number;
      const index = code < 0 ? -1 : (indexOfCode[code] as number);
      if (code >= 0 && index < 0 && feature.handleUnknown === 'error') throw new UnknownCategoryError(feature.name, column.categories[code] as string, rows[i] as number);
      out[i * width + f] = index < 0 ? NaN : index;
    }
  });
  return out;
}

/** Native encoding of JSON records (serving input); the same rules as transformRecords for what is missing or invalid. */
function nativeRecords(fitted: FittedPreprocessing, records: readonly Readonly<Record<string, unknown>>[]): Float32Array {
  const width = fitted.width;
  const out = new Float32Array(records.length * width);
  records.forEach((record, i) => {
    fitted.features.forEach((feature, f) => {
      const value = record[feature.name];
      const missing = value === null || value === undefined || value === '';
      if (feature.kind === 'numeric') {
        if (missing) {
          out[i * width + f] = NaN;
          return;
        }
        const x = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
        if (!Number.isFinite(x)) throw new Error(`row ${i + 1}, column "${feature.name}": ${JSON.stringify(value)} is not a finite number`);
        out[i * width + f] = x;
        return;
      }
      const index = missing ? -1 : feature.categories.indexOf(String(value));
      if (index < 0 && !missing && feature.handleUnknown === 'error') throw new UnknownCategoryError(feature.name, String(value), i);
      out[i * width + f] = index < 0 ? NaN : index;
    });
  });
  return out;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function mostFrequent(values: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | undefined;
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount || (c === bestCount && best !== undefined && v < best)) [best, bestCount] = [v, c];
  return best;
}
