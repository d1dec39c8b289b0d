/**
 * An in-memory tracking store with synthetic runs, answered through the Runs panel's real host
 * code (query engine, paging, grouping, LTTB downsampling, details). Webview tests and the
 * benchmark load the real bundle against it.
 */
import { downsampleIndices } from '../../src/core/tracking/downsample';
import { compileFilter } from './runStateFilter';
import { parseFilter } from '../../src/core/tracking/searchFilter';
import type { RunState } from '../../src/core/tracking/trackingState';
import type { ArtifactEntry, MetricSummary, Run, RunStatus, SearchRunsOptions, SearchRunsResult } from '../../src/core/tracking/trackingTypes';
import type { SeriesColumns } from '../../src/core/tracking/metricSeriesCodec';
import type { RunsPanelInit } from '../../src/protocol/runs/runsContract';
import { RunsQueryEngine } from '../../src/core/tracking/runsTable/runsQueryEngine';
import { createRunsDataHandlers, type RunsDataSource } from '../../src/vscode/runs/runsRequests';
import { localRunsTable } from '../../src/core/tracking/runsTable/runsTablePages';

export interface SyntheticOptions {
  runs: number;
  /** extra constant and varying params beyond the named ones */
  extraParams?: number;
  extraMetrics?: number;
  extraTags?: number;
  steps?: number;
}

const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'];
const LRS = ['0.1', '0.01', '0.001', '0.0003'];
const STATUSES: RunStatus[] = ['FINISHED', 'FINISHED', 'FINISHED', 'FAILED', 'RUNNING'];
const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);

/** Deterministic pseudo-random numbers: the same runs in every test. */
function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticRuns(options: SyntheticOptions): Run[] {
  const rand = mulberry(42);
  const runs: Run[] = [];
  const steps = options.steps ?? 100;
  for (let i = 0; i < options.runs; i++) {
    const runId = `run${String(i).padStart(5, '0')}${'abcdef0123456789'[i % 16]}`;
    const optimizer = OPTIMIZERS[i % OPTIMIZERS.length]!;
    const lr = LRS[Math.floor(i / 3) % LRS.length]!;
    const quality = 0.7 + 0.25 * rand();
    const summary = (key: string, value: number, min: number, max: number): MetricSummary => ({ key, value, min, max, step: steps - 1, timestamp: T0 + i * 60_000 + steps * 1000, count: steps });
    const metrics: MetricSummary[] = [
      summary('accuracy', quality, 0.1, quality),
      summary('val_accuracy', quality - 0.03, 0.1, quality - 0.02),
      summary('loss', 1 - quality, 1 - quality, 2.3),
      summary('val_loss', 1.05 - quality, 1.02 - quality, 2.4),
    ];
    for (let m = 0; m < (options.extraMetrics ?? 0); m++) {
      const v = rand() * 10;
      metrics.push(summary(`m_${String(m).padStart(3, '0')}`, v, v / 2, v * 1.5));
    }
    const params = [
      { key: 'optimizer', value: optimizer },
      { key: 'lr', value: lr },
      { key: 'batch_size', value: String(64 * (1 + (i % 2))) },
      { key: 'epochs', value: '20' },
    ];
    for (let p = 0; p < (options.extraParams ?? 0); p++) params.push({ key: `p_${String(p).padStart(3, '0')}`, value: p % 3 === 0 ? 'fixed' : String(Math.floor(rand() * 100)) });
    const tags = [
      { key: 'mlflow.runName', value: `${optimizer}-lr${lr}-${i}` },
      { key: 'team', value: i % 2 === 0 ? 'vision' : 'nlp' },
      ...(i % 7 === 0 ? [{ key: 'mlops.starred', value: 'true' }] : []),
      ...(i === 1 ? [{ key: 'mlflow.note.content', value: 'Baseline for the Q4 report' }, { key: 'mlops.model', value: 'model' }] : []),
    ];
    for (let t = 0; t < (options.extraTags ?? 0); t++) tags.push({ key: `t_${String(t).padStart(3, '0')}`, value: `v${Math.floor(rand() * 5)}` });
    const status = STATUSES[i % STATUSES.length]!;
    const startTime = T0 + i * 60_000;
    runs.push({
      info: {
        runId,
        runName: `${optimizer}-lr${lr}-${i}`,
        experimentId: '1',
        userId: 'ana',
        status,
        startTime,
        endTime: status === 'RUNNING' ? null : startTime + 30_000 + Math.floor(rand() * 600_000),
        lifecycleStage: 'active',
        artifactUri: `file:///w/.mlops/artifacts/${runId}`,
        source: null,
        gitCommit: null,
        gitDirty: null,
        parentRunId: null,
        ownerPid: null,
        ownerHost: null,
        heartbeatTime: null,
      },
      data: { metrics, params, tags },
      inputs: { datasetInputs: [] },
    });
  }
  return runs;
}

