import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../lib/runCli';

// `mlops train` on bad training input: what the user sees is the exit code and one clear message.
const work = mkdtempSync(join(tmpdir(), 'mlops-train-input-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Writes a spec (and its data file, when given) into a fresh folder; returns the spec's path. */
function writeSpec(name: string, spec: string, data?: { file: string; bytes: string | Buffer }): string {
  const folder = mkdtempSync(join(work, `${name}-`));
  if (data) writeFileSync(join(folder, data.file), data.bytes);
  writeFileSync(join(folder, `${name}.train.yaml`), spec);
  return join(folder, `${name}.train.yaml`);
}

function train(name: string, spec: string, data?: { file: string; bytes: string | Buffer }): ReturnType<typeof runCli> {
  const path = writeSpec(name, spec, data);
  // each run its own workspace store, so no run waits on another's store
  return runCli(['--workspace', dirname(path), 'train', path, '--backend', 'js']);
}

describe('mlops train refuses bad training input with a short message naming where', () => {
  test('a 20 MB cell: the error quotes its start, counts the rest, and names file, line and column', () => {
    const rows = ['x,y', '1,2', '2,3', '3,4', '4,5', `5,${'9'.repeat(5)}z${'z'.repeat(20_000_000)}`, '6,7'];
    const r = train('huge', 'dataset: huge.csv\ntarget: y\nepochs: 1\n', { file: 'huge.csv', bytes: `${rows.join('\n')}\n` });
    assert.equal(r.status, 2, r.stderr.slice(0, 500));
    assert.ok(r.stderr.length < 500, `stderr is ${r.stderr.length} bytes`);
    assert.match(r.stderr, /huge\.csv line 6, column "y": "99999z+…" \(20,000,006 characters\) is not a number/);
  });

  test('a FIFO as the dataset is refused at once (it used to hang while holding the store lock), and the store stays usable', () => {
    const folder = mkdtempSync(join(work, 'fifo-'));
    execFileSync('mkfifo', [join(folder, 'stream.csv')]);
    writeFileSync(join(folder, 'fifo.train.yaml'), 'dataset: stream.csv\ntarget: y\n');
    const r = runCli(['--workspace', folder, 'train', join(folder, 'fifo.train.yaml'), '--backend', 'js']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^mlops: stream\.csv is a named pipe \(FIFO\), not a regular file — give the path of a CSV, TSV or Parquet file$/m);
    assert.equal(runCli(['--workspace', folder, 'runs', 'list']).status, 0);
  });

  test('a Latin-1 CSV is refused at its first non-UTF-8 byte with line and column (it used to train on "caf\uFFFD")', () => {
    const text = 'drink,price\ntea,2\ncafé,3\ntea,2\ncafé,4\n';
    const r = train('latin1', 'dataset: menu.csv\ntarget: price\nepochs: 1\n', { file: 'menu.csv', bytes: Buffer.from(text, 'latin1') });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^mlops: menu\.csv line 3, column "drink": byte 0xE9 after "caf" is not valid UTF-8 — .*save it as UTF-8, or declare its encoding in the spec: `dataset: \{path: menu\.csv, encoding: latin1\}`/m);
  });

  test('with `encoding: latin1` the same file trains, and its categories read "café"', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${['tea', 'café', 'thé'][i % 3]},${i % 2 === 0 ? 'yes' : 'no'}`);
    const spec = writeSpec('declared', 'dataset:\n  path: menu.csv\n  encoding: latin1\ntarget: sweet\nepochs: 1\n', { file: 'menu.csv', bytes: Buffer.from(`drink,sweet\n${rows.join('\n')}\n`, 'latin1') });
    const r = runCli(['--workspace', dirname(spec), '--json', 'train', spec, '--backend', 'js']);
    assert.equal(r.status, 0, r.stderr);
    const { modelDir } = JSON.parse(r.stdout) as { modelDir: string };
    const signature = JSON.parse(readFileSync(join(modelDir, 'signature.json'), 'utf8')) as { inputs: { name: string; categories?: string[] }[] };
    assert.deepEqual(signature.inputs.find((i) => i.name === 'drink')?.categories?.slice().sort(), ['café', 'tea', 'thé']);
  });

  test('labels spelled "NaN" or "nan" are not classes: the run trains on the labelled rows and warns how many were dropped and where', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${i % 2 === 0 ? 'cat' : 'dog'}`);
    rows[4] = '3,NaN';
    rows[9] = '1,nan';
    const spec = writeSpec('nanlabels', 'dataset: pets.csv\ntarget: animal\nepochs: 2\n', { file: 'pets.csv', bytes: `x,animal\n${rows.join('\n')}\n` });
    const r = runCli(['--workspace', dirname(spec), '--json', 'train', spec, '--backend', 'js']);
    assert.equal(r.status, 0, r.stderr);
    const warning = 'pets.csv, column "animal": dropped 2 of 40 rows whose target is missing ("NaN" ×1, "nan" ×1; lines 6, 11)';
    assert.match(r.stderr, new RegExp(`^mlops: warning: ${warning.replace(/[().]/g, '\\$&')}$`, 'm'));
    const out = JSON.parse(r.stdout) as { modelDir: string; warnings: string[] };
    assert.deepEqual(out.warnings, [warning]);
    const signature = JSON.parse(readFileSync(join(out.modelDir, 'signature.json'), 'utf8')) as { output: { classes: string[] } };
    assert.deepEqual(signature.output.classes, ['cat', 'dog']);
  });

  test('a 2-row regression fails with the split sizes instead of finishing without test metrics', () => {
    const r = train('tworows', 'dataset: two.csv\ntarget: y\nepochs: 1\n', { file: 'two.csv', bytes: 'x,y\n1,2.5\n2,3.5\n' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^mlops: two\.csv: the split leaves no test rows — 2 labelled rows split train 0\.7 \/ validation 0\.15 \/ test 0\.15 gives train 2, validation 0, test 0; add rows/m);
    assert.equal(r.stdout, '');
  });

  test('a spec that is a named pipe, a 6 MB file or Latin-1 text is refused at once (a pipe used to hang the command with the store held)', () => {
    const folder = mkdtempSync(join(work, 'spec-kinds-'));
    const fifo = join(folder, 'pipe.train.yaml');
    execFileSync('mkfifo', [fifo]);
    const piped = runCli(['--workspace', folder, 'train', fifo, '--backend', 'js']);
    assert.equal(piped.status, 2, piped.stderr);
    assert.match(piped.stderr, /pipe\.train\.yaml:1:1: cannot read the spec: it is a named pipe \(FIFO\), not a regular file/);

    const big = join(folder, 'big.train.yaml');
    writeFileSync(big, `# ${'x'.repeat(6 * 1024 * 1024)}\n`);
    const huge = runCli(['--workspace', folder, 'train', big, '--backend', 'js']);
    assert.equal(huge.status, 2, huge.stderr);
    assert.match(huge.stderr, /big\.train\.yaml:1:1: cannot read the spec: it is 6\.0 MB; a spec is a short YAML file \(at most 4 MB\)/);

    const latin1 = join(folder, 'latin1.train.yaml');
    writeFileSync(latin1, Buffer.concat([Buffer.from('dataset: d.csv\ntarget: y\n# caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const text = runCli(['--workspace', folder, 'train', latin1, '--backend', 'js']);
    assert.equal(text.status, 2, text.stderr);
    assert.match(text.stderr, /latin1\.train\.yaml:3:6: cannot read the spec: byte 0xE9 at line 3, column 6 is not valid UTF-8; save the file as UTF-8/);
  });
});
