import { dirname, join, relative } from 'node:path';
import { datasetNode, runNode } from '../lineage/lineageNodes';
import { openAlerts, storedDriftReport } from '../monitoring/driftHistory';
import type { MonitorSpec } from '../monitoring/monitorSpec';
import { JobCancelledError, runChildJob } from '../process/childJob';
import type { CostPrices } from '../process/runCost';
import type { BackendPreference } from '../process/workerProtocol';
import { lineageFor, modelRegistryFor } from '../registry/registryAccess';
import { ReviewRequiredError } from '../registry/registryErrors';
import type { ModelVersion } from '../registry/registryTypes';
import type { WorkspaceStore } from '../store/workspaceStore';
import type { Tag } from '../tracking/trackingTypes';
import { runTraining, TrainingCancelledError, TrainingFailedError } from '../training/trainingRunner';
import { loadTrainSpec } from '../training/trainSpecParser';
import type { HoldoutEvaluation } from './holdoutEvaluation';
import { cooldownEnd, markInterruptedAttempts, retrainAttempt, runningAttempt, startAttempt, updateAttempt, type RetrainAttempt, type RetrainStatus, type RetrainTrigger } from './retrainAttempts';
import { raiseFailureAlertOnce, RETRAIN_ALERT_PREFIX } from './retrainAlerts';
import { decideRetrain } from './retrainDecision';
import type { RetrainDataResult } from './retrainData';
import { metricDirection, primaryMetric, type MetricDirection, type RetrainPolicy } from './retrainPolicy';
import { trainingStepText } from '../training/trainingLength';

/** The monitor has no policy, or the policy cannot be applied (a metric the model does not have). */
export class RetrainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetrainError';
  }
}

export interface RetrainProgress {
  readonly attemptId?: number;
  /** a few words for a status bar: "preparing the data", "training · epoch 3/20", "evaluating", "decided" */
  readonly step: string;
  /** the whole line for a log: "training: epoch 3/20 · loss 0.41", "evaluating v4 and v3 on holdout (34 rows of …)", … */
  readonly message: string;
  /** 0..1 over the whole attempt, when known */
  readonly fraction?: number;
}

export interface RetrainOptions {
  readonly store: WorkspaceStore;
  /** what set it off; by default the monitor's newest open alert (or newest report), as a manual run */
  readonly trigger?: RetrainTrigger;
  /** say what would happen; train and change nothing */
  readonly dryRun?: boolean;
  /** a person asked for it now: the cool-down does not apply (one attempt in flight still does) */
  readonly ignoreCooldown?: boolean;
  readonly backend?: BackendPreference;
  /** the retraining run gets a `cost` metric when a price is set */
  readonly prices?: CostPrices;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RetrainProgress) => void;
  /** the attempt is recorded (RUNNING, durably) and its work begins: a job runner answers its caller here */
  readonly onStarted?: (attemptId: number) => void;
  /** who the registry changes are attributed to; default "retrain:<monitor>" */
  readonly actor?: string;
  readonly clock?: () => number;
  /** worker entry override (tests) */
  readonly workerEntry?: string;
}

/** What an attempt would do, worked out without training anything (what --dry-run prints). */
export interface RetrainPlan {
  readonly monitor: string;
  readonly monitorFile: string;
  readonly policy: RetrainPolicy;
  readonly trigger: RetrainTrigger;
  /** "alert #3: 4 of 7 columns drifted (report 12)" */
  readonly triggerSummary: string;
  readonly target: string;
  /** the metric, when the train spec declares its task (else decided by the trained model's task) */
  readonly metric?: string;
  readonly direction?: MetricDirection;
  /** the version the alias points to now */
  readonly championVersion?: number;
  /** the spec's dataset as written, and its absolute path */
  readonly dataset: { readonly name: string; readonly path: string };
  /** the monitor's current data, as written in its spec */
  readonly current: string;
  readonly cooldown?: { readonly lastStartedAt: number; readonly endsAt: number };
  /** why an attempt would not start now (cool-down, one in flight) */
  readonly blockedBy?: string;
}

