import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { mlopsInProcess } from '../lib/runCliInProcess';

// Issue #19: Find Best Model from a terminal; its winner becomes a training spec next to the data.
const examples = join(__dirname, '..', '..', '..', 'examples');
const work = mkdtempSync(join(tmpdir(), 'mlops-find-best-'));
after(() => rmSync(work, { recursive: true, force: true }));
const data = join(work, 'data');
mkdirSync(data);
copyFileSync(join(examples, 'data', 'penguins.csv'), join(data, 'penguins.csv'));

interface SearchJson {
  spec: string;
  parentRunId: string;
  metric: string;
  leaderboard: { rank: number; label: string; runId?: string; state: string; value?: number }[];
}

async function params(runId: string): Promise<Record<string, string>> {
  const shown = await mlopsInProcess(work, '--json', 'runs', 'show', runId);
  assert.equal(shown.code, 0, shown.err);
  const run = JSON.parse(shown.out) as { data: { params: { key: string; value: string }[] } };
  return Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
}

describe('mlops find-best-model', () => {
  test('ranks the candidates, writes the winner as <data>.best.train.yaml, and mlops train re-runs it with the same params', async () => {
    const r = await mlopsInProcess(work, 'find-best-model', join(data, 'penguins.csv'), '--target', 'species', '--time-budget', '0.001', '--backend', 'js');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /\[1\/7\] boosted trees\s+\d\.\d+ \(\d+\.\d s\)/, 'progress on stderr');
    assert.match(r.out, /^rank\s+model\s+val_loss\s+test_accuracy/m, 'a leaderboard table at the end');
    assert.match(r.out, /time budget used up/);
    const specPath = join(data, 'penguins.best.train.yaml');
    assert.match(r.out, new RegExp(`re-run it with: mlops train ${specPath.replace(/[.]/g, '\\.')}`));
    const text = readFileSync(specPath, 'utf8');
    assert.match(text, /^# Best model found by `mlops find-best-model` on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\.$/m);
    assert.match(text, /^# Search space: boosted trees, random forest, MLP 16, MLP 64, MLP 64-32, MLP 128-64 dropout 0\.2, logistic regression/m);
    assert.match(text, /^# Trials: 1 trained, 6 skipped \(time budget 0\.001 s\)/m);
    assert.match(text, /^# Ranked by val_loss \(lower is better\): boosted trees \d/m);
    assert.match(text, /^# `mlops train penguins\.best\.train\.yaml` re-runs it/m);
    assert.match(text, /^dataset: penguins\.csv$/m);
    assert.match(text, /^model:\n {2}type: gbdt$/m);

    const json = await mlopsInProcess(work, '--json', 'find-best-model', join(data, 'penguins.csv'), '--target', 'species', '--time-budget', '0.001', '--backend', 'js', '--cpu-hour-price', '3600');
    assert.equal(json.code, 0, json.err);
    const search = JSON.parse(json.out) as SearchJson;
    assert.equal(search.spec, join(data, 'penguins.best-2.train.yaml'), 'a second search never overwrites the first');
    assert.equal(readFileSync(specPath, 'utf8'), text, 'the first spec is untouched');
    const winner = search.leaderboard[0];
    assert.equal(winner?.state, 'complete');
    // priced: the candidate's cost is its CPU-seconds (3600 an hour), and the search run has the total
    const metrics = async (runId: string): Promise<Record<string, number>> => {
      const shown = await mlopsInProcess(work, '--json', 'runs', 'show', runId);
      return Object.fromEntries((JSON.parse(shown.out) as { data: { metrics: { key: string; value: number }[] } }).data.metrics.map((m) => [m.key, m.value]));
    };
    const candidate = await metrics(winner?.runId as string);
    assert.ok((candidate.cpu_seconds ?? 0) > 0 && Math.abs((candidate.cost ?? -1) - (candidate.cpu_seconds ?? 0)) < 1e-9, JSON.stringify(candidate));
    assert.ok(((await metrics(search.parentRunId)).cost ?? 0) >= (candidate.cost ?? 0), 'the search run totals its candidates');

    const trained = await mlopsInProcess(work, '--json', 'train', search.spec, '--backend', 'js');
    assert.equal(trained.code, 0, trained.err);
    const rerun = (JSON.parse(trained.out) as { runId: string }).runId;
    assert.deepEqual(await params(rerun), await params(winner?.runId as string), 'the spec reproduces the winner\'s params');
  });

  test('from a spec: the winner goes next to the spec\'s data, its dataset path rewritten for the new folder', async () => {
    copyFileSync(join(examples, 'penguins.train.yaml'), join(work, 'penguins.train.yaml'));
    const r = await mlopsInProcess(work, '--json', 'find-best-model', join(work, 'penguins.train.yaml'), '--time-budget', '0.001', '--backend', 'js', '--metric', 'val_accuracy');
    assert.equal(r.code, 0, r.err);
    const search = JSON.parse(r.out) as SearchJson & { direction: string };
    assert.equal(search.metric, 'val_accuracy');
    assert.equal(search.direction, 'maximize');
    assert.equal(search.spec, join(data, 'penguins.best-3.train.yaml'));
    const text = readFileSync(search.spec, 'utf8');
    assert.match(text, /^dataset: penguins\.csv$/m);
    assert.match(text, /^experiment: penguins$/m);
    assert.doesNotMatch(text, /yaml-language-server/, 'the base spec\'s header does not describe the winner');
    const trained = await mlopsInProcess(work, 'train', search.spec, '--backend', 'js', '--quiet');
    assert.equal(trained.code, 0, trained.err);
  });

  test('a search where nothing trains leaves no spec behind and says why', async () => {
    const before = readdirSync(data).sort();
    const r = await mlopsInProcess(work, 'find-best-model', join(data, 'penguins.csv'), '--target', 'no_such_column', '--time-budget', '0.001', '--backend', 'js');
    assert.equal(r.code, 1);
    assert.match(r.err, /no candidate completed .*no_such_column/);
    assert.deepEqual(readdirSync(data).sort(), before);
    const noTarget = await mlopsInProcess(work, 'find-best-model', join(data, 'penguins.csv'));
    assert.equal(noTarget.code, 2);
    assert.match(noTarget.err, /--target COLUMN is required/);
    assert.ok(!existsSync(join(data, 'penguins.best-4.train.yaml')));
  });

  test('--cost-budget stops the search once the candidates cost that much and says which budget ran out; without a price it is refused', async () => {
    const r = await mlopsInProcess(work, 'find-best-model', join(data, 'penguins.csv'), '--target', 'species', '--time-budget', '3600', '--cost-budget', '1e-9', '--cpu-hour-price', '1', '--backend', 'js');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Stopped: the cost budget \(1e-9\) was spent — [\d.e-]+ after 1 of 7 candidates\.$/m);
    assert.equal((r.out.match(/cost budget used up \([\d.e-]+ of 1e-9\)/g) ?? []).length, 6, 'each untried candidate says why');
    const unpriced = await mlopsInProcess(work, 'find-best-model', join(data, 'penguins.csv'), '--target', 'species', '--cost-budget', '0.01', '--backend', 'js');
    assert.notEqual(unpriced.code, 0);
    assert.match(unpriced.err, /--cost-budget needs a price/);
  });

  test('--max-latency-ms ranks out a candidate slower than the budget and says no candidate met it; a bad value is refused', async () => {
    // the cost budget keeps it to one candidate; no model scores a row in a nanosecond
    const r = await mlopsInProcess(work, 'find-best-model', join(data, 'penguins.csv'), '--target', 'species', '--cost-budget', '1e-9', '--cpu-hour-price', '1', '--max-latency-ms', '0.000001', '--backend', 'js');
    assert.equal(r.code, 1, r.out);
    assert.match(r.err, /no candidate met the latency budget \(p99 ≤ 0\.000001 ms a row; search run [0-9a-f]{32}\): \S.* too slow: p99 [\d.]+ ms > 0\.000001 ms/);
    const bad = await mlopsInProcess(work, 'find-best-model', join(data, 'penguins.csv'), '--target', 'species', '--max-latency-ms', 'fast', '--backend', 'js');
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /--max-latency-ms must be a number of milliseconds > 0, not "fast"/);
  });
});
