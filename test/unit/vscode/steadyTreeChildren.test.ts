import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SteadyTreeChildren } from '../../../src/vscode/views/steadyTreeChildren';

/**
 * A tree's children kept until their replacements arrive (the Experiments and Models views): what
 * VS Code is answered while the store is re-read, when it is told to re-read, and that a parent
 * collapsed meanwhile is not shown out of date when expanded again.
 */
describe('a tree’s children while the store is re-read', () => {
  /** A tree of string nodes over `data` (parent → children; '' is the root); reads wait while `busy` is set. */
  function fixture(data: Map<string, string[]>): { rows: SteadyTreeChildren<string>; changes: () => number; hold: () => () => void; failing: (on: boolean) => void } {
    let changed = 0;
    let busy: Promise<void> | undefined;
    let fail = false;
    const rows = new SteadyTreeChildren<string>(
      async (parent) => {
        await busy;
        if (fail) throw new Error('the engine did not answer');
        return [...(data.get(parent ?? '') ?? [])];
      },
      (parent) => parent ?? '',
      () => changed++,
    );
    return {
      rows,
      changes: () => changed,
      hold: () => {
        let release = (): void => undefined;
        busy = new Promise<void>((resolve) => (release = resolve));
        return () => {
          busy = undefined;
          release();
        };
      },
      failing: (on) => (fail = on),
    };
  }

  test('while a reload waits on the store, VS Code is answered with the rows it shows, and told only once the new ones are in', async () => {
    const data = new Map([['', ['A']], ['A', ['a1', 'a2']]]);
    const { rows, changes, hold } = fixture(data);
    assert.deepEqual(await rows.children(undefined), ['A']);
    assert.deepEqual(await rows.children('A'), ['a1', 'a2']);
    data.set('A', ['a0', 'a1', 'a2']);
    const release = hold();
    const reloading = rows.reload();
    assert.deepEqual(await rows.children('A'), ['a1', 'a2'], 'the rows on screen, at once');
    assert.equal(changes(), 0, 'VS Code is not told before the new rows are in');
    release();
    await reloading;
    assert.equal(changes(), 1);
    assert.deepEqual(await rows.children('A'), ['a0', 'a1', 'a2'], 'its re-read is answered from memory with the new rows');
    assert.deepEqual(rows.known().sort(), ['A', 'a0', 'a1', 'a2']);
  });

  test('a parent collapsed before a change elsewhere is read again when expanded, not shown as it was', async () => {
    const data = new Map([['', ['A', 'B']], ['A', ['a1']], ['B', ['b1']]]);
    const { rows, changes } = fixture(data);
    await rows.children(undefined);
    await rows.children('A');
    await rows.children('B');
    // A change VS Code is told of; it re-reads the root and A, not B (collapsed meanwhile).
    data.set('A', ['a1', 'a2']);
    await rows.reload();
    assert.equal(changes(), 1);
    await rows.children(undefined);
    await rows.children('A');
    // Then only B's runs change: what is shown is the same, so VS Code is not told…
    data.set('B', ['b1', 'b2']);
    await rows.reload();
    assert.equal(changes(), 1, 'nothing shown changed: no re-read');
    // …and B, expanded again, shows what the store has.
    assert.deepEqual(await rows.children('B'), ['b1', 'b2']);
  });

  test('a reload that cannot read drops what it knew, so VS Code’s re-read shows the failure', async () => {
    const data = new Map([['', ['A']]]);
    const { rows, changes, failing } = fixture(data);
    await rows.children(undefined);
    failing(true);
    await rows.reload();
    assert.equal(changes(), 1, 'VS Code is told to re-read');
    await assert.rejects(rows.children(undefined), /the engine did not answer/);
    failing(false);
    assert.deepEqual(await rows.children(undefined), ['A']);
  });
});