export type RetrainOutcome =
  | { readonly kind: 'planned'; readonly plan: RetrainPlan }
  | { readonly kind: 'skipped'; readonly monitor: string; readonly reason: string }
  | { readonly kind: 'finished'; readonly monitor: string; readonly attempt: RetrainAttempt };

type Step = 'reading the training spec' | 'preparing the data' | 'training' | 'registering the new version' | 'evaluating on the holdout' | 'deciding';

function requirePolicy(spec: MonitorSpec): RetrainPolicy {
  if (!spec.retrain) throw new RetrainError(`${spec.file}: monitor ${spec.name} has no retraining policy; add a \`retrain:\` block (spec, model, data) to it`);
  return spec.retrain;
}

/** The trigger as given, or the monitor's newest open drift alert, or its newest report. */
function resolveTrigger(store: WorkspaceStore | undefined, monitor: string, given: RetrainTrigger | undefined): { trigger: RetrainTrigger; summary: string } {
  let trigger: RetrainTrigger = given ?? { kind: 'manual' };
  if (store && !given) {
    const alert = openAlerts(store, monitor).find((a) => !a.message.startsWith(RETRAIN_ALERT_PREFIX));
    if (alert) trigger = { kind: 'manual', alertId: alert.id, reportId: alert.reportId };
    else {
      const newest = store.database.rows('SELECT MAX(id) FROM drift_reports WHERE monitor = ?', [monitor])[0]?.[0];
      if (newest !== null && newest !== undefined) trigger = { kind: 'manual', reportId: Number(newest) };
    }
  } else if (store && given?.reportId !== undefined && given.alertId === undefined) {
    const alertId = store.database.rows('SELECT id FROM monitor_alerts WHERE monitor = ? AND report_id = ? ORDER BY id DESC LIMIT 1', [monitor, given.reportId])[0]?.[0];
    if (alertId !== undefined && alertId !== null) trigger = { ...given, alertId: Number(alertId) };
  }
  const report = store && trigger.reportId !== undefined ? storedDriftReport(store, trigger.reportId) : undefined;
  const drift = report ? `${report.driftedColumns} of ${report.columnCount} columns drifted (report ${trigger.reportId})` : trigger.reportId !== undefined ? `report ${trigger.reportId}` : 'no drift report';
  const who = trigger.kind === 'alert' ? `alert #${trigger.alertId ?? '?'}` : `run by hand${trigger.alertId !== undefined ? ` on alert #${trigger.alertId}` : ''}`;
  return { trigger, summary: `${who}: ${drift}` };
}

/** Works out what an attempt would do; reads the store when given (champion, cool-down), writes nothing. */
export async function planRetrain(spec: MonitorSpec, options: Pick<RetrainOptions, 'trigger' | 'clock' | 'ignoreCooldown'> & { store?: WorkspaceStore }): Promise<RetrainPlan> {
  const policy = requirePolicy(spec);
  const train = (await loadTrainSpec(policy.specPath)).spec;
  const store = options.store;
  const now = (options.clock ?? Date.now)();
  const { trigger, summary } = resolveTrigger(store, spec.name, options.trigger);
  const championVersion = store ? modelRegistryFor(store).findModel(policy.model)?.aliases[policy.alias] : undefined;
  const metric = policy.metric ?? (train.task ? primaryMetric(train.task) : undefined);
  const cooldown = store ? cooldownEnd(store, spec.name, policy.cooldownHours) : undefined;
  const running = store ? runningAttempt(store, spec.name) : undefined;
  const blockedBy = running
    ? `attempt #${running.id} is still running (started ${new Date(running.startedAt).toISOString()})`
    : cooldown && cooldown.endsAt > now && !options.ignoreCooldown
      ? `cool-down: the last attempt started ${new Date(cooldown.lastStartedAt).toISOString()}; the next may start after ${new Date(cooldown.endsAt).toISOString()} (${policy.cooldownHours} h)`
      : undefined;
  return {
    monitor: spec.name,
    monitorFile: spec.file,
    policy,
    trigger,
    triggerSummary: summary,
    target: train.target,
    ...(metric ? { metric, direction: metricDirection(metric, policy.direction) } : {}),
    ...(championVersion !== undefined ? { championVersion } : {}),
    dataset: { name: train.datasetAsWritten, path: train.dataset },
    current: spec.current.asWritten,
    ...(cooldown ? { cooldown } : {}),
    ...(blockedBy ? { blockedBy } : {}),
  };
}

