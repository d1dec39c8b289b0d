import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { monitorNameFrom, monitorSpecTemplate } from '../../../src/core/monitoring/monitorSpecTemplate';
import { parseMonitorSpec } from '../../../src/core/monitoring/monitorSpecParser';
import { DEFAULT_ALIAS, DEFAULT_COOLDOWN_HOURS, DEFAULT_HOLDOUT_FRACTION } from '../../../src/core/retraining/retrainPolicy';

/** What a user does with the commented retrain block: removes the leading "# " of its lines. */
function uncommentRetrain(text: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf('# retrain:');
  assert.ok(start > 0, 'the template carries a commented retrain: block');
  return lines.map((line, i) => (i >= start && line.startsWith('# ') && !line.startsWith('#   # ') ? line.slice(2) : line)).join('\n');
}

describe('Create Monitor… templates', () => {
  test('an endpoint monitor watches its traffic against the served model’s training data, and parses', () => {
    const text = monitorSpecTemplate({ name: monitorNameFrom('Penguins Champion traffic'), modelUri: 'models:/penguins@champion', current: { endpoint: 'penguins-champion', last: 1000 }, everyMinutes: 60 });
    const spec = parseMonitorSpec(text, join('/ws', 'penguins-champion-traffic.monitor.yaml'));
    assert.equal(spec.name, 'penguins-champion-traffic');
    assert.deepEqual(spec.reference, { kind: 'model', uri: 'models:/penguins@champion' });
    assert.deepEqual(spec.current, { kind: 'endpoint', endpoint: 'penguins-champion', window: { last: 1000 }, asWritten: 'endpoint penguins-champion' });
    assert.deepEqual(spec.schedule, { everyMinutes: 60, onChange: undefined });
    assert.equal(spec.options.driftShare, 0.5);
  });

  test('a version monitor compares a data file, with paths and names that need quoting', () => {
    const text = monitorSpecTemplate({ name: monitorNameFrom('Penguins: v3 / drift'), modelUri: 'models:/penguins/3', current: { file: 'data/new week #2.csv' }, everyMinutes: 15 });
    const spec = parseMonitorSpec(text, join('/ws', 'x.monitor.yaml'));
    assert.equal(spec.name, 'penguins-v3-drift');
    assert.deepEqual(spec.current, { kind: 'file', path: join('/ws', 'data', 'new week #2.csv'), asWritten: 'data/new week #2.csv' });
    assert.equal(monitorNameFrom('***'), 'monitor');
  });

  test('the retraining policy is there, commented out, with the defaults; uncommented it parses to them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'monitor-template-'));
    try {
      writeFileSync(join(dir, 'penguins.train.yaml'), 'name: x\n');
      const text = monitorSpecTemplate({ name: 'penguins-champion-drift', modelUri: 'models:/penguins@champion', current: { file: 'data/new.csv' }, everyMinutes: 60 });
      assert.equal(parseMonitorSpec(text, join(dir, 'm.monitor.yaml')).retrain, undefined, 'commented out: nothing retrains until the user opts in');
      const policy = parseMonitorSpec(uncommentRetrain(text), join(dir, 'm.monitor.yaml')).retrain;
      assert.ok(policy);
      assert.equal(policy.specPath, join(dir, 'penguins.train.yaml'));
      assert.equal(policy.model, 'penguins');
      assert.equal(policy.alias, DEFAULT_ALIAS);
      assert.equal(policy.data, 'append_current');
      assert.deepEqual(policy.holdout, { kind: 'sample', fraction: DEFAULT_HOLDOUT_FRACTION });
      assert.equal(policy.minImprovement, 0);
      assert.equal(policy.cooldownHours, DEFAULT_COOLDOWN_HOURS);
      assert.equal(policy.promote, 'review');
      assert.equal(policy.metric, undefined);

      // an endpoint's traffic has no labels: the block trains on the spec's data and scores on a file
      writeFileSync(join(dir, 'fraud.train.yaml'), 'name: x\n');
      const endpoint = monitorSpecTemplate({ name: 'fraud-traffic', modelUri: 'models:/fraud/2', current: { endpoint: 'fraud', last: 500 }, everyMinutes: 60 });
      const fromTraffic = parseMonitorSpec(uncommentRetrain(endpoint), join(dir, 'e.monitor.yaml')).retrain;
      assert.equal(fromTraffic?.data, 'spec');
      assert.deepEqual(fromTraffic?.holdout, { kind: 'file', path: join(dir, 'data', 'holdout.csv'), asWritten: 'data/holdout.csv' });
      assert.equal(fromTraffic?.alias, DEFAULT_ALIAS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
