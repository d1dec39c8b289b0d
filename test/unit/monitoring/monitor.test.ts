import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { acknowledgeAlerts, driftHistory, openAlerts } from '../../../src/core/monitoring/driftHistory';
import { resolveMonitor, runMonitor } from '../../../src/core/monitoring/monitorRunner';
import { parseMonitorSpec } from '../../../src/core/monitoring/monitorSpecParser';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { SpecError } from '../../../src/core/training/specErrors';

const root = mkdtempSync(join(tmpdir(), 'mlops-monitor-'));
after(() => rmSync(root, { recursive: true, force: true }));

function csv(name: string, rows: number, shift: number): void {
  const lines = ['x,y,colour'];
  for (let i = 0; i < rows; i++) lines.push(`${(i % 50) + shift},${(i * 7) % 13},${shift ? (i % 5 === 0 ? 'blue' : 'red') : ['red', 'blue', 'green'][i % 3]}`);
  writeFileSync(join(root, name), lines.join('\n') + '\n');
}
csv('ref.csv', 300, 0);
csv('same.csv', 300, 0);
csv('moved.csv', 300, 30);

describe('monitor specs', () => {
  test('a valid spec resolves paths against its folder and names itself after the file', () => {
    const spec = parseMonitorSpec('reference:\n  file: ref.csv\ncurrent:\n  file: moved.csv\ncolumns: [x, colour]\ndrift_share: 0.4\nper_column:\n  x: {test: psi, threshold: 0.2}\n', join(root, 'shop.monitor.yaml'));
    assert.equal(spec.name, 'shop');
    assert.deepEqual(spec.reference, { kind: 'file', path: join(root, 'ref.csv'), asWritten: 'ref.csv' });
    assert.deepEqual(spec.options.columns, ['x', 'colour']);
    assert.equal(spec.options.driftShare, 0.4);
    assert.deepEqual(spec.options.perColumn, { x: { test: 'psi', threshold: 0.2 } });
  });

  test('errors give file, line, column and field', () => {
    try {
      parseMonitorSpec('reference:\n  model: runs:/abc\ncurrent:\n  file: a.csv\ntest: anova\n', 'm.monitor.yaml');
      assert.fail('expected a SpecError');
    } catch (error) {
      assert.ok(error instanceof SpecError);
      const fields = error.issues.map((i) => `${i.field}@${i.line}:${i.column}`);
      assert.ok(fields.some((f) => f.startsWith('test@5:')), fields.join(' '));
      assert.ok(fields.some((f) => f.startsWith('reference')), fields.join(' '));
      assert.match(error.message, /m\.monitor\.yaml has \d problems/);
    }
  });
});

describe('running monitors', () => {
  test('reports are stored over time; a tripped monitor raises an alert until acknowledged', async () => {
    writeFileSync(join(root, 'shop.monitor.yaml'), 'reference:\n  file: ref.csv\ncurrent:\n  file: same.csv\n');
    writeFileSync(join(root, 'shifted.monitor.yaml'), 'name: shop-shifted\nreference:\n  file: ref.csv\ncurrent:\n  file: moved.csv\n');
    const store = await openWorkspaceStore({ dir: join(root, '.mlops'), writerName: 'test' });
    try {
      const calm = await runMonitor(await resolveMonitor(root, 'shop'), { store });
      assert.equal(calm.tripped, false);
      const tripped = await runMonitor(await resolveMonitor(root, 'shop-shifted'), { store });
      assert.equal(tripped.tripped, true);
      assert.match(tripped.alert ?? '', /Monitor shop-shifted: dataset drift — \d of 3 columns drifted \(x/);
      await runMonitor(await resolveMonitor(root, 'shifted.monitor.yaml'), { store });
      const history = driftHistory(store, 'shop-shifted');
      assert.equal(history.length, 2);
      assert.ok(history[0]!.createdAt <= history[1]!.createdAt);
      assert.equal(history[0]!.columns.find((c) => c.column === 'x')?.drifted, true);
      assert.equal(openAlerts(store, 'shop-shifted').length, 2);
      assert.equal(openAlerts(store, 'shop').length, 0);
      await acknowledgeAlerts(store, 'shop-shifted');
      assert.equal(openAlerts(store).length, 0);
    } finally {
      await store.close();
    }
  });

  test('mlops drift exits 1 on dataset drift and 0 otherwise; bad columns are a one-line error', async () => {
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const errWrite = process.stderr.write.bind(process.stderr);
    const capture = (chunk: string | Uint8Array): boolean => (out.push(String(chunk)), true);
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    try {
      assert.equal(await runCli(['-w', root, 'drift', join(root, 'ref.csv'), join(root, 'moved.csv')]), 1);
      assert.match(out.join(''), /column\s+kind\s+test/);
      assert.match(out.join(''), /Dataset drift: YES/);
      assert.equal(await runCli(['-w', root, 'drift', join(root, 'ref.csv'), join(root, 'same.csv'), '--json']), 0);
      assert.equal(await runCli(['-w', root, 'drift', join(root, 'ref.csv'), join(root, 'same.csv'), '--columns', 'nope']), 2);
      assert.match(out.join(''), /column "nope" is not in the reference data \S*ref\.csv/);
      assert.equal(await runCli(['-w', root, 'monitor', 'run', 'shop-shifted', '--no-save']), 1);
    } finally {
      process.stdout.write = write;
      process.stderr.write = errWrite;
    }
  });
});
