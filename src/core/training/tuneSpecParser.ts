import Ajv from 'ajv';
import { dirname, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import tuneSchema from '../../../schemas/tune.schema.json';
import { SpecError } from './specErrors';
import { describeSchemaErrors } from './trainSpecParser';
import { defaultDirection, type ParamDistribution, type PrunerSpec, type TuneObjective, type TuneSpec } from './tuneSpec';
import { specDocumentValue } from './specDocumentValue';
import { readSpecText } from './specFileText';

let compiled: ReturnType<Ajv['compile']> | undefined;

interface RawTune {
  train?: string;
  name?: string;
  objective?: { metric?: string; direction?: 'minimize' | 'maximize' };
  objectives?: Array<{ metric: string; direction?: 'minimize' | 'maximize'; reference?: number }>;
  sampler?: 'tpe' | 'random' | 'grid' | 'nsga2';
  population_size?: number;
  trials?: number;
  timeout_seconds?: number;
  parallel?: number;
  seed?: number;
  startup_trials?: number;
  grid_points?: number;
  pruner?: 'none' | 'median' | 'successive_halving' | { type: 'median' | 'successive_halving'; warmup_epochs?: number; min_trials?: number; min_epochs?: number; reduction_factor?: number };
  params: Record<string, { type: string; low?: number; high?: number; log?: boolean; choices?: unknown[] }>;
}

/**
 * Reads a search: a *.tune.yaml (with `train:` naming the spec) or a *.train.yaml with a `tune:`
 * section. Errors name the file, line and field like training specs do.
 */
export async function loadTuneSpec(path: string): Promise<TuneSpec> {
  return parseTuneSpec(await readSpecText(path, 'the spec'), path);
}

export function parseTuneSpec(text: string, path: string): TuneSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const position = (offset: number): { line: number; column: number } => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) throw new SpecError(path, doc.errors.map((e) => ({ message: e.message.split('\n')[0] ?? e.message, field: '', ...position(e.pos[0]) })));
  const root = specDocumentValue(doc, path, position) as Record<string, unknown> | null;
  // a train spec carries its search in `tune:`; a tune file is the search itself
  const embedded = root !== null && typeof root === 'object' && 'tune' in root && !('train' in root);
  const raw = embedded ? (root as { tune: unknown }).tune : root;
  const basePath = embedded ? ['tune'] : [];
  compiled ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(tuneSchema);
  if (!compiled(raw)) {
    const issues = describeSchemaErrors(compiled.errors ?? [], doc, position).map((issue) => {
      if (!embedded) return issue;
      const node = doc.getIn(basePath, true);
      return { ...issue, field: `tune${issue.field ? `.${issue.field}` : ''}`, ...(issue.line === 1 && isNode(node) && node.range ? position(node.range[0]) : {}) };
    });
    throw new SpecError(path, issues);
  }
  const spec = raw as RawTune;
  if (!embedded && !spec.train) throw new SpecError(path, [{ message: 'a *.tune.yaml needs `train`: the training spec to tune', field: 'train', line: 1, column: 1 }]);
  const params: [string, ParamDistribution][] = [];
  for (const [key, p] of Object.entries(spec.params)) {
    const at = doc.getIn([...basePath, 'params', key], true);
    const where = isNode(at) && at.range ? position(at.range[0]) : { line: 1, column: 1 };
    if (p.type === 'categorical') {
      params.push([key, { type: 'categorical', choices: p.choices ?? [] }]);
      continue;
    }
    const low = p.low as number;
    const high = p.high as number;
    if (!(low <= high)) throw new SpecError(path, [{ message: `params.${key}: low (${low}) must not exceed high (${high})`, field: `params.${key}`, ...where }]);
    if ((p.type === 'log_uniform' || (p.type === 'int' && p.log)) && low <= 0) throw new SpecError(path, [{ message: `params.${key}: a log scale needs low > 0`, field: `params.${key}`, ...where }]);
    if (p.type === 'int') params.push([key, { type: 'int', low: Math.ceil(low), high: Math.floor(high), log: p.log ?? false }]);
    else params.push([key, { type: p.type as 'uniform' | 'log_uniform', low, high }]);
  }
  const objectives = readObjectives(spec, basePath, (field) => {
    const at = doc.getIn([...basePath, ...field], true);
    return isNode(at) && at.range ? position(at.range[0]) : { line: 1, column: 1 };
  }, path);
  return {
    trainSpecPath: embedded ? path : resolve(dirname(path), spec.train as string),
    tuneSpecPath: path,
    ...(spec.name ? { name: spec.name } : {}),
    objective: objectives[0] as TuneObjective,
    objectives,
    sampler: spec.sampler ?? 'tpe',
    populationSize: spec.population_size ?? 10,
    trials: spec.trials ?? 20,
    ...(spec.timeout_seconds !== undefined ? { timeoutSeconds: spec.timeout_seconds } : {}),
    parallel: spec.parallel ?? 1,
    seed: spec.seed ?? 0,
    startupTrials: spec.startup_trials ?? 10,
    gridPoints: spec.grid_points ?? 4,
    pruner: pruner(spec.pruner),
    params,
  };
}

