import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { FeatureCatalogEntry, FeatureCatalogState, FeatureDetails } from '../../src/protocol/featureCatalog/featureCatalogContract';
import { closeBrowser, openPanel, securityViolations } from './lib/panelPage';

const NOW = Date.UTC(2026, 10, 27, 12);

const entry = (view: string, name: string, patch: Partial<FeatureCatalogEntry> = {}): FeatureCatalogEntry => ({
  id: `${view}:${name}`,
  view,
  name,
  type: 'float',
  owner: view === 'penguin_weight' ? 'nutrition-lab' : 'field-team',
  tags: view === 'penguin_weight' ? ['weight'] : ['morphology'],
  description: `${name} of a penguin`,
  viewDescription: null,
  entities: ['penguin'],
  ttl: 'TTL 90d',
  file: 'features/features.yaml',
  line: 20,
  materializedAt: new Date(NOW - 3 * 3_600_000).toISOString(),
  rows: 344,
  latestEventTime: '2023-12-31T14:00:00Z',
  ...patch,
});

const STATE: FeatureCatalogState = {
  specFiles: 1,
  problems: [],
  now: NOW,
  features: [
    entry('penguin_morphology', 'bill_length_mm'),
    entry('penguin_morphology', 'bill_ratio', { tags: ['morphology', 'derived'] }),
    entry('penguin_weight', 'body_mass_g'),
    entry('penguin_weight', 'island', { type: 'string' }),
  ],
};

const details = (id: string): FeatureDetails =>
  id === 'penguin_weight:island'
    ? { id, stats: { count: 344, missing: 0, missingShare: 0, min: null, max: null, mean: null, std: null, distinct: 3, distribution: { kind: 'categorical', labels: ['Biscoe', 'Dream', 'Torgersen'], counts: [168, 124, 52], otherCount: 0 } }, statsNote: null, models: [], modelsNote: null }
    : {
        id,
        stats: { count: 344, missing: 2, missingShare: 2 / 344, min: 2700, max: 6300, mean: 4201.75, std: 801.95, distinct: 94, distribution: { kind: 'numeric', edges: [2700, 3600, 4500, 5400, 6300], counts: [80, 140, 90, 32] } },
        statsNote: null,
        models: [{ name: 'penguins', version: 3, missing: false }, { name: 'penguins', version: 1, missing: false }],
        modelsNote: null,
      };

