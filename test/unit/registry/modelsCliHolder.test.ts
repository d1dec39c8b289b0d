import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { modelRegistryFor } from '../../../src/core/registry/registryAccess';
import { runCliAsync } from '../lib/runCli';
import { startFixture } from '../server/serverTestSupport';
import { trainedRun } from './registryTestSupport';

// Issue #17: while another process (VS Code's engine) holds the store, the `models` commands that
// only the workspace registry answers — reviews, their policy, history, compare, cards — go through
// its engine as this terminal's user, instead of exiting 3.
test('while another process holds the store, mlops models review, require-review, self-approval, history, compare and show work through its engine', { timeout: 300_000 }, async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const workspace = dirname(fx.dir);
  const mlops = (args: readonly string[], actor?: string): ReturnType<typeof runCliAsync> => runCliAsync(['-w', workspace, ...args], { env: { MLOPS_ACTOR: actor ?? '' } });
  const ok = async (args: readonly string[], actor?: string): Promise<string> => {
    const r = await mlops(args, actor);
    assert.equal(r.status, 0, `mlops ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /going through its server/);
    return r.stdout;
  };
  try {
    const holder = modelRegistryFor(fx.store);
    const runA = await trainedRun(fx.store, { name: 'first', accuracy: 0.8 });
    const runB = await trainedRun(fx.store, { name: 'second', accuracy: 0.9 });
    await holder.registerVersion(runA, 'penguins', { actor: 'alice' });
    await holder.registerVersion(runB, 'penguins', { actor: 'alice' });
    await holder.setAlias('penguins', 'champion', 1, { actor: 'alice' });

    // The terminal's user ($MLOPS_ACTOR here) is who the holder's audit log names.
    assert.equal(await ok(['models', 'require-review', 'penguins', 'on'], 'dana'), 'penguins: alias moves now need review\n');
    assert.match(await ok(['models', 'review', 'request', 'penguins', 'champion', '2', '-m', 'newer data'], 'bob'), /^review #1: @champion of penguins → v2 \(pending/);

    const own = await mlops(['models', 'review', 'approve', '1'], 'bob');
    assert.equal(own.status, 2, own.stderr);
    assert.match(own.stderr, /was requested by bob, and penguins's review policy needs a different reviewer to approve it/);
    assert.equal(await ok(['models', 'self-approval', 'penguins', 'on'], 'dana'), 'penguins: alias moves need an approved review (the requester may approve)\n');
    assert.equal(await ok(['models', 'review', 'approve', '1', '-m', 'ok'], 'bob'), 'review #1 approved by bob: @champion of penguins → v2\n');
    assert.match(await ok(['models', 'review', 'list', '--all']), /1\s+penguins\s+@champion\s+v1 → v2\s+APPROVED\s+bob\s+bob\s+newer data/);
    assert.deepEqual(holder.getModel('penguins').aliases, { champion: 2 }, "the alias moved in the holder's registry");

    const history = await ok(['models', 'history', 'penguins']);
    assert.match(history, /dana\s+model\.review_setting/);
    assert.match(history, /bob\s+alias\.moved\s+@champion v1 → v2 \(review #1\)/);
    assert.match(await ok(['models', 'history', 'penguins', '--alias', 'champion', '--at', 'now']), /^v2 {2}\(@champion of penguins from .* until now, set by bob\)/);

    const compared = await ok(['models', 'compare', 'penguins', '1', '2']);
    assert.match(compared, /^METRIC\s+v1\s+v2 @champion\n/);
    assert.match(compared, /test_accuracy\s+0\.8\s+0\.9 \(\+0\.1\) \*\n/);
    const shown = await ok(['models', 'show', 'models:/penguins@champion']);
    assert.match(shown, /version\s+2\n/);
    assert.match(shown, /metrics\s+test_accuracy=0\.9\s+test_f1_macro=0\.85/);
    assert.match(shown, /dataset\s+data\/penguins\.csv \(digest a1b2c3d4e5f60718\)/);

    const missing = await mlops(['models', 'history', 'nope']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /No history for a model named "nope"/);
  } finally {
    await fx.server.close();
    await fx.close();
  }
});
