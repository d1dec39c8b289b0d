import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { tempStoreDir } from '../store/testSupport';
import { mlopsInProcess as mlops } from '../lib/runCliInProcess';


test('mlops eval scores a JSONL set into a run with metrics and eval/rows.jsonl; bad rows name line and field', async () => {
  const { dir, cleanup } = tempStoreDir();
  const workspace = dirname(dir);
  try {
    const file = join(workspace, 'set.jsonl');
    writeFileSync(file, [
      JSON.stringify({ input: 'q', reference: 'The dog bit the man.', prediction: 'The dog bit the man.', latency_ms: 12 }),
      JSON.stringify({ input: 'q', references: ['testing one two'], prediction: 'testing one' }),
    ].join('\n'));
    const result = await mlops(workspace, 'eval', 'set.jsonl', '--experiment', 'summaries');
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /^bleu\s+\d/m);
    assert.match(result.out, /^rouge1_f\s+0\.9/m); // (1 + 4/5) / 2
    const runId = /run ([0-9a-f]{32})/.exec(result.out)?.[1];
    assert.ok(runId, result.out);

    const store = await openWorkspaceStore({ dir, writerName: 'test' });
    try {
      const run = await store.tracking.getRun(runId);
      assert.equal(run.info.status, 'FINISHED');
      const metrics = new Map(run.data.metrics.map((m) => [m.key, m.value]));
      assert.equal(metrics.get('rouge1_f'), 0.9);
      assert.equal(metrics.get('exact_match'), 0.5);
      assert.equal(metrics.get('rows'), 2);
      const rows = (await store.tracking.readArtifact(runId, 'eval/rows.jsonl')).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { prediction: string; exact_match: boolean });
      assert.deepEqual(rows.map((r) => r.exact_match), [true, false]);
      assert.equal((await store.tracking.getExperimentByName('summaries'))?.experimentId, run.info.experimentId);
    } finally {
      await store.close();
    }

    writeFileSync(file, '{"input": "q", "reference": "r", "prediction": 5}\n');
    const bad = await mlops(workspace, 'eval', 'set.jsonl');
    assert.equal(bad.code, 2);
    assert.equal(bad.err, 'mlops: set.jsonl line 1: field "prediction" must be a string\n');
    const smooth = await mlops(workspace, 'eval', 'set.jsonl', '--smooth', 'plenty');
    assert.match(smooth.err, /--smooth must be one of exp, floor, add-k, none/);
  } finally {
    cleanup();
  }
});
