import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import packageJson from '../../../package.json';
import type { Run, RunStatus } from '../../../src/core/tracking/trackingTypes';
import { runContextValue } from '../../../src/vscode/experiments/runContextValue';

/**
 * The run context menu as VS Code builds it: package.json's `when` clauses evaluated against the
 * contextValue the Experiments tree gives each run. Catches a Star shown on a starred run, Delete
 * on a running one, a command missing from the menu, or a regex VS Code would not match.
 */
type MenuEntry = { command: string; when?: string; group?: string };
const menu = packageJson.contributes.menus['view/item/context'] as MenuEntry[];

/** The subset of VS Code's when-clause language the menus use: `a == b`, `a =~ /re/`, `&&`. */
function matches(when: string, context: Record<string, string>): boolean {
  return when.split('&&').every((clause) => {
    const term = clause.trim();
    const regex = /^(\S+) =~ \/(.*)\/$/.exec(term);
    if (regex) return new RegExp(regex[2]!).test(context[regex[1]!] ?? '');
    const equal = /^(\S+) == (\S+)$/.exec(term);
    if (equal) return context[equal[1]!] === equal[2];
    throw new Error(`unsupported when clause: ${term}`);
  });
}

function itemsFor(viewItem: string): { context: string[]; inline: string[] } {
  const shown = menu.filter((m) => m.when !== undefined && matches(m.when, { view: 'mlops.experiments', viewItem }));
  const sorted = (entries: MenuEntry[]): string[] => entries.map((m) => m.command);
  return { context: sorted(shown.filter((m) => !m.group?.startsWith('inline'))), inline: sorted(shown.filter((m) => m.group?.startsWith('inline'))) };
}

function run(options: { status?: RunStatus; starred?: boolean; note?: string; deleted?: boolean; textEval?: boolean } = {}): Run {
  const tags = [...(options.starred ? [{ key: 'mlops.starred', value: 'true' }] : []), ...(options.note !== undefined ? [{ key: 'mlflow.note.content', value: options.note }] : []), ...(options.textEval ? [{ key: 'mlops.evaluation', value: 'text' }] : [])];
  return {
    info: {
      runId: 'r'.repeat(32),
      runName: 'r',
      experimentId: '1',
      userId: 'u',
      status: options.status ?? 'FINISHED',
      startTime: 0,
      endTime: null,
      lifecycleStage: options.deleted ? 'deleted' : 'active',
      artifactUri: 'file:///tmp/a',
      source: null,
      gitCommit: null,
      gitDirty: null,
      parentRunId: null,
      ownerPid: null,
      ownerHost: null,
      heartbeatTime: null,
    },
    data: { metrics: [], params: [], tags },
    inputs: { datasetInputs: [] },
  };
}

