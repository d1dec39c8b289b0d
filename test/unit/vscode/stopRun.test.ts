import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import type { Run } from '../../../src/core/tracking/trackingTypes';
import type { ExperimentsNode } from '../../../src/vscode/experiments/experimentsTreeProvider';
import type * as RunItemActions from '../../../src/vscode/experiments/runItemActions';
import type * as JobStatusBarModule from '../../../src/vscode/jobs/jobStatusBar';
import type { StoreService } from '../../../src/vscode/store/storeService';
import { tempStoreDir } from '../store/testSupport';
import { inProcessEngine } from '../../../src/core/engine/engineInProcess';

type Dialog = { message: string; options: { modal?: boolean; detail?: string }; buttons: string[] };
const { fake } = require('../../support/loadWithFakeVscode.cjs') as {
  fake: { window: Record<string, unknown> };
};

/**
 * Stop Run and Delete Run as the menu runs them, with VS Code's dialogs stubbed: a run of this
 * window's job is cancelled through the job (no dialog, nothing written); a run this window did
 * not start is only marked KILLED after a warning that its process may still run.
 */
describe('Stop Run and Delete Run from the run menu', () => {
  let store: WorkspaceStore;
  let cleanup: () => void;
  let experimentId: string;
  let dialogs: Dialog[];
  let answer: string | undefined;
  let refreshed: number;
  // Imported once the fake `vscode` module is in place.
  let actions: typeof RunItemActions;
  let JobStatusBar: typeof JobStatusBarModule.JobStatusBar;

  before(async () => {
    const temp = tempStoreDir('mlops-stop-');
    cleanup = temp.cleanup;
    store = await openWorkspaceStore({ dir: temp.dir, writerName: 'stop run test' });
    experimentId = await store.tracking.createExperiment('stop');
    fake.window.showWarningMessage = async (message: string, options: Dialog['options'], ...buttons: string[]) => {
      dialogs.push({ message, options, buttons });
      return answer;
    };
    fake.window.showInformationMessage = async (message: string) => {
      dialogs.push({ message, options: {}, buttons: [] });
      return undefined;
    };
    fake.window.setStatusBarMessage = () => ({ dispose() {} });
    actions = await import('../../../src/vscode/experiments/runItemActions');
    ({ JobStatusBar } = await import('../../../src/vscode/jobs/jobStatusBar'));
  });
  after(async () => {
    await store.close();
    cleanup();
  });
  beforeEach(() => {
    dialogs = [];
    answer = undefined;
    refreshed = 0;
  });

  function deps(jobs = new JobStatusBar()): Parameters<typeof actions.stopRuns>[0] {
    // the window as the engine's client (the engine answering in this process)
    const storeService = { access: async () => ({ state: 'client', origin: 'engine', dir: store.dir, url: 'http://127.0.0.1:1', token: null, tracking: store.tracking, engine: inProcessEngine(store), message: '' }), refresh: () => undefined } as unknown as StoreService;
    const log = { info: () => undefined, error: () => undefined } as unknown as Parameters<typeof actions.stopRuns>[0]['log'];
    return { storeService, jobs, log, refresh: () => refreshed++, selection: () => [] };
  }
  const node = (run: Run): Extract<ExperimentsNode, { kind: 'run' }> => ({ kind: 'run', run });
  const running = async (parentRunId?: string): Promise<Run> => store.tracking.createRun({ experimentId, ownerPid: null, ...(parentRunId ? { parentRunId } : {}) });

  test('a run of a job this window runs is stopped by cancelling the job, without asking', async () => {
    const jobs = new JobStatusBar();
    const job = jobs.start('Training penguins');
    const run = await running();
    let cancelled = 0;
    job.trackRun(run.info.runId, () => cancelled++);
    await actions.stopRuns(deps(jobs), node(run));
    assert.equal(cancelled, 1, 'the job was cancelled');
    assert.deepEqual(dialogs, [], 'no confirmation: it is this window’s own job');
    assert.equal((await store.tracking.getRun(run.info.runId)).info.status, 'RUNNING', 'the job itself ends the run (as KILLED) when it stops');
    job.end();
    assert.equal(jobs.cancelRun(run.info.runId), false, 'a finished job no longer owns the run');
  });

  test('a tuning trial is stopped with its study, the job this window runs', async () => {
    const jobs = new JobStatusBar();
    const study = await running();
    const trial = await running(study.info.runId);
    let cancelled = 0;
    jobs.start('Tuning penguins').trackRun(study.info.runId, () => cancelled++);
    await actions.stopRuns(deps(jobs), node(trial));
    assert.equal(cancelled, 1);
    assert.deepEqual(dialogs, []);
  });

  test('a run this window did not start is marked KILLED only after a warning that its process may go on', async () => {
    const run = await running();
    await actions.stopRuns(deps(), node(run));
    assert.equal(dialogs.length, 1);
    assert.equal(dialogs[0]!.options.modal, true);
    assert.match(dialogs[0]!.message, /^Mark run "[^"]+" as KILLED\?$/);
    assert.match(dialogs[0]!.options.detail ?? '', /cannot stop the process[\s\S]*keeps running/);
    assert.equal((await store.tracking.getRun(run.info.runId)).info.status, 'RUNNING', 'cancelling the dialog changes nothing');

    answer = 'Mark as Killed';
    await actions.stopRuns(deps(), node(run));
    assert.equal((await store.tracking.getRun(run.info.runId)).info.status, 'KILLED');
    assert.ok(refreshed > 0, 'the tree is refreshed at once');
  });

  test('Delete skips running runs with a reason, and deletes the others after a confirmation naming them', async () => {
    const live = await running();
    const finished = await store.tracking.createRun({ experimentId, runName: 'finished-one', ownerPid: null });
    await store.tracking.updateRun(finished.info.runId, { status: 'FINISHED' });
    const selection: ExperimentsNode[] = [node(live), node(await store.tracking.getRun(finished.info.runId))];
    answer = 'Delete';
    await actions.deleteRuns(deps(), node(live), selection);
    assert.match(dialogs[0]!.message, /still running: stop it first/);
    assert.match(dialogs[1]!.message, /^Delete run "finished-one"\?$/);
    assert.equal((await store.tracking.getRun(finished.info.runId)).info.lifecycleStage, 'deleted');
    assert.equal((await store.tracking.getRun(live.info.runId)).info.lifecycleStage, 'active', 'the running run is left alone');
  });
});
