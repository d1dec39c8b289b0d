import * as vscode from 'vscode';
import { PRODUCT_VERSION } from '../core/product/productInfo';
import { DASHBOARD_VIEW_TYPE } from '../protocol/dashboard/dashboardContract';
import { FEEDBACK_VIEW_TYPE } from '../protocol/feedback/feedbackContract';
import { FEATURE_CATALOG_VIEW_TYPE } from '../protocol/featureCatalog/featureCatalogContract';
import { DRIFT_VIEW_TYPE } from '../protocol/drift/driftContract';
import { PROFILE_VIEW_TYPE } from '../protocol/profile/profileContract';
import { MODEL_REVIEW_VIEW_TYPE } from '../protocol/modelReview/modelReviewContract';
import { LINEAGE_VIEW_TYPE } from '../protocol/lineage/lineageContract';
import { RUNS_VIEW_TYPE } from '../protocol/runs/runsContract';
import { registerWorkbenchCommands } from './commands/workbenchCommands';
import { openWalkthroughOnFirstStart } from './walkthrough/firstStartWalkthrough';
import { trackWalkthroughProgress } from './walkthrough/walkthroughProgress';
import { applyUserIdentity } from './settings/userIdentity';
import type { DashboardDependencies } from './dashboard/dashboardPanel';
import { registerReviewTextEvaluationCommand } from './feedback/reviewTextEvaluationCommand';
import { registerLineageCommands } from './lineage/lineageCommands';
import { JobStatusBar } from './jobs/jobStatusBar';
import { EngineJobsFollower } from './jobs/engineJobsFollower';
import { registerRunScriptCommand } from './scripts/runScriptCommand';
import { registerCodeInsights } from './codeInsights/registerCodeInsights';
import { registerCompareRunCode } from './codeInsights/compareRunCode';
import { registerRerunCommand } from './training/rerunCommand';
import { registerProfileDataFileCommand } from './profile/profileDataFileCommand';
import { registerProfileEditor } from './profile/profileEditorProvider';
import { registerServerCommands, TrackingServerService } from './server/trackingServerService';
import { StoreService, TRACKING_TOKEN_SECRET } from './store/storeService';
import { registerFindBestModelCommand } from './training/findBestModelCommand';
import { registerTrainingCommands } from './training/trainModelCommand';
import { registerTrainSpecDiagnostics } from './training/trainSpecDiagnostics';
import { registerTuneCommand } from './training/tuneCommand';
import { registerEvaluateTextCommand } from './textEval/evaluateTextCommand';
import { ExperimentsTreeProvider, type ExperimentsNode } from './experiments/experimentsTreeProvider';
import { registerRunItemCommands } from './experiments/runItemCommands';
import { registerCreateFeatureSpecCommand } from './features/createFeatureSpecCommand';
import type { FeatureTreeNode } from './features/featureTreeModel';
import { FeaturesTreeProvider } from './features/featuresTreeProvider';
import { registerMaterializeFeaturesCommand } from './features/materializeFeaturesCommand';
import { registerModelReviewCommands } from './modelReview/modelReviewCommands';
import { registerModelsCommands } from './models/modelsCommands';
import { ModelsTreeProvider, type ModelsNode } from './models/modelsTreeProvider';
import { registerRunsCommands } from './runs/runsCommands';
import { registerEndpointsCommands } from './endpoints/endpointsCommands';
import { EndpointsService } from './endpoints/endpointsService';
import { EndpointsTreeProvider } from './endpoints/endpointsTreeProvider';
import type { RunsPanelDependencies } from './runs/runsPanel';
import { MonitorScheduler } from './monitors/monitorScheduler';
import { registerCreateMonitorCommand } from './monitors/createMonitorCommand';
import { registerMonitorsCommands } from './monitors/monitorsCommands';
import { MonitorsTreeProvider, type MonitorNode } from './monitors/monitorsTreeProvider';

let storeService: StoreService | undefined;
let serverService: TrackingServerService | undefined;
let endpointsService: EndpointsService | undefined;