/**
 * Runs a monitor's retraining policy once: prepares the data, trains the spec in a worker process
 * (a tracked run tagged with the trigger), registers the result as the model's next version,
 * scores it and the alias's version on the same holdout, and promotes it, files a review request
 * or keeps the champion. The attempt, the audit log and the lineage graph record every outcome,
 * failures included. At most one attempt per monitor runs at a time, and (unless a person asks)
 * none within the cool-down of the last.
 */
export async function runRetrain(spec: MonitorSpec, options: RetrainOptions): Promise<RetrainOutcome> {
  const policy = requirePolicy(spec);
  const store = options.store;
  const clock = options.clock ?? Date.now;
  await markInterruptedAttempts(store, spec.name, clock());
  if (options.dryRun) return { kind: 'planned', plan: await planRetrain(spec, options) };
  // Nothing here reads the training spec: a broken one fails an attempt (recorded, alerted once,
  // held back by the cool-down) rather than erroring on every alert.
  const { trigger, summary } = resolveTrigger(store, spec.name, options.trigger);
  // From the check to the insert nothing awaits: a second call sees the first's RUNNING row.
  const running = runningAttempt(store, spec.name);
  if (running) return { kind: 'skipped', monitor: spec.name, reason: `attempt #${running.id} of monitor ${spec.name} is still running` };
  const cooldown = cooldownEnd(store, spec.name, policy.cooldownHours);
  if (cooldown && cooldown.endsAt > clock() && !options.ignoreCooldown) {
    return { kind: 'skipped', monitor: spec.name, reason: `cool-down: monitor ${spec.name} last retrained at ${new Date(cooldown.lastStartedAt).toISOString()}; the next attempt may start after ${new Date(cooldown.endsAt).toISOString()}` };
  }
  const { id, durable } = startAttempt(store, spec.name, trigger, policy.model, policy.alias, clock());
  await durable;
  options.onStarted?.(id);
  await new AttemptExecution(spec, policy, trigger, summary, id, options).run();
  return { kind: 'finished', monitor: spec.name, attempt: retrainAttempt(store, id) as RetrainAttempt };
}

/** One attempt from data to decision; every way it ends is written to the attempt row. */
class AttemptExecution {
  private step: Step = 'reading the training spec';
  private runId: string | undefined;
  private version: number | undefined;
  private readonly actor: string;
  private readonly store: WorkspaceStore;
  private readonly clock: () => number;

  constructor(
    private readonly spec: MonitorSpec,
    private readonly policy: RetrainPolicy,
    private readonly trigger: RetrainTrigger,
    private readonly triggerSummary: string,
    private readonly id: number,
    private readonly options: RetrainOptions,
  ) {
    this.actor = options.actor ?? `retrain:${spec.name}`;
    this.store = options.store;
    this.clock = options.clock ?? Date.now;
  }

  private progress(step: string, message: string, fraction?: number): void {
    this.options.onProgress?.({ attemptId: this.id, step, message, ...(fraction !== undefined ? { fraction } : {}) });
  }

