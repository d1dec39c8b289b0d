import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseMonitorSpec } from '../../../src/core/monitoring/monitorSpecParser';
import { decideRetrain, formatScore, formatScorePair } from '../../../src/core/retraining/retrainDecision';
import { metricDirection } from '../../../src/core/retraining/retrainPolicy';
import { SpecError } from '../../../src/core/training/specErrors';

const root = mkdtempSync(join(tmpdir(), 'mlops-retrain-policy-'));
after(() => rmSync(root, { recursive: true, force: true }));
writeFileSync(join(root, 'good.train.yaml'), 'dataset: d.csv\ntarget: y\n');
const file = join(root, 'shop.monitor.yaml');
const head = 'reference:\n  file: ref.csv\ncurrent:\n  file: cur.csv\n';

function issuesOf(text: string): { field: string; line: number; message: string }[] {
  try {
    parseMonitorSpec(text, file);
  } catch (error) {
    assert.ok(error instanceof SpecError, String(error));
    return error.issues.map((i) => ({ field: i.field, line: i.line, message: i.message }));
  }
  assert.fail('expected a SpecError');
}

describe('retrain policy in a monitor spec', () => {
  test('a minimal policy gets the documented defaults and paths relative to the monitor spec', () => {
    const spec = parseMonitorSpec(`${head}retrain:\n  spec: good.train.yaml\n  model: penguins\n  data: append_current\n`, file);
    assert.deepEqual(spec.retrain, {
      specPath: join(root, 'good.train.yaml'),
      specAsWritten: 'good.train.yaml',
      model: 'penguins',
      alias: 'champion',
      minImprovement: 0,
      cooldownHours: 24,
      data: 'append_current',
      holdout: { kind: 'sample', fraction: 0.2 },
      promote: 'review',
    });
    const full = parseMonitorSpec(
      `${head}retrain:\n  spec: good.train.yaml\n  model: penguins\n  alias: prod\n  metric: test_log_loss\n  min_improvement: 0.01\n  cooldown_hours: 6\n  data: spec\n  holdout: holdout.csv\n  promote: auto\n`,
      file,
    );
    assert.equal(full.retrain?.promote, 'auto');
    assert.deepEqual(full.retrain?.holdout, { kind: 'file', path: join(root, 'holdout.csv'), asWritten: 'holdout.csv' });
    assert.equal(full.retrain?.metric, 'test_log_loss');
    assert.equal(full.retrain?.cooldownHours, 6);
  });

  test('schema errors name the field under retrain and its line', () => {
    const issues = issuesOf(`${head}retrain:\n  spec: good.train.yaml\n  model: my model\n  data: everything\n  promote: maybe\n  min_improvement: -1\n  cooldown_hours: 0\n  epochs: 3\n`);
    const at = (field: string): number | undefined => issues.find((i) => i.field === field)?.line;
    assert.equal(at('retrain.model'), 7);
    assert.equal(at('retrain.data'), 8);
    assert.equal(at('retrain.promote'), 9);
    assert.equal(at('retrain.min_improvement'), 10);
    assert.equal(at('retrain.cooldown_hours'), 11);
    assert.equal(at('retrain.epochs'), 12);
    assert.match(issues.find((i) => i.field === 'retrain.data')?.message ?? '', /must be one of: "spec", "append_current", "replace_current" \(found "everything"\)/);
    assert.match(issues.find((i) => i.field === 'retrain.epochs')?.message ?? '', /unknown field `retrain\.epochs`/);
  });

  test('a missing required field is named', () => {
    const issues = issuesOf(`${head}retrain:\n  spec: good.train.yaml\n  data: spec\n`);
    assert.deepEqual(issues.map((i) => [i.field, i.message]), [['retrain.model', '`retrain` needs `model`']]);
  });

  test('checks beyond the schema point at their field: a missing train spec, holdout set twice, a reserved alias', () => {
    const issues = issuesOf(`${head}retrain:\n  spec: nowhere.train.yaml\n  model: penguins\n  alias: latest\n  data: spec\n  holdout: h.csv\n  holdout_fraction: 0.3\n`);
    assert.deepEqual(
      issues.map((i) => [i.field, i.line]),
      [
        ['retrain.spec', 6],
        ['retrain.holdout_fraction', 11],
        ['retrain.alias', 8],
      ],
    );
    assert.match(issues[0]?.message ?? '', /nowhere\.train\.yaml does not exist/);
    try {
      parseMonitorSpec(`${head}retrain:\n  spec: nowhere.train.yaml\n  model: penguins\n  data: spec\n`, file);
      assert.fail('expected a SpecError');
    } catch (error) {
      assert.match(String((error as Error).message), /shop\.monitor\.yaml:6:\d+: `retrain\.spec`: nowhere\.train\.yaml does not exist/);
    }
  });
});

