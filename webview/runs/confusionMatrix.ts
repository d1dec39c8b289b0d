/**
 * A run's confusion matrix, rebuilt from the flat metrics training logs for it
 * (`test_confusion_<actual>_<predicted>`, labels with characters outside [A-Za-z0-9_.-] turned
 * into `_`: core/evaluation/evaluationReport.ts). Labels may hold `_` themselves, so they are not
 * split on it: they come from the run's `classes` param, else from the diagonal keys (`X_X`).
 */
const PREFIX = 'test_confusion_';

export interface ConfusionMatrix {
  /** class names as shown (the `classes` param's when it has them) */
  labels: string[];
  /** the same classes as they appear in metric keys */
  labelKeys: string[];
  /** counts[actual][predicted] */
  counts: number[][];
  /** the metric keys the matrix was read from */
  keys: Set<string>;
}

function metricLabel(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** The matrix, or undefined when the keys do not form one (some pair missing, no diagonal). */
export function confusionFromMetrics(metrics: ReadonlyArray<{ key: string; last: number }>, classesParam?: string): ConfusionMatrix | undefined {
  const values = new Map<string, number>();
  for (const m of metrics) if (m.key.startsWith(PREFIX)) values.set(m.key.slice(PREFIX.length), m.last);
  if (values.size === 0) return undefined;
  const fromParam = classesParam?.split(',').filter((c) => c !== '') ?? [];
  const candidates: Array<{ shown: string[]; keys: string[] }> = [];
  if (fromParam.length > 0) candidates.push({ shown: fromParam, keys: fromParam.map(metricLabel) });
  const diagonal: string[] = [];
  for (const suffix of values.keys()) {
    const half = (suffix.length - 1) / 2;
    if (Number.isInteger(half) && half > 0 && suffix[half] === '_' && suffix.slice(0, half) === suffix.slice(half + 1)) diagonal.push(suffix.slice(0, half));
  }
  candidates.push({ shown: diagonal, keys: diagonal });
  for (const { shown, keys } of candidates) {
    if (keys.length * keys.length !== values.size) continue;
    const counts = keys.map((a) => keys.map((p) => values.get(`${a}_${p}`)));
    if (counts.every((row) => row.every((v) => v !== undefined))) {
      return { labels: shown, labelKeys: keys, counts: counts as number[][], keys: new Set([...values.keys()].map((k) => PREFIX + k)) };
    }
  }
  return undefined;
}

export interface PerClassRow {
  label: string;
  precision?: number;
  recall?: number;
  f1?: number;
}

/** `test_precision_<class>`, `test_recall_<class>`, `test_f1_<class>` of the matrix's classes, one row per class. */
export function perClassFromMetrics(metrics: ReadonlyArray<{ key: string; last: number }>, matrix: ConfusionMatrix): { rows: PerClassRow[]; keys: Set<string> } {
  const values = new Map(metrics.map((m) => [m.key, m.last]));
  const keys = new Set<string>();
  const rows = matrix.labelKeys.map((labelKey, i) => {
    const row: PerClassRow = { label: matrix.labels[i]! };
    for (const measure of ['precision', 'recall', 'f1'] as const) {
      const key = `test_${measure}_${labelKey}`;
      const value = values.get(key);
      if (value !== undefined) {
        row[measure] = value;
        keys.add(key);
      }
    }
    return row;
  });
  return { rows: keys.size > 0 ? rows : [], keys };
}
