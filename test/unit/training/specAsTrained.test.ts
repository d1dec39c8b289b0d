import assert from 'node:assert/strict';
import { test } from 'node:test';
import { specTextAsTrained } from '../../../src/core/training/specAsTrained';

const base = '# penguins, the network version\ndataset: penguins.csv # next to the spec\ntarget: species\nmodel:\n  type: mlp\n  layers: [{units: 16}]\noptimizer:\n  learning_rate: 0.01\npreprocessing:\n  standardize: true\nepochs: 40\n';

test('a run keeps the spec it trained: a trial\'s values written in (comments kept), a search\'s tree model without the network settings it ignores', () => {
  assert.equal(specTextAsTrained(base, undefined), base, 'a plain training keeps the file as it is');
  const trial = specTextAsTrained(base, { 'optimizer.learning_rate': 0.003, 'model.layers.0.units': 64 });
  assert.match(trial, /^# penguins, the network version$/m);
  assert.match(trial, /^dataset: penguins\.csv # next to the spec$/m);
  assert.match(trial, /^ {2}learning_rate: 0\.003$/m);
  assert.match(trial, /units: 64/);
  assert.match(trial, /^epochs: 40$/m, 'a network keeps its epochs');
  const candidate = specTextAsTrained(base, { model: { type: 'random_forest' } });
  assert.match(candidate, /^model:\n {2}type: random_forest\n/m);
  assert.doesNotMatch(candidate, /^(epochs|optimizer|preprocessing):/m);
  assert.match(candidate, /^target: species$/m);
});
