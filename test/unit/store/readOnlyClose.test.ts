import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { mlopsInProcess } from '../lib/runCliInProcess';

/** What a rewrite of a file would change: a new inode (rename over it), a new mtime, a new size. */
function fingerprint(path: string): { ino: number; mtimeMs: number; size: number } {
  const { ino, mtimeMs, size } = statSync(path);
  return { ino, mtimeMs, size };
}

test('read-only commands leave the snapshot and the journal as they were; a write still checkpoints on close', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-read-only-'));
  try {
    const store = await openWorkspaceStore({ dir: join(workspace, '.mlops'), writerName: 'test' });
    const experimentId = await store.tracking.createExperiment('quiet');
    const run = await store.tracking.createRun({ experimentId, runName: 'only-run' });
    await store.tracking.logBatch({ runId: run.info.runId, params: [{ key: 'lr', value: '0.1' }], metrics: [{ key: 'loss', value: 0.5, step: 0 }] });
    await store.close();
    const snapshot = join(workspace, '.mlops', 'store.snapshot');
    const journal = join(workspace, '.mlops', 'journal.log');
    const before = { snapshot: fingerprint(snapshot), journal: fingerprint(journal) };

    for (const args of [['experiments', 'list'], ['runs', 'list'], ['--json', 'runs', 'list', '--experiment', 'quiet']]) {
      const result = await mlopsInProcess(workspace, ...args);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.err}`);
      assert.match(result.out, args[0] === 'experiments' ? /quiet/ : /only-run/);
      assert.deepEqual({ snapshot: fingerprint(snapshot), journal: fingerprint(journal) }, before, `mlops ${args.join(' ')} rewrote nothing`);
    }

    const created = await mlopsInProcess(workspace, 'experiments', 'create', 'another');
    assert.equal(created.code, 0, created.err);
    assert.notEqual(fingerprint(snapshot).ino, before.snapshot.ino, 'a command that wrote leaves a new snapshot');
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});