describe('feature catalog webview', () => {
  after(closeBrowser);

  test('search by name, tag: and owner:; selecting a feature draws its distribution and lists the models that use it', async () => {
    const requests: string[] = [];
    const panel = await openPanel('featureCatalog', {
      respond: (method, params) => {
        if (method === 'getCatalog') return STATE;
        if (method === 'getFeature') {
          const p = params as { view: string; name: string };
          requests.push(`${p.view}:${p.name}`);
          return details(`${p.view}:${p.name}`);
        }
        throw new Error(`unexpected ${method}`);
      },
    });
    const page = panel.page;
    const rows = page.locator('table.features tbody tr');
    await rows.first().waitFor();
    assert.equal(await page.locator('main main').count(), 0, 'no nested <main>');
    assert.deepEqual(await rows.locator('th').allInnerTexts(), ['bill_length_mm\npenguin_morphology', 'bill_ratio\npenguin_morphology', 'body_mass_g\npenguin_weight', 'island\npenguin_weight']);
    assert.match(await rows.nth(0).innerText(), /float\s+field-team\s+morphology\s+3 hours ago\s+344 rows/);
    const search = page.getByLabel('Search features');
    assert.match((await search.getAttribute('placeholder')) ?? '', /tag:.*owner:/);

    await search.fill('ratio');
    assert.deepEqual(await rows.locator('th').allInnerTexts(), ['bill_ratio\npenguin_morphology']);
    assert.equal(await page.getByTestId('count').innerText().then((t) => t.split(' · ')[0]), '1 of 4 features');
    await search.fill('tag:derived');
    assert.deepEqual(await rows.locator('th').allInnerTexts(), ['bill_ratio\npenguin_morphology']);
    await search.fill('owner:nutrition');
    assert.deepEqual(await rows.locator('th').allInnerTexts(), ['body_mass_g\npenguin_weight', 'island\npenguin_weight']);
    await search.fill('tag:weight mass');
    assert.deepEqual(await rows.locator('th').allInnerTexts(), ['body_mass_g\npenguin_weight']);
    await search.fill('owner:field-team island');
    await page.getByTestId('no-match').waitFor();
    await search.fill('owner:nutrition');

    await rows.nth(0).click();
    const detail = page.getByTestId('feature-detail');
    await page.locator('.chart[data-chart="distribution"] canvas').waitFor();
    assert.deepEqual(JSON.parse((await page.locator('.chart[data-chart="distribution"]').getAttribute('data-series')) ?? '{}'), { feature: 'penguin_weight:body_mass_g', kind: 'numeric', bars: 4, total: 342 });
    assert.match(await page.getByTestId('stats').innerText(), /344\s+values\s+0\.6%\s+missing\s+2,700\s+min\s+6,300\s+max\s+4,201\.8\s+mean/);
    assert.match(await detail.innerText(), /TTL 90d/);

    // keyboard: down selects the text feature, drawn as top values
    await rows.nth(0).focus();
    await page.keyboard.press('ArrowDown');
    await page.locator('.chart[data-chart="distribution"][data-series*="island"]').waitFor();
    assert.deepEqual(JSON.parse((await page.locator('.chart[data-chart="distribution"]').getAttribute('data-series')) ?? '{}'), { feature: 'penguin_weight:island', kind: 'categorical', bars: 3, total: 344 });
    assert.match(await page.getByTestId('stats').innerText(), /3\s+distinct/);
    assert.match(await page.getByTestId('models').innerText(), /No registered model uses it yet/);

    await rows.nth(0).click();
    await page.getByRole('button', { name: 'penguins v3' }).click();
    await page.getByRole('button', { name: 'features/features.yaml:20' }).click();
    const notes = (await panel.posted()).filter((m) => m.kind === 'notify');
    assert.deepEqual(notes.map((m) => [m.method, m.params]), [
      ['openModelCard', { name: 'penguins', version: 3 }],
      ['openSpec', { file: 'features/features.yaml', line: 20 }],
    ]);
    assert.deepEqual(requests, ['penguin_weight:body_mass_g', 'penguin_weight:island', 'penguin_weight:body_mass_g']);
    assert.deepEqual(await panel.savedState(), { query: 'owner:nutrition', selectedId: 'penguin_weight:body_mass_g' });
    assert.deepEqual(await securityViolations(panel), []);
    assert.deepEqual(panel.problems, []);
    await page.close();
  });

  test('empty states: no features.yaml offers to create one; nothing materialized offers to materialize; problems link to their line', async () => {
    const none = await openPanel('featureCatalog', { respond: () => ({ specFiles: 0, problems: [], features: [], now: NOW }) satisfies FeatureCatalogState, theme: 'light' });
    await none.page.getByTestId('empty-no-spec').waitFor();
    await none.page.getByRole('button', { name: 'Create features.yaml…' }).click();
    assert.deepEqual((await none.posted()).filter((m) => m.kind === 'notify').map((m) => m.method), ['createSpec']);
    assert.deepEqual(await securityViolations(none), []);
    await none.page.close();

    const fresh: FeatureCatalogState = {
      specFiles: 2,
      now: NOW,
      problems: [{ file: 'other/features.yaml', line: 7, column: 11, field: 'feature_views[0].ttl', message: 'feature_views[0].ttl must be a duration such as 90s, 15m, 12h, 30d or 2w' }],
      features: STATE.features.map((f) => ({ ...f, materializedAt: null, rows: null, latestEventTime: null })),
    };
    const notMaterialized = await openPanel('featureCatalog', {
      respond: (method) => (method === 'getCatalog' ? fresh : { id: 'penguin_morphology:bill_length_mm', stats: null, statsNote: '"penguin_morphology" has not been materialized yet: materialize it to see statistics and the distribution.', models: [], modelsNote: null }),
    });
    const page = notMaterialized.page;
    await page.getByTestId('empty-not-materialized').waitFor();
    assert.match(await page.getByTestId('problems').innerText(), /other\/features\.yaml:7:11 feature_views\[0\]\.ttl: feature_views\[0\]\.ttl must be a duration/);
    assert.match(await page.locator('table.features tbody tr').first().innerText(), /never materialized/);
    await page.getByRole('button', { name: 'Materialize Features' }).click();
    await page.getByRole('button', { name: 'other/features.yaml:7:11' }).click();
    await page.locator('table.features tbody tr').first().click();
    await page.getByText('has not been materialized yet').waitFor();
    assert.equal(await page.locator('.chart[data-chart="distribution"]').count(), 0);
    await page.getByTestId('feature-detail').getByRole('button', { name: 'Materialize', exact: true }).click();
    assert.deepEqual((await notMaterialized.posted()).filter((m) => m.kind === 'notify').map((m) => [m.method, m.params]), [
      ['materialize', { view: null }],
      ['openSpec', { file: 'other/features.yaml', line: 7 }],
      ['materialize', { view: 'penguin_morphology' }],
    ]);
    assert.deepEqual(await securityViolations(notMaterialized), []);
    assert.deepEqual(notMaterialized.problems, []);
    await page.close();
  });

  test('follows changes without a click: a model registered meanwhile appears, relative times age, statistics stay on screen', async () => {
    const fresh: FeatureCatalogState = { ...STATE, now: NOW, features: STATE.features.map((f) => ({ ...f, materializedAt: new Date(NOW - 7_000).toISOString() })) };
    let registered = false;
    const panel = await openPanel('featureCatalog', {
      beforeLoad: (page) => page.clock.install({ time: NOW }),
      respond: (method, params) => {
        if (method === 'getCatalog') return fresh;
        const p = params as { view: string; name: string };
        const d = details(`${p.view}:${p.name}`);
        return { ...d, models: registered ? [{ name: 'penguins', version: 1, missing: false }] : [] };
      },
    });
    const page = panel.page;
    const row = page.locator('table.features tbody tr').first();
    await row.waitFor();
    assert.match(await row.innerText(), /7 seconds ago/);
    await row.click();
    await page.getByTestId('no-models').waitFor();
    // the simplest way in is named: a training spec reading the view
    const empty = await page.getByTestId('no-models').innerText();
    assert.match(empty, /dataset:\s+features: features\/features\.yaml.*\s+entities: entity_rows\.csv.*\s+select: \[penguin_morphology:\*\]/);
    assert.match(empty, /mlops features get-training-set/);
    await page.screenshot({ path: 'test-output/webview/feature-catalog-no-models.png', fullPage: true });

    // the relative time ages with the clock, with no message from the host
    await page.clock.runFor(3 * 60_000);
    await page.getByText('3 minutes ago').first().waitFor();
    assert.match(await row.innerText(), /3 minutes ago/);
    assert.match(await page.getByTestId('feature-detail').innerText(), /Freshness\s+3 minutes ago/);

    // the host says the store changed (a version was registered): the list of models follows
    await page.evaluate(() => {
      const w = window as unknown as { __sawLoading: boolean };
      w.__sawLoading = false;
      new MutationObserver(() => {
        if (document.body.innerText.includes('Loading statistics')) w.__sawLoading = true;
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    registered = true;
    await panel.notify('changed', {});
    await page.getByRole('button', { name: 'penguins v1' }).waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { __sawLoading: boolean }).__sawLoading), false, 'the statistics stayed while the new details loaded');
    await page.locator('.chart[data-chart="distribution"] canvas').waitFor();
    assert.deepEqual(panel.problems, []);
    await page.close();
  });

  test('a histogram of many bins labels its x axis with level ranges that never overlap', async () => {
    const edges = Array.from({ length: 25 }, (_, i) => 2700 + i * 150);
    const many: FeatureDetails = { ...details('penguin_weight:body_mass_g'), stats: { ...details('penguin_weight:body_mass_g').stats!, distribution: { kind: 'numeric', edges, counts: edges.slice(1).map((_, i) => 5 + ((i * 7) % 23)) } } };
    for (const width of [1000, 1400]) {
      const panel = await openPanel('featureCatalog', { viewport: { width, height: 800 }, respond: (method) => (method === 'getCatalog' ? STATE : many) });
      const page = panel.page;
      await page.locator('table.features tbody tr').nth(2).click();
      const chart = page.locator('.chart[data-chart="distribution"]');
      await page.locator('.chart[data-chart="distribution"][data-x-labels] canvas').waitFor();
      const labels = JSON.parse((await chart.getAttribute('data-x-labels')) ?? '[]') as { text: string; left: number; right: number }[];
      const box = await chart.boundingBox();
      assert.ok(labels.length >= 3, `${labels.length} labels at ${width}px: ${JSON.stringify(labels)}`);
      assert.equal(labels[0]!.text, '2,700–2,850', 'a label names its bar’s range');
      for (let i = 1; i < labels.length; i++) assert.ok(labels[i]!.left > labels[i - 1]!.right + 4, `"${labels[i - 1]!.text}" and "${labels[i]!.text}" overlap at ${width}px`);
      assert.ok(labels[0]!.left >= 0 && labels.at(-1)!.right <= (box?.width ?? 0), 'labels stay inside the chart');
      await page.screenshot({ path: `test-output/webview/feature-catalog-histogram-${width}.png`, fullPage: true });
      assert.deepEqual(panel.problems, []);
      await page.close();
    }
  });
});
