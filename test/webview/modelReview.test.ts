import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ModelReviewState, VersionCardView } from '../../src/protocol/modelReview/modelReviewContract';
import { closeBrowser, openPanel, securityViolations } from './lib/panelPage';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);

function card(version: number, overrides: Partial<VersionCardView> = {}): VersionCardView {
  return {
    name: 'penguins',
    version,
    uri: `models:/penguins/${version}`,
    aliases: [],
    stage: 'None',
    description: '',
    createdAt: Date.UTC(2026, 10, 20, 9, 30),
    registeredBy: 'alice',
    trainedBy: 'bob',
    task: 'classification',
    target: 'species',
    modelType: 'mlp',
    backend: 'wasm',
    parameters: 1283,
    sizeBytes: 24_600,
    signature: { inputs: [{ name: 'bill_length_mm', type: 'double', categories: null, optional: true }, { name: 'island', type: 'string', categories: ['Biscoe', 'Dream'], optional: false }], output: 'species: one of Adelie, Chinstrap, Gentoo' },
    evaluation: { test_log_loss: 0.3, test_accuracy: 0.9, test_f1_macro: 0.88, test_precision_Adelie: 0.91, test_recall_Adelie: 0.94, test_f1_Adelie: 0.92 },
    training: { loss: 0.21, val_loss: 0.28 },
    confusionMatrix: { labels: ['Adelie', 'Chinstrap', 'Gentoo'], matrix: [[30, 2, 0], [3, 11, 0], [0, 0, 25]] },
    curves: {
      task: 'classification',
      roc: ['Adelie', 'Chinstrap', 'Gentoo'].map((label) => ({ label, points: [[0, 0], [0.1, 0.8], [1, 1]], area: 0.95 })),
      pr: ['Adelie', 'Chinstrap', 'Gentoo'].map((label) => ({ label, points: [[0.5, 1], [1, 0.7]], area: 0.9 })),
    },
    dataset: { digest: 'f00dfeedcafe0123456789', source: 'data/penguins.csv', name: 'penguins.csv' },
    params: { epochs: '20', learning_rate: '0.01' },
    run: { runId: RUN_A, runName: 'bright-owl-42', startTime: Date.UTC(2026, 10, 20, 9), status: 'FINISHED', gitCommit: '0123456789abcdef', available: true },
    files: { spec: true, evaluationReport: true },
    feedback: null,
    ...overrides,
  };
}

function state(versions: VersionCardView[], overrides: Partial<ModelReviewState> = {}): ModelReviewState {
  return {
    model: { name: 'penguins', description: '', requireReview: false, aliases: [{ alias: 'champion', version: 1 }], versionCount: 3 },
    versions,
    comparison: null,
    pendingReviews: [],
    ...overrides,
  };
}