describe('the retraining decision', () => {
  const base = { model: 'm', alias: 'champion', metric: 'test_accuracy', direction: 'higher' as const, minImprovement: 0 };

  test('wins only when strictly better and by the margin; a tie keeps the champion', () => {
    assert.equal(decideRetrain({ ...base, candidate: { version: 4, score: 0.93 }, champion: { version: 3, score: 0.91 } }).wins, true);
    assert.equal(decideRetrain({ ...base, candidate: { version: 4, score: 0.91 }, champion: { version: 3, score: 0.91 } }).wins, false);
    const short = decideRetrain({ ...base, minImprovement: 0.05, candidate: { version: 4, score: 0.93 }, champion: { version: 3, score: 0.91 } });
    assert.equal(short.wins, false);
    assert.equal(short.reason, 'v4 did not beat v3 on test_accuracy 0.93 vs 0.91 (higher is better; better by only 0.02, needed 0.05); kept v3');
    // 0.93 - 0.92 is 0.010000000000000009 in floating point, 0.92 - 0.91 is 0.009999999999999898
    assert.equal(decideRetrain({ ...base, minImprovement: 0.01, candidate: { version: 4, score: 0.92 }, champion: { version: 3, score: 0.91 } }).wins, true);
    const won = decideRetrain({ ...base, candidate: { version: 4, score: 0.93 }, champion: { version: 3, score: 0.91 } });
    assert.equal(won.reason, 'v4 beat v3 on test_accuracy 0.93 vs 0.91 (higher is better; by 0.02)');
  });

  test('lower is better for errors and losses', () => {
    assert.equal(metricDirection('test_rmse'), 'lower');
    assert.equal(metricDirection('test_log_loss'), 'lower');
    assert.equal(metricDirection('test_r2'), 'higher');
    assert.equal(metricDirection('test_rmse', 'higher'), 'higher');
    const c = { ...base, metric: 'test_rmse', direction: 'lower' as const };
    assert.equal(decideRetrain({ ...c, candidate: { version: 2, score: 3.1 }, champion: { version: 1, score: 3.4 } }).wins, true);
    const worse = decideRetrain({ ...c, candidate: { version: 2, score: 3.6 }, champion: { version: 1, score: 3.4 } });
    assert.equal(worse.wins, false);
    assert.match(worse.reason, /worse by 0\.2\); kept v1$/);
  });

  test('no champion: the first version takes the alias; a score that is not a number never wins', () => {
    const first = decideRetrain({ ...base, candidate: { version: 1, score: 0.8 } });
    assert.equal(first.wins, true);
    assert.equal(first.reason, 'no version held @champion, so v1 takes it (test_accuracy 0.8)');
    assert.equal(decideRetrain({ ...base, candidate: { version: 2, score: NaN }, champion: { version: 1, score: 0.5 } }).wins, false);
    assert.equal(decideRetrain({ ...base, candidate: { version: 2, score: 0.9 }, champion: { version: 1, score: NaN } }).wins, false);
    assert.equal(formatScore(NaN), 'n/a');
    assert.equal(formatScore(1234.56), '1234.6');
    assert.equal(formatScore(0.912345), '0.9123');
  });

  test('scores that round alike get the decimals that tell them apart; equal ones are called a tie', () => {
    const tie = decideRetrain({ ...base, candidate: { version: 2, score: 1 }, champion: { version: 1, score: 1 } });
    assert.equal(tie.wins, false);
    assert.equal(tie.reason, 'v2 did not beat v1 on test_accuracy 1 vs 1 (higher is better; a tie: both scored exactly 1); kept v1');
    const close = decideRetrain({ ...base, candidate: { version: 2, score: 0.99996 }, champion: { version: 1, score: 1 } });
    assert.equal(close.reason, 'v2 did not beat v1 on test_accuracy 0.99996 vs 1.00000 (higher is better; worse by 0.00004); kept v1');
    const tiny = decideRetrain({ ...base, candidate: { version: 2, score: 0.9812346 }, champion: { version: 1, score: 0.9812341 } });
    assert.equal(tiny.wins, true);
    assert.equal(tiny.reason, 'v2 beat v1 on test_accuracy 0.981235 vs 0.981234 (higher is better; by 0.0000005)');
    // floating-point noise is not a better model
    const noise = decideRetrain({ ...base, candidate: { version: 2, score: 0.1 + 0.2 }, champion: { version: 1, score: 0.3 } });
    assert.equal(noise.wins, false);
    assert.match(noise.reason, /0\.3000 vs 0\.3000 \(higher is better; a tie: equal to 12 decimal places\); kept v1$/);
    assert.equal(formatScorePair(1234.56, 1234.58).text, '1234.56 vs 1234.58');
    assert.equal(formatScorePair(0.93, null).text, '0.93 vs n/a');
  });
});
