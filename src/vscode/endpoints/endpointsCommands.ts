import * as vscode from 'vscode';
import type { EngineClient } from '../../core/engine/engineClient';
import type { ServableModel } from '../../core/engine/methods/endpointsMethods';
import { pickDataFile } from '../data/pickDataFile';
import { requireTrust } from '../trust/requireTrust';
import type { JobStatusBar } from '../jobs/jobStatusBar';
import type { EndpointNode } from './endpointsTreeProvider';
import { requestLogRetention, type EndpointsService } from './endpointsService';

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

/** The picker's items: `name@alias` first (they follow promotions), then every version, newest first. */
export function modelUriChoices(models: readonly ServableModel[]): ModelChoice[] {
  const items: ModelChoice[] = [];
  for (const model of models) {
    items.push({ label: model.name, kind: vscode.QuickPickItemKind.Separator, uri: '' });
    for (const v of model.versions) for (const alias of v.aliases) items.push({ label: `$(tag) ${model.name}@${alias}`, description: `→ version ${v.version} · follows the alias`, uri: `models:/${model.name}@${alias}` });
    for (const v of model.versions) items.push({ label: `${model.name} version ${v.version}`, description: v.aliases.map((a) => `@${a}`).join(' '), detail: v.description || undefined, uri: `models:/${model.name}/${v.version}` });
  }
  return items;
}

