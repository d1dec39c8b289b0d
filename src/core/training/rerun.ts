import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { BackendPreference } from '../process/workerProtocol';
import type { EngineClient } from '../engine/engineClient';
import { readGitSource, UNCOMMITTED_DIFF_ARTIFACT } from '../tracking/gitSource';
import { runCommit } from '../tracking/runCodeFile';
import type { TrackingStore } from '../tracking/trackingStore';
import type { Metric } from '../tracking/trackingTypes';
import { runTraining, type TrainingProgress, type TrainingResult } from './trainingRunner';
import { loadTrainSpec } from './trainSpecParser';

/** What a training keeps of its spec (modelPackageFormat's PACKAGE_FILES.spec). */
const KEPT_SPEC_ARTIFACT = 'model/spec.train.yaml';
export const RERUN_OF_TAG = 'mlops.rerun.of';
export const RERUN_MATCHED_TAG = 'mlops.rerun.matched';
const GIT_TIMEOUT_MS = 60_000;
/**
 * Speed, timing, the machine's load (system/…, memory) and what that cost (`cost`, priced from
 * CPU time) differ from one run to the next by nature; they say nothing about reproducing.
 */
const NOT_COMPARED = /(^system\/|samples_per_second|_seconds?$|_ms$|(^|_)(duration|time|rss|memory|cpu)(_|$)|megabytes|^cost$)/;

/** Whether a metric says what was learned (and so must match on a re-run), not how fast or at what cost. */
export function isReproducibleMetric(key: string): boolean {
  return !NOT_COMPARED.test(key);
}

/** A run that cannot be re-run (not a training, its spec gone, its commit unreachable). */
export class RerunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RerunError';
  }
}

export interface RerunOptions {
  readonly store: TrackingStore;
  /** the workspace store's engine (here or the holder's): records the "reproduced" lineage edge and the re-run's own (see TrainingOptions) */
  readonly engine?: EngineClient;
  /** the workspace store's folder on this disk (feature views, prepared-table cache; see TrainingOptions) */
  readonly storeDir?: string;
  readonly runId: string;
  /** where a relative `mlops.spec` is taken from */
  readonly workspaceRoot: string;
  /** default: the backend the original run trained on */
  readonly backend?: BackendPreference;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: TrainingProgress) => void;
}

export interface MetricComparison {
  readonly key: string;
  readonly original: number;
  readonly rerun: number;
  readonly equal: boolean;
}

export interface RerunResult {
  readonly training: TrainingResult;
  readonly originalRunId: string;
  /** where the spec was trained: in a worktree at the run's commit, the workspace as it is, or a copy of the kept spec beside it */
  readonly where: 'worktree' | 'workspace' | 'copy';
  readonly commit?: string;
  /** every compared metric is the same */
  readonly matched: boolean;
  readonly compared: readonly MetricComparison[];
}

function git(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile('git', [...args], { cwd, timeout: GIT_TIMEOUT_MS, windowsHide: true, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new RerunError(`git ${args[0]} failed: ${stderr.trim() || error.message}`));
      else resolvePromise(stdout);
    });
  });
}