/** What the filter code reads from a run, built from the public Run shape. */
function stateOf(run: Run): RunState {
  return {
    ...run.info,
    params: new Map(run.data.params.map((p) => [p.key, p.value])),
    tags: new Map(run.data.tags.map((t) => [t.key, t.value])),
    metrics: new Map(run.data.metrics.map((m) => [m.key, m])),
    inputs: [],
    nextSeriesId: 0,
    view: run,
  } as unknown as RunState;
}

const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

export class FakeTracking implements RunsDataSource {
  readonly states: Map<string, RunState>;
  searches = 0;
  constructor(
    public runs: Run[],
    private readonly steps = 100,
  ) {
    this.states = new Map(runs.map((r) => [r.info.runId, stateOf(r)]));
  }

  replaceRuns(runs: Run[]): void {
    this.runs = runs;
    this.states.clear();
    for (const r of runs) this.states.set(r.info.runId, stateOf(r));
  }

  async searchRuns(options: SearchRunsOptions = {}): Promise<SearchRunsResult> {
    this.searches++;
    const predicate = compileFilter(parseFilter(options.filter));
    return { runs: this.runs.filter((r) => predicate(this.states.get(r.info.runId)!)) };
  }

  async getRun(runId: string): Promise<Run> {
    const run = this.runs.find((r) => r.info.runId === runId);
    if (!run) throw new Error(`Run ${runId} not found in the fake store`);
    return run;
  }

  async getMetricColumns(runId: string, key: string, options: { maxPoints?: number } = {}): Promise<SeriesColumns> {
    const n = this.steps;
    const seed = [...runId, ...key].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
    const rate = 0.5 + (seed % 100) / 100;
    const steps = new Float64Array(n);
    const values = new Float64Array(n);
    const timestamps = new Float64Array(n);
    const start = (await this.getRun(runId)).info.startTime;
    for (let i = 0; i < n; i++) {
      steps[i] = i;
      const decay = Math.exp((-rate * 5 * i) / n);
      values[i] = key.includes('loss') ? 0.1 + 2 * decay + 0.02 * Math.sin(i * 0.7 + seed) : 0.95 - 0.8 * decay + 0.01 * Math.sin(i * 1.3 + seed);
      timestamps[i] = start + i * 1000;
    }
    const columns = { steps, values, timestamps };
    if (options.maxPoints === undefined || n <= options.maxPoints) return columns;
    const keep = downsampleIndices(columns, options.maxPoints, 'lttb');
    return { steps: Float64Array.from(keep, (k) => steps[k]!), values: Float64Array.from(keep, (k) => values[k]!), timestamps: Float64Array.from(keep, (k) => timestamps[k]!) };
  }

  async listArtifacts(_runId: string, path?: string): Promise<ArtifactEntry[]> {
    if (path === undefined) return [{ path: 'model', isDir: true }, { path: 'confusion.png', isDir: false, fileSize: PNG_1PX.length }, { path: 'predictions.csv', isDir: false, fileSize: 40 }, { path: 'metrics.json', isDir: false, fileSize: 30 }];
    if (path === 'model') return [{ path: 'model/signature.json', isDir: false, fileSize: 200 }];
    return [];
  }

  async readArtifact(_runId: string, path: string): Promise<Buffer> {
    switch (path) {
      case 'confusion.png':
        return PNG_1PX;
      case 'predictions.csv':
        return Buffer.from('id,label,score\n1,cat,0.91\n2,dog,"0.4, maybe"\n');
      case 'metrics.json':
        return Buffer.from('{"accuracy":0.93,"f1":0.9}');
      case 'model/signature.json':
        return Buffer.from(JSON.stringify({ inputs: [{ name: 'age', type: 'double', optional: false }, { name: 'plan', type: 'string', optional: true }], output: { task: 'classification', target: 'churn', classes: ['no', 'yes'] } }));
      default:
        throw new Error(`No artifact ${path}`);
    }
  }
}

export interface FakeRunsHost {
  tracking: FakeTracking;
  engine: RunsQueryEngine;
  respond(method: string, params: unknown): Promise<unknown>;
}

export function fakeRunsHost(runs: Run[], init: Partial<RunsPanelInit> = {}, steps = 100): FakeRunsHost {
  const tracking = new FakeTracking(runs, steps);
  const engine = new RunsQueryEngine(async () => tracking, ['1']);
  const runsTable = localRunsTable(engine);
  const handlers = createRunsDataHandlers(async () => runsTable, async () => tracking);
  const table = handlers as unknown as Record<string, (p: unknown) => Promise<unknown>>;
  return {
    tracking,
    engine,
    respond: async (method, params) => {
      if (method === 'getInit') return { title: 'Runs: churn', experimentIds: ['1'], compareRunIds: [], ...init };
      if (method === 'exportCsv') return { saved: true, path: '/w/runs.csv', rows: runs.length };
      const handler = table[method];
      if (!handler) throw new Error(`The fake host has no handler for ${method}`);
      return handler(params);
    },
  };
}

export const SWEEP_CLASSES = ['Adelie', 'Chinstrap', 'Gentoo'];

