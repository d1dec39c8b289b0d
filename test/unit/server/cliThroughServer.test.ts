import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { runCliAsync } from '../lib/runCli';
import { REPO_ROOT } from '../store/testSupport';
import { startFixture } from './serverTestSupport';

test('while another process holds the store, mlops log and runs go through its server (server.json) instead of failing', async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const workspace = dirname(fx.dir);
  try {
    const started = await runCliAsync(['-w', workspace, 'log', 'start', '-e', 'from-cli', '-n', 'cli-run', '--tag', 'k=v']);
    assert.equal(started.status, 0, started.stderr);
    assert.match(started.stderr, /going through its server at http:\/\/127\.0\.0\.1:\d+/);
    const runId = started.stdout.trim();
    assert.match(runId, /^[0-9a-f]{32}$/);
    // Each CLI call is a process start (slow on a busy machine): one of each kind.
    for (const args of [['metric', runId, 'loss', '-inf', '--step', '4'], ['param', runId, 'lr', '0.1'], ['end', runId]]) {
      const r = await runCliAsync(['-w', workspace, 'log', ...args]);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    // The writer (this process) has it all.
    const run = await fx.store.tracking.getRun(runId);
    assert.equal(run.info.runName, 'cli-run');
    assert.equal(run.info.status, 'FINISHED');
    assert.deepEqual(run.data.params, [{ key: 'lr', value: '0.1' }]);
    assert.deepEqual((await fx.store.tracking.getMetricHistory(runId, 'loss')).points.map((p) => [p.step, p.value]), [[4, -Infinity]]);
    assert.equal((await fx.store.tracking.getExperimentByName('from-cli'))?.experimentId, run.info.experimentId);

    const shown = await runCliAsync(['-w', workspace, 'runs', 'show', runId]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /cli-run/);
    assert.match(shown.stdout, /lr\s+0\.1/);
    const experiments = await runCliAsync(['-w', workspace, 'experiments', 'list']);
    assert.equal(experiments.status, 0, experiments.stderr);
    assert.match(experiments.stdout, /from-cli\s+1\s/);
    const wrong = await runCliAsync(['-w', workspace, 'log', 'param', runId, 'lr', '0.2']);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /Param "lr".*already "0\.1"/);
  } finally {
    await fx.server.close();
  }
  // Without a server the holder is a command busy for a moment: the CLI waits for it (here 1 s),
  // then names it.
  const refused = await runCliAsync(['-w', workspace, 'runs', 'list'], { env: { MLOPS_LOCK_WAIT_SECONDS: '1' } });
  assert.equal(refused.status, 3);
  assert.match(refused.stderr, /waiting for server test \(pid \d+\) to finish with the store/);
  assert.match(refused.stderr, /in use by server test .*It has kept the store for over 1 s and serves no API this command could use instead/);
  await fx.close();
});

test('while another process holds the store, train (with register:), models, alias and predict go through its server too; a command that needs the store itself says so', { timeout: 300_000 }, async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const workspace = dirname(fx.dir);
  try {
    const spec = join(workspace, 'penguins.train.yaml');
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(
      spec,
      readFileSync(join(REPO_ROOT, 'examples', 'penguins.train.yaml'), 'utf8')
        .replace(/^dataset: .*$/m, `dataset: ${join(REPO_ROOT, 'examples', 'data', 'penguins.csv')}`)
        .replace(/^epochs: \d+$/m, 'epochs: 4') + '\nregister:\n  model: penguins\n  alias: champion\n',
    );
    const trained = await runCliAsync(['-w', workspace, '--json', 'train', spec, '--backend', 'js']);
    assert.equal(trained.status, 0, trained.stderr);
    assert.match(trained.stderr, /going through its server/);
    const runId = (JSON.parse(trained.stdout) as { runId: string }).runId;
    // the holder (this process) has the run and the version
    assert.equal((await fx.store.tracking.getRun(runId)).info.status, 'FINISHED');

    const models = await runCliAsync(['-w', workspace, 'models', 'list']);
    assert.equal(models.status, 0, models.stderr);
    assert.match(models.stdout, /penguins\s+1\s+v1\s+@champion=v1/);
    const predicted = await runCliAsync(['-w', workspace, 'predict', 'models:/penguins@champion', join(REPO_ROOT, 'examples', 'data', 'penguins.csv'), '-o', join(workspace, 'p.csv')]);
    assert.equal(predicted.status, 0, predicted.stderr);
    assert.match(readFileSync(join(workspace, 'p.csv'), 'utf8'), /^predicted_species,probability_Adelie/);

    const local = await runCliAsync(['-w', workspace, 'gc', '--dry-run']);
    assert.equal(local.status, 3);
    assert.match(local.stderr, /in use by server test.*This command needs the store itself \(not its server\): stop the engine \("mlops engine stop"; it stops its endpoints too\) and run it again/s);
  } finally {
    await fx.server.close();
    await fx.close();
  }
});
