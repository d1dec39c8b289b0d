import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { materializeRepo } from '../../../src/core/features/featureMaterializer';
import { loadFeatureRepo } from '../../../src/core/features/featureSpecParser';
import { lineageFor, modelRegistryFor } from '../../../src/core/registry/registryAccess';
import { runCliAsync } from '../lib/runCli';
import { startFixture } from '../server/serverTestSupport';
import { REPO_ROOT } from '../store/testSupport';

/*
 * Issue #17: while another process (a VS Code window, the engine) holds the workspace store, the
 * CLI's train, runs rerun and find-best-model work through the holder's server — the run, the
 * registered version, its audit entry and the lineage all land in the holder's store.
 */
test('while another process holds the store: train (feature set, register:) records the version under the trainer\'s name and the lineage; runs rerun and find-best-model work too', { timeout: 600_000 }, async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const workspace = dirname(fx.dir);
  try {
    cpSync(join(REPO_ROOT, 'examples', 'features'), workspace, { recursive: true });
    // materialized views are plain files under the store folder: the worker reads them from any process
    await materializeRepo(await loadFeatureRepo(join(workspace, 'features.yaml')), fx.dir);
    const spec = join(workspace, 'penguins-from-features.train.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace(/^epochs: \d+$/m, 'epochs: 3') + 'register:\n  model: penguins-features\n  alias: champion\n');

    const trained = await runCliAsync(['-w', workspace, '--json', 'train', spec, '--backend', 'js'], { cwd: workspace, env: { MLOPS_ACTOR: 'ada from the terminal' } });
    assert.equal(trained.status, 0, trained.stderr);
    assert.match(trained.stderr, /going through its server/);
    const out = JSON.parse(trained.stdout) as { runId: string; datasetDigest: string; registration: unknown };
    assert.deepEqual(out.registration, { name: 'penguins-features', version: 1, alias: 'champion' });

    // the holder has the version, the alias, and an audit log naming who trained (not the holder)
    const registry = modelRegistryFor(fx.store);
    const version = registry.getVersion('penguins-features', 1);
    assert.equal(version.runId, out.runId);
    assert.deepEqual(registry.getModel('penguins-features').aliases, { champion: 1 });
    const registered = registry.auditLog({ name: 'penguins-features', actions: ['version.registered'] });
    assert.deepEqual(registered.map((e) => e.actor), ['ada from the terminal']);
    // lineage: feature views → the built training set → the run → the version
    const up = lineageFor(fx.store).upstream({ kind: 'modelVersion', id: 'penguins-features/1' }).map((h) => `${h.node.kind}:${h.node.id}`);
    for (const node of ['featureSet:penguin_morphology', 'featureSet:penguin_weight', `dataset:${out.datasetDigest}`, `run:${out.runId}`]) assert.ok(up.includes(node), `${node} upstream of the version: ${up.join(' ')}`);
    assert.ok(existsSync(join(fx.dir, 'training-sets')), 'the built set is kept under the store folder');

    const rerun = await runCliAsync(['-w', workspace, '--json', 'runs', 'rerun', out.runId], { cwd: workspace });
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.match(rerun.stderr, /going through its server/);
    const again = JSON.parse(rerun.stdout) as { runId: string; rerunOf: string; matched: boolean };
    assert.equal(again.rerunOf, out.runId);
    assert.equal(again.matched, true, rerun.stdout);
    assert.deepEqual(lineageFor(fx.store).children({ kind: 'run', id: out.runId }).filter((s) => s.relation === 'reproduced').map((s) => s.node.id), [again.runId], 'the holder links the original to the re-run');
    assert.equal((await fx.store.tracking.getRun(again.runId)).data.tags.find((t) => t.key === 'mlops.rerun.matched')?.value, 'true');

    // one candidate within a one-second budget: enough to show the search runs against the holder
    const data = join(REPO_ROOT, 'examples', 'data', 'penguins.csv');
    cpSync(data, join(workspace, 'penguins.csv'));
    const search = await runCliAsync(['-w', workspace, '--json', 'find-best-model', join(workspace, 'penguins.csv'), '--target', 'species', '--time-budget', '1', '--backend', 'js'], { cwd: workspace });
    assert.equal(search.status, 0, search.stderr);
    assert.match(search.stderr, /going through its server/);
    const found = JSON.parse(search.stdout) as { spec: string; parentRunId: string };
    assert.equal((await fx.store.tracking.getRun(found.parentRunId)).info.status, 'FINISHED', 'the search run is in the holder\'s store');
    assert.ok(existsSync(found.spec), found.spec);
  } finally {
    await fx.server.close();
    await fx.close();
  }
});
