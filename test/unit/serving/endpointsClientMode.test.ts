import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpEngine } from '../../../src/core/engine/engineClient';
import { subscribeEngineEvents } from '../../../src/core/engine/engineEventStream';
import { MlflowRestClient } from '../../../src/core/remote/mlflowRestClient';
import { stopEndpointsOf } from '../../../src/core/serving/endpointManagers';
import { startTrackingServer, type RunningTrackingServer } from '../../../src/core/server/trackingServer';
import type * as CommandsModule from '../../../src/vscode/endpoints/endpointsCommands';
import type * as ServiceModule from '../../../src/vscode/endpoints/endpointsService';
import type * as TreeModule from '../../../src/vscode/endpoints/endpointsTreeProvider';
import type { StoreAccess, StoreService } from '../../../src/vscode/store/storeService';
import { penguinsFixture, type ServingFixture } from './servingTestSupport';

interface Fake {
  EventEmitter: new () => { event: (listener: () => void) => { dispose(): void }; fire(): void; dispose(): void };
  commands: Record<string, unknown>;
  window: Record<string, unknown>;
  workspace: Record<string, unknown>;
  languages: Record<string, unknown>;
  env: Record<string, unknown>;
}
// The view, the service and the commands import `vscode`: load them with the stand-in.
const { fake } = require('../../support/loadWithFakeVscode.cjs') as { fake: Fake };

interface Item {
  label: string;
  description?: string;
  contextValue?: string;
  tooltip?: { value: string };
}

