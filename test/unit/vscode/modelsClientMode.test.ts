import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { modelRegistryFor } from '../../../src/core/registry/registryAccess';
import { findModelAndRunUris } from '../../../src/core/registry/modelUriScan';
import type * as CodeInsightsModule from '../../../src/vscode/codeInsights/codeInsightsData';
import type * as ReviewStateModule from '../../../src/vscode/modelReview/modelReviewState';
import type * as CommandsModule from '../../../src/vscode/models/modelsCommands';
import type * as TreeModule from '../../../src/vscode/models/modelsTreeProvider';
import type * as RegistryModule from '../../../src/vscode/models/workspaceRegistry';
import type { StoreAccess, StoreService } from '../../../src/vscode/store/storeService';
import { trainedRun } from '../registry/registryTestSupport';
import { engineClientAccess, startFixture } from '../server/serverTestSupport';

interface Fake {
  commands: Record<string, unknown>;
  window: Record<string, unknown>;
  workspace: Record<string, unknown>;
}
const { fake } = require('../../support/loadWithFakeVscode.cjs') as { fake: Fake };

interface Item {
  label: string;
  description?: string;
  contextValue?: string;
}

/*
 * Issue #17: a window that does not hold the store (state 'client', origin 'writer') shows the
 * Models view, moves aliases through reviews, approves them, shows a model's history, its model
 * cards and the model URIs in code exactly as the holder would, with this window's user named in
 * the audit log — and no message sends the user to another window.
 */
