import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { ParamConflictError } from '../../../src/core/tracking/trackingErrors';
import { tempStoreDir } from '../store/testSupport';

test('NaN, ±Infinity and -0 are stored and read back exactly, in summaries and histories', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const values = [NaN, Infinity, -Infinity, -0, 0, 5e-324, Number.MAX_VALUE, 0.1 + 0.2];
    let store = await openWorkspaceStore({ dir, writerName: 'test' });
    const run = await store.tracking.createRun({ experimentId: '0' });
    await store.tracking.logBatch({ runId: run.info.runId, metrics: values.map((value, step) => ({ key: 'weird', value, step })) });
    await store.tracking.logMetric(run.info.runId, { key: 'only-nan', value: NaN });
    for (const snapshot of [false, true]) {
      await store.close({ snapshot });
      store = await openWorkspaceStore({ dir, writerName: 'test' });
      const history = await store.tracking.getMetricHistory(run.info.runId, 'weird');
      assert.equal(history.points.length, values.length);
      history.points.forEach((p, i) => assert.ok(Object.is(p.value, values[i]), `point ${i}: ${p.value} vs ${values[i]}`));
      const metrics = (await store.tracking.getRun(run.info.runId)).data.metrics;
      const weird = metrics.find((m) => m.key === 'weird');
      assert.ok(weird && Object.is(weird.value, 0.1 + 0.2) && weird.min === -Infinity && weird.max === Infinity && weird.count === values.length);
      const onlyNan = metrics.find((m) => m.key === 'only-nan');
      assert.ok(onlyNan && Number.isNaN(onlyNan.value) && Number.isNaN(onlyNan.min) && Number.isNaN(onlyNan.max));
    }
    await store.close();
  } finally {
    cleanup();
  }
});

test('params are immutable: the same value again is fine, a different one is refused naming run, key, old and new value', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const store = await openWorkspaceStore({ dir, writerName: 'test' });
    const { info } = await store.tracking.createRun({ experimentId: '0' });
    await store.tracking.logParam(info.runId, 'lr', '0.01');
    await store.tracking.logParam(info.runId, 'lr', '0.01');
    await assert.rejects(store.tracking.logParam(info.runId, 'lr', '0.1'), (error: unknown) => {
      assert.ok(error instanceof ParamConflictError);
      assert.equal(error.message, `Param "lr" of run ${info.runId} is already "0.01"; params cannot change, so logging "0.1" was refused. Start a new run to try another value.`);
      return true;
    });
    // A batch with a conflict changes nothing at all.
    await assert.rejects(store.tracking.logBatch({ runId: info.runId, params: [{ key: 'new', value: 'x' }, { key: 'lr', value: '9' }], metrics: [{ key: 'm', value: 1 }] }), ParamConflictError);
    const run = await store.tracking.getRun(info.runId);
    assert.deepEqual(run.data.params, [{ key: 'lr', value: '0.01' }]);
    assert.deepEqual(run.data.metrics, []);
    await store.close();
  } finally {
    cleanup();
  }
});

type Op =
  | { kind: 'metric'; run: number; key: string; value: number; step: number }
  | { kind: 'bulk'; run: number; key: string; values: number[] }
  | { kind: 'param'; run: number; key: string; value: string }
  | { kind: 'tag'; run: number; key: string; value: string }
  | { kind: 'reopen'; snapshot: boolean };

const KEY = fc.constantFrom('a', 'b', 'loss', 'val/acc', 'ключ', 'with space');
const OP: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('metric' as const), run: fc.nat(2), key: KEY, value: fc.double(), step: fc.integer({ min: -5, max: 1000 }) }) },
  // Bulk batches push series past the inline limit, so moving to a file gets exercised too.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bulk' as const), run: fc.nat(2), key: KEY, values: fc.array(fc.double(), { minLength: 1, maxLength: 150 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('param' as const), run: fc.nat(2), key: KEY, value: fc.string({ maxLength: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tag' as const), run: fc.nat(2), key: KEY, value: fc.string({ maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), snapshot: fc.boolean() }) },
);

test('random logging sequences (with reopen and crash-like closes in between) read back exactly', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(OP, { maxLength: 40 }), async (ops) => {
      const { dir, cleanup } = tempStoreDir();
      try {
        let store = await openWorkspaceStore({ dir, writerName: 'property test' });
        const runIds: string[] = [];
        for (let i = 0; i < 3; i++) runIds.push((await store.tracking.createRun({ experimentId: '0' })).info.runId);
        const model = runIds.map(() => ({ metrics: new Map<string, { value: number; step: number }[]>(), params: new Map<string, string>(), tags: new Map<string, string>() }));
        for (const op of ops) {
          if (op.kind === 'reopen') {
            await store.close({ snapshot: op.snapshot });
            store = await openWorkspaceStore({ dir, writerName: 'property test' });
            continue;
          }
          const runId = runIds[op.run] as string;
          const m = model[op.run] as (typeof model)[number];
          if (op.kind === 'metric') {
            await store.tracking.logMetric(runId, { key: op.key, value: op.value, step: op.step, timestamp: 42 });
            m.metrics.set(op.key, [...(m.metrics.get(op.key) ?? []), { value: op.value, step: op.step }]);
          } else if (op.kind === 'bulk') {
            const first = (m.metrics.get(op.key) ?? []).length;
            await store.tracking.logBatch({ runId, metrics: op.values.map((value, i) => ({ key: op.key, value, step: first + i, timestamp: 42 })) });
            m.metrics.set(op.key, [...(m.metrics.get(op.key) ?? []), ...op.values.map((value, i) => ({ value, step: first + i }))]);
          } else if (op.kind === 'param') {
            const old = m.params.get(op.key);
            if (old !== undefined && old !== op.value) {
              await assert.rejects(store.tracking.logParam(runId, op.key, op.value), ParamConflictError);
            } else {
              await store.tracking.logParam(runId, op.key, op.value);
              m.params.set(op.key, op.value);
            }
          } else {
            await store.tracking.setTag(runId, op.key, op.value);
            m.tags.set(op.key, op.value);
          }
        }
        for (let i = 0; i < runIds.length; i++) {
          const runId = runIds[i] as string;
          const m = model[i] as (typeof model)[number];
          const run = await store.tracking.getRun(runId);
          assert.deepEqual(new Map(run.data.params.map((p) => [p.key, p.value])), m.params);
          const tags = new Map(run.data.tags.filter((t) => !t.key.startsWith('mlflow.')).map((t) => [t.key, t.value]));
          assert.deepEqual(tags, m.tags);
          for (const [key, points] of m.metrics) {
            const history = await store.tracking.getMetricHistory(runId, key);
            assert.equal(history.points.length, points.length);
            history.points.forEach((p, j) => {
              assert.ok(Object.is(p.value, points[j]?.value) && p.step === points[j]?.step, `${key}[${j}]`);
            });
            // The summary's latest is the point with the greatest step (ties: the later one).
            let latest = points[0] as { value: number; step: number };
            for (const p of points) if (p.step >= latest.step) latest = p;
            const summary = run.data.metrics.find((s) => s.key === key);
            assert.ok(summary && Object.is(summary.value, latest.value) && summary.count === points.length);
          }
        }
        await store.close();
      } finally {
        cleanup();
      }
    }),
    { numRuns: 25 },
  );
});
