import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { CoalescedRefresh } from '../../../src/vscode/panels/coalescedRefresh';

test('a view following a store that changes every 100 ms still refreshes every 250 ms, once per burst', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let refreshes = 0;
    const refresh = new CoalescedRefresh(250, () => refreshes++);
    // 2 s of a change every 100 ms: a debounce that restarts on each change would never fire.
    for (let t = 0; t < 2_000; t += 100) {
      refresh.request();
      mock.timers.tick(100);
    }
    assert.ok(refreshes >= 6 && refreshes <= 8, `refreshed ${refreshes} times in 2 s`);
    const before = refreshes;
    refresh.request();
    refresh.request();
    mock.timers.tick(250);
    assert.equal(refreshes, before + 1, 'a burst is one refresh');
    refresh.request();
    refresh.now();
    assert.equal(refreshes, before + 2, 'now() refreshes at once');
    mock.timers.tick(1_000);
    assert.equal(refreshes, before + 2, '… and the one that was due is dropped');
    refresh.request();
    refresh.dispose();
    mock.timers.tick(1_000);
    assert.equal(refreshes, before + 2, 'nothing after dispose');
  } finally {
    mock.timers.reset();
  }
});
