import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inProcessEngine } from '../../../src/core/engine/engineInProcess';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import type { TrackingStore } from '../../../src/core/tracking/trackingStore';
import type * as TreeModule from '../../../src/vscode/experiments/experimentsTreeProvider';
import type * as CommandsModule from '../../../src/vscode/experiments/runItemCommands';
import type { JobStatusBar } from '../../../src/vscode/jobs/jobStatusBar';
import type { StoreService } from '../../../src/vscode/store/storeService';
import { tempStoreDir } from '../store/testSupport';

const { fake } = require('../../support/loadWithFakeVscode.cjs') as { fake: { commands: Record<string, unknown>; window: Record<string, unknown> } };

type Node = TreeModule.ExperimentsNode;

/**
 * What VS Code's extension host does with a tree: it keeps handle → element for the rows it shows,
 * forgets them as soon as it starts re-reading after a change, and turns a context-menu click on a
 * row into the command's argument through that map (`undefined` for a handle it no longer has).
 */
class ExtensionHostTree {
  private readonly elements = new Map<string, Node>();
  rereads = 0;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly provider: TreeModule.ExperimentsTreeProvider,
    private readonly expanded: ReadonlySet<string>,
  ) {
    provider.onDidChangeTreeData(() => {
      this.rereads++;
      this.elements.clear();
      this.reading = this.read(undefined);
    });
  }

  /** The first look at the view: the root, then every expanded row. */
  open(): Promise<void> {
    this.reading = this.read(undefined);
    return this.reading;
  }

  /** The current re-read, once it is done. */
  settled(): Promise<void> {
    return this.reading;
  }

  /** A click on a row's menu entry: the argument the command receives. */
  argumentFor(itemId: string): Node | undefined {
    return this.elements.get(itemId);
  }

  rowIds(): string[] {
    return [...this.elements.keys()];
  }

  private async read(parent: Node | undefined): Promise<void> {
    for (const child of await this.provider.getChildren(parent)) {
      const id = this.provider.getTreeItem(child).id ?? '';
      this.elements.set(id, child);
      if (this.expanded.has(id)) await this.read(child);
    }
  }
}

/**
 * The Experiments view re-reads its runs while a context menu is open on one of them (a star, a
 * training logging, the engine reporting a change). VS Code resolves the clicked row only when
 * the command runs: the row must still be known then, or the command asks "which run?" as from
 * the palette (seen in VS Code for Edit Run Note… and Restore Run).
 */
