import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { modelRegistryFor } from '../../../src/core/registry/registryAccess';
import { GC_STAMP_FILE } from '../../../src/core/store/gcSchedule';
import type { GcReport } from '../../../src/core/store/storeGc';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { mlopsInProcess } from '../lib/runCliInProcess';

// Issue #21 item 6: deleted runs' files are collected (mlops gc, and once a day by a long-lived
// holder), never what a live run or a registered version needs.
const work = mkdtempSync(join(tmpdir(), 'mlops-gc-'));
after(() => rmSync(work, { recursive: true, force: true }));
const HOUR = 3_600_000;
const ORPHAN = 'ab'.repeat(16);

interface Layout {
  workspace: string;
  artifacts: string;
  live: string;
  deleted: string;
  registered: string;
}

/** A store with a live run, a deleted run, a deleted run a version was registered from, an orphan folder and a temp file being written. */
async function makeStore(name: string): Promise<Layout> {
  const workspace = join(work, name);
  const store = await openWorkspaceStore({ dir: join(workspace, '.mlops'), writerName: 'gc test' });
  let ids: { live: string; deleted: string; registered: string };
  try {
    const experimentId = await store.tracking.createExperiment('gc');
    const run = async (runName: string): Promise<string> => {
      const created = await store.tracking.createRun({ experimentId, runName });
      await store.tracking.writeArtifact(created.info.runId, 'model/weights.bin', 'x'.repeat(1000));
      await store.tracking.updateRun(created.info.runId, { status: 'FINISHED', endTime: Date.now() });
      return created.info.runId;
    };
    const live = await run('live');
    const deleted = await run('deleted');
    const registered = await run('registered');
    const registry = modelRegistryFor(store);
    await registry.createModel('kept');
    await registry.registerExternalVersion('kept', `runs:/${registered}/model`, { runId: registered });
    await store.tracking.deleteRun(deleted);
    await store.tracking.deleteRun(registered);
    ids = { live, deleted, registered };
  } finally {
    await store.close();
  }
  const artifacts = join(workspace, '.mlops', 'artifacts');
  const old = (path: string): void => utimesSync(path, new Date(Date.now() - 2 * HOUR), new Date(Date.now() - 2 * HOUR));
  mkdirSync(join(artifacts, ORPHAN));
  writeFileSync(join(artifacts, ORPHAN, 'left.txt'), 'y'.repeat(500));
  old(join(artifacts, ORPHAN));
  mkdirSync(join(artifacts, 'notes'));
  mkdirSync(join(artifacts, '.incoming'), { recursive: true });
  writeFileSync(join(artifacts, '.incoming', `${process.pid}-2-in-progress`), 'w');
  return { workspace, artifacts, live: join(artifacts, ids.live), deleted: join(artifacts, ids.deleted), registered: join(artifacts, ids.registered) };
}