async function pickModelUri(engine: EngineClient, title: string): Promise<string | undefined> {
  const items = modelUriChoices(await engine.call('endpoints.servable', {}));
  if (!items.some((i) => i.uri)) {
    void vscode.window.showInformationMessage('MLOps: no model version is registered yet. Register a run\'s model from the Experiments view first.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { title, placeHolder: 'A model alias (follows promotions) or a version', matchOnDescription: true }))?.uri;
}

async function pickEndpoint(service: EndpointsService, node: EndpointNode | undefined): Promise<string | undefined> {
  if (node?.kind === 'running') return node.endpoint.name;
  // From the palette: what the holder runs now, not what the view showed last.
  await service.load();
  const running = service.running();
  if (running.length === 0) {
    void vscode.window.showInformationMessage('MLOps: no endpoint is running. Start one with "MLOps: Serve Model…".');
    return undefined;
  }
  if (running.length === 1) return running[0]?.name;
  return (await vscode.window.showQuickPick(running.map((e) => ({ label: e.name, description: `${e.url} · v${e.version}` })), { title: 'MLOps: which endpoint?' }))?.label;
}

/**
 * Serve Model, Stop/Restart/Copy URL, Send Sample Request, Score File. Endpoints run in the
 * process that holds the store; these commands ask it through its engine, so they work the same
 * from the window that holds the store and from any other.
 */
export function registerEndpointsCommands(deps: EndpointsCommandDependencies): vscode.Disposable[] {
  const { service, log } = deps;
  const samples = new Map<string, string>();
  const sampleProvider: vscode.TextDocumentContentProvider = { provideTextDocumentContent: (uri) => samples.get(uri.path) ?? '' };

  const withEngine = async (what: string): Promise<EngineClient | undefined> => {
    const opened = await service.engine();
    if ('message' in opened) {
      void vscode.window.showErrorMessage(`MLOps: cannot ${what} — ${opened.message}`);
      return undefined;
    }
    return opened.engine;
  };
  /** After an action: the view shows its outcome at once, not at the next change event. */
  const reload = (): Promise<void> => service.load();

  return [
    vscode.workspace.registerTextDocumentContentProvider(SAMPLE_SCHEME, sampleProvider),
    vscode.commands.registerCommand('mlops.serveModel', async (uriArg?: string) => {
      if (!(await requireTrust('Serve Model'))) return;
      const engine = await withEngine('serve a model');
      if (!engine) return;
      const uri = typeof uriArg === 'string' ? uriArg : await pickModelUri(engine, 'MLOps: Serve Model').catch((error: unknown) => void vscode.window.showErrorMessage(`MLOps: ${errorText(error)}`));
      if (!uri) return;
      const portText = await vscode.window.showInputBox({
        title: `MLOps: Serve ${uri}`,
        prompt: 'Port on 127.0.0.1 (empty: any free port)',
        validateInput: (text) => (text === '' || (/^\d+$/.test(text) && Number(text) <= 65535) ? undefined : 'A port from 1 to 65535, or empty'),
      });
      if (portText === undefined) return;
      try {
        const { pickOnlineFeatures } = await import('./pickOnlineFeatures');
        const lookups = await pickOnlineFeatures(engine, uri, log);
        if (!lookups) return;
        const logSampleRate = Math.min(1, Math.max(0, vscode.workspace.getConfiguration('mlops.serving').get<number>('logSampleRate', 1)));
        const info = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MLOps: starting an endpoint for ${uri}` }, () =>
          engine.call('endpoints.start', { uri, port: portText === '' ? 0 : Number(portText), limits: { logSampleRate }, requestLog: requestLogRetention(), ...lookups }),
        );
        await reload();
        log.info(`Endpoint ${info.name} serves ${uri} (version ${info.version}) at ${info.url}${info.features ? `, looking up ${info.features.views.join(', ')} from ${info.features.file}` : ''}`);
        const choice = await vscode.window.showInformationMessage(`MLOps: ${info.name} serves version ${info.version} at ${info.url}/invocations`, 'Copy URL', 'Send Sample Request');
        if (choice === 'Copy URL') await vscode.env.clipboard.writeText(`${info.url}/invocations`);
        if (choice === 'Send Sample Request') await vscode.commands.executeCommand('mlops.sendSampleRequest', { kind: 'running', endpoint: info });
      } catch (error) {
        void vscode.window.showErrorMessage(`MLOps: the endpoint for ${uri} did not start: ${errorText(error)}`);
      }
    }),
    vscode.commands.registerCommand('mlops.endpoints.stop', async (node?: EndpointNode) => {
      const engine = await withEngine('stop the endpoint');
      const name = engine ? await pickEndpoint(service, node) : undefined;
      if (!engine || !name) return;
      await engine.call('endpoints.stop', { name }).then(reload, (error: unknown) => vscode.window.showErrorMessage(`MLOps: ${errorText(error)}`));
    }),
    vscode.commands.registerCommand('mlops.endpoints.restart', async (node?: EndpointNode) => {
      if (!(await requireTrust('Restart Endpoint'))) return;
      const engine = await withEngine('restart the endpoint');
      if (!engine) return;
      // A stopped one starts again with the same model URI, port and online feature lookups.
      const name = node?.kind === 'stopped' ? node.name : await pickEndpoint(service, node);
      if (!name) return;
      await vscode.window
        .withProgress({ location: vscode.ProgressLocation.Notification, title: `MLOps: ${node?.kind === 'stopped' ? 'starting' : 'restarting'} ${name}` }, () => engine.call('endpoints.restart', { name }))
        .then(reload, (error: unknown) => vscode.window.showErrorMessage(`MLOps: ${name} did not start: ${errorText(error)}`));
    }),
    vscode.commands.registerCommand('mlops.endpoints.copyUrl', async (node?: EndpointNode) => {
      const name = await pickEndpoint(service, node);
      const endpoint = node?.kind === 'running' ? node.endpoint : service.running().find((e) => e.name === name);
      if (!endpoint) return;
      await vscode.env.clipboard.writeText(`${endpoint.url}/invocations`);
      void vscode.window.setStatusBarMessage(`$(check) Copied ${endpoint.url}/invocations`, 3000);
    }),
    vscode.commands.registerCommand('mlops.sendSampleRequest', async (node?: EndpointNode) => {
      const engine = await withEngine('send a request');
      const name = engine ? await pickEndpoint(service, node) : undefined;
      if (!engine || !name) return;
      try {
        // The holder knows the served version's data; the request goes from here, as a client's would.
        const sample = await engine.call('endpoints.sampleRequest', { name });
        const started = performance.now();
        const response = await fetch(sample.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(sample.body) });
        const ms = performance.now() - started;
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: shown as text
        }
        const path = `/${name}-${Date.now()}.json`;
        samples.set(path, `${JSON.stringify({ request: { method: 'POST', url: sample.url, body: sample.body }, response: { status: response.status, ms: Math.round(ms * 100) / 100, body: parsed } }, null, 2)}\n`);
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SAMPLE_SCHEME, path }));
        await vscode.languages.setTextDocumentLanguage(doc, 'json');
        await vscode.window.showTextDocument(doc, { preview: true });
      } catch (error) {
        void vscode.window.showErrorMessage(`MLOps: the sample request to ${name} failed: ${errorText(error)}`);
      }
    }),
    vscode.commands.registerCommand('mlops.scoreFile', async (fileArg?: vscode.Uri) => {
      if (!(await requireTrust('Score File'))) return;
      const file = fileArg ?? (await pickDataFile({ title: 'MLOps: Score File', placeHolder: 'Data file to score in batch', extensions: ['csv', 'tsv', 'parquet', 'pq'] }));
      if (!file) return;
      const engine = await withEngine('score a file');
      if (!engine) return;
      const uri = await pickModelUri(engine, `MLOps: Score ${vscode.workspace.asRelativePath(file)} with…`).catch((error: unknown) => void vscode.window.showErrorMessage(`MLOps: ${errorText(error)}`));
      if (!uri) return;
      const { scoreFile } = await import('../../core/serving/scoreFile');
      const job = deps.jobs.start(`Scoring ${vscode.workspace.asRelativePath(file)}`);
      try {
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `MLOps: scoring ${vscode.workspace.asRelativePath(file)} with ${uri}`, cancellable: true },
          async (progress, token) => {
            const controller = new AbortController();
            token.onCancellationRequested(() => controller.abort());
            let lastPercent = 0;
            // The package is a folder on this machine: a scoring process of this window reads it, as before.
            const model = await engine.call('endpoints.modelPackage', { uri });
            const scored = await scoreFile(model.packageDir, file.fsPath, undefined, {
              signal: controller.signal,
              onProgress: (p) => {
                const percent = Math.floor((100 * p.bytes) / Math.max(1, p.totalBytes));
                progress.report({ message: `${p.rows.toLocaleString()} rows`, increment: percent - lastPercent });
                lastPercent = percent;
                job.update(`${percent}%`);
              },
            });
            return { ...scored, version: model.version };
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
