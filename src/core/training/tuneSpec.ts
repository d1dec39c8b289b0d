/** A normalized hyperparameter search. */

export type ParamDistribution =
  | { readonly type: 'uniform'; readonly low: number; readonly high: number }
  | { readonly type: 'log_uniform'; readonly low: number; readonly high: number }
  | { readonly type: 'int'; readonly low: number; readonly high: number; readonly log: boolean }
  | { readonly type: 'categorical'; readonly choices: readonly unknown[] };

export type PrunerSpec =
  | { readonly type: 'none' }
  | { readonly type: 'median'; readonly warmupEpochs: number; readonly minTrials: number }
  | { readonly type: 'successive_halving'; readonly minEpochs: number; readonly reductionFactor: number };

export interface TuneObjective {
  readonly metric: string;
  readonly direction: 'minimize' | 'maximize';
  /** where the hypervolume of a front is measured from (in the metric's own units); default: from the trials */
  readonly reference?: number;
}

export interface TuneSpec {
  /** absolute path of the training spec the trials vary */
  readonly trainSpecPath: string;
  /** the file the search was declared in (a *.tune.yaml, or the train spec itself) */
  readonly tuneSpecPath: string;
  readonly name?: string;
  /** the first of `objectives`: what a single-objective study optimizes, and what a front is listed by */
  readonly objective: TuneObjective;
  /** one, or several (a Pareto front is searched) */
  readonly objectives: readonly TuneObjective[];
  readonly sampler: 'tpe' | 'random' | 'grid' | 'nsga2';
  /** nsga2: trials per generation */
  readonly populationSize: number;
  readonly trials: number;
  readonly timeoutSeconds?: number;
  readonly parallel: number;
  readonly seed: number;
  readonly startupTrials: number;
  readonly gridPoints: number;
  readonly pruner: PrunerSpec;
  /** dotted path in the train spec → distribution, in declaration order */
  readonly params: readonly (readonly [string, ParamDistribution])[];
}

const MAXIMIZED = /(accuracy|f1|auc|r2|precision|recall)/;

export function defaultDirection(metric: string): 'minimize' | 'maximize' {
  return MAXIMIZED.test(metric) ? 'maximize' : 'minimize';
}