describe('garbage collection of the store\'s files', () => {
  test('mlops gc: --dry-run deletes nothing; then only the right things go', async () => {
    const s = await makeStore('cli');
    const dry = await mlopsInProcess(s.workspace, '--json', 'gc', '--dry-run', '--older-than', '0');
    assert.equal(dry.code, 0, dry.err);
    const planned = JSON.parse(dry.out) as GcReport;
    assert.deepEqual(planned.removed.map((i) => i.kind).sort(), ['deleted run', 'unknown run']);
    assert.ok(existsSync(s.deleted) && existsSync(join(s.artifacts, ORPHAN)), '--dry-run deleted nothing');

    // default grace period: the run deleted a moment ago keeps its files; the orphan and the abandoned temp go
    const first = await mlopsInProcess(s.workspace, 'gc');
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /unknown run\s+abababab/);
    assert.match(first.out, /kept [0-9a-f]{32}: deleted 0 minutes ago; its files go after 7 days/);
    assert.match(first.out, /kept [0-9a-f]{32}: a model version was registered from it/);
    assert.match(first.out, /Freed 500 B \(1 item\)/);
    assert.ok(existsSync(s.deleted), 'within the grace period');
    assert.ok(!existsSync(join(s.artifacts, ORPHAN)), 'the orphan folder is gone');
    assert.ok(existsSync(join(s.artifacts, '.incoming', `${process.pid}-2-in-progress`)), 'a temp file being written stays');
    assert.ok(existsSync(join(s.artifacts, '.incoming')), '.incoming is not an unknown run');
    assert.ok(existsSync(join(s.artifacts, 'notes')), 'a folder that is not named like a run is not ours');
    assert.ok(existsSync(join(s.workspace, '.mlops', GC_STAMP_FILE)), 'the daily schedule knows a collection ran');

    const second = await mlopsInProcess(s.workspace, 'gc', '--older-than', '0');
    assert.equal(second.code, 0, second.err);
    assert.match(second.out, /deleted run\s+[0-9a-f]{32}\s+1000 B/);
    assert.ok(!existsSync(s.deleted), 'the deleted run\'s files are gone');
    assert.ok(existsSync(join(s.live, 'model', 'weights.bin')), 'the live run keeps its files');
    assert.ok(existsSync(join(s.registered, 'model', 'weights.bin')), 'the registered version\'s files stay');
    const shown = await mlopsInProcess(s.workspace, '--json', 'runs', 'list', '--experiment', 'gc');
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, /"runName": "live"/);

    const bad = await mlopsInProcess(s.workspace, 'gc', '--older-than', 'soon');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--older-than must be a duration like 7d/);
  });

  test('a long-lived holder collects once a day on its own, off the request path', async () => {
    const s = await makeStore('scheduled');
    let resolveReport: (report: GcReport) => void = () => undefined;
    const reported = new Promise<GcReport>((resolve) => (resolveReport = resolve));
    // the schedule's timer never holds a process open by itself; a window or server is alive anyway
    const alive = setInterval(() => undefined, 60_000);
    const store = await openWorkspaceStore({ dir: join(s.workspace, '.mlops'), writerName: 'gc test window', dailyGc: { firstDelayMs: 0, onReport: resolveReport } });
    try {
      const report = await reported;
      assert.deepEqual(report.removed.map((i) => i.kind).sort(), ['unknown run']);
      assert.ok(!existsSync(join(s.artifacts, ORPHAN)));
      assert.ok(existsSync(s.deleted), 'deleted today: kept for the grace period');
      const stamp = JSON.parse(readFileSync(join(s.workspace, '.mlops', GC_STAMP_FILE), 'utf8')) as { lastRun: number };
      assert.ok(stamp.lastRun > 0);
    } finally {
      clearInterval(alive);
      await store.close();
    }
  });

  test('abandoned upload temp files are collected; --dry-run only counts them', async () => {
    const workspace = join(work, 'temps');
    const store = await openWorkspaceStore({ dir: join(workspace, '.mlops'), writerName: 'gc test' });
    try {
      const incoming = join(workspace, '.mlops', 'artifacts', '.incoming');
      mkdirSync(incoming, { recursive: true });
      const abandoned = join(incoming, '999999999-1-abandoned');
      writeFileSync(abandoned, 'z'.repeat(200));
      utimesSync(abandoned, new Date(Date.now() - 2 * HOUR), new Date(Date.now() - 2 * HOUR));
      const fresh = join(incoming, `${process.pid}-2-in-progress`);
      writeFileSync(fresh, 'w');
      const { collectGarbage } = await import('../../../src/core/store/storeGc');
      const dry = await collectGarbage(store, { dryRun: true });
      assert.deepEqual(dry.removed.map((i) => [i.kind, i.files, i.bytes]), [['temp files', 1, 200]]);
      assert.ok(existsSync(abandoned), '--dry-run deleted nothing');
      const done = await collectGarbage(store);
      assert.equal(done.bytes, 200);
      assert.ok(!existsSync(abandoned));
      assert.ok(existsSync(fresh), 'a write in progress stays');
      assert.ok(existsSync(incoming));
    } finally {
      await store.close();
    }
  });

  test('a restored run is no longer counted as deleted; a deleted experiment\'s runs are', async () => {
    const workspace = join(work, 'restored');
    const store = await openWorkspaceStore({ dir: join(workspace, '.mlops'), writerName: 'gc test' });
    try {
      const created = await store.tracking.createRun({ experimentId: '0' });
      await store.tracking.writeArtifact(created.info.runId, 'a.txt', 'a');
      await store.tracking.updateRun(created.info.runId, { status: 'FINISHED', endTime: Date.now() });
      await store.tracking.deleteRun(created.info.runId);
      await store.tracking.restoreRun(created.info.runId);
      const { collectGarbage } = await import('../../../src/core/store/storeGc');
      const report = await collectGarbage(store, { olderThanMs: 0 });
      assert.deepEqual(report.removed, []);
      assert.ok(existsSync(join(workspace, '.mlops', 'artifacts', created.info.runId, 'a.txt')));
      // an experiment's runs are deleted with it, and their grace period starts then
      const experimentId = await store.tracking.createExperiment('gone');
      const inside = await store.tracking.createRun({ experimentId });
      await store.tracking.writeArtifact(inside.info.runId, 'b.txt', 'b');
      await store.tracking.updateRun(inside.info.runId, { status: 'FINISHED', endTime: Date.now() });
      await store.tracking.deleteExperiment(experimentId);
      assert.deepEqual((await collectGarbage(store, { dryRun: true })).kept.map((k) => k.runId), [inside.info.runId]);
      assert.deepEqual((await collectGarbage(store, { olderThanMs: 0 })).removed.map((i) => i.runId), [inside.info.runId]);
    } finally {
      await store.close();
    }
  });
});
