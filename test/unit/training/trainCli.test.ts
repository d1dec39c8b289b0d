import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