/**
 * `objective` (one) or `objectives` (several: a Pareto front). Pruning judges a trial by one
 * metric part-way through; with several objectives a trial stopped early would look cheap and
 * unfinished at once, and trials that trade accuracy for cost belong on the front anyway — so a
 * study with several objectives does not prune.
 */
function readObjectives(spec: RawTune, basePath: string[], where: (field: (string | number)[]) => { line: number; column: number }, path: string): TuneObjective[] {
  const prefix = basePath.length ? `${basePath.join('.')}.` : '';
  if (spec.objectives === undefined) {
    const metric = spec.objective?.metric ?? 'val_loss';
    return [{ metric, direction: spec.objective?.direction ?? defaultDirection(metric) }];
  }
  if (spec.objective !== undefined) throw new SpecError(path, [{ message: `${prefix}objectives: give either \`objective\` (one metric) or \`objectives\` (several), not both`, field: `${prefix}objectives`, ...where(['objectives']) }]);
  const objectives = spec.objectives.map((o) => ({ metric: o.metric, direction: o.direction ?? defaultDirection(o.metric), ...(o.reference !== undefined ? { reference: o.reference } : {}) }));
  const seen = new Set<string>();
  objectives.forEach((o, i) => {
    if (seen.has(o.metric)) throw new SpecError(path, [{ message: `${prefix}objectives[${i}].metric: "${o.metric}" is already an objective; each metric can be one once`, field: `${prefix}objectives[${i}].metric`, ...where(['objectives', i]) }]);
    seen.add(o.metric);
  });
  const prunerType = spec.pruner === undefined ? 'none' : typeof spec.pruner === 'string' ? spec.pruner : spec.pruner.type;
  if (objectives.length > 1 && prunerType !== 'none') {
    throw new SpecError(path, [{ message: `${prefix}pruner: a study with several objectives cannot prune (allowed: none) — a trial stopped early would enter the front as a cheap, unfinished run, and trials that trade accuracy for cost belong on the front`, field: `${prefix}pruner`, ...where(['pruner']) }]);
  }
  return objectives;
}

function pruner(raw: RawTune['pruner']): PrunerSpec {
  const type = raw === undefined ? 'none' : typeof raw === 'string' ? raw : raw.type;
  const options: { warmup_epochs?: number; min_trials?: number; min_epochs?: number; reduction_factor?: number } = typeof raw === 'object' ? raw : {};
  if (type === 'median') return { type, warmupEpochs: options.warmup_epochs ?? 5, minTrials: options.min_trials ?? 5 };
  if (type === 'successive_halving') return { type, minEpochs: options.min_epochs ?? 5, reductionFactor: options.reduction_factor ?? 3 };
  return { type: 'none' };
}
