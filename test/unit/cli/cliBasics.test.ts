import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { version } from '../../../package.json';
import { runCli } from '../lib/runCli';

describe('mlops CLI basics', () => {
  test('--version prints the product version', () => {
    const r = runCli(['--version']);
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), version);
  });

  test('--help lists the commands', () => {
    const r = runCli(['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: mlops/);
    assert.match(r.stdout, /doctor/);
  });

  test('an unknown command fails with a readable message and a non-zero exit code', () => {
    const r = runCli(['trian']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unknown command 'trian'/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace for a user mistake');
  });

  test('doctor reports the store location and the training backend it would use', () => {
    const ws = mkdtempSync(join(tmpdir(), 'mlops-cli-'));
    const r = runCli(['--workspace', ws, '--json', 'doctor']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { store: { dir: string; exists: boolean }; training: { chosen: string } };
    assert.equal(report.store.dir, join(ws, '.mlops'));
    assert.equal(report.store.exists, false);
    assert.ok(['tensorflow', 'js'].includes(report.training.chosen), `chose ${report.training.chosen}`);
  });

  test('doctor refuses a backend that does not exist, naming the choices', () => {
    const r = runCli(['doctor', '--backend', 'cuda']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--backend must be one of auto, tensorflow, js, wasm, cpu, not "cuda"/);
  });
});
