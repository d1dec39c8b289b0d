import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freezeFolders } from '../../../src/core/registry/versionFreezer';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { ABANDONED_TEMP_AGE_MS, ARTIFACT_TEMP_FOLDER, ARTIFACTS_FOLDER } from '../../../src/core/tracking/artifactStore';
import { createRun, startFixture } from '../server/serverTestSupport';
import { tempStoreDir } from '../store/testSupport';

test('files named like temp files (data.tmp-1.csv) upload, list and download like any other; writes leave nothing behind', async () => {
  const fx = await startFixture();
  try {
    const { experimentId, runId } = await createRun(fx);
    const root = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts`;
    for (const path of ['data.tmp-1.csv', '.tmp-123-456-abc', 'out/model.tmp-42']) {
      const put = await fx.raw('PUT', `${root}/${path}`, { body: `rows of ${path}\n`, headers: { 'Content-Type': 'text/plain' } });
      assert.equal(put.status, 200, put.text);
    }
    const list = await fx.api('GET', '/api/2.0/mlflow-artifacts/artifacts', { path: `${experimentId}/${runId}/artifacts` });
    assert.deepEqual(list.json, {
      files: [
        { path: '.tmp-123-456-abc', is_dir: false, file_size: 25 },
        { path: 'data.tmp-1.csv', is_dir: false, file_size: 23 },
        { path: 'out', is_dir: true },
      ],
    });
    const sub = await fx.api('GET', '/api/2.0/mlflow-artifacts/artifacts', { path: `${experimentId}/${runId}/artifacts/out` });
    assert.deepEqual(sub.json, { files: [{ path: 'model.tmp-42', is_dir: false, file_size: 25 }] });
    assert.equal((await fx.raw('GET', `${root}/data.tmp-1.csv`)).text, 'rows of data.tmp-1.csv\n');

    // logArtifact (a copy of a local file) too
    const local = join(mkdtempSync(join(tmpdir(), 'art-')), 'weights.tmp-7.bin');
    writeFileSync(local, Buffer.from([1, 2, 3]));
    await fx.store.tracking.logArtifact(runId, local, 'weights.tmp-7.bin');
    assert.ok((await fx.store.tracking.listArtifacts(runId)).some((e) => e.path === 'weights.tmp-7.bin' && e.fileSize === 3));
    rmSync(local);

    // every temp file was linked into place and removed
    assert.deepEqual(readdirSync(join(fx.dir, ARTIFACTS_FOLDER, ARTIFACT_TEMP_FOLDER)), []);
    assert.deepEqual(readdirSync(join(fx.dir, ARTIFACTS_FOLDER)).sort(), [ARTIFACT_TEMP_FOLDER, runId].sort());
  } finally {
    await fx.close();
  }
});

test('a registered version keeps a file named like a temp file', () => {
  const storeDir = mkdtempSync(join(tmpdir(), 'freeze-'));
  try {
    const model = join(storeDir, 'artifacts', 'r', 'model');
    mkdirSync(model, { recursive: true });
    writeFileSync(join(model, 'MLmodel.json'), '{}');
    writeFileSync(join(model, 'vocab.tmp-1.txt'), 'a\nb\n');
    const frozen = freezeFolders(storeDir, [{ from: model, to: 'model' }]);
    assert.deepEqual(readdirSync(join(storeDir, ...frozen.storage.split('/'), 'model')).sort(), ['MLmodel.json', 'vocab.tmp-1.txt']);
  } finally {
    rmSync(storeDir, { recursive: true, force: true });
  }
});

test('opening the store removes temp files of writes killed mid-way, never one that may still be written', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    await (await openWorkspaceStore({ dir, writerName: 'test' })).close();
    const temps = join(dir, ARTIFACTS_FOLDER, ARTIFACT_TEMP_FOLDER);
    mkdirSync(temps, { recursive: true });
    const now = Date.now();
    const plant = (name: string, ageMs: number): void => {
      const file = join(temps, name);
      writeFileSync(file, Buffer.alloc(1000));
      const when = new Date(now - ageMs);
      utimesSync(file, when, when);
    };
    const deadPid = 2 ** 30; // above any pid_max: no such process
    const livePid = process.ppid; // the test runner: alive, and not the process opening the store
    const old = ABANDONED_TEMP_AGE_MS + 60_000;
    plant(`${deadPid}-1-killed`, old); // its writer is gone: abandoned
    plant('leftover', old); // no writer named: abandoned once old
    plant(`${livePid}-2-slow`, old); // its writer still runs: kept
    plant(`${deadPid}-3-recent`, 1_000); // touched a second ago: may be a write in progress
    plant(`${livePid}-4-ancient`, 2 * 24 * 60 * 60_000); // a day untouched: the pid is someone else's by now

    const store = await openWorkspaceStore({ dir, writerName: 'test' });
    try {
      assert.deepEqual(readdirSync(temps).sort(), [`${deadPid}-3-recent`, `${livePid}-2-slow`].sort());
      // and the store writes artifacts as before
      const { info } = await store.tracking.createRun({ experimentId: '0' });
      await store.tracking.writeArtifact(info.runId, 'ok.txt', 'ok');
      assert.equal(existsSync(join(dir, ARTIFACTS_FOLDER, info.runId, 'ok.txt')), true);
    } finally {
      await store.close();
    }
  } finally {
    cleanup();
  }
});
