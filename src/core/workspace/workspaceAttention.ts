import { openAlerts } from '../monitoring/driftHistory';
import { modelRegistryFor } from '../registry/registryAccess';
import type { WorkspaceStore } from '../store/workspaceStore';

export interface ModelSummary {
  name: string;
  versionCount: number;
  latestVersion: number | null;
  /** champion first, then challenger, then the rest by name */
  aliases: Array<{ alias: string; version: number }>;
}

export interface PendingReviewSummary {
  reviewId: number;
  name: string;
  alias: string;
  version: number;
  previousVersion: number | null;
  requestedBy: string;
  requestedAt: number;
}

export interface AlertSummary {
  monitor: string;
  message: string;
  createdAt: number;
}

/** What needs a look at the start of a day: the models and where their aliases point, promotions waiting for review, drift nobody acknowledged. */
export interface WorkspaceAttention {
  models: ModelSummary[];
  modelCount: number;
  pendingReviews: PendingReviewSummary[];
  alerts: AlertSummary[];
}

const ALIAS_ORDER = ['champion', 'challenger'];

function aliasRank(alias: string): number {
  const i = ALIAS_ORDER.indexOf(alias);
  return i < 0 ? ALIAS_ORDER.length : i;
}

export function readWorkspaceAttention(store: WorkspaceStore, limits: { models: number; reviews: number; alerts: number }): WorkspaceAttention {
  const registry = modelRegistryFor(store);
  const models = registry.listModels().sort((a, b) => b.lastUpdatedTime - a.lastUpdatedTime);
  const reviews = registry.listReviews({ status: 'PENDING' }).sort((a, b) => a.requestedAt - b.requestedAt);
  // One alert a monitor: the newest says the most; the rest are the same drift again.
  const newestPerMonitor = new Map<string, AlertSummary>();
  for (const alert of openAlerts(store)) {
    if (!newestPerMonitor.has(alert.monitor)) newestPerMonitor.set(alert.monitor, { monitor: alert.monitor, message: alert.message, createdAt: alert.createdAt });
  }
  return {
    models: models.slice(0, limits.models).map((m) => ({
      name: m.name,
      versionCount: m.versionCount,
      latestVersion: m.latestVersion,
      aliases: Object.entries(m.aliases)
        .map(([alias, version]) => ({ alias, version }))
        .sort((a, b) => aliasRank(a.alias) - aliasRank(b.alias) || a.alias.localeCompare(b.alias)),
    })),
    modelCount: models.length,
    pendingReviews: reviews.slice(0, limits.reviews).map((r) => ({
      reviewId: r.reviewId,
      name: r.name,
      alias: r.alias,
      version: r.version,
      previousVersion: r.previousVersion,
      requestedBy: r.requestedBy,
      requestedAt: r.requestedAt,
    })),
    alerts: [...newestPerMonitor.values()].slice(0, limits.alerts),
  };
}