/**
 * A hyperparameter study as the engine records it (core/training/tuningRunner.ts and
 * trainingRunner.ts specParams): one study run (objective tag, its own `seed`, `best.*` params,
 * no metrics) and trials that share most spec params and differ in the tuned ones (learning rate,
 * layers), each with the sampled values as `tune.*` params.
 */
export function syntheticSweep(trials = 24): Run[] {
  const rand = mulberry(7);
  const base = syntheticRuns({ runs: trials + 1 });
  const lrs = ['0.0003', '0.001', '0.003', '0.01', '0.03'];
  const layers = ['64:relu', '128:relu', '64:relu,32:relu', '128:relu,64:relu:dropout=0.2'];
  const studyId = base[0]!.info.runId;
  const sweep: Run[] = [];
  sweep.push({ ...base[0]!, info: { ...base[0]!.info, runName: 'penguins-study', status: 'FINISHED' }, data: {
    metrics: [],
    params: [
      { key: 'sampler', value: 'tpe' },
      { key: 'trials', value: String(trials) },
      { key: 'seed', value: '3' },
      { key: 'objective.metric', value: 'val_accuracy' },
      { key: 'objective.direction', value: 'maximize' },
      { key: 'timeout_seconds', value: 'none' },
      { key: 'best.optimizer.learning_rate', value: '0.003' },
      { key: 'best.model.layers', value: '"64:relu,32:relu"' },
    ],
    tags: [
      { key: 'mlflow.runName', value: 'penguins-study' },
      { key: 'mlops.kind', value: 'study' },
      { key: 'mlops.tune.objective', value: 'maximize val_accuracy' },
    ],
  } });
  for (let i = 1; i <= trials; i++) {
    const run = base[i]!;
    const lr = lrs[i % lrs.length]!;
    const layer = layers[Math.floor(i / lrs.length) % layers.length]!;
    const acc = 0.8 + 0.18 * rand();
    const runName = `penguins-study-trial-${i - 1}`;
    const summary = (key: string, value: number, count = 30): MetricSummary => ({ key, value, min: Math.min(value, 0.1), max: Math.max(value, 2), step: count - 1, timestamp: run.info.startTime + 30_000, count });
    const metrics: MetricSummary[] = [
      summary('accuracy', acc + 0.01),
      summary('loss', 1 - acc),
      summary('val_accuracy', acc),
      summary('val_loss', 1.05 - acc),
      summary('test_accuracy', acc - 0.01, 1),
      summary('test_f1_macro', acc - 0.02, 1),
      summary('test_log_loss', 0.005190 + (1 - acc) / 10, 1),
      summary('test_roc_auc', 0.99, 1),
    ];
    for (const c of SWEEP_CLASSES) metrics.push(summary(`test_recall_${c}`, acc, 1), summary(`test_precision_${c}`, acc, 1), summary(`test_f1_${c}`, acc - 0.005, 1));
    // 31 Adelie, 14 Chinstrap, 24 Gentoo in the test split, a few mistaken for their neighbour.
    const support = [31, 14, 24];
    SWEEP_CLASSES.forEach((actual, a) => SWEEP_CLASSES.forEach((predicted, p) => {
      const wrong = a === p ? 0 : p === (a + 1) % 3 ? Math.round((1 - acc) * support[a]!) : 0;
      const count = a === p ? support[a]! - Math.round((1 - acc) * support[a]!) : wrong;
      metrics.push(summary(`test_confusion_${actual}_${predicted}`, count, 1));
    }));
    metrics.sort((x, y) => x.key.localeCompare(y.key));
    sweep.push({ ...run, info: { ...run.info, runName, parentRunId: studyId }, data: {
      metrics,
      params: [
        { key: 'dataset', value: 'data/penguins.csv' },
        { key: 'target', value: 'species' },
        { key: 'model.type', value: 'mlp' },
        { key: 'optimizer.name', value: 'adam' },
        { key: 'optimizer.learning_rate', value: lr },
        { key: 'epochs', value: '30' },
        { key: 'batch_size', value: '32' },
        { key: 'early_stopping', value: 'val_loss patience 5 min_delta 0' },
        { key: 'class_weights', value: 'none' },
        { key: 'model.layers', value: layer },
        { key: 'model.hidden_layers', value: String(layer.split(',').length) },
        { key: 'classes', value: SWEEP_CLASSES.join(',') },
        { key: 'seed', value: '11' },
        // what the sampler chose (tuningRunner.ts tunedParams)
        { key: 'tune.optimizer.learning_rate', value: lr },
        { key: 'tune.model.layers.0.units', value: layer.split(':')[0]! },
      ],
      tags: [
        { key: 'mlflow.runName', value: runName },
        { key: 'mlflow.parentRunId', value: studyId },
        { key: 'mlops.kind', value: 'train' },
        { key: 'mlops.tune.study', value: studyId },
        { key: 'mlops.tune.trial', value: String(i - 1) },
        { key: 'mlops.tune.objective', value: 'maximize val_accuracy' },
      ],
    } });
  }
  return sweep;
}