/**
 * Activation registers contributions and nothing else: no store, no sql.js, no TensorFlow.js,
 * no chart code. Each loads on first use (bench/activation measures this).
 */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('MLOps Studio', { log: true });
  log.info(`MLOps Studio ${PRODUCT_VERSION} activating (VS Code ${vscode.version}, ${vscode.env.appHost}, trusted: ${vscode.workspace.isTrusted})`);
  storeService = new StoreService(log, context.secrets);
  const deps: DashboardDependencies = { extensionUri: context.extensionUri, storeService, log };
  const jobs = new JobStatusBar();
  serverService = new TrackingServerService(storeService);
  const runsDeps: RunsPanelDependencies = { ...deps, workspaceState: context.workspaceState };

  const features = new FeaturesTreeProvider();
  const featuresChanged = (): void => {
    features.refresh();
    void import('./features/featureCatalogPanel').then(({ FeatureCatalogPanel }) => FeatureCatalogPanel.changed());
  };
  const experiments = new ExperimentsTreeProvider(storeService);
  const experimentsView = vscode.window.createTreeView<ExperimentsNode>('mlops.experiments', { treeDataProvider: experiments, canSelectMany: true, showCollapseAll: true });
  experiments.view = experimentsView;
  const models = new ModelsTreeProvider(storeService);
  const modelsView = vscode.window.createTreeView<ModelsNode>('mlops.models', { treeDataProvider: models, canSelectMany: true, showCollapseAll: true });
  models.view = modelsView;
  const monitors = new MonitorsTreeProvider(storeService);
  const monitorsView = vscode.window.createTreeView<MonitorNode>('mlops.monitors', { treeDataProvider: monitors });
  monitors.view = monitorsView;
  endpointsService = new EndpointsService(storeService, log);
  deps.endpoints = endpointsService;
  const endpointsTree = new EndpointsTreeProvider(endpointsService);
  context.subscriptions.push(
    log,
    storeService,
    experiments,
    experimentsView,
    models,
    modelsView,
    ...registerModelsCommands({ storeService, log, refresh: () => models.refresh() }),
    ...registerModelReviewCommands(deps),
    features,
    vscode.window.createTreeView<FeatureTreeNode>('mlops.features', { treeDataProvider: features, showCollapseAll: true }),
    registerMaterializeFeaturesCommand({ storeService, jobs, log, changed: featuresChanged }),
    registerCreateFeatureSpecCommand(),
    vscode.commands.registerCommand('mlops.openFeatureCatalog', async () => {
      const { FeatureCatalogPanel } = await import('./features/featureCatalogPanel');
      FeatureCatalogPanel.show(deps);
    }),
    vscode.window.registerWebviewPanelSerializer(FEATURE_CATALOG_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel): Promise<void> => {
        const { FeatureCatalogPanel } = await import('./features/featureCatalogPanel');
        FeatureCatalogPanel.revive(panel, deps);
      },
    }),
    monitors,
    monitorsView,
    ...registerMonitorsCommands({ storeService, jobs, tree: monitors, extensionUri: context.extensionUri, log }),
    registerCreateMonitorCommand(storeService),
    new MonitorScheduler({ storeService, jobs, tree: monitors, extensionUri: context.extensionUri, log }),
    new EngineJobsFollower(storeService, jobs, log),
    endpointsService,
    endpointsTree,
    vscode.window.registerTreeDataProvider('mlops.endpoints', endpointsTree),
    ...registerEndpointsCommands({ service: endpointsService, jobs, log }),
    vscode.commands.registerCommand('mlops.copyRunId', async (node?: ExperimentsNode) => {
      if (node?.kind !== 'run') return;
      await vscode.env.clipboard.writeText(node.run.info.runId);
      void vscode.window.setStatusBarMessage(`$(check) Copied run id ${node.run.info.runId}`, 3000);
    }),
    vscode.commands.registerCommand('mlops.openDashboard', async () => {
      const { DashboardPanel } = await import('./dashboard/dashboardPanel');
      DashboardPanel.show(deps);
    }),
    vscode.commands.registerCommand('mlops.refresh', () => storeService?.refresh()),
    vscode.commands.registerCommand('mlops.setTrackingToken', async () => {
      const token = await vscode.window.showInputBox({
        title: 'MLOps: token for the MLflow tracking server (mlops.tracking.uri)',
        prompt: 'Sent as "Authorization: Bearer <token>". Kept in VS Code\'s secret storage, never in settings. Leave empty to remove it.',
        password: true,
        ignoreFocusOut: true,
      });
      if (token === undefined) return;
      if (token === '') await context.secrets.delete(TRACKING_TOKEN_SECRET);
      else await context.secrets.store(TRACKING_TOKEN_SECRET, token);
      storeService?.refresh();
      void vscode.window.setStatusBarMessage(token ? '$(check) Tracking server token saved' : '$(check) Tracking server token removed', 3000);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mlops.tracking.uri')) storeService?.refresh();
    }),
    jobs,
    serverService,
    ...registerServerCommands(serverService, log),
    registerRunScriptCommand({ storeService, server: serverService, jobs, log, workspaceState: context.workspaceState }),
    ...registerWorkbenchCommands(log),
    ...registerTrainingCommands({ storeService, jobs, log }),
    registerTuneCommand({ storeService, jobs, log }),
    ...registerFindBestModelCommand({ storeService, jobs, log }),
    registerTrainSpecDiagnostics(),
    registerCodeInsights(storeService),
    ...registerCompareRunCode({ storeService, log, selection: () => experimentsView.selection }),
    registerRerunCommand({ storeService, jobs, log }),
    ...registerRunsCommands(runsDeps, () => experimentsView.selection),
    ...registerRunItemCommands({ storeService, jobs, log, refresh: () => experiments.refresh(), selection: () => experimentsView.selection, row: (runId) => experiments.runRow(runId) }),
    registerEvaluateTextCommand({ storeService, log }),
    registerProfileDataFileCommand(deps),
    registerProfileEditor(deps),
    vscode.window.registerWebviewPanelSerializer(PROFILE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown): Promise<void> => {
        const { ProfilePanel } = await import('./profile/profilePanel');
        ProfilePanel.revive(panel, state, deps);
      },
    }),
    registerReviewTextEvaluationCommand(deps),
    ...registerLineageCommands(runsDeps),
    vscode.window.registerWebviewPanelSerializer(LINEAGE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown): Promise<void> => {
        const { LineagePanel } = await import('./lineage/lineagePanel');
        LineagePanel.revive(panel, state, runsDeps);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(FEEDBACK_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown): Promise<void> => {
        const { FeedbackPanel } = await import('./feedback/feedbackPanel');
        FeedbackPanel.revive(panel, state, deps);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(DRIFT_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown): Promise<void> => {
        const { DriftPanel } = await import('./drift/driftPanel');
        DriftPanel.revive(panel, state, deps);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(MODEL_REVIEW_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown): Promise<void> => {
        const { ModelReviewPanel } = await import('./modelReview/modelReviewPanel');
        ModelReviewPanel.revive(panel, state, deps);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(RUNS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown): Promise<void> => {
        const { RunsPanel } = await import('./runs/runsPanel');
        RunsPanel.revive(panel, state, runsDeps);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel): Promise<void> => {
        const { DashboardPanel } = await import('./dashboard/dashboardPanel');
        DashboardPanel.revive(panel, deps);
      },
    }),
  );
  context.subscriptions.push(trackWalkthroughProgress(storeService, endpointsService, log), applyUserIdentity(log));
  void openWalkthroughOnFirstStart(context.globalStorageUri, log);
}

/** The window lets go of the engine; the engine stops by itself once idle (endpoints keep it up). */
export async function deactivate(): Promise<void> {
  await endpointsService?.stopAll();
  endpointsService = undefined;
  serverService = undefined;
  await storeService?.close();
  storeService = undefined;
}
