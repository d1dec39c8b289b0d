/**
 * The Pareto front of a study with several objectives, as the study run records it
 * (`study/pareto_front.json`) and the CLI and panels read it back.
 */
import { defaultReferencePoint, hypervolume, lowerIsBetter, paretoFrontIndexes } from './paretoFront';
import type { TuneObjective } from './tuneSpec';

export const PARETO_FRONT_ARTIFACT = 'study/pareto_front.json';
/** on each trial of the front */
export const PARETO_TAG = 'mlops.tune.pareto';
/** on a study and its trials: "maximize val_accuracy, minimize cost" */
export const OBJECTIVES_TAG = 'mlops.tune.objectives';
export const HYPERVOLUME_METRIC = 'pareto_hypervolume';

export interface FrontTrial {
  readonly number: number;
  readonly runId?: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** one per objective, in the spec's order */
  readonly values: readonly number[];
}

export interface ParetoFrontRecord {
  readonly objectives: readonly TuneObjective[];
  /** each objective's value the hypervolume is measured up to */
  readonly referencePoint: readonly number[];
  readonly hypervolume: number;
  /** complete trials the front was chosen from */
  readonly trialsConsidered: number;
  /** sorted by the first objective, best first */
  readonly front: readonly FrontTrial[];
}

/** "maximize val_accuracy, minimize cost" */
export function formatObjectives(objectives: readonly Pick<TuneObjective, 'metric' | 'direction'>[]): string {
  return objectives.map((o) => `${o.direction} ${o.metric}`).join(', ');
}

/** Reads an `mlops.tune.objectives` tag back; undefined unless it names at least two objectives. */
export function parseObjectivesTag(tag: string | undefined): Array<Pick<TuneObjective, 'metric' | 'direction'>> | undefined {
  if (!tag) return undefined;
  const parts = tag.split(',').map((p) => /^\s*(minimize|maximize)\s+(\S+)\s*$/.exec(p));
  if (parts.length < 2 || parts.some((p) => p === null)) return undefined;
  return parts.map((p) => ({ metric: (p as RegExpExecArray)[2] as string, direction: (p as RegExpExecArray)[1] as TuneObjective['direction'] }));
}

/**
 * The trials no other trial beats in every objective, and the hypervolume they dominate up to the
 * reference point (the spec's `reference` values, else the worst seen plus a tenth of the range).
 */
export function paretoFrontOf(trials: readonly FrontTrial[], objectives: readonly TuneObjective[]): ParetoFrontRecord {
  const usable = trials.filter((t) => t.values.length === objectives.length && t.values.every(Number.isFinite));
  const points = usable.map((t) => lowerIsBetter(t.values, objectives));
  const fallback = points.length ? defaultReferencePoint(points) : objectives.map(() => 0);
  const reference = objectives.map((o, k) => (o.reference !== undefined ? (o.direction === 'maximize' ? -o.reference : o.reference) : (fallback[k] as number)));
  const front = paretoFrontIndexes(points).map((i) => usable[i] as FrontTrial);
  const first = objectives[0]?.direction === 'maximize' ? -1 : 1;
  front.sort((a, b) => first * ((a.values[0] as number) - (b.values[0] as number)) || a.number - b.number);
  return {
    objectives,
    referencePoint: lowerIsBetter(reference, objectives),
    hypervolume: hypervolume(points, reference),
    trialsConsidered: usable.length,
    front,
  };
}

/** The front as table rows for a terminal or an output channel: trial, run, each objective, the tuned values. */
export function frontTable(record: ParetoFrontRecord): { header: string[]; rows: string[][] } {
  const paramKeys = [...new Set(record.front.flatMap((t) => Object.keys(t.params)))];
  const number = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));
  const value = (v: unknown): string => (typeof v === 'number' ? number(v) : typeof v === 'string' ? v : JSON.stringify(v));
  return {
    header: ['TRIAL', 'RUN ID', ...record.objectives.map((o) => `${o.metric} (${o.direction === 'maximize' ? 'max' : 'min'})`), ...paramKeys],
    rows: record.front.map((t) => [String(t.number), t.runId ?? '-', ...t.values.map(number), ...paramKeys.map((k) => (k in t.params ? value(t.params[k]) : '-'))]),
  };
}

/** "Pareto front: 4 of 20 trials, hypervolume 0.0123 (reference val_accuracy 0.61, cost 0.002)" */
export function frontHeadline(record: ParetoFrontRecord): string {
  const reference = record.objectives.map((o, k) => `${o.metric} ${Number((record.referencePoint[k] as number).toPrecision(4))}`).join(', ');
  return `Pareto front: ${record.front.length} of ${record.trialsConsidered} complete trials, hypervolume ${Number(record.hypervolume.toPrecision(4))} (reference ${reference})`;
}
