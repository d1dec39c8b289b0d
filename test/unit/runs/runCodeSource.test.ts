import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codeSourceSummary, rerunSummary } from '../../../webview/runs/codeSource';

describe('run details: the code a run came from', () => {
  test('commit, branch, dirty and the diff artifact come from the run', () => {
    const summary = codeSourceSummary({
      tags: [
        { key: 'mlflow.source.git.commit', value: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' },
        { key: 'mlflow.source.git.branch', value: 'main' },
        { key: 'mlops.git.dirty', value: 'true' },
      ],
      artifacts: [{ path: 'code', isDir: true }, { path: 'code/uncommitted.diff', isDir: false, size: 120 }],
    });
    assert.deepEqual(summary, { commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', branch: 'main', dirty: true, diffArtifact: 'code/uncommitted.diff' });
  });

  test('a clean run says clean; a run from another MLflow client has no dirty flag; a run without a commit shows no line', () => {
    assert.equal(codeSourceSummary({ tags: [{ key: 'mlflow.source.git.commit', value: 'abc' }, { key: 'mlops.git.dirty', value: 'false' }], artifacts: [] })?.dirty, false);
    assert.deepEqual(codeSourceSummary({ tags: [{ key: 'mlflow.source.git.commit', value: 'abc' }], artifacts: [] }), { commit: 'abc' });
    assert.equal(codeSourceSummary({ tags: [{ key: 'mlops.kind', value: 'train' }], artifacts: [] }), undefined);
  });

  test('a re-run names the run it re-ran and whether the metrics matched', () => {
    assert.deepEqual(rerunSummary({ tags: [{ key: 'mlops.rerun.of', value: 'abc' }, { key: 'mlops.rerun.matched', value: 'false' }] }), { of: 'abc', matched: false });
    assert.deepEqual(rerunSummary({ tags: [{ key: 'mlops.rerun.of', value: 'abc' }] }), { of: 'abc' });
    assert.equal(rerunSummary({ tags: [] }), undefined);
  });
});
