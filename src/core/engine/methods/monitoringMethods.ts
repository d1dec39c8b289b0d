import { DriftInputError } from '../../drift/columnDrift';
import type { DriftReport } from '../../drift/driftTypes';
import { summarizeEndpointFeedback, type ModelFeedbackSummary } from '../../feedback/modelFeedbackStore';
import { acknowledgeAlerts, driftHistory, openAlerts, storedDriftReport, type DriftHistoryEntry } from '../../monitoring/driftHistory';
import { endpointTrafficRecords, endpointTrafficRows, type TrafficRecords, type TrafficWindow } from '../../monitoring/endpointTraffic';
import { recordMonitorReport, resolveModelReference, type ModelReference } from '../../monitoring/monitorRecords';
import { loadMonitorSpec } from '../../monitoring/monitorSpecParser';
import { claimScheduleLease, releaseScheduleLease, type ScheduleClaim } from '../../monitoring/scheduleLease';
import type { CostPrices } from '../../process/runCost';
import type { BackendPreference } from '../../process/workerProtocol';
import { backendParam, followParams, pricesParam } from './jobParams';
import { modelRegistryFor } from '../../registry/registryAccess';
import type { AliasReview, RegisteredModel } from '../../registry/registryTypes';
import { cooldownEnd, retrainAttempts, type RetrainAttempt, type RetrainTrigger } from '../../retraining/retrainAttempts';
import { cancelRetrainJob, retrainStatus, startRetrainJob, type RetrainStart, type RetrainStatus } from '../../retraining/retrainJobs';
import { planRetrain, type RetrainPlan } from '../../retraining/retrainRunner';
import type { EngineContext, EngineMethodTable } from '../engineMethod';