describe('a row’s menu while the Experiments view re-reads', () => {
  let store: WorkspaceStore;
  let cleanup: () => void;
  let tree: typeof TreeModule;
  let commands: typeof CommandsModule;
  /** while set, the engine has not answered the runs search yet */
  let engineBusy: Promise<void> | undefined;
  const handlers = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  const asked: string[] = [];

  before(async () => {
    const temp = tempStoreDir('mlops-tree-reload-');
    cleanup = temp.cleanup;
    store = await openWorkspaceStore({ dir: temp.dir, writerName: 'tree reload test' });
    fake.commands.registerCommand = (id: string, handler: (...args: unknown[]) => Promise<unknown>) => (handlers.set(id, handler), { dispose() {} });
    fake.window.showQuickPick = async (_items: unknown, options: { title?: string }) => void asked.push(options.title ?? 'a quick pick');
    fake.window.setStatusBarMessage = () => ({ dispose() {} });
    fake.window.showErrorMessage = async (message: string) => void asked.push(`error: ${message}`);
    tree = await import('../../../src/vscode/experiments/experimentsTreeProvider');
    commands = await import('../../../src/vscode/experiments/runItemCommands');
  });
  after(async () => {
    await store.close();
    cleanup();
  });

  test('Restore Run on a deleted run restores that run, without asking which, while the view waits on the engine', async () => {
    const experimentId = await store.tracking.createExperiment('penguins');
    const baseline = await store.tracking.createRun({ experimentId, runName: 'baseline', ownerPid: null });
    await store.tracking.updateRun(baseline.info.runId, { status: 'FINISHED', endTime: Date.now() });
    const other = await store.tracking.createRun({ experimentId, runName: 'other', ownerPid: null });
    await store.tracking.updateRun(other.info.runId, { status: 'FINISHED', endTime: Date.now() });
    await store.tracking.deleteRun(baseline.info.runId);

    // The window as the engine's client; its runs searches wait while the engine is busy.
    const slowTracking = new Proxy(store.tracking, {
      get(target, key, receiver): unknown {
        if (key === 'searchRuns') return async (...args: Parameters<TrackingStore['searchRuns']>) => (await engineBusy, target.searchRuns(...args));
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const access = { state: 'client', origin: 'engine', dir: store.dir, url: 'http://127.0.0.1:1', token: null, tracking: slowTracking, engine: inProcessEngine(store), message: '' };
    const storeService = { access: async () => access, onDidChange: () => ({ dispose() {} }), refresh: () => undefined } as unknown as StoreService;
    const provider = new tree.ExperimentsTreeProvider(storeService);
    const host = new ExtensionHostTree(provider, new Set([`experiment:${experimentId}`, `deleted:${experimentId}`]));
    const log = { info: () => undefined, error: (m: string) => asked.push(`log: ${m}`) } as unknown as CommandsModule.RunItemCommandDependencies['log'];
    commands.registerRunItemCommands({ storeService, jobs: {} as JobStatusBar, log, refresh: () => provider.refresh(), selection: () => [], row: (runId) => provider.runRow(runId) });

    await host.open();
    const deletedRow = `run:${baseline.info.runId}`;
    assert.ok(host.argumentFor(deletedRow), `the deleted run is shown under "Deleted runs": ${host.rowIds().join(', ')}`);

    // Something changes; the view re-reads, and the engine takes its time to answer.
    let engineAnswers = (): void => undefined;
    engineBusy = new Promise<void>((resolve) => (engineAnswers = resolve));
    provider.refresh();
    // The user clicks Restore Run on the row still on screen.
    const clicked = host.argumentFor(deletedRow);
    const restoring = handlers.get('mlops.restoreRun')?.(clicked);
    engineAnswers();
    engineBusy = undefined;
    await restoring;
    assert.deepEqual(asked, [], 'no “which run?” quick pick: the command got its row');
    assert.equal((await store.tracking.getRun(baseline.info.runId)).info.lifecycleStage, 'active', 'the clicked run is restored');

    // Then the view shows it among the active runs, and the “Deleted runs” group is gone.
    const shown = async (check: () => boolean): Promise<void> => {
      for (;;) {
        const changed = new Promise<void>((resolve) => {
          const listening = provider.onDidChangeTreeData(() => (listening.dispose(), resolve()));
        });
        await host.settled();
        if (check()) return;
        await changed;
      }
    };
    const restored = (): boolean => {
      const row = host.argumentFor(deletedRow);
      return host.argumentFor(`deleted:${experimentId}`) === undefined && row?.kind === 'run' && row.run.info.lifecycleStage === 'active';
    };
    await shown(restored);
    assert.ok(restored());

    // A change that leaves the view as it is (elsewhere in the store) does not make VS Code forget its rows.
    const rereads = host.rereads;
    await provider.refresh();
    assert.equal(host.rereads, rereads, 'nothing changed: no re-read, the rows stay resolvable');
    // One that changes a row redraws it.
    await store.tracking.setTag(other.info.runId, 'mlops.starred', 'true');
    await provider.refresh();
    await host.settled();
    assert.equal(host.rereads, rereads + 1);
    const starred = host.argumentFor(`run:${other.info.runId}`);
    assert.ok(starred?.kind === 'run' && starred.run.data.tags.some((t) => t.key === 'mlops.starred'), 'the starred run is redrawn with its star');
    provider.dispose();
  });
});
