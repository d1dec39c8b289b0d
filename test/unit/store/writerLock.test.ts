import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openWorkspaceStore, StoreLockedError } from '../../../src/core/store/workspaceStore';
import { deadPid, spawnFixture, tempStoreDir } from './testSupport';

async function race(dir: string): Promise<string[]> {
  const startAt = Date.now() + 1500;
  const children = ['racer A', 'racer B'].map((name) => spawnFixture('lockRacer.ts', [dir, String(startAt), name]));
  return Promise.all(
    children.map(
      (child) =>
        new Promise<string>((resolve, reject) => {
          let out = '';
          let err = '';
          child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
          child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
          child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`racer failed: ${err}`))));
        }),
    ),
  );
}

test('two processes racing for the lock: exactly one becomes the writer, the other is told who holds it', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    for (let round = 0; round < 3; round++) {
      if (round > 0) {
        // Later rounds race over a stale lock left by a dead process: still exactly one winner.
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'writer.lock'), JSON.stringify({ pid: await deadPid(), hostname: hostname(), name: 'crashed window', startedAt: new Date().toISOString() }));
      }
      const outcomes = await race(dir);
      const winners = outcomes.filter((o) => o === 'won');
      assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(outcomes)}`);
      const loser = outcomes.find((o) => o.startsWith('locked '));
      assert.ok(loser, `round ${round}: ${JSON.stringify(outcomes)}`);
      const { message } = JSON.parse(loser.slice('locked '.length)) as { message: string };
      assert.match(message, /is in use by racer [AB] \(pid \d+ on host .+\) since \d\d:\d\d/);
    }
  } finally {
    cleanup();
  }
});

test('a second writer in the same process gets StoreLockedError naming the holder; after close it can open', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const first = await openWorkspaceStore({ dir, writerName: 'VS Code window' });
    await assert.rejects(openWorkspaceStore({ dir, writerName: 'mlops CLI' }), (error: unknown) => {
      assert.ok(error instanceof StoreLockedError);
      assert.equal(error.holder.name, 'VS Code window');
      assert.equal(error.holder.pid, process.pid);
      assert.ok(error.message.startsWith(`The workspace store ${dir} is in use by VS Code window (pid ${process.pid} on host ${hostname()}) since `));
      return true;
    });
    await first.close();
    const second = await openWorkspaceStore({ dir, writerName: 'mlops CLI' });
    assert.equal(JSON.parse(readFileSync(join(dir, 'writer.lock'), 'utf8')).name, 'mlops CLI');
    await second.close();
  } finally {
    cleanup();
  }
});

test('a lock held by a live process on another host is respected', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'writer.lock'), JSON.stringify({ pid: 1, hostname: 'build-server-7', name: 'VS Code window', startedAt: '2026-01-02T16:40:00.000Z' }));
    await assert.rejects(openWorkspaceStore({ dir, writerName: 'mlops CLI' }), /in use by VS Code window \(pid 1 on host build-server-7\) since 2026-01-02/);
  } finally {
    cleanup();
  }
});
