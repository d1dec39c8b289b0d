import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { ArtifactPathError } from '../../../src/core/tracking/trackingErrors';
import { tempStoreDir } from '../store/testSupport';

test('artifacts are written, listed and read under .mlops/artifacts/<run>/, and never overwritten', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const store = await openWorkspaceStore({ dir, writerName: 'test' });
    const { info } = await store.tracking.createRun({ experimentId: '0' });
    await store.tracking.writeArtifact(info.runId, 'model/weights.json', '{"w":[1,2]}');
    await store.tracking.writeArtifact(info.runId, 'report.txt', 'ok');
    const local = join(mkdtempSync(join(tmpdir(), 'art-')), 'plot.png');
    writeFileSync(local, Buffer.from([1, 2, 3]));
    await store.tracking.logArtifact(info.runId, local, 'plots/plot.png');
    assert.deepEqual(await store.tracking.listArtifacts(info.runId), [
      { path: 'model', isDir: true },
      { path: 'plots', isDir: true },
      { path: 'report.txt', isDir: false, fileSize: 2 },
    ]);
    assert.deepEqual(await store.tracking.listArtifacts(info.runId, 'model'), [{ path: 'model/weights.json', isDir: false, fileSize: 11 }]);
    assert.equal((await store.tracking.readArtifact(info.runId, 'model/weights.json')).toString(), '{"w":[1,2]}');
    assert.deepEqual([...(await store.tracking.readArtifact(info.runId, 'plots/plot.png'))], [1, 2, 3]);
    await assert.rejects(store.tracking.writeArtifact(info.runId, 'report.txt', 'changed'), /already exists; artifacts cannot be overwritten/);
    assert.ok(info.artifactUri.startsWith('file://') && info.artifactUri.endsWith(`/.mlops/artifacts/${info.runId}`));
    await store.close();
  } finally {
    cleanup();
  }
});

test('artifact paths that could escape the run folder are rejected with a clear message', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const store = await openWorkspaceStore({ dir, writerName: 'test' });
    const { info } = await store.tracking.createRun({ experimentId: '0' });
    const cases: [string, RegExp][] = [
      ['../escape.txt', /contains "\.\.", which would leave the run's artifact folder/],
      ['a/../../escape.txt', /contains "\.\."/],
      ['/etc/passwd', /it is absolute/],
      ['C:\\Windows\\x', /it is absolute/],
      ['a\\..\\..\\x', /backslash/],
      ['evil\0.txt', /NUL character/],
      ['', /it is empty/],
    ];
    for (const [path, reason] of cases) {
      await assert.rejects(store.tracking.writeArtifact(info.runId, path, 'x'), (error: unknown) => {
        assert.ok(error instanceof ArtifactPathError, `${JSON.stringify(path)}: ${String(error)}`);
        assert.match(error.message, reason);
        assert.ok(error.message.startsWith(`Artifact path ${JSON.stringify(path)} is not allowed: `));
        return true;
      });
      await assert.rejects(store.tracking.readArtifact(info.runId, path), ArtifactPathError);
    }
    // A symlink inside the run folder that points outside it is not a way out either.
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    await store.tracking.writeArtifact(info.runId, 'inside.txt', 'x');
    symlinkSync(outside, join(dir, 'artifacts', info.runId, 'link'));
    await assert.rejects(store.tracking.writeArtifact(info.runId, 'link/new.txt', 'x'), /symbolic link that leads outside the run's artifact folder/);
    await assert.rejects(store.tracking.readArtifact(info.runId, 'link/secret.txt'), /symbolic link that leads outside/);
    await assert.rejects(store.tracking.listArtifacts(info.runId, 'link'), /symbolic link that leads outside/);
    // A symlink that stays inside is fine.
    mkdirSync(join(dir, 'artifacts', info.runId, 'real'));
    symlinkSync(join(dir, 'artifacts', info.runId, 'real'), join(dir, 'artifacts', info.runId, 'alias'));
    await store.tracking.writeArtifact(info.runId, 'alias/ok.txt', 'fine');
    assert.equal((await store.tracking.readArtifact(info.runId, 'real/ok.txt')).toString(), 'fine');
    await store.close();
  } finally {
    cleanup();
  }
});
