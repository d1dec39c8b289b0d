import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpEngine } from '../../../src/core/engine/engineClient';
import { claimScheduleLease, releaseScheduleLease } from '../../../src/core/monitoring/scheduleLease';
import { startTrackingServer } from '../../../src/core/server/trackingServer';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { tempStoreDir } from '../store/testSupport';

/*
 * Scheduled monitors run in one window per workspace: the engine lends the schedule to one client
 * at a time, renewed by it, and hands it on when the holder stops renewing (a closed or crashed window).
 */
test('two windows ask the engine for the schedule: the first gets it, the second is told who has it, and takes it over once the first stops renewing', async () => {
  const { dir, cleanup } = tempStoreDir('mlops-schedule-');
  const store = await openWorkspaceStore({ dir, writerName: 'schedule test' });
  const server = await startTrackingServer({ store });
  try {
    const windowA = httpEngine(server.url, server.token as string);
    const windowB = httpEngine(server.url, server.token as string);
    assert.deepEqual(await windowA.call('monitoring.claimSchedule', { clientId: 'window A', ttlMs: 600_000 }), { granted: true });
    assert.deepEqual(await windowB.call('monitoring.claimSchedule', { clientId: 'window B', ttlMs: 600_000 }), { granted: false, holder: 'window A' });
    // A renews: it keeps the schedule, and B is still refused
    assert.deepEqual(await windowA.call('monitoring.claimSchedule', { clientId: 'window A', ttlMs: 600_000 }), { granted: true });
    assert.deepEqual(await windowB.call('monitoring.claimSchedule', { clientId: 'window B', ttlMs: 600_000 }), { granted: false, holder: 'window A' });

    // A's last renewal asks for 1 ms and then A goes quiet (a crashed window): B gets the schedule
    // as soon as that ttl has run out, without waiting for a fixed time.
    assert.deepEqual(await windowA.call('monitoring.claimSchedule', { clientId: 'window A', ttlMs: 1 }), { granted: true });
    let claimB = await windowB.call('monitoring.claimSchedule', { clientId: 'window B', ttlMs: 600_000 });
    while (!claimB.granted) {
      assert.equal(claimB.holder, 'window A');
      claimB = await windowB.call('monitoring.claimSchedule', { clientId: 'window B', ttlMs: 600_000 });
    }
    assert.deepEqual(await windowA.call('monitoring.claimSchedule', { clientId: 'window A', ttlMs: 600_000 }), { granted: false, holder: 'window B' }, 'a window that lost the schedule does not get it back while the new holder renews');

    // B closes: it hands the schedule on at once
    assert.deepEqual(await windowA.call('monitoring.releaseSchedule', { clientId: 'window A' }), { released: false }, 'only the holder can hand it on');
    assert.deepEqual(await windowB.call('monitoring.releaseSchedule', { clientId: 'window B' }), { released: true });
    assert.deepEqual(await windowA.call('monitoring.claimSchedule', { clientId: 'window A', ttlMs: 600_000 }), { granted: true });

    await assert.rejects(windowA.call('monitoring.claimSchedule', { clientId: '', ttlMs: 1000 }), /clientId must be a non-empty string/);
    await assert.rejects(windowA.call('monitoring.claimSchedule', { clientId: 'window A', ttlMs: 0 }), /ttlMs must be a positive integer/);
    await assert.rejects(windowA.call('monitoring.claimSchedule', { clientId: 'window A', ttlMs: 86_400_000 }), /ttlMs must be at most/);
  } finally {
    await server.close();
    await store.close();
    cleanup();
  }
});

test('the lease runs out exactly at its ttl on the engine\'s clock, and is per store', () => {
  let now = 1_000;
  const clock = (): number => now;
  const store = {};
  const other = {};
  assert.deepEqual(claimScheduleLease(store, 'A', 100, clock), { granted: true });
  now = 1_099;
  assert.deepEqual(claimScheduleLease(store, 'B', 100, clock), { granted: false, holder: 'A' }, 'one ms before the ttl runs out');
  assert.deepEqual(claimScheduleLease(other, 'B', 100, clock), { granted: true }, 'another workspace\'s store has its own schedule');
  assert.deepEqual(claimScheduleLease(store, 'A', 100, clock), { granted: true }, 'renewed at 1099: now held until 1199');
  now = 1_198;
  assert.deepEqual(claimScheduleLease(store, 'B', 100, clock), { granted: false, holder: 'A' });
  now = 1_199;
  assert.deepEqual(claimScheduleLease(store, 'B', 100, clock), { granted: true });
  assert.equal(releaseScheduleLease(store, 'A'), false);
  assert.equal(releaseScheduleLease(store, 'B'), true);
  assert.deepEqual(claimScheduleLease(store, 'A', 100, clock), { granted: true });
});