  private jobOptions(): { signal?: AbortSignal; workerEntry?: string } {
    return { ...(this.options.signal ? { signal: this.options.signal } : {}), ...(this.options.workerEntry ? { workerEntry: this.options.workerEntry } : {}) };
  }

  async run(): Promise<void> {
    try {
      await this.execute();
    } catch (error) {
      await this.fail(error);
    }
  }

  private async execute(): Promise<void> {
    const { spec, policy, store, trigger } = this;
    this.progress('reading the training spec', `reading ${policy.specAsWritten}`, 0);
    const train = (await loadTrainSpec(policy.specPath)).spec;
    this.step = 'preparing the data';
    this.progress('preparing the data', 'preparing the data', 0.01);
    const data: RetrainDataResult = await runChildJob(
      'retrainData',
      {
        mode: policy.data,
        dataset: { path: train.dataset, name: train.datasetAsWritten },
        // an endpoint's traffic is never read here: the spec parser requires data: spec and a holdout file for it
        current: { path: spec.current.kind === 'file' ? spec.current.path : '', name: spec.current.asWritten },
        target: train.target,
        dropColumns: spec.options.predictionColumn ? [spec.options.predictionColumn] : [],
        holdout: policy.holdout.kind === 'file' ? { kind: 'file', path: policy.holdout.path, name: policy.holdout.asWritten } : { kind: 'sample', fraction: policy.holdout.fraction, seed: train.split.seed },
        outDir: join(store.dir, 'retraining', String(this.id)),
      },
      this.jobOptions(),
    );

    this.step = 'training';
    this.progress('training', 'training', 0.05);
    const tags: Tag[] = [
      { key: 'mlops.retrain.monitor', value: spec.name },
      { key: 'mlops.retrain.attempt', value: String(this.id) },
      { key: 'mlops.retrain.trigger', value: trigger.kind },
      { key: 'mlops.retrain.data', value: policy.data },
      ...(trigger.alertId !== undefined ? [{ key: 'mlops.retrain.alert_id', value: String(trigger.alertId) }] : []),
      ...(trigger.reportId !== undefined ? [{ key: 'mlops.retrain.report_id', value: String(trigger.reportId) }] : []),
    ];
    const result = await runTraining({
      store: store.tracking,
      specPath: policy.specPath,
      // the spec reads its dataset relative to itself: so does the override
      ...(data.train ? { overrides: { dataset: relative(dirname(policy.specPath), data.train.path) } } : {}),
      ...(this.options.backend ? { backend: this.options.backend } : {}),
      ...(this.options.prices ? { prices: this.options.prices } : {}),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
      ...(this.options.workerEntry ? { workerEntry: this.options.workerEntry } : {}),
      extraTags: tags,
      onProgress: (p) => {
        if (p.runId && !this.runId) {
          this.runId = p.runId;
          void updateAttempt(store, this.id, { runId: p.runId }).catch(() => undefined);
        }
        this.progress(p.epoch > 0 ? `training · ${trainingStepText(p)}` : 'training', `training: ${p.message}`, 0.05 + p.fraction * 0.8);
      },
    });
    this.runId = result.runId;
    await this.recordTriggerEdge();
    await this.recordRunInputs(data);

    this.step = 'registering the new version';
    this.progress('registering', 'registering the new version', 0.86);
    const registry = modelRegistryFor(store);
    const candidate = await registry.registerVersion(result.runId, policy.model, {
      actor: this.actor,
      description: `Retrained by monitor ${spec.name} (attempt #${this.id}; ${this.triggerSummary}).`,
      tags: [
        { key: 'mlops.retrain.monitor', value: spec.name },
        { key: 'mlops.retrain.attempt', value: String(this.id) },
      ],
    });
    this.version = candidate.version;
    await updateAttempt(store, this.id, { runId: result.runId, version: candidate.version });

    this.step = 'evaluating on the holdout';
    const championVersion = registry.findModel(policy.model)?.aliases[policy.alias];
    const champion = championVersion !== undefined && championVersion !== candidate.version ? registry.getVersion(policy.model, championVersion) : undefined;
    this.progress('evaluating', `evaluating v${candidate.version}${champion ? ` and v${champion.version}` : ''} on ${data.holdout.name}`, 0.9);
    const evaluation: HoldoutEvaluation = await runChildJob(
      'evaluateOnHoldout',
      {
        holdout: { path: data.holdout.path, name: data.holdout.name },
        models: [{ label: `v${candidate.version}`, packageDir: candidate.packageDir }, ...(champion ? [{ label: `v${champion.version}`, packageDir: champion.packageDir }] : [])],
      },
      this.jobOptions(),
    );

    this.step = 'deciding';
    await this.decide(candidate, champion, evaluation, data);
  }

