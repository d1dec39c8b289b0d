import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../lib/runCli';

// Issue #19: a path typed on the command line is relative to the current folder (like any Unix
// tool), a path inside a spec file is relative to the spec, and --workspace only chooses the store.
// Every command here runs from a folder that is not the workspace.
const work = realpathSync(mkdtempSync(join(tmpdir(), 'mlops-cli-paths-')));
after(() => rmSync(work, { recursive: true, force: true }));
const workspace = join(work, 'workspace');
const here = join(work, 'here');
mkdirSync(workspace);
mkdirSync(join(here, 'specs'), { recursive: true });
const rows = ['x,y,label'];
for (let i = 0; i < 40; i++) rows.push(`${i % 7},${(i * 3) % 11},${i % 2 === 0 ? 'a' : 'b'}`);
writeFileSync(join(here, 'a.csv'), `${rows.join('\n')}\n`);
writeFileSync(join(here, 'b.csv'), `${rows.join('\n')}\n`);
// the spec's dataset is relative to the spec file, not to the current folder
writeFileSync(join(here, 'specs', 'ab.train.yaml'), 'experiment: paths\ndataset: ../a.csv\ntarget: label\nepochs: 2\n');

let trainedPackage = '';

function mlops(...args: string[]): ReturnType<typeof runCli> {
  return runCli(['--workspace', workspace, ...args], { cwd: here });
}

describe('paths typed on the command line are relative to the current folder, not --workspace', () => {
  test('drift reads both files from the current folder; a missing one names the absolute path it tried', () => {
    const ok = mlops('drift', 'a.csv', 'b.csv');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /Dataset drift: no — 0 of 3 columns/);
    const missing = mlops('drift', 'a.csv', 'nope.csv');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, new RegExp(`nope\\.csv does not exist \\(looked at ${escape(join(here, 'nope.csv'))}\\)`));
  });

  test('profile reads from the current folder and names the absolute path of a missing file', () => {
    const ok = mlops('profile', 'a.csv');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /40 rows · 3 columns/);
    const missing = mlops('profile', 'gone.csv');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, new RegExp(`gone\\.csv does not exist \\(looked at ${escape(join(here, 'gone.csv'))}\\)`));
  });

  test('train takes the spec from the current folder, its dataset from the spec\'s folder, and logs into the workspace store', () => {
    const ok = mlops('--json', 'train', 'specs/ab.train.yaml', '--backend', 'js');
    assert.equal(ok.status, 0, ok.stderr);
    const { runId, modelDir } = JSON.parse(ok.stdout) as { runId: string; modelDir: string };
    trainedPackage = modelDir;
    assert.ok(existsSync(join(workspace, '.mlops')), 'the run went into the workspace store');
    assert.ok(!existsSync(join(here, '.mlops')), 'no store appears in the current folder');
    const listed = runCli(['--workspace', workspace, '--json', 'runs', 'list', '--experiment', 'paths']);
    assert.match(listed.stdout, new RegExp(runId));
    const missing = mlops('train', 'specs/none.train.yaml');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, new RegExp(`the training spec specs/none\\.train\\.yaml does not exist \\(looked at ${escape(join(here, 'specs', 'none.train.yaml'))}\\)`));
    writeFileSync(join(here, 'specs', 'lost.train.yaml'), 'dataset: lost.csv\ntarget: label\n');
    const lost = mlops('train', 'specs/lost.train.yaml', '--backend', 'js');
    assert.equal(lost.status, 2);
    assert.match(lost.stderr, new RegExp(`lost\\.csv does not exist \\(looked at ${escape(join(here, 'specs', 'lost.csv'))}\\)`));
    // The engine these trainings went through stops now: the tests below are about paths, and must
    // not meet it in the moment it stops for idleness.
    assert.equal(mlops('engine', 'stop').status, 0);
  });

  test('predict reads the input from the current folder and writes the output there', () => {
    const scored = mlops('predict', trainedPackage, 'b.csv', '-o', 'scored.csv');
    assert.equal(scored.status, 0, scored.stderr);
    assert.equal(readFileSync(join(here, 'scored.csv'), 'utf8').trim().split('\n').length, 41, 'a header and one line per row of b.csv');
    const missing = mlops('predict', 'models:/whatever/1', 'absent.csv');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, new RegExp(`absent\\.csv does not exist \\(looked at ${escape(join(here, 'absent.csv'))}\\)`));
    const noPackage = mlops('predict', 'pkg', 'a.csv');
    assert.equal(noPackage.status, 2);
    assert.match(noPackage.stderr, new RegExp(`looked at ${escape(join(here, 'pkg'))}`));
  });

  test('eval and log artifact take their files from the current folder', () => {
    const missing = mlops('eval', 'answers.jsonl');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, new RegExp(`the evaluation set answers\\.jsonl does not exist \\(looked at ${escape(join(here, 'answers.jsonl'))}\\)`));
    writeFileSync(join(here, 'notes.txt'), 'notes');
    const started = mlops('log', 'start', '--experiment', 'paths');
    assert.equal(started.status, 0, started.stderr);
    const runId = started.stdout.trim();
    const logged = mlops('log', 'artifact', runId, 'notes.txt');
    assert.equal(logged.status, 0, logged.stderr);
    assert.equal(readFileSync(join(workspace, '.mlops', 'artifacts', runId, 'notes.txt'), 'utf8'), 'notes');
  });

  test('features: a typed -f is relative to the current folder; without one, the workspace\'s features.yaml', () => {
    writeFileSync(join(here, 'events.csv'), 'user,ts,clicks\nu1,2024-01-01T00:00:00Z,3\n');
    writeFileSync(join(here, 'my-features.yaml'), 'entities:\n  - name: user\n    join_keys: [user]\nsources:\n  - name: events\n    path: events.csv\n    timestamp: ts\nfeature_views:\n  - name: activity\n    entities: [user]\n    source: events\n    ttl: 1d\n    features:\n      - name: clicks\n        type: integer\n');
    const materialized = mlops('features', 'materialize', '-f', 'my-features.yaml');
    assert.equal(materialized.status, 0, materialized.stderr);
    assert.ok(existsSync(join(workspace, '.mlops', 'features', 'activity', 'online.json')), 'materialized into the workspace store');
    writeFileSync(join(here, 'entities.csv'), 'user,event_timestamp\nu1,2024-01-01T12:00:00Z\n');
    const built = mlops('features', 'get-training-set', 'entities.csv', '--features', 'activity:clicks', '-o', 'set.csv', '-f', 'my-features.yaml');
    assert.equal(built.status, 0, built.stderr);
    assert.equal(readFileSync(join(here, 'set.csv'), 'utf8'), 'user,event_timestamp,clicks\nu1,2024-01-01T12:00:00Z,3\n');
    const typedMissing = mlops('features', 'list', '-f', 'other.yaml');
    assert.equal(typedMissing.status, 2);
    assert.match(typedMissing.stderr, new RegExp(`looked at ${escape(join(here, 'other.yaml'))}`));
    const workspaceDefault = mlops('features', 'list');
    assert.equal(workspaceDefault.status, 2);
    assert.match(workspaceDefault.stderr, new RegExp(escape(join(workspace, 'features.yaml'))));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
