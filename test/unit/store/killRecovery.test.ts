import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { valueFor } from './fixtures/killableWriter';
import { spawnFixture, tempStoreDir } from './testSupport';

const KILLS = 30;

interface Acks {
  runId: string | undefined;
  metrics: Map<string, number>; // key -> highest acknowledged step (steps are acknowledged in order per key)
  params: Map<string, string>;
  stderr: string;
}

/** Starts the writer, lets it run for `runMs` after it is ready, SIGKILLs it and returns what it acknowledged. */
async function runAndKill(dir: string, runMs: number, checkpointRecords: number): Promise<Acks> {
  const child = spawnFixture('killableWriter.ts', [dir, String(checkpointRecords)]);
  const acks: Acks = { runId: undefined, metrics: new Map(), params: new Map(), stderr: '' };
  let buffered = '';
  let timer: NodeJS.Timeout | undefined;
  child.stderr?.on('data', (chunk: Buffer) => {
    acks.stderr += chunk.toString();
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const parts = line.split(' ');
      if (parts[0] === 'ready') {
        acks.runId = parts[1];
        timer = setTimeout(() => child.kill('SIGKILL'), runMs);
      } else if (parts[1] === 'm') {
        const key = parts[2] as string;
        acks.metrics.set(key, Math.max(acks.metrics.get(key) ?? -1, Number(parts[4])));
      } else if (parts[1] === 'p') {
        acks.params.set(parts[2] as string, parts[3] as string);
      }
    }
  });
  await new Promise((resolve) => child.on('exit', resolve));
  if (timer) clearTimeout(timer);
  return acks;
}

test(`a writer SIGKILLed at ${KILLS} random moments loses no acknowledged point or param`, { timeout: 180_000 }, async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    let totalAcked = 0;
    let previousPoints = 0;
    for (let round = 0; round < KILLS; round++) {
      // Vary both the moment of the kill and how often the writer checkpoints, so kills also land
      // inside snapshot writes and journal truncations.
      const acks = await runAndKill(dir, Math.floor(Math.random() * 350), 5 + Math.floor(Math.random() * 200));
      assert.ok(acks.runId, `writer never became ready (round ${round}): ${acks.stderr}`);
      const store = await openWorkspaceStore({ dir, writerName: 'kill test checker', staleRunAfterMs: 3_600_000 });
      try {
        const run = await store.tracking.getRun(acks.runId);
        for (const [key, lastAcked] of acks.metrics) {
          const history = await store.tracking.getMetricHistory(acks.runId, key);
          // Every acknowledged step is there, exactly once, with its exact value; later unacknowledged
          // points may be there too (they reached the disk before the kill), but only as a prefix.
          assert.ok(history.points.length >= lastAcked + 1, `round ${round}: ${key} has ${history.points.length} points, ${lastAcked + 1} were acknowledged`);
          history.points.forEach((p, i) => {
            assert.equal(p.step, i, `round ${round}: ${key} step order`);
            assert.ok(Object.is(p.value, valueFor(key, i)), `round ${round}: ${key}@${i} is ${p.value}, expected ${valueFor(key, i)}`);
          });
          totalAcked += lastAcked + 1;
        }
        const params = new Map(run.data.params.map((p) => [p.key, p.value]));
        for (const [key, value] of acks.params) assert.equal(params.get(key), value, `round ${round}: param ${key}`);
        const stats = await store.tracking.stats();
        assert.ok(stats.metricPoints >= previousPoints, 'points of earlier rounds are still there');
        previousPoints = stats.metricPoints;
      } finally {
        await store.close();
      }
    }
    assert.ok(totalAcked > 0, 'the writers acknowledged something');
  } finally {
    cleanup();
  }
});
