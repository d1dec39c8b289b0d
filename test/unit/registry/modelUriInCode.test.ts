import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveUriMatch } from '../../../src/core/registry/modelUriResolution';
import { findModelAndRunUris, uriAt, type ModelUriMatch, type RunUriMatch } from '../../../src/core/registry/modelUriScan';
import { openRegistryFixture, trainedRun } from './registryTestSupport';

describe('model and run URIs written in code', () => {
  test('finds aliases, versions, latest and run artifact URIs with their positions', () => {
    const text = [
      'model = mlflow.pyfunc.load_model("models:/penguins@champion")',
      "old = 'models:/churn-v2.1/3'  # pinned",
      'x = load("models:/penguins/latest"); y = load(f"runs:/0123456789abcdef0123456789abcdef/model")',
    ].join('\n');
    const found = findModelAndRunUris(text);
    assert.deepEqual(found.map((m) => m.uri), ['models:/penguins@champion', 'models:/churn-v2.1/3', 'models:/penguins/latest', 'runs:/0123456789abcdef0123456789abcdef/model']);
    const alias = found[0] as ModelUriMatch;
    assert.deepEqual({ name: alias.name, selector: alias.selector, byAlias: alias.byAlias }, { name: 'penguins', selector: 'champion', byAlias: true });
    assert.equal(text.slice(alias.start, alias.end), 'models:/penguins@champion');
    const pinned = found[1] as ModelUriMatch;
    assert.deepEqual({ name: pinned.name, selector: pinned.selector, byAlias: pinned.byAlias }, { name: 'churn-v2.1', selector: '3', byAlias: false });
    const run = found[3] as RunUriMatch;
    assert.deepEqual({ runId: run.runId, path: run.path }, { runId: '0123456789abcdef0123456789abcdef', path: 'model' });
  });

  test('ignores what only looks like one: no name, a longer word, a deeper path', () => {
    assert.deepEqual(findModelAndRunUris('see models:/ and mymodels:/a@b and models:/a/b/c and models:/@x').map((m) => m.uri), []);
    assert.deepEqual(findModelAndRunUris('nothing here'), []);
  });

  test('the URI under the cursor, on its first and last character, and none beside it', () => {
    const line = 'uri = "models:/penguins@champion"';
    const start = line.indexOf('models:/');
    assert.equal(uriAt(line, start)?.uri, 'models:/penguins@champion');
    assert.equal(uriAt(line, start + 'models:/penguins@champion'.length)?.uri, 'models:/penguins@champion');
    assert.equal(uriAt(line, 2), undefined);
  });

  test('resolution: an alias and a version give the version and its run; a missing alias or model says what exists', async () => {
    const f = await openRegistryFixture({ actor: 'alice' });
    try {
      const runId = await trainedRun(f.store, { accuracy: 0.97 });
      await f.registry.registerVersion(runId, 'penguins');
      await f.registry.setAlias('penguins', 'champion', 1);
      const [byAlias, byVersion, noAlias, noModel, aRun, noRun] = findModelAndRunUris(
        `models:/penguins@champion models:/penguins/1 models:/penguins@challenger models:/churn@champion runs:/${runId}/model runs:/ffffffffffffffffffffffffffffffff/model`,
      );
      const resolved = await resolveUriMatch(byAlias!, f.registry, f.store.tracking);
      assert.equal(resolved.kind, 'version');
      if (resolved.kind === 'version') {
        assert.equal(resolved.version.version, 1);
        assert.deepEqual(resolved.version.aliases, ['champion']);
        assert.equal(resolved.version.createdBy, 'alice');
        assert.equal(resolved.run?.data.metrics.find((m) => m.key === 'test_accuracy')?.value, 0.97);
      }
      assert.equal((await resolveUriMatch(byVersion!, f.registry, f.store.tracking)).kind, 'version');
      const missingAlias = await resolveUriMatch(noAlias!, f.registry, f.store.tracking);
      assert.equal(missingAlias.kind, 'unresolved');
      assert.match(missingAlias.kind === 'unresolved' ? missingAlias.message : '', /no alias "challenger".*champion/);
      const missingModel = await resolveUriMatch(noModel!, f.registry, f.store.tracking);
      assert.match(missingModel.kind === 'unresolved' ? missingModel.message : '', /no registered model "churn".*penguins/);
      const run = await resolveUriMatch(aRun!, f.registry, f.store.tracking);
      assert.equal(run.kind === 'run' ? run.run.info.runId : undefined, runId);
      assert.equal((await resolveUriMatch(noRun!, f.registry, f.store.tracking)).kind, 'unresolved');
    } finally {
      await f.cleanup();
    }
  });
});
