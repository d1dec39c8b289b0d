import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../lib/runCli';

const root = join(__dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'mlops-cli-front-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('mlops tune with several objectives, and mlops tune front', () => {
  test('tune prints the Pareto front as a table; tune front prints it again later; a single-objective study says it has no front', () => {
    writeFileSync(join(work, 'tiny.train.yaml'), `dataset: ${join(root, 'examples', 'data', 'penguins.csv')}\ntarget: species\nmodel: {type: mlp, layers: [{units: 8}]}\nepochs: 2\nearly_stopping: false\n`);
    const tune = join(work, 'cost.tune.yaml');
    writeFileSync(tune, 'train: tiny.train.yaml\nobjectives:\n  - {metric: val_accuracy}\n  - {metric: cpu_seconds}\nsampler: grid\nparams:\n  epochs: {type: categorical, choices: [1, 4]}\n');
    const r = runCli(['--workspace', work, 'tune', tune, '--backend', 'js']);
    assert.equal(r.status, 0, r.stderr);
    const studyRunId = /^study run ([0-9a-f]{32}) FINISHED: 2 trials, objectives maximize val_accuracy, minimize cpu_seconds$/m.exec(r.stdout)?.[1];
    assert.ok(studyRunId, r.stdout);
    assert.match(r.stdout, /^Pareto front: [12] of 2 complete trials, hypervolume [\d.e-]+ \(reference val_accuracy [\d.e-]+, cpu_seconds [\d.e-]+\)$/m);
    assert.match(r.stdout, /^TRIAL +RUN ID +val_accuracy \(max\) +cpu_seconds \(min\) +epochs$/m);
    const rows = r.stdout.split('\n').filter((line) => /^[01] +[0-9a-f]{32} /.test(line));
    assert.ok(rows.length >= 1, r.stdout);
    // each row: trial, run, accuracy, CPU-seconds, epochs tuned
    for (const row of rows) assert.match(row, /^[01] +[0-9a-f]{32} +[\d.]+ +[\d.]+ +[14]$/);

    const later = runCli(['--workspace', work, 'tune', 'front', studyRunId]);
    assert.equal(later.status, 0, later.stderr);
    assert.deepEqual(later.stdout.split('\n').filter((line) => /^[01] +[0-9a-f]{32} /.test(line)), rows);
    const json = runCli(['--workspace', work, '--json', 'tune', 'front', studyRunId]);
    const record = JSON.parse(json.stdout) as { front: Array<{ number: number; values: number[] }>; hypervolume: number };
    assert.equal(record.front.length, rows.length);

    const single = join(work, 'one.tune.yaml');
    writeFileSync(single, 'train: tiny.train.yaml\nsampler: grid\nparams:\n  epochs: {type: categorical, choices: [1]}\n');
    const one = runCli(['--workspace', work, 'tune', single, '--backend', 'js']);
    assert.equal(one.status, 0, one.stderr);
    assert.doesNotMatch(one.stdout, /Pareto/, 'a single-objective study prints as before');
    const oneId = /^study run ([0-9a-f]{32})/m.exec(one.stdout)?.[1] as string;
    const refused = runCli(['--workspace', work, 'tune', 'front', oneId]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /has one objective \(minimize val_loss\).*not a front/);
  });
});
