import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { lineageFor } from '../../../src/core/registry/registryAccess';
import { runCli } from '../lib/runCli';
import { REPO_ROOT } from '../store/testSupport';
import { openStoreAfterCli } from '../store/testSupport';

const root = mkdtempSync(join(tmpdir(), 'mlops-featureset-train-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a training spec whose dataset is a feature set trains on the point-in-time set, never on ids or times, with lineage from the views', async () => {
  cpSync(join(REPO_ROOT, 'examples', 'features'), root, { recursive: true });
  const spec = 'penguins-from-features.train.yaml';
  const early = runCli(['--workspace', root, 'train', spec], { cwd: root });
  assert.notEqual(early.status, 0, 'nothing is materialized yet');
  assert.match(early.stderr, /has not been materialized yet[\s\S]*mlops features materialize/);

  const materialized = runCli(['--workspace', root, 'features', 'materialize'], { cwd: root });
  assert.equal(materialized.status, 0, materialized.stderr);
  const trained = runCli(['--workspace', root, '--json', 'train', spec, '--backend', 'js'], { cwd: root });
  assert.equal(trained.status, 0, trained.stderr);

  const store = await openStoreAfterCli({ dir: join(root, '.mlops'), writerName: 'test' });
  try {
    const { runs } = await store.tracking.searchRuns({ experimentIds: [(await store.tracking.getExperimentByName('penguins-features'))?.experimentId ?? '?'] });
    const run = runs[0];
    assert.ok(run, 'a run in the spec\'s experiment');
    const input = run.inputs.datasetInputs[0];
    assert.equal(input?.name, 'entity_rows.csv + penguin_morphology:*, penguin_weight:*');
    assert.match(input?.source ?? '', /[\\/]\.mlops[\\/]training-sets[\\/]penguins-from-features-\d+\.csv$/);
    assert.ok(existsSync(input?.source ?? ''), 'the built set is kept: the run points at what it trained on');
    const columns = (JSON.parse(input?.schema ?? '{}') as { columns: { name: string }[] }).columns.map((c) => c.name);
    assert.ok(columns.includes('bill_length_mm') && columns.includes('body_mass_g'), columns.join(', '));
    const params = new Map(run.data.params.map((p) => [p.key, p.value]));
    const features = params.get('features') ?? '';
    assert.doesNotMatch(features, /penguin_id|event_timestamp/, `ids and times are not features: ${features}`);
    assert.ok((run.data.metrics.find((m) => m.key === 'test_accuracy')?.value ?? 0) > 0.5, 'it learned something from the features');

    // lineage: feature views → built set (dataset) → run
    const up = lineageFor(store).upstream({ kind: 'run', id: run.info.runId }).map((h) => `${h.node.kind}:${h.node.id}`);
    assert.ok(up.includes('featureSet:penguin_morphology') && up.includes('featureSet:penguin_weight'), up.join(' '));
    assert.ok(up.includes(`dataset:${input?.digest}`), up.join(' '));
  } finally {
    await store.close();
  }
});
