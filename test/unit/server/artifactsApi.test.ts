import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRun, startFixture } from './serverTestSupport';

test('artifacts through the mlflow-artifacts proxy: upload, list relative to the folder, download, {} for a file', async () => {
  const fx = await startFixture();
  try {
    const { experimentId, runId } = await createRun(fx);
    const root = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts`;
    const put = async (path: string, body: string | Buffer, contentType: string): Promise<number> => {
      const r = await fx.raw('PUT', `${root}/${path}`, { body, headers: { 'Content-Type': contentType } });
      assert.deepEqual(r.json, {}, r.text);
      return r.status;
    };
    assert.equal(await put('notes.txt', 'hello from train.py\n', 'text/plain'), 200);
    assert.equal(await put('model/MLmodel', 'flavors: {}\n', 'text/plain'), 200);
    assert.equal(await put('model/model.pkl', Buffer.from([0x80, 4, 0x95, 0]), 'application/octet-stream'), 200);
    assert.equal(await put('dir%20with%20space/a.json', '{"a":1}', 'text/plain'), 200);

    const list = await fx.api('GET', '/api/2.0/mlflow-artifacts/artifacts', { path: `${experimentId}/${runId}/artifacts` });
    assert.deepEqual(list.json, {
      files: [
        { path: 'dir with space', is_dir: true },
        { path: 'model', is_dir: true },
        { path: 'notes.txt', is_dir: false, file_size: 20 },
      ],
    });
    const sub = await fx.api('GET', '/api/2.0/mlflow-artifacts/artifacts', { path: `${experimentId}/${runId}/artifacts/model` });
    assert.deepEqual(sub.json, { files: [{ path: 'MLmodel', is_dir: false, file_size: 12 }, { path: 'model.pkl', is_dir: false, file_size: 4 }] }, 'paths are relative to the listed folder');
    const file = await fx.api('GET', '/api/2.0/mlflow-artifacts/artifacts', { path: `${experimentId}/${runId}/artifacts/notes.txt` });
    assert.deepEqual(file.json, {}, 'listing a file gives {}: the client then knows it is a file');
    assert.deepEqual((await fx.api('GET', '/api/2.0/mlflow-artifacts/artifacts', { path: `${experimentId}/${runId}/artifacts/nothing-here` })).json, {});

    const text = await fx.raw('GET', `${root}/notes.txt`);
    assert.equal(text.status, 200);
    assert.equal(text.text, 'hello from train.py\n');
    assert.match(String(text.headers['content-type']), /^text\/plain/);
    const bin = await fx.raw('GET', `${root}/model/model.pkl`);
    assert.equal(bin.headers['content-type'], 'application/octet-stream');
    const missing = await fx.raw('GET', `${root}/model/absent.bin`);
    assert.equal(missing.status, 404);
    assert.equal((missing.json as { error_code: string }).error_code, 'RESOURCE_DOES_NOT_EXIST');

    // The non-proxied listing gives paths relative to the run's root.
    const runList = await fx.api('GET', 'artifacts/list', { run_id: runId, path: 'model' });
    assert.deepEqual(runList.json, {
      root_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
      files: [{ path: 'model/MLmodel', is_dir: false, file_size: 12 }, { path: 'model/model.pkl', is_dir: false, file_size: 4 }],
    });
    // What the engine (and so the VS Code views) see.
    assert.equal((await fx.store.tracking.readArtifact(runId, 'dir with space/a.json')).toString(), '{"a":1}');
  } finally {
    await fx.close();
  }
});

test('artifact paths cannot leave the run\'s folder: .., encoded .., encoded slashes, backslashes, other runs, symlinks', async () => {
  const fx = await startFixture();
  try {
    const { experimentId, runId } = await createRun(fx);
    const { runId: otherRun } = await createRun(fx, 'other-exp');
    const base = '/api/2.0/mlflow-artifacts/artifacts';
    const before = readdirSync(fx.dir).sort();
    const escapes = [
      `${base}/${experimentId}/${runId}/artifacts/../../escape.txt`,
      `${base}/${experimentId}/${runId}/artifacts/%2e%2e/%2e%2e/escape.txt`,
      `${base}/${experimentId}/${runId}/artifacts/a%2F..%2F..%2F..%2Fescape.txt`,
      `${base}/${experimentId}/${runId}/artifacts/..%5C..%5Cescape.txt`,
      `${base}/${experimentId}/${runId}/artifacts/%2Fetc%2Fescape.txt`,
      `${base}/${experimentId}/${runId}/artifacts/evil%00.txt`,
      `${base}/${experimentId}/${runId}/artifacts/%zz`,
      `${base}/${experimentId}/${runId}/escape.txt`,
      `${base}/${experimentId}/${runId}/artifacts`,
      `${base}/../../escape.txt`,
    ];
    for (const path of escapes) {
      const r = await fx.raw('PUT', path, { body: 'x' });
      assert.equal(r.status, 400, `${path}: ${r.text}`);
      assert.equal((r.json as { error_code: string }).error_code, 'INVALID_PARAMETER_VALUE', path);
      const read = await fx.raw('GET', path);
      assert.ok(read.status === 400 || read.status === 404, `${path} (GET): ${read.status}`);
    }
    // A run reached through another experiment's id is not that experiment's run.
    const crossed = await fx.raw('PUT', `${base}/${experimentId}/${otherRun}/artifacts/x.txt`, { body: 'x' });
    assert.equal(crossed.status, 404);
    assert.match((crossed.json as { message: string }).message, /belongs to experiment/);
    // A symlink planted inside the run folder that points outside does not lead out either.
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    await fx.store.tracking.writeArtifact(runId, 'keep.txt', 'k');
    symlinkSync(outside, join(fx.dir, 'artifacts', runId, 'link'));
    const viaLink = await fx.raw('PUT', `${base}/${experimentId}/${runId}/artifacts/link/escape.txt`, { body: 'x' });
    assert.equal(viaLink.status, 400);
    assert.match((viaLink.json as { message: string }).message, /symbolic link/);
    assert.deepEqual(readdirSync(outside), []);
    assert.deepEqual(readdirSync(fx.dir).sort(), before.includes('artifacts') ? before : [...before, 'artifacts'].sort());
    assert.equal(existsSync(join(fx.dir, '..', 'escape.txt')), false);
    assert.equal(existsSync(join(fx.dir, 'escape.txt')), false);
  } finally {
    await fx.close();
  }
});

test('an upload below an existing artifact file is a 400 naming the path (found by the fuzz suite; it was a 500 EEXIST), and the file stays', async () => {
  const fx = await startFixture();
  try {
    const { experimentId, runId } = await createRun(fx);
    const root = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts`;
    assert.equal((await fx.raw('PUT', `${root}/MLmodel`, { body: 'flavors: {}\n' })).status, 200);
    const below = await fx.raw('PUT', `${root}/MLmodel/1`, { body: '' });
    assert.equal(below.status, 400, below.text);
    assert.deepEqual(below.json, {
      error_code: 'INVALID_PARAMETER_VALUE',
      message: 'Artifact path "MLmodel/1" is not allowed: a folder on its way is already an artifact file, and artifacts cannot be overwritten.',
    });
    const deeper = await fx.raw('PUT', `${root}/MLmodel/a/b`, { body: 'x' });
    assert.equal(deeper.status, 400, deeper.text);
    assert.equal((await fx.raw('GET', `${root}/MLmodel`)).text, 'flavors: {}\n');
    assert.deepEqual(readdirSync(join(fx.dir, 'artifacts', '.incoming')), [], 'no temp file is left behind');
  } finally {
    await fx.close();
  }
});
