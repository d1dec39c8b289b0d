import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ChildJobError, JobCancelledError, runChildJob } from '../../../src/core/process/childJob';

const fixtures = join(__dirname, '..', '..', 'fixtures');

describe('jobs run in child processes', () => {
  test('backend detection picks the fastest working backend and says why faster ones were skipped', async () => {
    const report = await runChildJob('detectBackends', { preference: 'auto' });
    // native TensorFlow when its optional addon is installed, otherwise the built-in trainer
    assert.ok(['tensorflow', 'js'].includes(report.chosen), `chose ${report.chosen}`);
    const chosen = report.attempts.at(-1)!;
    assert.equal(chosen.backend, report.chosen);
    assert.equal(chosen.ok, true);
    for (const skipped of report.attempts.slice(0, -1)) {
      assert.equal(skipped.ok, false);
      assert.ok(skipped.reason && skipped.reason.length > 0, `${skipped.backend} has a reason`);
    }
  });

  test('TensorFlow.js WebAssembly can be asked for by name and computes', async () => {
    const report = await runChildJob('detectBackends', { preference: 'wasm' });
    assert.deepEqual(report.attempts.map((a) => [a.backend, a.ok]), [['wasm', true]]);
  });

  test('asking for a backend by name uses exactly that one', async () => {
    const report = await runChildJob('detectBackends', { preference: 'cpu' });
    assert.equal(report.chosen, 'cpu');
    assert.deepEqual(report.attempts.map((a) => a.backend), ['cpu']);
  });

  test('a crashed worker is reported with how it died and the end of its stderr', async () => {
    await assert.rejects(runChildJob('detectBackends', { preference: 'auto' }, { workerEntry: join(fixtures, 'crashingWorker.mjs') }), (error: unknown) => {
      assert.ok(error instanceof ChildJobError);
      assert.match(error.message, /exited with code 134 before finishing/);
      assert.match(error.message, /out of memory while allocating 8\.0 GB tensor/);
      return true;
    });
  });

  test('cancel kills the worker at once', async () => {
    const controller = new AbortController();
    const job = runChildJob('detectBackends', { preference: 'auto' }, { workerEntry: join(fixtures, 'hangingWorker.mjs'), signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(job, JobCancelledError);
  });
});