test('a client window lists models, requests and approves a review, shows the history, the cards and model URIs, all on the holder\'s registry', { timeout: 120_000 }, async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const workspace = dirname(fx.dir);
  const actorEnv = process.env.MLOPS_ACTOR;
  try {
    const holder = modelRegistryFor(fx.store);
    const runA = await trainedRun(fx.store, { name: 'first', accuracy: 0.8 });
    const runB = await trainedRun(fx.store, { name: 'second', accuracy: 0.9 });
    await holder.registerVersion(runA, 'penguins', { actor: 'alice' });
    await holder.registerVersion(runB, 'penguins', { actor: 'alice' });
    await holder.setAlias('penguins', 'champion', 1, { actor: 'alice' });
    await holder.setRequireReview('penguins', true, { actor: 'alice' });

    const access: StoreAccess = await engineClientAccess(fx);
    const storeService = { access: async () => access, onDidChange: () => ({ dispose() {} }) } as unknown as StoreService;
    const handlers = new Map<string, (...args: unknown[]) => Promise<unknown>>();
    const infos: string[] = [];
    const problems: string[] = [];
    let history: { provideTextDocumentContent(uri: { path: string }): Promise<string> } | undefined;
    fake.commands.registerCommand = (id: string, handler: (...args: unknown[]) => Promise<unknown>) => (handlers.set(id, handler), { dispose() {} });
    fake.window.showInformationMessage = async (message: string) => void infos.push(message);
    fake.window.showWarningMessage = async (message: string) => void problems.push(message);
    fake.window.showErrorMessage = async (message: string) => void problems.push(message);
    fake.workspace.registerTextDocumentContentProvider = (_scheme: string, provider: typeof history) => ((history = provider), { dispose() {} });
    fake.workspace.workspaceFolders = [{ uri: { fsPath: workspace, scheme: 'file', path: workspace }, name: 'ws', index: 0 }];

    // The Models view: the holder's models, versions with their runs' metrics, no "other window" message.
    const { ModelsTreeProvider } = require('../../../src/vscode/models/modelsTreeProvider') as typeof TreeModule;
    const tree = new ModelsTreeProvider(storeService);
    const view = { message: undefined as string | undefined, visible: true };
    tree.view = view as unknown as NonNullable<typeof tree.view>;
    const models = await tree.getChildren();
    assert.deepEqual(models.map((n) => (tree.getTreeItem(n) as unknown as Item).description), ['2 versions · @champion v1']);
    assert.equal(view.message, undefined);
    const versions = await tree.getChildren(models[0]);
    assert.deepEqual(versions.map((n) => [(tree.getTreeItem(n) as unknown as Item).label, (tree.getTreeItem(n) as unknown as Item).description]), [['v2', 'test_accuracy 0.9'], ['v1', '@champion · test_accuracy 0.8']]);
    assert.equal((tree.getTreeItem(versions[0] as TreeModule.ModelsNode) as unknown as Item).contextValue, 'mlops.modelVersion.reviewed');

    const { registerModelsCommands } = require('../../../src/vscode/models/modelsCommands') as typeof CommandsModule;
    registerModelsCommands({ storeService, log: { info() {}, warn() {}, error: (m: string) => problems.push(m) } as never, refresh: () => tree.refresh() });
    // VS Code reads a tree again when it says it changed: what the view shows once it has.
    const shownOnceChanged = async (parent: TreeModule.ModelsNode, check: (labels: string[]) => boolean): Promise<TreeModule.ModelsNode[]> => {
      for (;;) {
        const changed = new Promise<void>((resolve) => {
          const listening = tree.onDidChangeTreeData(() => (listening.dispose(), resolve()));
        });
        const children = await tree.getChildren(parent);
        if (check(children.map((n) => (tree.getTreeItem(n) as unknown as Item).label))) return children;
        await changed;
      }
    };

    // Set Alias… on v2 of a model that requires review: a review request, as this window's user.
    process.env.MLOPS_ACTOR = 'bob';
    fake.window.showQuickPick = async (items: { alias?: string }[]) => items.find((i) => i.alias === 'champion');
    fake.window.showInputBox = async () => 'newer data';
    await handlers.get('mlops.setAlias')?.(versions[0]);
    assert.deepEqual(problems, []);
    assert.match(infos.join('\n'), /review #1 requested: @champion of penguins → v2/);
    const withReview = await shownOnceChanged(models[0] as TreeModule.ModelsNode, (labels) => labels.includes('Review #1: @champion → v2'));
    assert.equal((tree.getTreeItem(withReview[0] as TreeModule.ModelsNode) as unknown as Item).label, 'Review #1: @champion → v2');

    // Its requester may not approve it (the model's policy); someone else does, and the alias moves in the holder.
    fake.window.showInputBox = async () => 'looks good';
    await handlers.get('mlops.approveReview')?.(withReview[0]);
    assert.match(problems.join('\n'), /was requested by bob, and penguins's review policy needs a different reviewer/);
    problems.length = 0;
    process.env.MLOPS_ACTOR = 'carol';
    await handlers.get('mlops.approveReview')?.(withReview[0]);
    assert.deepEqual(problems, []);
    assert.match(infos.join('\n'), /review #1 approved: @champion of penguins now points to v2/);
    assert.deepEqual(holder.getModel('penguins').aliases, { champion: 2 });
    assert.deepEqual(holder.auditLog({ name: 'penguins', actions: ['review.requested', 'review.approved', 'alias.moved'] }).map((e) => `${e.actor} ${e.action}`), ['bob review.requested', 'carol review.approved', 'carol alias.moved']);

    // Show History: the alias over time and the audit log, read through the engine.
    assert.ok(history, 'the history document provider is registered');
    const markdown = await history.provideTextDocumentContent({ path: '/penguins.md' });
    assert.match(markdown, /\| @champion \| v1 \| .* \| alice \|/);
    assert.match(markdown, /\| @champion \| v2 \| .* \| now \| carol \|/);
    assert.match(markdown, /\| carol \| review\.approved \|/);

    // The model review panel's state: both cards and the metric deltas, from one engine call.
    const { openWorkspaceRegistry } = require('../../../src/vscode/models/workspaceRegistry') as typeof RegistryModule;
    const { modelReviewState } = require('../../../src/vscode/modelReview/modelReviewState') as typeof ReviewStateModule;
    const opened = await openWorkspaceRegistry(storeService);
    assert.ok('registry' in opened, 'a client window has the workspace registry');
    const state = await modelReviewState(await opened.registry.modelCards('penguins', [1, 2]));
    assert.deepEqual(state.versions.map((v) => [v.version, v.aliases]), [[1, []], [2, ['champion']]]);
    const accuracy = state.comparison?.metrics.find((m) => m.key === 'test_accuracy');
    assert.equal(accuracy?.best, 1, 'v2 is the better one');
    assert.ok(Math.abs((accuracy?.deltas[1] ?? 0) - 0.1) < 1e-9);
    assert.deepEqual(state.pendingReviews, []);

    // Model URIs in code: resolved against the holder's registry; a missing alias is named.
    const { CodeInsightsData } = require('../../../src/vscode/codeInsights/codeInsightsData') as typeof CodeInsightsModule;
    const insights = new CodeInsightsData(storeService);
    try {
      const [champion, prod] = findModelAndRunUris('load("models:/penguins@champion"); load("models:/penguins@prod")');
      const resolved = await insights.resolve(champion as NonNullable<typeof champion>);
      assert.equal(resolved?.kind === 'version' ? `${resolved.version.version} ${resolved.run?.info.runName}` : resolved?.kind, '2 second');
      const missing = await insights.resolve(prod as NonNullable<typeof prod>);
      assert.match(missing?.kind === 'unresolved' ? missing.message : String(missing?.kind), /model "penguins" has no alias "prod" \(its aliases: @champion → v2\)/);
    } finally {
      insights.dispose();
    }
    tree.dispose();
  } finally {
    if (actorEnv === undefined) delete process.env.MLOPS_ACTOR;
    else process.env.MLOPS_ACTOR = actorEnv;
    await fx.server.close();
    await fx.close();
  }
});
