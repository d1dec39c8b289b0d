import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { monitorNameFrom, monitorSpecTemplate } from '../../../src/core/monitoring/monitorSpecTemplate';
import { parseMonitorSpec } from '../../../src/core/monitoring/monitorSpecParser';

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
});