describe('the Experiments view’s run menu', () => {
  test('a finished run offers the edits, files and Delete, but not Stop or Restore', () => {
    const { context, inline } = itemsFor(runContextValue(run()));
    for (const command of ['mlops.renameRun', 'mlops.addRunNote', 'mlops.starRun', 'mlops.showRunLogs', 'mlops.revealRunArtifacts', 'mlops.deleteRun', 'mlops.copyRunId', 'mlops.compareRuns', 'mlops.registerModel']) {
      assert.ok(context.includes(command), `${command} in ${context.join(', ')}`);
    }
    for (const command of ['mlops.stopRun', 'mlops.restoreRun', 'mlops.unstarRun', 'mlops.editRunNote']) assert.ok(!context.includes(command), `${command} is not offered`);
    assert.deepEqual(inline, ['mlops.starRun'], 'hovering a run offers the star');
  });

  test('Star and Unstar, Add and Edit Note: only the one that applies', () => {
    const starred = itemsFor(runContextValue(run({ starred: true, note: 'diverged' })));
    assert.ok(starred.context.includes('mlops.unstarRun') && !starred.context.includes('mlops.starRun'));
    assert.ok(starred.context.includes('mlops.editRunNote') && !starred.context.includes('mlops.addRunNote'));
    assert.deepEqual(starred.inline, ['mlops.unstarRun']);
    const blankNote = itemsFor(runContextValue(run({ note: '  ' })));
    assert.ok(blankNote.context.includes('mlops.addRunNote'), 'a blank note is no note');
  });

  test('a running run can be stopped, not deleted or registered', () => {
    const { context } = itemsFor(runContextValue(run({ status: 'RUNNING', starred: true, note: 'x' })));
    assert.ok(context.includes('mlops.stopRun'));
    assert.ok(context.includes('mlops.unstarRun') && context.includes('mlops.editRunNote') && context.includes('mlops.renameRun'));
    assert.ok(!context.includes('mlops.deleteRun') && !context.includes('mlops.registerModel'));
  });

  test('a deleted run offers Restore (also inline), its files and its id — nothing that writes to it', () => {
    const { context, inline } = itemsFor(runContextValue(run({ deleted: true, starred: true })));
    assert.deepEqual([...context].sort(), ['mlops.copyRunId', 'mlops.restoreRun', 'mlops.revealRunArtifacts', 'mlops.showRunLogs']);
    assert.deepEqual(inline, ['mlops.restoreRun']);
    assert.deepEqual(itemsFor('mlops.deletedRuns').context, [], 'the “Deleted runs” group itself has no run menu');
  });

  test('groups put opening first and destructive actions last, in menu order', () => {
    const groups = menu.filter((m) => m.when?.includes('mlops.experiments') && m.group && !m.group.startsWith('inline')).map((m) => m.group!.split('@')[0]!);
    // VS Code sorts groups with localeCompare (navigation first): the danger group must come last.
    const order = [...new Set(groups)].sort((a, b) => a.localeCompare(b));
    assert.equal(order[0], '1_open');
    assert.equal(order[order.length - 1], '99_danger', order.join(' < '));
  });

  test('only a text evaluation offers Review Text Evaluation…; it keeps the rest of the run menu', () => {
    assert.ok(!itemsFor(runContextValue(run())).context.includes('mlops.reviewTextEvaluation'), 'a classification run does not offer it');
    const evaluation = itemsFor(runContextValue(run({ textEval: true, starred: true, note: 'x' })));
    assert.ok(evaluation.context.includes('mlops.reviewTextEvaluation'));
    assert.ok(evaluation.context.includes('mlops.unstarRun') && evaluation.context.includes('mlops.editRunNote') && evaluation.context.includes('mlops.deleteRun'));
    assert.deepEqual(evaluation.inline, ['mlops.unstarRun']);
  });

  test('a run offers Open Run first; only a study offers Show Leaderboard', () => {
    const finished = itemsFor(runContextValue(run()));
    assert.equal(finished.context[0], 'mlops.openRun', `Open Run first: ${finished.context.join(', ')}`);
    assert.ok(!finished.context.includes('mlops.showStudyLeaderboard'));
    // the Experiments tree appends ".study" to a study run's context value
    const study = itemsFor(`${runContextValue(run({ starred: true }))}.study`);
    assert.deepEqual(study.context.slice(0, 2), ['mlops.openRun', 'mlops.showStudyLeaderboard']);
    assert.ok(study.context.includes('mlops.unstarRun') && study.context.includes('mlops.deleteRun'), 'a study keeps the run menu');
    assert.ok(!itemsFor(runContextValue(run({ deleted: true }))).context.includes('mlops.openRun'), 'a deleted run is there to be restored');
  });

  test('Models view commands that ask with a quick pick are in the palette: Set Alias, Approve, Reject, Review Policy', () => {
    const hidden = new Set((packageJson.contributes.menus.commandPalette as MenuEntry[]).filter((m) => m.when === 'false').map((m) => m.command));
    for (const command of ['mlops.setAlias', 'mlops.approveReview', 'mlops.rejectReview', 'mlops.setReviewPolicy', 'mlops.openRun', 'mlops.showStudyLeaderboard']) {
      assert.ok(!hidden.has(command), `${command} is offered in the palette`);
    }
    const versionMenu = menu.filter((m) => m.when !== undefined && matches(m.when, { view: 'mlops.models', viewItem: 'mlops.modelVersion.reviewed' })).map((m) => m.command);
    assert.ok(versionMenu.includes('mlops.setReviewPolicy') && versionMenu.includes('mlops.setAlias'), `the policy beside Set Alias on a version: ${versionMenu.join(', ')}`);
  });

  test('commands that need a clicked run are hidden from the palette; the rest ask for a run there', () => {
    const hidden = new Set((packageJson.contributes.menus.commandPalette as MenuEntry[]).filter((m) => m.when === 'false').map((m) => m.command));
    assert.ok(hidden.has('mlops.addRunNote'), 'Edit Run Note covers adding one from the palette');
    for (const command of ['mlops.renameRun', 'mlops.editRunNote', 'mlops.starRun', 'mlops.deleteRun', 'mlops.restoreRun', 'mlops.stopRun', 'mlops.showRunLogs', 'mlops.revealRunArtifacts']) {
      assert.ok(!hidden.has(command), `${command} works from the palette with a quick pick`);
    }
  });
});