/* Params come from another process: every one is checked before it reaches the store. */

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new DriftInputError(`${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

function positiveInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new DriftInputError(`${what} must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

function optionalInt(value: unknown, what: string): number | undefined {
  return value === undefined ? undefined : positiveInt(value, what);
}

function trafficWindow(value: unknown): TrafficWindow {
  if (typeof value !== 'object' || value === null) throw new DriftInputError(`window must be an object { last?, hours? }, got ${JSON.stringify(value)}`);
  const { last, hours } = value as Record<string, unknown>;
  if (hours !== undefined && (typeof hours !== 'number' || !(hours > 0))) throw new DriftInputError(`window.hours must be a positive number, got ${JSON.stringify(hours)}`);
  return { ...(last !== undefined ? { last: positiveInt(last, 'window.last') } : {}), ...(hours !== undefined ? { hours } : {}) };
}

function trigger(value: unknown): RetrainTrigger | undefined {
  if (value === undefined) return undefined;
  const t = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (t.kind !== 'alert' && t.kind !== 'manual') throw new DriftInputError(`trigger.kind must be "alert" or "manual", got ${JSON.stringify(t.kind)}`);
  const alertId = optionalInt(t.alertId, 'trigger.alertId');
  const reportId = optionalInt(t.reportId, 'trigger.reportId');
  return { kind: t.kind, ...(alertId !== undefined ? { alertId } : {}), ...(reportId !== undefined ? { reportId } : {}) };
}

function report(value: unknown): DriftReport {
  const r = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (!Array.isArray(r.columns) || typeof r.datasetDrift !== 'boolean' || typeof r.createdAt !== 'number' || typeof r.reference !== 'object' || typeof r.current !== 'object') {
    throw new DriftInputError('report must be a drift report (columns, datasetDrift, createdAt, reference, current)');
  }
  return value as DriftReport;
}

/** A window that stops renewing must not keep the schedule for longer than this. */
const MAX_SCHEDULE_TTL_MS = 3_600_000;

/** One monitor as the Monitors view (and `mlops monitor list`) shows it. */
export interface MonitorTreeEntry {
  readonly name: string;
  readonly last: DriftHistoryEntry | null;
  readonly openAlerts: number;
  /** only asked for monitors with a retraining policy */
  readonly lastRetrain: RetrainAttempt | null;
}

/** What the drift panel of a monitor shows, in one request. */
export interface DriftPanelData {
  readonly history: DriftHistoryEntry[];
  readonly openAlerts: number;
  readonly newest: { readonly id: number; readonly report: DriftReport } | null;
  /** for a monitor of an endpoint's traffic: what applications said about its answers */
  readonly endpointFeedback: ModelFeedbackSummary | null;
}

/** Monitors, drift reports, alerts and retraining attempts: what windows and the CLI ask the store's holder. */
export const monitoringMethods = {
  'monitoring.treeState': ({ store }: EngineContext, params: { monitors: readonly { name: string; retrain?: boolean }[] }): MonitorTreeEntry[] => {
    if (!Array.isArray(params.monitors)) throw new DriftInputError('monitors must be a list of { name, retrain? }');
    return params.monitors.map((m) => {
      const name = text(m.name, 'monitors[].name');
      return {
        name,
        last: driftHistory(store, name, 1)[0] ?? null,
        openAlerts: openAlerts(store, name).length,
        lastRetrain: m.retrain === true ? (retrainAttempts(store, name, 1)[0] ?? null) : null,
      };
    });
  },
  'monitoring.history': ({ store }: EngineContext, params: { monitor: string; limit?: number }): DriftHistoryEntry[] =>
    driftHistory(store, text(params.monitor, 'monitor'), optionalInt(params.limit, 'limit')),
  'monitoring.driftPanelState': ({ store }: EngineContext, params: { monitor: string; endpoint?: { name: string; sinceHours?: number } }): DriftPanelData => {
    const monitor = text(params.monitor, 'monitor');
    const history = driftHistory(store, monitor);
    const newestEntry = history.at(-1);
    const newestReport = newestEntry ? storedDriftReport(store, newestEntry.id) : undefined;
    let endpointFeedback: ModelFeedbackSummary | null = null;
    if (params.endpoint !== undefined) {
      const hours = params.endpoint.sinceHours;
      if (hours !== undefined && (typeof hours !== 'number' || !(hours > 0))) throw new DriftInputError(`endpoint.sinceHours must be a positive number, got ${JSON.stringify(hours)}`);
      endpointFeedback = summarizeEndpointFeedback(store.database, text(params.endpoint.name, 'endpoint.name'), hours === undefined ? 0 : Date.now() - hours * 3_600_000);
    }
    return {
      history,
      openAlerts: openAlerts(store, monitor).length,
      newest: newestEntry && newestReport ? { id: newestEntry.id, report: newestReport } : null,
      endpointFeedback,
    };
  },
  'monitoring.report': ({ store }: EngineContext, params: { id: number; monitor?: string }): DriftReport | null =>
    storedDriftReport(store, positiveInt(params.id, 'id'), params.monitor === undefined ? undefined : text(params.monitor, 'monitor')) ?? null,
  'monitoring.acknowledgeAlerts': async ({ store }: EngineContext, params: { monitor: string }): Promise<{ acknowledged: number }> => {
    const monitor = text(params.monitor, 'monitor');
    const open = openAlerts(store, monitor).length;
    await acknowledgeAlerts(store, monitor);
    return { acknowledged: open };
  },
  'monitoring.recordReport': async ({ store }: EngineContext, params: { monitor: string; report: DriftReport; alert?: string; modelVersion?: { name: string; version: number } }): Promise<{ reportId: number }> => {
    const modelVersion = params.modelVersion === undefined ? undefined : { name: text(params.modelVersion.name, 'modelVersion.name'), version: positiveInt(params.modelVersion.version, 'modelVersion.version') };
    const alert = params.alert === undefined ? undefined : text(params.alert, 'alert');
    return { reportId: await recordMonitorReport(store, text(params.monitor, 'monitor'), report(params.report), alert, modelVersion) };
  },
  'monitoring.modelReference': ({ store }: EngineContext, params: { uri: string; monitorFile: string }): Promise<ModelReference> =>
    resolveModelReference(store, text(params.uri, 'uri'), text(params.monitorFile, 'monitorFile')),
  'monitoring.trafficRecords': ({ store }: EngineContext, params: { endpoint: string; window: TrafficWindow }): TrafficRecords =>
    endpointTrafficRecords(store, text(params.endpoint, 'endpoint'), trafficWindow(params.window)),
  'monitoring.trafficRows': ({ store }: EngineContext, params: { endpoint: string }): { rows: number } => ({ rows: endpointTrafficRows(store, text(params.endpoint, 'endpoint')) }),
  /**
   * Scheduled monitors run in the one window that holds this lease (renewed before `ttlMs`
   * runs out); another window gets it once the holder has not renewed within its ttl.
   */
  'monitoring.claimSchedule': ({ store }: EngineContext, params: { clientId: string; ttlMs: number }): ScheduleClaim => {
    const ttlMs = positiveInt(params.ttlMs, 'ttlMs');
    if (ttlMs > MAX_SCHEDULE_TTL_MS) throw new DriftInputError(`ttlMs must be at most ${MAX_SCHEDULE_TTL_MS} (an hour), got ${ttlMs}`);
    return claimScheduleLease(store, text(params.clientId, 'clientId'), ttlMs);
  },
  /** A closing window hands the schedule on at once. */
  'monitoring.releaseSchedule': ({ store }: EngineContext, params: { clientId: string }): { released: boolean } => ({ released: releaseScheduleLease(store, text(params.clientId, 'clientId')) }),

  'monitoring.retrainPlan': async ({ store }: EngineContext, params: { monitorFile: string; ignoreCooldown?: boolean; trigger?: RetrainTrigger }): Promise<RetrainPlan> => {
    const spec = await loadMonitorSpec(text(params.monitorFile, 'monitorFile'));
    const given = trigger(params.trigger);
    return planRetrain(spec, { store, ignoreCooldown: params.ignoreCooldown === true, ...(given ? { trigger: given } : {}) });
  },
  'monitoring.startRetrain': async (
    { store }: EngineContext,
    params: { monitorFile: string; trigger?: RetrainTrigger; ignoreCooldown?: boolean; backend?: BackendPreference; prices?: CostPrices },
  ): Promise<RetrainStart> => {
    const spec = await loadMonitorSpec(text(params.monitorFile, 'monitorFile'));
    const given = trigger(params.trigger);
    const chosen = backendParam(params.backend);
    const priced = pricesParam(params.prices);
    return startRetrainJob(store, spec, { ignoreCooldown: params.ignoreCooldown === true, ...(given ? { trigger: given } : {}), ...(chosen ? { backend: chosen } : {}), ...(priced ? { prices: priced } : {}) });
  },
  'monitoring.retrainStatus': ({ store }: EngineContext, params: { attemptId: number; from?: number; waitMs?: number }): Promise<RetrainStatus> => {
    const { from, waitMs } = followParams(params);
    return retrainStatus(store, positiveInt(params.attemptId, 'attemptId'), from, waitMs);
  },
  'monitoring.cancelRetrain': ({ store }: EngineContext, params: { attemptId: number }): { cancelling: boolean } => ({ cancelling: cancelRetrainJob(store, positiveInt(params.attemptId, 'attemptId')) }),
  'monitoring.retrainAttempts': ({ store }: EngineContext, params: { monitor: string; limit?: number }): RetrainAttempt[] => retrainAttempts(store, text(params.monitor, 'monitor'), optionalInt(params.limit, 'limit')),
  'monitoring.retrainCooldown': ({ store }: EngineContext, params: { monitor: string; cooldownHours: number }): { lastStartedAt: number; endsAt: number } | null => {
    if (typeof params.cooldownHours !== 'number' || !(params.cooldownHours >= 0)) throw new DriftInputError(`cooldownHours must be a non-negative number, got ${JSON.stringify(params.cooldownHours)}`);
    return cooldownEnd(store, text(params.monitor, 'monitor'), params.cooldownHours) ?? null;
  },
  /** The registered model a retraining attempt changed (for "Show Model History"); null when it is gone. */
  'monitoring.retrainedModel': ({ store }: EngineContext, params: { model: string }): RegisteredModel | null => modelRegistryFor(store).findModel(text(params.model, 'model')) ?? null,
  /** The review an attempt filed (for "Approve Review…"). */
  'monitoring.retrainReview': ({ store }: EngineContext, params: { reviewId: number }): AliasReview => modelRegistryFor(store).getReview(positiveInt(params.reviewId, 'reviewId')),
  /** Registered versions a new monitor can watch (aliased ones first): "Create Monitor…" from the palette. */
  'monitoring.watchableVersions': ({ store }: EngineContext, _params: Record<string, never>): { name: string; version: number; aliases: string[] }[] => {
    const registry = modelRegistryFor(store);
    return registry
      .listModels()
      .flatMap((m) => registry.listVersions(m.name))
      .map((v) => ({ name: v.name, version: v.version, aliases: [...v.aliases] }));
  },
} satisfies EngineMethodTable;
