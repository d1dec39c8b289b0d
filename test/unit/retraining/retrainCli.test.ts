import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { mlopsInProcess } from '../lib/runCliInProcess';

const examples = join(__dirname, '..', '..', '..', 'examples');
const root = mkdtempSync(join(tmpdir(), 'mlops-retrain-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'data'));
copyFileSync(join(examples, 'data', 'penguins.csv'), join(root, 'data', 'penguins.csv'));
writeFileSync(join(root, 'small.train.yaml'), 'experiment: penguins\ndataset: data/penguins.csv\ntarget: species\ntask: classification\nmodel:\n  type: mlp\n  layers: [{units: 8}]\nepochs: 4\nearly_stopping: false\n');
writeFileSync(
  join(root, 'shop.monitor.yaml'),
  'reference:\n  file: data/penguins.csv\ncurrent:\n  file: data/penguins.csv\nretrain:\n  spec: small.train.yaml\n  model: penguins\n  data: spec\n  promote: auto\n  cooldown_hours: 12\n',
);
writeFileSync(join(root, 'plain.monitor.yaml'), 'reference:\n  file: data/penguins.csv\ncurrent:\n  file: data/penguins.csv\n');

describe('mlops retrain', () => {
  test('the policy shows in mlops monitor list; --dry-run works before anything was tracked', async () => {
    const list = await mlopsInProcess(root, 'monitor', 'list');
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /shop +shop\.monitor\.yaml +- +never run +- +0 +penguins@champion · spec · auto · 12 h/);
    assert.match(list.out, /plain +plain\.monitor\.yaml +- +never run +- +0 +-/);
    const dry = await mlopsInProcess(root, 'retrain', 'shop', '--dry-run');
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /^Monitor shop \(.*shop\.monitor\.yaml\): retraining policy\n {2}trigger {4}run by hand: no drift report\n/);
    assert.match(dry.out, /no version holds it yet/);
    assert.match(dry.out, /Dry run: nothing was trained or changed\.\n$/);
    const plain = await mlopsInProcess(root, 'retrain', 'plain');
    assert.equal(plain.code, 2);
    assert.match(plain.err, /monitor plain has no retraining policy; add a `retrain:` block/);
  });

  test('a run trains, registers and promotes the first version; a second is held back by the cool-down; --history lists it', async () => {
    const first = await mlopsInProcess(root, 'retrain', 'shop', '--backend', 'js');
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /^penguins: no version held @champion, so v1 takes it \(test_accuracy [\d.]+\) → @champion moved to v1\n/);
    assert.match(first.err, /preparing the data\ntraining\n/);
    const second = await mlopsInProcess(root, 'retrain', 'shop', '--json');
    assert.equal(second.code, 0, second.err);
    const outcome = JSON.parse(second.out) as { kind: string; reason: string };
    assert.equal(outcome.kind, 'skipped');
    assert.match(outcome.reason, /^cool-down/);
    const history = await mlopsInProcess(root, 'retrain', 'shop', '--history');
    assert.match(history.out, /^attempt +started +trigger +outcome +new +vs +scores +run \/ reason\n1 +\S+ \S+ +manual +promoted +v1 +- +test_accuracy [\d.]+ vs n\/a +[0-9a-f]{32}\n$/);
  });
});
