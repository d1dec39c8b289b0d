import type { ModelCard } from './modelCard';

/** Metrics where a smaller value is the better one. */
const LOWER_IS_BETTER = /(^|_)(loss|log_loss|rmse|mae|mse|error)(_|$)/;

export interface MetricComparison {
  readonly key: string;
  /** one per compared version, in order; null where a version lacks the metric */
  readonly values: readonly (number | null)[];
  /** value minus the first (baseline) version's value; null where either is missing */
  readonly deltas: readonly (number | null)[];
  readonly higherIsBetter: boolean;
  /** index of the best version, or null when fewer than two have the metric or all tie */
  readonly best: number | null;
}

export interface ParamComparison {
  readonly key: string;
  readonly values: readonly (string | null)[];
  readonly differs: boolean;
}

export interface SignatureInputComparison {
  readonly name: string;
  /** the input's type per version, null where a version does not take it */
  readonly types: readonly (string | null)[];
  readonly differs: boolean;
}

/** What the review panel shows for two or more versions side by side (the first is the baseline). */
export interface VersionComparison {
  readonly versions: readonly { readonly name: string; readonly version: number; readonly aliases: readonly string[] }[];
  readonly metrics: readonly MetricComparison[];
  readonly params: readonly ParamComparison[];
  readonly inputs: readonly SignatureInputComparison[];
  /** the output (target, task, classes) differs between versions */
  readonly outputDiffers: boolean;
  readonly datasetDiffers: boolean;
}

/** Compares model cards: metric deltas against the first, params and signature differences. */
export function compareVersions(cards: readonly ModelCard[]): VersionComparison {
  const metricKeys = [...new Set(cards.flatMap((c) => Object.keys(c.evaluation)))].sort();
  const metrics = metricKeys.map((key): MetricComparison => {
    const values = cards.map((c) => c.evaluation[key] ?? null);
    const base = values[0] ?? null;
    const higherIsBetter = !LOWER_IS_BETTER.test(key);
    const present = values.map((v, i) => ({ v, i })).filter((x): x is { v: number; i: number } => x.v !== null && Number.isFinite(x.v));
    let best: number | null = null;
    if (present.length >= 2) {
      const top = present.reduce((a, b) => ((higherIsBetter ? b.v > a.v : b.v < a.v) ? b : a));
      best = present.every((x) => x.v === top.v) ? null : top.i;
    }
    return { key, values, deltas: values.map((v) => (v === null || base === null ? null : v - base)), higherIsBetter, best };
  });
  const paramKeys = [...new Set(cards.flatMap((c) => Object.keys(c.params)))].sort();
  const params = paramKeys.map((key): ParamComparison => {
    const values = cards.map((c) => c.params[key] ?? null);
    return { key, values, differs: new Set(values).size > 1 };
  });
  const inputNames = [...new Set(cards.flatMap((c) => c.signature?.inputs.map((i) => i.name) ?? []))];
  const inputs = inputNames.map((name): SignatureInputComparison => {
    const types = cards.map((c) => {
      const input = c.signature?.inputs.find((i) => i.name === name);
      return input ? `${input.type}${input.categories ? ` {${input.categories.join(', ')}}` : ''}` : null;
    });
    return { name, types, differs: new Set(types).size > 1 };
  });
  return {
    versions: cards.map((c) => ({ name: c.version.name, version: c.version.version, aliases: c.version.aliases })),
    metrics,
    params,
    inputs,
    outputDiffers: new Set(cards.map((c) => JSON.stringify(c.signature?.output ?? null))).size > 1,
    datasetDiffers: new Set(cards.map((c) => c.dataset.digest)).size > 1,
  };
}
