/** The Dashboard panel's contract: what its webview may ask and what the host pushes. */

export const DASHBOARD_VIEW_TYPE = 'mlops.dashboard';

export type StoreState =
  /** No store folder yet: it is created by the first run that is logged. */
  | 'absent'
  /** This window holds the store and writes to it. */
  | 'open'
  /** Another process (a second window, the CLI) is the writer and serves no API. */
  | 'locked'
  /** The MLOps engine holds the store for every window and command; this window is its client. */
  | 'engine'
  /** Tracking goes through a server: a team's MLflow server (mlops.tracking.uri). */
  | 'client'
  /** The store exists but could not be opened; `message` says why. */
  | 'error';

export interface DashboardCounts {
  experiments: number;
  runs: number;
  activeRuns: number;
  metricPoints: number;
}

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface RecentRun {
  runId: string;
  runName: string;
  experimentName: string;
  status: RunStatus;
  /** a tuning trial the pruner stopped (status KILLED) */
  pruned?: boolean;
  /** epoch milliseconds */
  startTime: number;
  endTime?: number;
}

/** A registered model, with where its aliases point. */
export interface DashboardModel {
  name: string;
  versionCount: number;
  latestVersion: number | null;
  /** alias → version, champion first */
  aliases: Array<{ alias: string; version: number }>;
}

/** A promotion waiting for a reviewer. */
export interface DashboardReview {
  reviewId: number;
  name: string;
  alias: string;
  version: number;
  previousVersion: number | null;
  requestedBy: string;
  /** epoch milliseconds */
  requestedAt: number;
}

export interface DashboardEndpoint {
  name: string;
  uri: string;
  version: number;
  status: string;
  url: string;
  requests: number;
  errors: number;
  p50Ms: number;
}

/** A drift alert nobody has acknowledged yet. */
export interface DashboardAlert {
  monitor: string;
  message: string;
  /** epoch milliseconds */
  createdAt: number;
}

/** What a click on a dashboard row opens. */
export type DashboardTarget =
  | { kind: 'run'; runId: string }
  | { kind: 'modelVersion'; name: string; version: number }
  | { kind: 'review'; reviewId: number; name: string; version: number; previousVersion: number | null }
  | { kind: 'endpoints' }
  | { kind: 'monitor'; name: string };

export interface DashboardOverview {
  storeDir: string;
  storeState: StoreState;
  /** Why the store is locked or failed to open, in words a user can act on. */
  message?: string;
  counts?: DashboardCounts;
  recentRuns: RecentRun[];
  /** registered models, most recently changed first (at most a few); modelCount says how many there are */
  models: DashboardModel[];
  modelCount: number;
  pendingReviews: DashboardReview[];
  endpoints: DashboardEndpoint[];
  alerts: DashboardAlert[];
  workspaceName: string;
  trusted: boolean;
  version: string;
  /** epoch milliseconds when the host read this overview */
  readAt: number;
}

/** Actions the dashboard's buttons trigger; the host maps each to a command. */
export const DASHBOARD_ACTIONS = ['revealStore', 'openSettings', 'openWalkthrough', 'showLogs', 'trainModel', 'openRuns', 'registerModel', 'serveModel'] as const;
export type DashboardAction = (typeof DASHBOARD_ACTIONS)[number];

export interface DashboardContract {
  requests: {
    getOverview: { params: Record<string, never>; result: DashboardOverview };
  };
  viewNotifications: {
    runAction: { action: DashboardAction };
    open: { target: DashboardTarget };
  };
  hostNotifications: {
    overviewChanged: DashboardOverview;
  };
}
