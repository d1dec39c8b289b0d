import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { FilterSyntaxError } from '../../../src/core/tracking/searchFilter';
import { tempStoreDir } from '../store/testSupport';

// A small hand-built data set: names say what each run has.
let store: WorkspaceStore;
let cleanup: () => void;
const ids = new Map<string, string>();
let experimentId = '';
let otherExperimentId = '';

before(async () => {
  const temp = tempStoreDir();
  cleanup = temp.cleanup;
  store = await openWorkspaceStore({ dir: temp.dir, writerName: 'search test' });
  const t = store.tracking;
  experimentId = await t.createExperiment('search');
  otherExperimentId = await t.createExperiment('other');
  const specs: { name: string; start: number; metrics: Record<string, number>; params: Record<string, string>; tags: Record<string, string>; status?: 'FINISHED' | 'FAILED'; experiment?: string }[] = [
    { name: 'cnn-good', start: 1000, metrics: { acc: 0.95, loss: 0.1 }, params: { model: 'CNN', lr: '0.01' }, tags: { team: 'Vision' }, status: 'FINISHED' },
    { name: 'cnn-bad', start: 2000, metrics: { acc: 0.6, loss: 0.9 }, params: { model: 'CNN', lr: '0.1' }, tags: { team: 'vision' }, status: 'FAILED' },
    { name: 'mlp', start: 3000, metrics: { acc: 0.8 }, params: { model: 'MLP' }, tags: {} },
    { name: 'diverged', start: 4000, metrics: { acc: NaN, loss: Infinity }, params: { model: 'MLP', lr: '1.0' }, tags: { 'note with space': 'yes' } },
    { name: 'bare', start: 5000, metrics: {}, params: {}, tags: {} },
    { name: 'elsewhere', start: 6000, metrics: { acc: 0.99 }, params: { model: 'CNN' }, tags: {}, experiment: 'other' },
  ];
  for (const spec of specs) {
    const run = await t.createRun({ experimentId: spec.experiment === 'other' ? otherExperimentId : experimentId, runName: spec.name, startTime: spec.start });
    ids.set(spec.name, run.info.runId);
    await t.logBatch({
      runId: run.info.runId,
      metrics: Object.entries(spec.metrics).map(([key, value]) => ({ key, value, step: 1 })),
      params: Object.entries(spec.params).map(([key, value]) => ({ key, value })),
      tags: Object.entries(spec.tags).map(([key, value]) => ({ key, value })),
    });
    if (spec.status) await t.updateRun(run.info.runId, { status: spec.status, endTime: spec.start + 500 });
  }
});

after(async () => {
  await store.close();
  cleanup();
});

async function names(filter: string, orderBy?: string[], experimentIds: string[] = [experimentId]): Promise<string[]> {
  const { runs } = await store.tracking.searchRuns({ experimentIds, filter, ...(orderBy ? { orderBy } : {}) });
  return runs.map((r) => r.info.runName);
}

test('metric comparisons use the latest value; runs without the metric never match, even with !=', async () => {
  assert.deepEqual(await names('metrics.acc > 0.7'), ['mlp', 'cnn-good']);
  assert.deepEqual(await names('metrics.acc >= 0.8'), ['mlp', 'cnn-good']);
  assert.deepEqual(await names('metrics.acc = 0.6'), ['cnn-bad']);
  assert.deepEqual(await names('metrics.acc != 0.6'), ['diverged', 'mlp', 'cnn-good']);
  assert.deepEqual(await names('metrics.loss > 1'), ['diverged']);
  assert.deepEqual(await names('metrics.missing < 1'), []);
});

test('params and tags compare as strings with =, !=, LIKE (case-sensitive) and ILIKE', async () => {
  assert.deepEqual(await names("params.model = 'CNN'"), ['cnn-bad', 'cnn-good']);
  assert.deepEqual(await names('params.model != "CNN"'), ['diverged', 'mlp']);
  assert.deepEqual(await names("params.lr LIKE '0.%'"), ['cnn-bad', 'cnn-good']);
  assert.deepEqual(await names("tags.team LIKE 'V%'"), ['cnn-good']);
  assert.deepEqual(await names("tags.team ILIKE 'v_sion'"), ['cnn-bad', 'cnn-good']);
  assert.deepEqual(await names("tags.`note with space` = 'yes'"), ['diverged']);
  assert.deepEqual(await names("params.model = 'CNN' AND metrics.acc > 0.9"), ['cnn-good']);
});

