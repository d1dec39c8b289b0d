import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../lib/runCli';

const root = join(__dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'mlops-cli-train-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('mlops train and mlops tune', () => {
  test('train prints progress on stderr, then the run id, metrics and model folder on stdout', () => {
    const r = runCli(['--workspace', work, 'train', join(root, 'examples', 'penguins.train.yaml'), '--backend', 'js']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /epoch \d+\/60 · loss/);
    const runId = /^run ([0-9a-f]{32}) FINISHED \(experiment \d+, backend js, \d+ epochs/m.exec(r.stdout)?.[1];
    assert.ok(runId, r.stdout);
    assert.match(r.stdout, /test_accuracy\s+(1|0\.9[5-9]\d*)\n/);
    const modelDir = /^model package {2}(.+)$/m.exec(r.stdout)?.[1] ?? '';
    assert.ok(existsSync(join(modelDir, 'MLmodel.json')), modelDir);
  });

  test('train --json prints one JSON document', () => {
    const r = runCli(['--workspace', work, '--json', 'train', join(root, 'examples', 'auto-mpg.train.yaml'), '--backend', 'js']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { runId: string; backend: string; metrics: Record<string, number> };
    assert.equal(out.backend, 'js');
    assert.ok((out.metrics.test_r2 ?? 0) > 0.75);
  });

  test('register: in a spec registers each trained run as the next version and points the alias at it; a review-required model gets a request', () => {
    const folder = mkdtempSync(join(work, 'register-'));
    const base = readFileSync(join(root, 'examples', 'penguins.train.yaml'), 'utf8').replace(/^dataset: .*$/m, `dataset: ${join(root, 'examples', 'data', 'penguins.csv')}`).replace(/^epochs: \d+$/m, 'epochs: 5');
    writeFileSync(join(folder, 'p.train.yaml'), `${base}\nregister:\n  model: penguins\n  alias: challenger\n`);
    const first = runCli(['--workspace', folder, 'train', join(folder, 'p.train.yaml'), '--backend', 'js']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^registered {5}models:\/penguins\/1 \(@challenger\)$/m);
    assert.equal(runCli(['--workspace', folder, 'models', 'require-review', 'penguins', 'on']).status, 0);
    const second = runCli(['--workspace', folder, '--json', 'train', join(folder, 'p.train.yaml'), '--backend', 'js']);
    assert.equal(second.status, 0, second.stderr);
    assert.deepEqual((JSON.parse(second.stdout) as { registration: unknown }).registration, { name: 'penguins', version: 2, alias: 'challenger', reviewId: 1 });
    const show = runCli(['--workspace', folder, 'models', 'show', 'penguins']);
    assert.match(show.stdout, /@challenger/);
    const reviews = runCli(['--workspace', folder, 'models', 'review', 'list', 'penguins']);
    assert.match(reviews.stdout, /#?1\b[\s\S]*challenger[\s\S]*2/);
    writeFileSync(join(folder, 'bad.train.yaml'), `${base}\nregister:\n  model: "no spaces please"\n`);
    const bad = runCli(['--workspace', folder, 'train', join(folder, 'bad.train.yaml')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /bad\.train\.yaml:\d+:\d+: `register\.model`/);
  });

  test('a spec error is one line naming file, line and field, with exit code 2', () => {
    const spec = join(work, 'bad.train.yaml');
    writeFileSync(spec, 'dataset: x.csv\ntarget: y\nepochs: lots\n');
    const r = runCli(['--workspace', work, 'train', spec]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim(), `mlops: ${spec}:3:9: \`epochs\` must be integer (found "lots")`);
  });

  test('tune runs the trials and prints the best', () => {
    const train = join(work, 'tiny.train.yaml');
    writeFileSync(train, `dataset: ${join(root, 'examples', 'data', 'penguins.csv')}\ntarget: species\nmodel: {type: mlp, layers: [{units: 8}]}\nepochs: 3\nearly_stopping: false\n`);
    const tune = join(work, 'tiny.tune.yaml');
    writeFileSync(tune, 'train: tiny.train.yaml\nsampler: grid\nparams:\n  model.layers.0.units: {type: categorical, choices: [4, 8]}\n');
    const r = runCli(['--workspace', work, 'tune', tune, '--backend', 'js']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^study run [0-9a-f]{32} FINISHED: 2 trials, objective minimize val_loss$/m);
    assert.match(r.stdout, /^best: trial [01] \(run [0-9a-f]{32}\) val_loss \d/m);
    assert.equal((r.stderr.match(/^trial +\d+ +done/gm) ?? []).length, 2);
  });
});