  private async decide(candidate: ModelVersion, champion: ModelVersion | undefined, evaluation: HoldoutEvaluation, data: RetrainDataResult): Promise<void> {
    const { spec, policy, store } = this;
    const registry = modelRegistryFor(store);
    const metric = policy.metric ?? primaryMetric(evaluation.task);
    const direction = metricDirection(metric, policy.direction);
    const [candidateScores, championScores] = evaluation.scores;
    const candidateScore = candidateScores?.metrics[metric];
    if (candidateScore === undefined) {
      const known = Object.keys(candidateScores?.metrics ?? {}).filter((k) => !k.startsWith('test_confusion_'));
      throw new RetrainError(`${spec.file}: \`retrain.metric\` ${metric} is not a metric of this ${evaluation.task} model (it has: ${known.join(', ')})`);
    }
    const championScore = champion ? (championScores?.metrics[metric] ?? NaN) : undefined;
    const decision = decideRetrain({
      model: policy.model,
      alias: policy.alias,
      metric,
      direction,
      minImprovement: policy.minImprovement,
      candidate: { version: candidate.version, score: candidateScore },
      ...(champion && championScore !== undefined ? { champion: { version: champion.version, score: championScore } } : {}),
    });
    let status: RetrainStatus = 'kept';
    let reason = decision.reason;
    let reviewId: number | undefined;
    const moveDetail = { monitor: spec.name, attempt: this.id, reason };
    if (decision.wins) {
      let review = policy.promote === 'review';
      if (!review) {
        try {
          await registry.setAlias(policy.model, policy.alias, candidate.version, { actor: this.actor, detail: moveDetail });
          status = 'promoted';
        } catch (error) {
          if (!(error instanceof ReviewRequiredError)) throw error;
          // The model's own rule wins over the policy's `promote: auto`.
          review = true;
          reason = `${reason}; model ${policy.model} requires review to move an alias`;
        }
      }
      if (review) {
        const pending = registry.listReviews({ name: policy.model, status: 'PENDING' }).find((r) => r.alias === policy.alias);
        if (pending) {
          reason = `${reason}; but review #${pending.reviewId} (@${policy.alias} → v${pending.version}) is still pending, so no new review was filed`;
        } else {
          const filed = await registry.requestReview(policy.model, policy.alias, candidate.version, `Retraining (monitor ${spec.name}, attempt #${this.id}): ${reason}`, { actor: this.actor, detail: { monitor: spec.name, attempt: this.id } });
          reviewId = filed.reviewId;
          status = 'review_requested';
        }
      }
    }
    const record = {
      monitor: spec.name,
      attempt: this.id,
      trigger: this.trigger,
      runId: this.runId,
      outcome: status,
      reason,
      metric,
      direction,
      minImprovement: policy.minImprovement,
      candidate: { version: candidate.version, score: candidateScore },
      champion: champion ? { version: champion.version, score: championScore ?? null } : null,
      holdout: { name: data.holdout.name, path: data.holdout.path, digest: data.holdout.digest, rows: evaluation.rows },
      ...(reviewId !== undefined ? { reviewId } : {}),
    };
    await registry.recordDecision(policy.model, 'retrain.decided', { version: candidate.version, alias: policy.alias, detail: record }, { actor: this.actor });
    await registry.setVersionTag(policy.model, candidate.version, 'mlops.retrain.outcome', status, { actor: this.actor });
    if (this.runId) await store.tracking.writeArtifact(this.runId, 'retrain/decision.json', `${JSON.stringify({ ...record, scores: evaluation.scores.map((s) => ({ label: s.label, metrics: s.metrics })) }, null, 2)}\n`);
    await updateAttempt(store, this.id, {
      status,
      finishedAt: this.clock(),
      championVersion: champion?.version ?? null,
      metric,
      direction,
      candidateScore,
      championScore: championScore ?? null,
      reviewId: reviewId ?? null,
      reason,
    });
    this.progress('decided', reason, 1);
  }

