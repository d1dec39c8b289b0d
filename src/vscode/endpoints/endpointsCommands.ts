import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { pickDataFile } from '../data/pickDataFile';
import type { ModelRegistry } from '../../core/registry/modelRegistry';
import { requireTrust } from '../trust/requireTrust';
import type { JobStatusBar } from '../jobs/jobStatusBar';
import type { EndpointNode } from './endpointsTreeProvider';
import type { EndpointsService } from './endpointsService';

export interface EndpointsCommandDependencies {
  readonly service: EndpointsService;
  readonly jobs: JobStatusBar;
  readonly log: vscode.LogOutputChannel;
}

const SAMPLE_SCHEME = 'mlops-sample-response';

interface ModelChoice extends vscode.QuickPickItem {
  uri: string;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `name@alias` first (they follow promotions), then every version, newest first. */
async function pickModelUri(registry: ModelRegistry, title: string): Promise<string | undefined> {
  const items: ModelChoice[] = [];
  for (const model of registry.listModels()) {
    const versions = registry.listVersions(model.name);
    items.push({ label: model.name, kind: vscode.QuickPickItemKind.Separator, uri: '' });
    for (const v of versions) for (const alias of v.aliases) items.push({ label: `$(tag) ${model.name}@${alias}`, description: `→ version ${v.version} · follows the alias`, uri: `models:/${model.name}@${alias}` });
    for (const v of versions) items.push({ label: `${model.name} version ${v.version}`, description: v.aliases.map((a) => `@${a}`).join(' '), detail: v.description || undefined, uri: `models:/${model.name}/${v.version}` });
  }
  if (!items.some((i) => i.uri)) {
    void vscode.window.showInformationMessage('MLOps: no model version is registered yet. Register a run\'s model from the Experiments view first.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { title, placeHolder: 'A model alias (follows promotions) or a version', matchOnDescription: true }))?.uri;
}

async function pickEndpoint(service: EndpointsService, node: EndpointNode | undefined): Promise<string | undefined> {
  if (node?.kind === 'running') return node.endpoint.name;
  const running = service.running();
  if (running.length === 0) {
    void vscode.window.showInformationMessage('MLOps: no endpoint is running. Start one with "MLOps: Serve Model…".');
    return undefined;
  }
  if (running.length === 1) return running[0]?.name;
  return (await vscode.window.showQuickPick(running.map((e) => ({ label: e.name, description: `${e.url} · v${e.version}` })), { title: 'MLOps: which endpoint?' }))?.label;
}

/** Serve Model, Stop/Restart/Copy URL, Send Sample Request, Score File. */
export function registerEndpointsCommands(deps: EndpointsCommandDependencies): vscode.Disposable[] {
  const { service, log } = deps;
  const samples = new Map<string, string>();
  const sampleProvider: vscode.TextDocumentContentProvider = { provideTextDocumentContent: (uri) => samples.get(uri.path) ?? '' };

  const withManager = async (what: string): Promise<Awaited<ReturnType<EndpointsService['open']>> | undefined> => {
    const opened = await service.open();
    if ('message' in opened) {
      void vscode.window.showErrorMessage(`MLOps: cannot ${what} — ${opened.message}`);
      return undefined;
    }
    return opened;
  };

  return [
    vscode.workspace.registerTextDocumentContentProvider(SAMPLE_SCHEME, sampleProvider),
    vscode.commands.registerCommand('mlops.serveModel', async (uriArg?: string) => {
      if (!(await requireTrust('Serve Model'))) return;
      const opened = await withManager('serve a model');
      if (!opened || 'message' in opened) return;
      const { modelRegistryFor } = await import('../../core/registry/registryAccess');
      const uri = typeof uriArg === 'string' ? uriArg : await pickModelUri(modelRegistryFor(opened.store), 'MLOps: Serve Model');
      if (!uri) return;
      const portText = await vscode.window.showInputBox({
        title: `MLOps: Serve ${uri}`,
        prompt: 'Port on 127.0.0.1 (empty: any free port)',
        validateInput: (text) => (text === '' || (/^\d+$/.test(text) && Number(text) <= 65535) ? undefined : 'A port from 1 to 65535, or empty'),
      });
      if (portText === undefined) return;
      try {
        const { pickOnlineFeatures } = await import('./pickOnlineFeatures');
        const { inProcessEngine } = await import('../../core/engine/engineClient');
        const lookups = await pickOnlineFeatures(inProcessEngine(opened.store), uri, log);
        if (!lookups) return;
        const info = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MLOps: starting an endpoint for ${uri}` }, () => opened.manager.start({ uri, port: portText === '' ? 0 : Number(portText), limits: { logSampleRate: Math.min(1, Math.max(0, vscode.workspace.getConfiguration('mlops.serving').get<number>('logSampleRate', 1))) }, ...lookups }));
        log.info(`Endpoint ${info.name} serves ${uri} (version ${info.version}) at ${info.url}${info.features ? `, looking up ${info.features.views.join(', ')} from ${info.features.file}` : ''}`);
        const choice = await vscode.window.showInformationMessage(`MLOps: ${info.name} serves version ${info.version} at ${info.url}/invocations`, 'Copy URL', 'Send Sample Request');
        if (choice === 'Copy URL') await vscode.env.clipboard.writeText(`${info.url}/invocations`);
        if (choice === 'Send Sample Request') await vscode.commands.executeCommand('mlops.sendSampleRequest', { kind: 'running', endpoint: info });
      } catch (error) {
        void vscode.window.showErrorMessage(`MLOps: the endpoint for ${uri} did not start: ${errorText(error)}`);
      }
    }),
    vscode.commands.registerCommand('mlops.endpoints.stop', async (node?: EndpointNode) => {
      const name = await pickEndpoint(service, node);
      const opened = name ? await withManager('stop the endpoint') : undefined;
      if (!name || !opened || 'message' in opened) return;
      await opened.manager.stop(name).catch((error: unknown) => vscode.window.showErrorMessage(`MLOps: ${errorText(error)}`));
    }),
    vscode.commands.registerCommand('mlops.endpoints.restart', async (node?: EndpointNode) => {
      if (!(await requireTrust('Restart Endpoint'))) return;
      const opened = await withManager('restart the endpoint');
      if (!opened || 'message' in opened) return;
      if (node?.kind === 'stopped') {
        // Same model URI, port and online feature lookups as before it stopped.
        await vscode.window
          .withProgress({ location: vscode.ProgressLocation.Notification, title: `MLOps: starting ${node.name} again` }, () => opened.manager.startRecorded(node.name))
          .then(undefined, (error: unknown) => vscode.window.showErrorMessage(`MLOps: ${node.name} did not start: ${errorText(error)}`));
        return;
      }
      const name = await pickEndpoint(service, node);
      if (!name) return;
      await opened.manager.restart(name).catch((error: unknown) => vscode.window.showErrorMessage(`MLOps: ${errorText(error)}`));
    }),
    vscode.commands.registerCommand('mlops.endpoints.copyUrl', async (node?: EndpointNode) => {
      const name = await pickEndpoint(service, node);
      const endpoint = service.running().find((e) => e.name === name);
      if (!endpoint) return;
      await vscode.env.clipboard.writeText(`${endpoint.url}/invocations`);
      void vscode.window.setStatusBarMessage(`$(check) Copied ${endpoint.url}/invocations`, 3000);
    }),
    vscode.commands.registerCommand('mlops.sendSampleRequest', async (node?: EndpointNode) => {
      const name = await pickEndpoint(service, node);
      const opened = name ? await withManager('send a request') : undefined;
      if (!name || !opened || 'message' in opened) return;
      const endpoint = opened.manager.get(name);
      try {
        const { modelRegistryFor } = await import('../../core/registry/registryAccess');
        const { loadModelPackage } = await import('../../core/modelPackage/modelPackageLoader');
        const version = modelRegistryFor(opened.store).resolveUri(`models:/${endpoint.modelName}/${endpoint.version}`);
        const model = await loadModelPackage(version.packageDir);
        const { buildSampleRequest, trainingDataCandidates } = await import('../../core/serving/sampleRequest');
        const run = await opened.store.tracking.getRun(version.runId).catch(() => undefined);
        const specPath = run?.data.tags.find((t) => t.key === 'mlops.spec')?.value;
        const body = buildSampleRequest(model.signature, trainingDataCandidates(model.manifest.dataset, specPath, dirname(opened.store.dir)));
        const started = performance.now();
        const response = await fetch(`${endpoint.url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        const ms = performance.now() - started;
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: shown as text
        }
        const path = `/${endpoint.name}-${Date.now()}.json`;
        samples.set(path, `${JSON.stringify({ request: { method: 'POST', url: `${endpoint.url}/invocations`, body }, response: { status: response.status, ms: Math.round(ms * 100) / 100, body: parsed } }, null, 2)}\n`);
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SAMPLE_SCHEME, path }));
        await vscode.languages.setTextDocumentLanguage(doc, 'json');
        await vscode.window.showTextDocument(doc, { preview: true });
      } catch (error) {
        void vscode.window.showErrorMessage(`MLOps: the sample request to ${endpoint.url} failed: ${errorText(error)}`);
      }
    }),
    vscode.commands.registerCommand('mlops.scoreFile', async (fileArg?: vscode.Uri) => {
      if (!(await requireTrust('Score File'))) return;
      const file = fileArg ?? (await pickDataFile({ title: 'MLOps: Score File', placeHolder: 'Data file to score in batch', extensions: ['csv', 'tsv', 'parquet', 'pq'] }));
      if (!file) return;
      const opened = await withManager('score a file');
      if (!opened || 'message' in opened) return;
      const { modelRegistryFor } = await import('../../core/registry/registryAccess');
      const uri = await pickModelUri(modelRegistryFor(opened.store), `MLOps: Score ${vscode.workspace.asRelativePath(file)} with…`);
      if (!uri) return;
      const { scoreFileWithModel } = await import('../../core/serving/scoreFile');
      const job = deps.jobs.start(`Scoring ${vscode.workspace.asRelativePath(file)}`);
      try {
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `MLOps: scoring ${vscode.workspace.asRelativePath(file)} with ${uri}`, cancellable: true },
          async (progress, token) => {
            const controller = new AbortController();
            token.onCancellationRequested(() => controller.abort());
            let lastPercent = 0;
            return scoreFileWithModel(opened.store, uri, file.fsPath, undefined, {
              signal: controller.signal,
              onProgress: (p) => {
                const percent = Math.floor((100 * p.bytes) / Math.max(1, p.totalBytes));
                progress.report({ message: `${p.rows.toLocaleString()} rows`, increment: percent - lastPercent });
                lastPercent = percent;
                job.update(`${percent}%`);
              },
            });
          },
        );
        log.info(`Scored ${file.fsPath} with ${uri} (version ${result.version}): ${result.rows} rows in ${Math.round(result.ms)} ms → ${result.output}`);
        const choice = await vscode.window.showInformationMessage(`MLOps: ${result.rows.toLocaleString()} predictions written to ${vscode.workspace.asRelativePath(result.output)}`, 'Open');
        if (choice === 'Open') await vscode.window.showTextDocument(vscode.Uri.file(result.output));
      } catch (error) {
        if (error instanceof Error && error.name === 'ScoreCancelledError') void vscode.window.setStatusBarMessage('MLOps: scoring cancelled', 3000);
        else void vscode.window.showErrorMessage(`MLOps: scoring ${vscode.workspace.asRelativePath(file)} failed: ${errorText(error)}`);
      } finally {
        job.end();
      }
    }),
  ];
}