// Issue #17: the window is a client of the engine that holds the store; the Endpoints view lists
// the engine's endpoints, its commands start and stop them there, and a change made by another
// client (the CLI) reaches the view through the engine's change events.
describe('the Endpoints view and commands in a window that is a client of the engine', { timeout: 240_000 }, () => {
  let f: ServingFixture;
  let server: RunningTrackingServer;
  let events: { dispose(): void };
  let service: ServiceModule.EndpointsService;
  let tree: TreeModule.EndpointsTreeProvider;
  const handlers = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  const infos: string[] = [];
  const problems: string[] = [];
  const shown: string[] = [];

  before(async () => {
    f = await penguinsFixture();
    server = await startTrackingServer({ store: f.store });
    const url = server.url;
    const token = server.token;
    const access: StoreAccess = { state: 'client', origin: 'engine', dir: f.store.dir, url, token, tracking: new MlflowRestClient({ url, token }), engine: httpEngine(url, token), message: `The MLOps engine holds the store and answers at ${url}.` };
    // What the window's StoreService does with the engine's pushed events.
    const changes = new fake.EventEmitter();
    events = subscribeEngineEvents(url, token, { onEvent: (event) => event.topic !== 'tracking' && changes.fire(), onClosed: () => undefined });
    const storeService = { access: async () => access, onDidChange: changes.event, onDidChangeEndpoints: changes.event } as unknown as StoreService;

    let sampleProvider: { provideTextDocumentContent(uri: { path: string }): string } | undefined;
    fake.commands.registerCommand = (id: string, handler: (...args: unknown[]) => Promise<unknown>) => (handlers.set(id, handler), { dispose() {} });
    fake.window.showInformationMessage = async (message: string) => void infos.push(message);
    fake.window.showErrorMessage = async (message: string) => void problems.push(message);
    fake.window.showQuickPick = async (items: { label: string; uri?: string }[]) => items.find((i) => i.label.includes('penguins@champion'));
    fake.window.showInputBox = async () => '';
    fake.window.setStatusBarMessage = () => ({ dispose() {} });
    fake.window.showTextDocument = async (doc: { text: string }) => void shown.push(doc.text);
    fake.workspace.findFiles = async () => [];
    fake.workspace.registerTextDocumentContentProvider = (_scheme: string, provider: typeof sampleProvider) => ((sampleProvider = provider), { dispose() {} });
    fake.workspace.openTextDocument = async (uri: { path: string }) => ({ text: sampleProvider?.provideTextDocumentContent(uri) ?? '' });
    fake.workspace.asRelativePath = (p: string) => p;
    fake.languages.setTextDocumentLanguage = async () => undefined;
    fake.env.clipboard = { writeText: async () => undefined };
    (fake as unknown as Record<string, unknown>).ProgressLocation = { Notification: 15 };
    (fake as unknown as Record<string, unknown>).QuickPickItemKind = { Separator: -1 };
    (fake as unknown as Record<string, unknown>).Uri = { ...(fake as unknown as { Uri: object }).Uri, from: (parts: { scheme: string; path: string }) => parts };

    const { EndpointsService } = require('../../../src/vscode/endpoints/endpointsService') as typeof ServiceModule;
    const { EndpointsTreeProvider } = require('../../../src/vscode/endpoints/endpointsTreeProvider') as typeof TreeModule;
    const { registerEndpointsCommands } = require('../../../src/vscode/endpoints/endpointsCommands') as typeof CommandsModule;
    const log = { info() {}, warn: (m: string) => problems.push(m), error: (m: string) => problems.push(m), debug() {}, show() {} };
    service = new EndpointsService(storeService, log as never);
    tree = new EndpointsTreeProvider(service);
    registerEndpointsCommands({ service, jobs: { start: () => ({ update() {}, end() {} }) } as never, log: log as never });
  });
  after(async () => {
    tree?.dispose();
    service?.dispose();
    events?.dispose();
    await stopEndpointsOf(f.store);
    await server?.close();
    await f?.cleanup();
  });

  const rows = async (): Promise<Item[]> => {
    const nodes = await tree.getChildren();
    return nodes.map((n) => tree.getTreeItem(n) as unknown as Item);
  };
  /** The view's rows once the service has heard of a change that makes `done` hold. */
  const rowsWhen = async (done: (items: Item[]) => boolean): Promise<Item[]> => {
    for (;;) {
      const changed = new Promise<void>((resolve) => {
        const subscription = service.onDidChange(() => (subscription.dispose(), resolve()));
      });
      const items = await rows();
      if (done(items)) return items;
      await changed;
    }
  };

  it('Serve Model… starts the endpoint in the engine, and the view lists it', async () => {
    await handlers.get('mlops.serveModel')?.();
    assert.deepEqual(problems, []);
    assert.match(infos.at(-1) ?? '', /^MLOps: penguins-champion serves version 1 at http:\/\/127\.0\.0\.1:\d+\/invocations$/);
    const [row] = await rows();
    assert.equal(row?.label, 'penguins-champion');
    assert.match(row?.description ?? '', /^v1 · \d+ req · p50 /);
    assert.equal(row?.contextValue, 'endpoint.running');
    assert.match(row?.tooltip?.value ?? '', /models:\/penguins@champion` → version 1 \(follows the alias\)/);
  });

  it('Send Sample Request gets the served model\'s answer', async () => {
    await handlers.get('mlops.sendSampleRequest')?.();
    assert.deepEqual(problems, []);
    const sample = JSON.parse(shown.at(-1) ?? '{}') as { request: { url: string }; response: { status: number; body: { predictions: unknown[] } } };
    assert.match(sample.request.url, /^http:\/\/127\.0\.0\.1:\d+\/invocations$/);
    assert.equal(sample.response.status, 200);
    assert.ok(sample.response.body.predictions.length >= 1);
  });

  it('an endpoint another client stops shows as stopped; Restart starts it again from the view', async () => {
    // the CLI, say: another client of the same engine
    await httpEngine(server.url, server.token).call('endpoints.stop', { name: 'penguins-champion' });
    const stopped = await rowsWhen((items) => items[0]?.contextValue === 'endpoint.stopped');
    assert.deepEqual(
      stopped.map((i) => [i.label, i.description]),
      [['penguins-champion', 'stopped · v1 · models:/penguins@champion']],
    );
    const [node] = await tree.getChildren();
    await handlers.get('mlops.endpoints.restart')?.(node);
    assert.deepEqual(problems, []);
    const [row] = await rowsWhen((items) => items[0]?.contextValue === 'endpoint.running');
    assert.equal(row?.label, 'penguins-champion');
  });

  it('Stop stops it in the engine', async () => {
    const [node] = await tree.getChildren();
    await handlers.get('mlops.endpoints.stop')?.(node);
    assert.deepEqual(problems, []);
    assert.deepEqual((await httpEngine(server.url, server.token).call('endpoints.list', {})).running, []);
    const [row] = await rowsWhen((items) => items[0]?.contextValue === 'endpoint.stopped');
    assert.equal(row?.label, 'penguins-champion');
  });
});
