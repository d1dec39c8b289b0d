import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { tempStoreDir } from '../store/testSupport';
import { trainedRun } from './registryTestSupport';
import { mlopsInProcess as mlops } from '../lib/runCliInProcess';


test('mlops models: register, alias, review, history --at, lineage; errors are one clear line', async () => {
  const { dir, cleanup } = tempStoreDir('mlops-models-cli-');
  const workspace = dirname(dir);
  try {
    const store = await openWorkspaceStore({ dir, writerName: 'setup' });
    const runA = await trainedRun(store, { name: 'first' });
    const runB = await trainedRun(store, { name: 'second' });
    await store.close();

    const ok = async (...args: string[]): Promise<string> => {
      const r = await mlops(workspace, ...args);
      assert.equal(r.code, 0, `mlops ${args.join(' ')}: ${r.err}`);
      return r.out;
    };
    assert.equal(await ok('models', 'register', runA, '--name', 'penguins', '--actor', 'alice'), 'registered models:/penguins/1\n');
    assert.equal(await ok('models', 'register', runB, '--name', 'penguins', '--actor', 'alice'), 'registered models:/penguins/2\n');
    assert.equal(await ok('models', 'alias', 'set', 'penguins', 'champion', '1', '--actor', 'alice'), '@champion → v1\n');
    assert.match(await ok('models', 'list'), /penguins\s+2\s+v2\s+@champion=v1\s+-/);
    assert.match(await ok('models', 'show', 'penguins'), /v1\s+@champion\s+None/);
    const shown = await ok('models', 'show', 'models:/penguins@champion');
    assert.match(shown, /version\s+1\n/);
    assert.match(shown, /metrics\s+test_accuracy=0\.9\s+test_f1_macro=0\.85/);

    const compared = await ok('models', 'compare', 'penguins', '1', 'v2');
    assert.match(compared, /^METRIC\s+v1 @champion\s+v2\n/);
    assert.match(compared, /test_accuracy\s+0\.9\s+0\.9\n/);
    assert.match(compared, /params: all the same\nsignature: the same\ntraining data: the same dataset\n$/);
    await ok('models', 'require-review', 'penguins', 'on');
    const refused = await mlops(workspace, 'models', 'alias', 'set', 'penguins', 'champion', '2');
    assert.equal(refused.code, 2);
    assert.match(refused.err, /^mlops: Model "penguins" requires a review to move an alias: @champion was not set to version 2\. Request one \(mlops models review request penguins champion 2 -m "why"\), then approve it\.\n$/);
    assert.match(await ok('models', 'review', 'request', 'penguins', 'champion', '2', '-m', 'newer data', '--actor', 'bob'), /^review #1: @champion of penguins → v2 \(pending/);
    assert.match(await ok('models', 'review', 'list'), /1\s+penguins\s+@champion\s+v1 → v2\s+PENDING\s+bob/);
    assert.equal(await ok('models', 'review', 'approve', '1', '-m', 'ok', '--actor', 'carol'), 'review #1 approved by carol: @champion of penguins → v2\n');

    const history = await ok('models', 'history', 'penguins', '--alias', 'champion');
    assert.match(history, /v1\s+\S+ \S+\s+\S+ \S+\s+alice\nv2\s+\S+ \S+\s+now\s+carol/);
    assert.match(await ok('models', 'history', 'penguins', '--alias', 'champion', '--at', 'now'), /^v2 {2}\(@champion of penguins from .* until now, set by carol\)/);
    assert.match(await ok('models', 'history', 'penguins', '--alias', 'champion', '--at', '2001-02-03'), /^no version of penguins held @champion at 2001-02-03 23:59:59/);
    const log = await ok('models', 'history', 'penguins');
    assert.match(log, /bob\s+review\.requested\s+#1 @champion → v2: newer data/);
    assert.match(log, /carol\s+alias\.moved\s+@champion v1 → v2 \(review #1\)/);

    const lineage = await ok('lineage', 'models:/penguins@champion');
    assert.match(lineage, /^penguins v2 @champion {2}\[modelVersion:penguins\/2\]\nupstream:\n {2}└─ registered ← run second {2}\[run:[0-9a-f]{32}\]\n {5}└─ trained ← penguins\.csv {2}\[dataset:a1b2c3d4e5f60718\]\ndownstream:\n {2}\(nothing recorded\)\n$/);
    const fromData = await ok('lineage', 'dataset:a1b2c3d4e5f60718', '--down');
    assert.match(fromData, /run first[\s\S]*penguins v1[\s\S]*run second[\s\S]*penguins v2 @champion/);

    for (const [args, message] of [
      [['models', 'alias', 'set', 'penguins', 'prod env', '1'], /^mlops: Alias "prod env" is not valid: use letters, digits, "_" and "-"/],
      [['models', 'register', runA, '--name', 'my model'], /^mlops: Model name "my model" is not valid/],
      [['models', 'show', 'penguins', '7'], /^mlops: Model "penguins" has no version 7 \(its versions: 1, 2\)\.\n$/],
      [['lineage', 'models:/penguins@prod'], /^mlops: models:\/penguins@prod: model "penguins" has no alias "prod" \(its aliases: @champion → v2\)\.\n$/],
      [['lineage', 'models:/fraud/1'], /^mlops: models:\/fraud\/1: no registered model "fraud" \(registered: penguins\)\.\n$/],
      [['models', 'history', 'penguins', '--alias', 'champion', '--at', 'last week'], /^mlops: --at "last week" is not a date/],
      [['models', 'delete', 'penguins', '1'], /^mlops: Deleting version 1 of penguins needs --yes\.\n$/],
    ] as const) {
      const r = await mlops(workspace, ...args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.err, message);
      assert.equal(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
    }
  } finally {
    cleanup();
  }
});