test('attributes: status, run_name, start_time, end_time, run_id IN', async () => {
  assert.deepEqual(await names("attributes.status = 'FAILED'"), ['cnn-bad']);
  assert.deepEqual(await names("attributes.status != 'RUNNING'"), ['cnn-bad', 'cnn-good']);
  assert.deepEqual(await names("attributes.run_name LIKE 'cnn%'"), ['cnn-bad', 'cnn-good']);
  assert.deepEqual(await names('attributes.start_time >= 3000'), ['bare', 'diverged', 'mlp']);
  assert.deepEqual(await names('attributes.end_time < 2000'), ['cnn-good']);
  const inFilter = `attributes.run_id IN ('${ids.get('mlp')}', '${ids.get('bare')}')`;
  assert.deepEqual(await names(inFilter), ['bare', 'mlp']);
  assert.deepEqual(await names(`attributes.run_id NOT IN ('${ids.get('mlp')}')`), ['bare', 'diverged', 'cnn-bad', 'cnn-good']);
});

test('experiment ids restrict the search; no ids means every experiment', async () => {
  assert.deepEqual(await names("params.model = 'CNN'", undefined, [otherExperimentId]), ['elsewhere']);
  assert.deepEqual(await names("params.model = 'CNN'", undefined, []), ['elsewhere', 'cnn-bad', 'cnn-good']);
});

test('order_by sorts by metrics, params and attributes; missing and NaN values go last either way', async () => {
  assert.deepEqual(await names('', ['metrics.acc DESC']), ['cnn-good', 'mlp', 'cnn-bad', 'diverged', 'bare']);
  assert.deepEqual(await names('', ['metrics.acc ASC']), ['cnn-bad', 'mlp', 'cnn-good', 'diverged', 'bare']);
  assert.deepEqual(await names('', ['attributes.start_time']), ['cnn-good', 'cnn-bad', 'mlp', 'diverged', 'bare']);
  assert.deepEqual(await names('', ['params.model', 'metrics.acc DESC']), ['cnn-good', 'cnn-bad', 'mlp', 'diverged', 'bare']);
  assert.deepEqual(await names(''), ['bare', 'diverged', 'mlp', 'cnn-bad', 'cnn-good'], 'default: newest first');
});

test('page tokens walk the results exactly once; a token from another query is refused', async () => {
  const seen: string[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  do {
    const page = await store.tracking.searchRuns({ experimentIds: [experimentId], maxResults: 2, orderBy: ['attributes.start_time'], ...(pageToken ? { pageToken } : {}) });
    seen.push(...page.runs.map((r) => r.info.runName));
    pageToken = page.nextPageToken;
    pages++;
  } while (pageToken);
  assert.equal(pages, 3);
  assert.deepEqual(seen, ['cnn-good', 'cnn-bad', 'mlp', 'diverged', 'bare']);
  const first = await store.tracking.searchRuns({ experimentIds: [experimentId], maxResults: 2 });
  assert.ok(first.nextPageToken);
  await assert.rejects(store.tracking.searchRuns({ experimentIds: [experimentId], maxResults: 2, filter: 'metrics.acc > 0', pageToken: first.nextPageToken }), /page token belongs to a different search/);
  await assert.rejects(store.tracking.searchRuns({ pageToken: 'garbage!' }), /Invalid page token/);
});

test('deleted runs are hidden unless asked for; bad filters throw the syntax error', async () => {
  const mlp = ids.get('mlp') as string;
  await store.tracking.deleteRun(mlp);
  assert.deepEqual(await names("params.model = 'MLP'"), ['diverged']);
  const deleted = await store.tracking.searchRuns({ experimentIds: [experimentId], viewType: 'DELETED_ONLY' });
  assert.deepEqual(deleted.runs.map((r) => r.info.runName), ['mlp']);
  await store.tracking.restoreRun(mlp);
  await assert.rejects(store.tracking.searchRuns({ filter: 'metrics.acc >' }), FilterSyntaxError);
});

test('experiments can be searched by name and tags', async () => {
  const { experiments } = await store.tracking.searchExperiments({ filter: "name LIKE 'se%'" });
  assert.deepEqual(experiments.map((e) => e.name), ['search']);
  const all = await store.tracking.searchExperiments({ orderBy: ['name'] });
  assert.deepEqual(all.experiments.map((e) => e.name), ['Default', 'other', 'search']);
});