/** The original's metrics beside the re-run's: the same seed on the same code and data gives the same numbers. */
export function compareRunMetrics(original: readonly Metric[], rerun: readonly Metric[]): MetricComparison[] {
  const after = new Map(rerun.map((m) => [m.key, m.value]));
  return original
    .filter((m) => !NOT_COMPARED.test(m.key) && after.has(m.key))
    .map((m) => {
      const value = after.get(m.key) as number;
      const equal = m.value === value || (Number.isNaN(m.value) && Number.isNaN(value)) || Math.abs(m.value - value) <= 1e-9 * Math.max(1, Math.abs(m.value), Math.abs(value));
      return { key: m.key, original: m.value, rerun: value, equal };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

interface Place {
  readonly specPath: string;
  readonly where: RerunResult['where'];
  readonly cleanup: () => Promise<void>;
}

/**
 * Trains a run's exact spec again as a new run linked to the original (`mlops.rerun.of`, a
 * "reproduced" lineage edge): at the run's commit with its uncommitted changes, in a temporary
 * git worktree when the workspace differs from that; then says whether the metrics matched.
 */
export async function rerunTraining(options: RerunOptions): Promise<RerunResult> {
  const { store } = options;
  const original = await store.getRun(options.runId);
  const tag = (key: string): string | undefined => original.data.tags.find((t) => t.key === key)?.value;
  const recorded = tag('mlops.spec');
  if (!recorded) throw new RerunError(`Run ${original.info.runName} was not trained from a spec; only trainings can be re-run.`);
  const specPath = isAbsolute(recorded) ? recorded : resolve(options.workspaceRoot, recorded);
  const keptSpec = await store.readArtifact(original.info.runId, KEPT_SPEC_ARTIFACT).then((b) => b.toString('utf8'), () => undefined);
  const commit = runCommit(original);
  const place = await placeSpec(store, original.info.runId, specPath, keptSpec, commit);
  const experiment = await store.getExperiment(original.info.experimentId).catch(() => undefined);
  const backend = options.backend ?? (tag('mlops.backend') as BackendPreference | undefined) ?? 'auto';
  let training: TrainingResult;
  try {
    training = await runTraining({
      store,
      specPath: place.specPath,
      recordedSpecPath: specPath,
      backend,
      runName: `${original.info.runName}-rerun`,
      ...(experiment ? { experimentName: experiment.name } : {}),
      extraTags: [{ key: RERUN_OF_TAG, value: original.info.runId }],
      ...(options.engine ? { engine: options.engine } : {}),
      ...(options.storeDir ? { storeDir: options.storeDir } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    await place.cleanup().catch(() => undefined);
  }
  const rerun = await store.getRun(training.runId);
  const compared = compareRunMetrics(original.data.metrics, rerun.data.metrics);
  const matched = compared.length > 0 && compared.every((c) => c.equal);
  await store.setTag(training.runId, RERUN_MATCHED_TAG, String(matched));
  await options.engine?.call('training.recordRerun', { originalRunId: original.info.runId, rerunRunId: training.runId });
  return { training, originalRunId: original.info.runId, where: place.where, ...(commit ? { commit } : {}), matched, compared };
}

/** Where to train: the workspace when it holds the run's code, else a worktree at the commit, else a copy of the kept spec. */
async function placeSpec(store: TrackingStore, runId: string, specPath: string, keptSpec: string | undefined, commit: string | undefined): Promise<Place> {
  const nothing = async (): Promise<void> => undefined;
  const now = existsSync(dirname(specPath)) ? await readGitSource(dirname(specPath)) : undefined;
  const diff = await store.readArtifact(runId, UNCOMMITTED_DIFF_ARTIFACT).then((b) => b.toString('utf8'), () => undefined);
  const current = await readFile(specPath, 'utf8').catch(() => undefined);
  if (commit && now) {
    const sameCode = now.commit === commit && !now.dirty && !diff;
    if (sameCode && (keptSpec === undefined || keptSpec === current)) return { specPath, where: 'workspace', cleanup: nothing };
    return worktreeAt(specPath, commit, diff, keptSpec);
  }
  // No git to go back with: the spec the run kept is its code.
  if (keptSpec === undefined || keptSpec === current) {
    if (current === undefined) throw new RerunError(`${specPath} is gone and run ${runId} kept no copy of it.`);
    return { specPath, where: 'workspace', cleanup: nothing };
  }
  // Beside the original, so paths in it (the dataset) resolve the same.
  const copy = join(dirname(specPath), `.mlops-rerun-${runId.slice(0, 8)}.train.yaml`);
  await writeFile(copy, keptSpec);
  return { specPath: copy, where: 'copy', cleanup: () => unlink(copy) };
}

async function worktreeAt(specPath: string, commit: string, diff: string | undefined, keptSpec: string | undefined): Promise<Place> {
  const root = (await git(dirname(specPath), ['rev-parse', '--show-toplevel'])).trim();
  const scratch = await mkdtemp(join(tmpdir(), 'mlops-rerun-'));
  const tree = join(scratch, 'tree');
  const cleanup = async (): Promise<void> => {
    await git(root, ['worktree', 'remove', '--force', tree]).catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
    await git(root, ['worktree', 'prune']).catch(() => undefined);
  };
  try {
    await git(root, ['worktree', 'add', '--detach', tree, commit]);
    if (diff) {
      const patch = join(scratch, 'uncommitted.diff');
      await writeFile(patch, diff);
      await git(tree, ['apply', '--whitespace=nowarn', patch]);
    }
    const inTree = join(tree, relative(root, specPath));
    await mkdir(dirname(inTree), { recursive: true });
    // The kept copy is exactly what trained, even if the diff was cut at its size cap.
    if (keptSpec !== undefined) await writeFile(inTree, keptSpec);
    await linkUntrackedData(inTree, tree, root);
    return { specPath: inTree, where: 'worktree', cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Data files are often kept out of git: the worktree borrows the workspace's copy. */
async function linkUntrackedData(specInTree: string, tree: string, root: string): Promise<void> {
  const spec = await loadTrainSpec(specInTree).then((p) => p.spec, () => undefined);
  if (!spec || existsSync(spec.dataset)) return;
  const inRepo = relative(tree, spec.dataset);
  if (inRepo.startsWith('..') || isAbsolute(inRepo)) return;
  const workspaceCopy = join(root, inRepo);
  if (!existsSync(workspaceCopy)) return;
  await mkdir(dirname(spec.dataset), { recursive: true });
  await symlink(workspaceCopy, spec.dataset);
}