describe('model review webview', () => {
  after(closeBrowser);

  test('a model card shows the version, its metrics, confusion matrix and ROC/PR charts; Promote asks the host', async () => {
    const panel = await openPanel('modelReview', { respond: () => state([card(1, { aliases: ['champion'], description: 'Baseline MLP.\nTrained on 2007–2009.' })]) });
    const page = panel.page;
    await page.getByRole('heading', { name: /penguins v1/ }).waitFor();
    assert.match(await page.locator('h1').innerText(), /@champion/);
    const metrics = await page.locator('section.card', { hasText: 'Evaluation (test split)' }).innerText();
    assert.match(metrics, /accuracy\s+0\.9\b/);
    assert.match(metrics, /log_loss\s+0\.3\b/);
    const headline = await page.locator('section.card', { hasText: 'Evaluation (test split)' }).locator('table.kv').first().locator('th').allInnerTexts();
    assert.deepEqual(headline, ['accuracy', 'f1_macro', 'log_loss'], 'headline metrics first, per-class ones in their own table');
    assert.deepEqual(await page.locator('table.per-class tbody tr').first().locator('th, td').allInnerTexts(), ['Adelie', '0.91', '0.94', '0.92']);
    assert.match(await page.locator('p.description').innerText(), /Trained on 2007–2009/);
    const miss = page.locator('table.confusion td[aria-label^="true Chinstrap, predicted Adelie"]');
    assert.equal(await miss.getAttribute('aria-label'), 'true Chinstrap, predicted Adelie: 3 of 14 (21%)');
    assert.equal(await miss.getAttribute('class'), 'miss');
    const roc = page.locator('.chart[data-chart="roc"]');
    await roc.locator('canvas').waitFor();
    assert.deepEqual(JSON.parse((await roc.getAttribute('data-series')) ?? '{}'), { series: 3, points: 9 });
    assert.ok(await page.locator('.chart[data-chart="pr"] canvas').count(), 'the PR chart is drawn');
    assert.match(await page.locator('dl.facts').innerText(), /Parameters\s+1,283/);
    await page.getByRole('button', { name: 'Promote…' }).click();
    await page.getByRole('button', { name: 'bright-owl-42' }).click();
    const posted = await panel.posted();
    assert.deepEqual(posted.filter((m) => m.kind === 'notify').map((m) => [m.method, m.params]), [
      ['promote', { version: 1 }],
      ['openRun', { runId: RUN_A }],
    ]);
    assert.deepEqual(await securityViolations(panel), [], 'the bundle runs under the panel CSP');
    assert.deepEqual(panel.problems, []);
    await page.close();
  });

  test('a tree model’s card shows each input’s share of the split gain as bars, largest first, and the test loss rise when it is shuffled; a network’s card has no such section', async () => {
    const trees = card(2, { modelType: 'gbdt', featureImportance: [{ name: 'flipper_length_mm', importance: 0.6 }, { name: 'bill_length_mm', importance: 0.3 }, { name: 'island', importance: 0.1 }] });
    const panel = await openPanel('modelReview', { respond: () => state([trees]) });
    const page = panel.page;
    await page.getByRole('heading', { name: 'Feature importance' }).waitFor();
    const rows = page.locator('table.importance tbody tr');
    assert.deepEqual(await rows.locator('th').allInnerTexts(), ['flipper_length_mm', 'bill_length_mm', 'island']);
    assert.equal(await rows.nth(1).getAttribute('aria-label'), 'bill_length_mm: 30.0% of the gain');
    const widths = await rows.locator('td.bar span').evaluateAll((spans) => spans.map((s) => s.getBoundingClientRect().width));
    assert.ok((widths[0] as number) > 0 && Math.abs((widths[1] as number) / (widths[0] as number) - 0.5) < 0.02, `bars proportional to the gain: ${widths.join(', ')}`);
    assert.equal(await page.locator('table.importance td.permutation').count(), 0, 'no shuffled column when it was not measured');
    assert.deepEqual(await securityViolations(panel), []);
    assert.deepEqual(panel.problems, []);
    await page.close();
    const permuted = await openPanel('modelReview', {
      respond: () => state([card(3, { modelType: 'gbdt', permutationMetric: 'log_loss', featureImportance: [{ name: 'flipper_length_mm', importance: 0.7, permutation: 0.85 }, { name: 'island', importance: 0.3, permutation: 0.004 }] })]),
    });
    await permuted.page.getByRole('heading', { name: 'Feature importance' }).waitFor();
    assert.deepEqual(await permuted.page.locator('table.importance thead th').allInnerTexts(), ['Input', 'Gain', 'share', 'shuffled: log loss +']);
    assert.deepEqual(await permuted.page.locator('table.importance td.permutation').allInnerTexts(), ['0.85', '0.004']);
    await permuted.page.close();
    const network = await openPanel('modelReview', { respond: () => state([card(1)]) });
    await network.page.getByRole('heading', { name: /penguins v1/ }).waitFor();
    assert.equal(await network.page.getByRole('heading', { name: 'Feature importance' }).count(), 0);
    await network.page.close();
  });

  test('a boosted-tree card says how many boosting rounds it kept and what its training metrics were measured at, never epochs; a forest counts trees; a network keeps its epochs', async () => {
    const booster = card(4, {
      modelType: 'gbdt',
      parameters: 2_341,
      params: { 'model.type': 'gbdt', 'model.max_iter': '500', 'model.learning_rate': '0.1' },
      trainedFor: { label: 'Boosting rounds', value: '137 of 500, stopped early (the best of 147 grown)' },
      trainingMetricsAt: 'After boosting round 137',
    });
    const panel = await openPanel('modelReview', { respond: () => state([booster]) });
    const page = panel.page;
    await page.getByRole('heading', { name: /penguins v4/ }).waitFor();
    const facts = await page.locator('dl.facts').innerText();
    assert.match(facts, /Boosting rounds\s+137 of 500, stopped early \(the best of 147 grown\)/);
    assert.match(facts, /Leaves\s+2,341/, 'a tree model has leaves, not parameters');
    assert.doesNotMatch(facts, /Parameters/);
    assert.equal(await page.getByTestId('training-metrics').innerText(), 'After boosting round 137: loss 0.21 · val_loss 0.28');
    assert.doesNotMatch(await page.locator('body').innerText(), /epoch/i);
    await page.screenshot({ path: 'test-output/webview/model-card-gbdt.png', fullPage: true });
    await page.close();
    const forest = await openPanel('modelReview', { respond: () => state([card(5, { modelType: 'random_forest', params: {}, trainedFor: { label: 'Trees', value: '100' }, trainingMetricsAt: 'All 100 trees' })]) });
    await forest.page.getByRole('heading', { name: /penguins v5/ }).waitFor();
    assert.match(await forest.page.locator('dl.facts').innerText(), /Trees\s+100/);
    assert.equal(await forest.page.getByTestId('training-metrics').innerText(), 'All 100 trees: loss 0.21 · val_loss 0.28');
    assert.doesNotMatch(await forest.page.locator('body').innerText(), /epoch/i);
    await forest.page.close();
    const network = await openPanel('modelReview', { respond: () => state([card(1, { trainedFor: { label: 'Epochs', value: '37 of 60, stopped early (weights of epoch 27 kept)' }, trainingMetricsAt: 'Epoch 27 (kept)' })]) });
    await network.page.getByRole('heading', { name: /penguins v1/ }).waitFor();
    assert.match(await network.page.locator('dl.facts').innerText(), /Parameters\s+1,283[\s\S]*Epochs\s+37 of 60, stopped early \(weights of epoch 27 kept\)/);
    assert.equal(await network.page.getByTestId('training-metrics').innerText(), 'Epoch 27 (kept): loss 0.21 · val_loss 0.28');
    await network.page.close();
  });

  test('the Model section shows what training used and cost, with a way to the prices; unpriced says so', async () => {
    const panel = await openPanel('modelReview', { respond: () => state([card(1, { trainingUsage: { cpuSeconds: 12.34, cost: 0.0567 } })]) });
    const page = panel.page;
    await page.getByRole('heading', { name: /penguins v1/ }).waitFor();
    const facts = await page.locator('dl.facts').innerText();
    assert.match(facts, /Training CPU\s+12\.3 CPU-seconds/);
    assert.match(facts, /Training cost\s+0\.0567 · prices/);
    await page.locator('dl.facts').getByRole('button', { name: 'prices' }).click();
    assert.deepEqual((await panel.posted()).filter((m) => m.kind === 'notify').map((m) => [m.method, m.params]), [['openCostSettings', {}]]);
    await page.close();
    const unpriced = await openPanel('modelReview', { respond: () => state([card(1, { trainingUsage: { cpuSeconds: 3600, cost: null } })]) });
    await unpriced.page.getByRole('heading', { name: /penguins v1/ }).waitFor();
    const text = await unpriced.page.locator('dl.facts').innerText();
    assert.match(text, /Training CPU\s+3,600 CPU-seconds/);
    assert.match(text, /Training cost\s+not priced · set prices/);
    assert.deepEqual(unpriced.problems, []);
    await unpriced.page.close();
  });

  test('an external version (registered from a source that is not a model package) says so on its card', async () => {
    const external = card(3, {
      external: { source: 's3://bucket/models/7' },
      task: null,
      target: null,
      modelType: null,
      signature: null,
      evaluation: {},
      training: {},
      confusionMatrix: null,
      curves: null,
      params: {},
      files: { spec: false, evaluationReport: false },
      run: { runId: '', runName: null, startTime: null, status: null, gitCommit: null, available: false },
    });
    const panel = await openPanel('modelReview', { respond: () => state([external]) });
    const page = panel.page;
    await page.getByRole('heading', { name: /penguins v3/ }).waitFor();
    assert.match(await page.locator('p.external-note').innerText(), /^External version: registered from s3:\/\/bucket\/models\/7, which is not a model package here/);
    assert.deepEqual(panel.problems, []);
    await page.close();
  });

  test('a regression card draws predicted vs actual and the residual histogram', async () => {
    const regression = card(2, {
      task: 'regression',
      target: 'mpg',
      evaluation: { test_rmse: 3.1, test_r2: 0.8 },
      confusionMatrix: null,
      curves: { task: 'regression', predictedVsActual: [[10, 11], [20, 19], [30, 33]], residuals: { edges: [-2, 0, 2, 4], counts: [1, 1, 1] } },
      signature: { inputs: [{ name: 'weight', type: 'double', categories: null, optional: false }], output: 'mpg: double' },
    });
    const panel = await openPanel('modelReview', { respond: () => state([regression]), theme: 'light' });
    const page = panel.page;
    await page.locator('.chart[data-chart="predictedVsActual"] canvas').waitFor();
    assert.deepEqual(JSON.parse((await page.locator('.chart[data-chart="predictedVsActual"]').getAttribute('data-series')) ?? '{}'), { series: 1, points: 3 });
    assert.deepEqual(JSON.parse((await page.locator('.chart[data-chart="residuals"]').getAttribute('data-series')) ?? '{}'), { series: 1, points: 3 });
    assert.equal(await page.locator('table.confusion').count(), 0, 'no confusion matrix for a regressor');
    await page.close();
  });

  test('a review shows deltas in the right direction, the best version, differences only, and review actions', async () => {
    const v1 = card(1, { aliases: ['champion'] });
    const v3 = card(3, { evaluation: { test_accuracy: 0.93, test_log_loss: 0.35, test_f1_macro: 0.88 }, params: { epochs: '40', learning_rate: '0.01' }, run: { ...card(1).run, runId: RUN_B, runName: 'calm-fox-7' } });
    const review = state([v1, v3], {
      model: { name: 'penguins', description: '', requireReview: true, aliases: [{ alias: 'champion', version: 1 }], versionCount: 3 },
      comparison: {
        metrics: [
          { key: 'test_accuracy', values: [0.9, 0.93], deltas: [0, 0.03], higherIsBetter: true, best: 1 },
          { key: 'test_f1_macro', values: [0.88, 0.88], deltas: [0, 0], higherIsBetter: true, best: null },
          { key: 'test_log_loss', values: [0.3, 0.35], deltas: [0, 0.05], higherIsBetter: false, best: 0 },
        ],
        params: [
          { key: 'epochs', values: ['20', '40'], differs: true },
          { key: 'learning_rate', values: ['0.01', '0.01'], differs: false },
        ],
        inputs: [{ name: 'bill_length_mm', types: ['double', 'double'], differs: false }],
        outputDiffers: false,
        datasetDiffers: false,
      },
      pendingReviews: [{ reviewId: 7, alias: 'champion', version: 3, previousVersion: 1, requestedBy: 'carol', requestedAt: Date.now() - 3_600_000, comment: 'more epochs, better accuracy' }],
    });
    const panel = await openPanel('modelReview', { respond: () => review });
    const page = panel.page;
    await page.getByRole('heading', { name: /Review penguins/ }).waitFor();
    const rows = page.locator('section.card', { hasText: 'Evaluation metrics' }).locator('tbody tr');
    const accuracy = await rows.filter({ hasText: 'accuracy' }).innerText();
    assert.match(accuracy, /0\.93\s*\+0\.03 ▲/, 'higher accuracy is better');
    assert.equal(await rows.filter({ hasText: 'accuracy' }).locator('.best').innerText(), '0.93');
    const loss = await rows.filter({ hasText: 'log_loss' }).innerText();
    assert.match(loss, /0\.35\s*\+0\.05 ▼/, 'a higher loss is worse');
    assert.equal(await rows.filter({ hasText: 'log_loss' }).locator('.delta.worse').count(), 1);
    assert.match(await page.locator('.review-request').innerText(), /Review #7: move @champion of penguins from v1 to v3[\s\S]*carol[\s\S]*more epochs/);
    assert.equal(await page.locator('table.confusion').count(), 2, 'one confusion matrix per version');
    assert.equal(await page.locator('tr.differs', { hasText: 'epochs' }).count(), 1, 'a differing param is highlighted');

    await page.getByLabel('Only differences').check();
    assert.equal(await page.locator('section.card', { hasText: 'Params' }).locator('tbody tr', { hasText: 'learning_rate' }).count(), 0);
    assert.equal(await rows.filter({ hasText: 'f1_macro' }).count(), 0, 'a metric equal in all versions is hidden');
    assert.match(await page.locator('section.card', { hasText: 'Signature inputs' }).innerText(), /All versions take the same inputs/);

    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('button', { name: 'Request…' }).nth(1).click();
    const posted = (await panel.posted()).filter((m) => m.kind === 'notify').map((m) => [m.method, m.params]);
    assert.deepEqual(posted, [
      ['decideReview', { reviewId: 7, decision: 'approve' }],
      ['promote', { version: 3 }],
    ]);
    assert.deepEqual(panel.problems, []);
    await page.close();
  });

  test('a review puts training cost, CPU-seconds and predict latency p99 next to the accuracy, lower is better; unpriced links to the prices', async () => {
    const metrics = [{ key: 'test_accuracy', values: [0.9, 0.93], deltas: [0, 0.03], higherIsBetter: true, best: 1 }];
    const comparison = { metrics, params: [], inputs: [], outputDiffers: false, datasetDiffers: false };
    const unpriced = state([card(1, { trainingUsage: { cpuSeconds: 12.34, cost: null, predictLatencyP99Ms: 0.05 } }), card(2, { trainingUsage: { cpuSeconds: 40, cost: null, predictLatencyP99Ms: 0.02 } })], { comparison });
    const panel = await openPanel('modelReview', { respond: () => unpriced });
    const page = panel.page;
    await page.getByRole('heading', { name: /Review penguins/ }).waitFor();
    const table = page.locator('section.card', { hasText: 'Evaluation metrics' }).locator('table.compare');
    assert.deepEqual(await table.locator('tbody th').allInnerTexts(), ['accuracy', 'training cost', 'training CPU-seconds', 'predict latency p99'], 'in the same table as the accuracy');
    const cells = async (label: string): Promise<string[]> => table.locator('tbody tr', { hasText: label }).locator('td').allInnerTexts();
    const cpu = await cells('training CPU-seconds');
    assert.match(cpu[0] ?? '', /^12\.3$/);
    assert.match(cpu[1] ?? '', /^40\.0\s*\+27\.7 ▼$/, 'more CPU is worse');
    const latency = await cells('predict latency p99');
    assert.match(latency[0] ?? '', /^0\.050 ms$/);
    assert.match(latency[1] ?? '', /^0\.020 ms\s*−0\.030 ms ▲$/, 'a faster model is better');
    assert.equal(await table.locator('tbody tr', { hasText: 'predict latency p99' }).locator('.best').innerText(), '0.020 ms');
    assert.deepEqual(await cells('training cost'), ['not priced · set prices', 'not priced · set prices']);
    await table.getByRole('button', { name: 'set prices' }).first().click();
    assert.deepEqual((await panel.posted()).filter((m) => m.kind === 'notify').map((m) => [m.method, m.params]), [['openCostSettings', {}]]);
    assert.deepEqual(panel.problems, []);
    await page.close();

    const priced = state([card(1, { trainingUsage: { cpuSeconds: 10, cost: 0.5, predictLatencyP99Ms: 0.05 } }), card(2, { trainingUsage: { cpuSeconds: 5, cost: 0.25, predictLatencyP99Ms: 0.05 } })], { comparison });
    const second = await openPanel('modelReview', { respond: () => priced });
    await second.page.getByRole('heading', { name: /Review penguins/ }).waitFor();
    const cost = second.page.locator('section.card', { hasText: 'Evaluation metrics' }).locator('tbody tr', { hasText: 'training cost' });
    assert.match(await cost.innerText(), /0\.500\s+0\.250\s*−0\.250 ▲/);
    assert.equal(await cost.locator('.best').innerText(), '0.250');
    await second.page.getByLabel('Only differences').check();
    assert.equal(await second.page.locator('tr[data-usage="predictLatencyP99Ms"]').count(), 0, 'an equal latency is hidden with only differences');
    assert.equal(await second.page.locator('tr[data-usage="cost"]').count(), 1);
    await second.page.close();
  });

  test('a card shows the measured predict latency next to the training cost', async () => {
    const panel = await openPanel('modelReview', { respond: () => state([card(1, { trainingUsage: { cpuSeconds: 2, cost: null, predictLatencyP99Ms: 1.234 } })]) });
    await panel.page.getByRole('heading', { name: /penguins v1/ }).waitFor();
    assert.match(await panel.page.locator('dl.facts').innerText(), /Predict latency\s+p99 1\.2 ms a row/);
    await panel.page.close();
  });

  test('three versions: every value sits under its version’s heading, in every table, and each table names the versions', async () => {
    const v1 = card(1, { aliases: ['champion'], evaluation: { test_accuracy: 0.81 } });
    const v2 = card(2, { evaluation: { test_accuracy: 0.86 } });
    const v3 = card(3, { evaluation: { test_accuracy: 0.9123 }, params: { epochs: '40', learning_rate: '0.0005' } });
    const review = state([v1, v2, v3], {
      comparison: {
        metrics: [{ key: 'test_accuracy', values: [0.81, 0.86, 0.9123], deltas: [0, 0.05, 0.1023], higherIsBetter: true, best: 2 }],
        params: [{ key: 'learning_rate', values: ['0.01', '0.01', '0.0005'], differs: true }],
        inputs: [{ name: 'bill_length_mm', types: ['double', 'double', 'double'], differs: false }],
        outputDiffers: false,
        datasetDiffers: false,
      },
    });
    const panel = await openPanel('modelReview', { respond: () => review, viewport: { width: 1100, height: 900 } });
    const page = panel.page;
    await page.getByRole('heading', { name: /Review penguins/ }).waitFor();
    const headings = page.locator('section.card', { hasText: 'Versions' }).locator('thead th[scope=col]');
    const metricRow = page.locator('section.card', { hasText: 'Evaluation metrics' }).locator('tbody tr', { hasText: 'accuracy' }).locator('td');
    const paramRow = page.locator('section.card', { hasText: 'Params' }).locator('tbody tr', { hasText: 'learning_rate' }).locator('td');
    const values = [['0.81', '0.01'], ['0.86', '0.01'], ['0.9123', '0.0005']];
    for (let i = 0; i < 3; i++) {
      const head = await headings.nth(i + 1).boundingBox();
      const metric = await metricRow.nth(i).boundingBox();
      assert.ok(head && metric, 'laid out');
      assert.ok(Math.abs(head.x - metric.x) < 2 && Math.abs(head.width - metric.width) < 2, `v${i + 1}'s metric cell lies under its heading (${head.x}/${head.width} vs ${metric.x}/${metric.width})`);
      assert.match(await metricRow.nth(i).innerText(), new RegExp(`^${values[i]![0]!.replace('.', '\\.')}`));
      assert.match(await paramRow.nth(i).innerText(), new RegExp(values[i]![1]!.replace('.', '\\.')));
    }
    const names = (await page.locator('section.card', { hasText: 'Evaluation metrics' }).locator('thead th[scope=col]').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(names, ['metric', 'v1 @champion', 'v2', 'v3']);
    await page.screenshot({ path: 'test-output/webview/model-review-three-versions.png', fullPage: true });
    await page.close();
  });

  test('text evaluations and feedback on served answers appear on the card and side by side in a review', async () => {
    const evaluation = (runId: string, bleu: number, meanRating: number | null) => ({
      runId,
      runName: `eval-${runId.slice(0, 4)}`,
      startTime: Date.UTC(2026, 10, 21),
      metrics: { bleu, rouge1_f: 0.61, rouge2_f: 0.4, rougeL_f: 0.55, exact_match: 0.1, rows: 20 },
      rougeStemming: true,
      feedback: { count: meanRating === null ? 0 : 8, meanRating, thumbsUpShare: null },
    });
    const v1 = card(1, { feedback: { endpoint: { count: 12, ratedCount: 10, meanRating: 4.25, labels: [['helpful', 7], ['too long', 2]], lastAt: Date.now() }, textEvaluations: [evaluation(RUN_A, 31.4, 3.5)] } });
    const panel = await openPanel('modelReview', { respond: () => state([v1]) });
    const page = panel.page;
    const section = page.getByTestId('feedback');
    await section.waitFor();
    assert.match(await section.innerText(), /Served answers: 12 rated through \/feedback · mean rating 4\.25 \/ 5 \(10 ratings\) · labels helpful ×7, too long ×2/);
    assert.deepEqual(await section.locator('tbody tr').first().locator('th, td').allInnerTexts(), ['eval-aaaa (stemmed)', '31.4', '0.61', '0.4', '0.55', '0.1', '8', '3.50']);
    await section.getByRole('button', { name: 'eval-aaaa' }).click();
    assert.deepEqual((await panel.posted()).filter((m) => m.kind === 'notify').map((m) => [m.method, m.params]), [['openRun', { runId: RUN_A }]]);
    await page.close();

    const v2 = card(2, { feedback: { endpoint: null, textEvaluations: [evaluation(RUN_B, 35.2, null)] } });
    const comparison = { metrics: [], params: [], inputs: [], outputDiffers: false, datasetDiffers: false };
    const review = await openPanel('modelReview', { respond: () => state([v1, v2], { comparison }) });
    const table = review.page.getByTestId('feedback-comparison');
    await table.waitFor();
    const rows = await table.locator('tbody tr').allInnerTexts();
    assert.match(rows[0] ?? '', /served answers: mean rating\s+4\.25 \/ 5 from 10\s+—/);
    assert.match(rows[1] ?? '', /BLEU\s+31\.4\s+35\.2/);
    assert.match(rows.at(-1) ?? '', /reviewers' rating\s+3\.50 \/ 5 from 8\s+—/);
    await review.page.close();
  });

  test('a failure says what went wrong and retries; a registry change reloads the card', async () => {
    let calls = 0;
    const panel = await openPanel('modelReview', {
      respond: () => {
        calls++;
        if (calls === 1) throw new Error('penguins v9 was deleted.');
        return state([card(calls === 2 ? 1 : 1, { aliases: calls === 2 ? [] : ['champion'] })]);
      },
    });
    const page = panel.page;
    await page.getByRole('alert').getByText('penguins v9 was deleted.').waitFor();
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: /penguins v1/ }).waitFor();
    assert.doesNotMatch(await page.locator('h1').innerText(), /@champion/);
    await panel.notify('changed', {});
    await page.locator('h1', { hasText: '@champion' }).waitFor();
    assert.equal(calls, 3);
    await page.close();
  });

  test('ROC AUC 1 next to F1 macro 0.61: the card says why they disagree and names the class never predicted', async () => {
    const evaluation = { test_accuracy: 0.8235, test_f1_macro: 0.614, test_roc_auc: 1, test_log_loss: 0.52, test_precision_macro: 0.56, test_recall_macro: 0.667, test_recall_Adelie: 1, test_recall_Chinstrap: 0, test_recall_Gentoo: 1, test_precision_Adelie: 0.7, test_precision_Chinstrap: 0, test_precision_Gentoo: 1, test_f1_Adelie: 0.824, test_f1_Chinstrap: 0, test_f1_Gentoo: 1 };
    const panel = await openPanel('modelReview', { viewport: { width: 1200, height: 900 }, respond: () => state([card(1, { name: 'penguins-from-features', evaluation })]) });
    const page = panel.page;
    const note = page.getByTestId('auc-note');
    await note.waitFor();
    const text = await note.innerText();
    assert.match(text, /roc_auc 1\S* next to f1_macro 0\.614/);
    assert.match(text, /one-vs-rest per class.*same test rows/s);
    assert.match(text, /Chinstrap is never predicted \(recall 0\)/);
    await page.locator('section.card', { hasText: 'Evaluation (test split)' }).screenshot({ path: 'test-output/webview/model-card-auc-note.png' });
    assert.deepEqual(panel.problems, []);
    await page.close();
  });
});
