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
    const result = await mlops(workspace, 'eval', join(workspace, 'set.jsonl'), '--experiment', 'summaries');
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
    const bad = await mlops(workspace, 'eval', join(workspace, 'set.jsonl'));
    assert.equal(bad.code, 2);
    assert.equal(bad.err, `mlops: ${join(workspace, 'set.jsonl')} line 1: field "prediction" must be a string\n`);
    const smooth = await mlops(workspace, 'eval', join(workspace, 'set.jsonl'), '--smooth', 'plenty');
    assert.match(smooth.err, /--smooth must be one of exp, floor, add-k, none/);
  } finally {
    cleanup();
  }
});

test('mlops eval --rouge-stemmer stems before ROUGE and records rouge_use_stemmer; --model links the run to a version', async () => {
  const { dir, cleanup } = tempStoreDir();
  const workspace = dirname(dir);
  try {
    writeFileSync(join(workspace, 'set.jsonl'), JSON.stringify({ input: 'q', reference: 'the dog runs', prediction: 'running dogs' }) + '\n');
    const plain = await mlops(workspace, '--json', 'eval', join(workspace, 'set.jsonl'));
    assert.equal(plain.code, 0, plain.err);
    const stemmed = await mlops(workspace, '--json', 'eval', join(workspace, 'set.jsonl'), '--rouge-stemmer');
    assert.equal(stemmed.code, 0, stemmed.err);
    const plainRun = JSON.parse(plain.out) as { runId: string; metrics: Record<string, number> };
    const stemmedRun = JSON.parse(stemmed.out) as { runId: string; metrics: Record<string, number> };
    assert.equal(plainRun.metrics.rouge1_f, 0);
    assert.equal(stemmedRun.metrics.rouge1_f, 0.8); // run/dog match: P 1, R 2/3

    // a registered version to link to
    const store = await openWorkspaceStore({ dir, writerName: 'test' });
    let version: number;
    try {
      const params = async (runId: string): Promise<Map<string, string>> => new Map((await store.tracking.getRun(runId)).data.params.map((p) => [p.key, p.value]));
      assert.equal((await params(plainRun.runId)).get('rouge_use_stemmer'), 'false');
      assert.equal((await params(stemmedRun.runId)).get('rouge_use_stemmer'), 'true');
      const { trainedRun } = await import('../registry/registryTestSupport');
      const { modelRegistryFor } = await import('../../../src/core/registry/registryAccess');
      const registry = modelRegistryFor(store, { actor: 'tester' });
      version = (await registry.registerVersion(await trainedRun(store), 'summarizer')).version;
      await registry.setAlias('summarizer', 'champion', version);
    } finally {
      await store.close();
    }
    const linked = await mlops(workspace, '--json', 'eval', join(workspace, 'set.jsonl'), '--model', 'models:/summarizer@champion');
    assert.equal(linked.code, 0, linked.err);
    const linkedRun = (JSON.parse(linked.out) as { runId: string }).runId;
    const reopened = await openWorkspaceStore({ dir, writerName: 'test' });
    try {
      const tags = new Map((await reopened.tracking.getRun(linkedRun)).data.tags.map((t) => [t.key, t.value]));
      assert.equal(tags.get('mlops.evaluated_model'), `models:/summarizer/${version}`); // the alias, resolved
    } finally {
      await reopened.close();
    }
    const missing = await mlops(workspace, 'eval', join(workspace, 'set.jsonl'), '--model', 'models:/nope/1');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--model models:\/nope\/1: .*nope/);
  } finally {
    cleanup();
  }
});