  /** monitor → run "triggered", recorded as soon as the run exists (a failed run too). */
  private async recordTriggerEdge(): Promise<void> {
    if (!this.runId) return;
    await lineageFor(this.store).record([{ from: { kind: 'monitor', id: this.spec.name }, to: runNode(this.runId), relation: 'triggered' }]);
  }

  /** The holdout is an "evaluated" edge, not a run input: run inputs read as training data. */
  private async recordRunInputs(data: RetrainDataResult): Promise<void> {
    const runId = this.runId as string;
    const { store } = this;
    await lineageFor(store).record([{ from: datasetNode(data.holdout.digest), to: runNode(runId), relation: 'evaluated' }], { [`dataset:${data.holdout.digest}`]: data.holdout.name });
    await store.tracking.logBatch({ runId, tags: [{ key: 'mlops.retrain.holdout', value: data.holdout.path }, { key: 'mlops.retrain.holdout.digest', value: data.holdout.digest }] });
    const reportId = this.trigger.reportId;
    const report = reportId !== undefined ? storedDriftReport(store, reportId) : undefined;
    if (report) await store.tracking.writeArtifact(runId, 'retrain/drift_report.json', `${JSON.stringify(report, null, 2)}\n`);
  }

  private async fail(error: unknown): Promise<void> {
    const { store, policy, spec } = this;
    if (error instanceof TrainingFailedError || error instanceof TrainingCancelledError) this.runId = error.runId ?? this.runId;
    const cancelled = error instanceof JobCancelledError;
    const message = error instanceof Error ? error.message : String(error);
    const problems: string[] = [];
    const attempt = async (what: string, action: () => Promise<void>): Promise<void> => {
      try {
        await action();
      } catch (secondary) {
        problems.push(`${what}: ${secondary instanceof Error ? secondary.message : String(secondary)}`);
      }
    };
    await attempt('lineage', () => this.recordTriggerEdge());
    const reason = cancelled ? `cancelled while ${this.step}` : `failed while ${this.step}: ${message}`;
    if (!cancelled && modelRegistryFor(store).findModel(policy.model)) {
      await attempt('audit log', () =>
        modelRegistryFor(store).recordDecision(
          policy.model,
          'retrain.failed',
          { ...(this.version !== undefined ? { version: this.version } : {}), alias: policy.alias, detail: { monitor: spec.name, attempt: this.id, runId: this.runId ?? null, step: this.step, error: message } },
          { actor: this.actor },
        ),
      );
    }
    if (!cancelled) await attempt('alert', async () => void (await raiseFailureAlertOnce(store, spec.name, this.id, this.trigger.reportId, message, this.clock())));
    await updateAttempt(store, this.id, {
      status: cancelled ? 'cancelled' : 'failed',
      finishedAt: this.clock(),
      ...(this.runId ? { runId: this.runId } : {}),
      ...(this.version !== undefined ? { version: this.version } : {}),
      reason,
      error: [message, ...problems].join('\n'),
    });
    this.progress(cancelled ? 'cancelled' : 'failed', reason, 1);
  }
}
