import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { tempStoreDir } from '../store/testSupport';
import { mlopsInProcess as mlops } from '../lib/runCliInProcess';


test('a shell script can track a run: log start, metric (incl. -inf), param, tag, end; then search and show it', async () => {
  const { dir, cleanup } = tempStoreDir();
  const workspace = dirname(dir);
  try {
    const start = await mlops(workspace, 'log', 'start', '--experiment', 'fraud', '--name', 'nightly', '--tag', 'team=risk');
    assert.equal(start.code, 0, start.err);
    const runId = start.out.trim();
    assert.match(runId, /^[0-9a-f]{32}$/);
    for (const args of [
      ['log', 'metric', runId, 'acc', '0.91', '--step', '1'],
      ['log', 'metric', runId, 'loss', '-inf'],
      ['log', 'param', runId, 'lr', '0.01'],
      ['log', 'tag', runId, 'stage', 'eval'],
      ['log', 'end', runId, '--status', 'FINISHED'],
    ]) {
      const r = await mlops(workspace, ...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
    }
    const conflict = await mlops(workspace, 'log', 'param', runId, 'lr', '0.02');
    assert.equal(conflict.code, 2);
    assert.match(conflict.err, /^mlops: Param "lr" of run [0-9a-f]{32} is already "0.01"/);

    const found = await mlops(workspace, '--json', 'runs', 'search', "metrics.acc > 0.9 AND params.lr = '0.01'", '-e', 'fraud');
    const result = JSON.parse(found.out) as { runs: { info: { runId: string; status: string }; data: { metrics: { key: string; value: number | string }[] } }[] };
    assert.equal(result.runs.length, 1);
    assert.equal(result.runs[0]?.info.status, 'FINISHED');
    assert.equal(result.runs[0]?.data.metrics.find((m) => m.key === 'loss')?.value, '-Infinity');

    const bad = await mlops(workspace, 'runs', 'search', 'metrics.acc 0.9');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /Invalid filter at column 13: expected a comparator/);

    const shown = await mlops(workspace, 'runs', 'show', runId);
    assert.match(shown.out, /status {6}FINISHED/);
    assert.match(shown.out, /loss {2}-Infinity/);
    const listed = await mlops(workspace, 'experiments');
    assert.match(listed.out, /fraud\s+1\s/);
  } finally {
    cleanup();
  }
});

test('while another process holds the store, the CLI says who and exits with code 3', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const holder = await openWorkspaceStore({ dir, writerName: 'VS Code window' });
    // A holder with no server is taken for a command busy for a moment: the CLI waits (here 0.2 s).
    process.env.MLOPS_LOCK_WAIT_SECONDS = '0.2';
    const r = await mlops(dirname(dir), 'runs', 'list').finally(() => delete process.env.MLOPS_LOCK_WAIT_SECONDS);
    assert.equal(r.code, 3);
    assert.match(r.err, /^mlops: waiting for VS Code window \(pid \d+\) to finish with the store/);
    assert.match(r.err, /mlops: The workspace store .+ is in use by VS Code window \(pid \d+ on host .+\) since \d\d:\d\d/);
    await holder.close();
  } finally {
    cleanup();
  }
});

test('reading commands do not create a store where there is none', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const r = await mlops(dirname(dir), 'runs', 'list');
    assert.equal(r.code, 1);
    assert.match(r.err, /No workspace store at .+: nothing has been tracked in this workspace yet/);
    assert.equal(existsSync(dir), false);
  } finally {
    cleanup();
  }
});
