import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { materializeRepo } from '../../../src/core/features/featureMaterializer';
import { loadFeatureRepo } from '../../../src/core/features/featureSpecParser';
import { datasetNode } from '../../../src/core/lineage/lineageNodes';
import { loadModelPackage } from '../../../src/core/modelPackage/modelPackageLoader';
import { lineageFor } from '../../../src/core/registry/registryAccess';
import { EndpointManager, type EndpointInfo } from '../../../src/core/serving/endpointManager';
import { readRequestLog } from '../../../src/core/serving/requestLog';
import { penguinsFixture, type ServingFixture } from './servingTestSupport';

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

interface Answer {
  status: number;
  body: Record<string, unknown>;
  freshness: string | null;
  requestId: string;
}

async function invoke(url: string, records: Record<string, unknown>[]): Promise<Answer> {
  const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ dataframe_records: records }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, freshness: res.headers.get('x-feature-freshness'), requestId: res.headers.get('x-request-id') ?? '' };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('endpoint: online features looked up by entity key', () => {
  let f: ServingFixture;
  let workspace: string;
  let manager: EndpointManager;
  let endpoint: EndpointInfo;
  const now = Date.now();
  const featuresFile = (): string => join(workspace, 'features.yaml');

  const writeMeasurements = (rows: string[]): void => writeFileSync(join(workspace, 'measurements.csv'), ['penguin_id,ts,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g', ...rows, ''].join('\n'));
  const materialize = async (): Promise<void> => {
    await materializeRepo(await loadFeatureRepo(featuresFile()), f.dir);
  };
  const loggedInputs = async (requestId: string): Promise<Record<string, unknown>[]> =>
    waitFor(`the request log entry of ${requestId}`, async () => {
      await manager.flushed();
      return readRequestLog(f.store, endpoint.name).find((e) => e.requestId === requestId)?.inputs?.map((r) => ({ ...r })) ?? undefined;
    });

  before(async () => {
    f = await penguinsFixture();
    workspace = dirname(f.dir);
    writeMeasurements([`1,${iso(now - 2 * DAY)},39.1,18.7,181,3750`, `1,${iso(now - DAY)},40.1,18.2,190,3700`, `2,${iso(now - 60 * DAY)},46.5,17.9,192,3500`]);
    writeFileSync(join(workspace, 'home.csv'), `penguin_id,ts,island\n1,${iso(now - 400 * DAY)},Dream\n2,${iso(now - 400 * DAY)},Biscoe\n`);
    writeFileSync(
      featuresFile(),
      [
        'entities:',
        '  - name: penguin',
        '    join_keys: [penguin_id]',
        'sources:',
        '  - { name: measurements_src, path: measurements.csv, timestamp: ts }',
        '  - { name: home_src, path: home.csv, timestamp: ts }',
        'feature_views:',
        '  - name: measurements',
        '    entities: [penguin]',
        '    source: measurements_src',
        '    ttl: 30d',
        '    features:',
        '      - { name: bill_length_mm, type: float }',
        '      - { name: bill_depth_mm, type: float }',
        '      - { name: flipper_length_mm, type: float }',
        '      - { name: body_mass_g, type: float }',
        '  - name: home',
        '    entities: [penguin]',
        '    source: home_src',
        '    features:',
        '      - { name: island, type: string }',
        '  - name: unrelated',
        '    entities: [penguin]',
        '    source: home_src',
        '    features:',
        '      - { name: shore, type: string, expr: island }',
        '',
      ].join('\n'),
    );
    await materialize();
    // What the assertions below rely on: measurements may be missing (training imputed them), island may not.
    const inputs = new Map(f.v1.signature?.inputs.map((i) => [i.name, i.optional]));
    assert.equal(inputs.get('bill_length_mm'), true);
    assert.equal(inputs.get('island'), false);
    manager = new EndpointManager(f.store);
    endpoint = await manager.start({ uri: 'models:/penguins/1', name: 'with-features', features: { file: featuresFile(), views: [] } });
  });
  after(async () => {
    await manager?.stopAll();
    await f?.cleanup();
  });

  it('fills the inputs a request leaves out from the latest values of its entity', async () => {
    assert.deepEqual(endpoint.features, { file: featuresFile(), views: ['measurements', 'home'], source: 'option' });
    const answer = await invoke(endpoint.url, [{ penguin_id: 1, sex: 'male' }]);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const direct = (await loadModelPackage(f.v1.packageDir)).predict([{ island: 'Dream', bill_length_mm: 40.1, bill_depth_mm: 18.2, flipper_length_mm: 190, body_mass_g: 3700, sex: 'male' }]);
    assert.deepEqual(answer.body.predictions, direct.map((p) => ('label' in p ? { label: p.label, probabilities: p.probabilities } : p)));
    assert.equal(answer.freshness, `measurements;oldest=${iso(now - DAY)}, home;oldest=${iso(now - 400 * DAY)}`);
    const [logged] = await loggedInputs(answer.requestId);
    assert.deepEqual(logged, { penguin_id: 1, sex: 'male', bill_length_mm: 40.1, bill_depth_mm: 18.2, flipper_length_mm: 190, body_mass_g: 3700, island: 'Dream' });
  });

  it('keeps the values the request gave', async () => {
    const answer = await invoke(endpoint.url, [{ penguin_id: '1', sex: 'male', bill_length_mm: 55, island: 'Torgersen' }]);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const [logged] = await loggedInputs(answer.requestId);
    assert.equal(logged?.bill_length_mm, 55);
    assert.equal(logged?.island, 'Torgersen');
    assert.equal(logged?.body_mass_g, 3700);
    // Nothing to look up: no join key needed, no freshness header.
    const full = await invoke(endpoint.url, [{ sex: 'male', island: 'Dream', bill_length_mm: 40, bill_depth_mm: 18, flipper_length_mm: 190, body_mass_g: 3700 }]);
    assert.equal(full.status, 200, JSON.stringify(full.body));
    assert.equal(full.freshness, null);
  });

  it('counts values older than the TTL as missing (allowed here: the model imputes them)', async () => {
    const answer = await invoke(endpoint.url, [{ penguin_id: 2, sex: 'female' }]);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.freshness, `measurements;missing=1, home;oldest=${iso(now - 400 * DAY)}`);
    const [logged] = await loggedInputs(answer.requestId);
    assert.deepEqual(logged, { penguin_id: 2, sex: 'female', bill_length_mm: null, bill_depth_mm: null, flipper_length_mm: null, body_mass_g: null, island: 'Biscoe' });
  });

  it('an unknown entity is missing features: null where allowed, a 400 naming row and key where required', async () => {
    const allowed = await invoke(endpoint.url, [{ penguin_id: 999, sex: 'male', island: 'Dream' }]);
    assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
    assert.equal((await loggedInputs(allowed.requestId))[0]?.bill_length_mm, null);
    const refused = await invoke(endpoint.url, [{ penguin_id: 1, sex: 'male' }, { penguin_id: 999, sex: 'male' }]);
    assert.equal(refused.status, 400);
    assert.match(String(refused.body.message), /^row 2: unknown entity key penguin_id=999 in feature view "home" .*the model requires "island"/);
  });

  it('a record that needs a lookup without its join key is a 400 naming the field', async () => {
    const answer = await invoke(endpoint.url, [{ sex: 'male', island: 'Dream' }]);
    assert.equal(answer.status, 400);
    assert.match(String(answer.body.message), /^row 1: no "penguin_id" to look up feature view "measurements" by \(it fills "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"\)/);
  });

  it('picks up a re-materialized online store without a restart', async () => {
    writeMeasurements([`1,${iso(now - DAY)},40.1,18.2,190,3700`, `1,${iso(now - 3_600_000)},44.4,18.0,200,4000`, `2,${iso(now - 60 * DAY)},46.5,17.9,192,3500`]);
    await materialize();
    const answer = await waitFor('the new online store', async () => {
      const a = await invoke(endpoint.url, [{ penguin_id: 1, sex: 'male' }]);
      return a.freshness?.startsWith(`measurements;oldest=${iso(now - 3_600_000)}`) ? a : undefined;
    });
    assert.equal((await loggedInputs(answer.requestId))[0]?.bill_length_mm, 44.4);
  });

  it('keeps looking up after a process restart, a stop and a new session', async () => {
    await manager.restart(endpoint.name);
    assert.equal((await invoke(endpoint.url, [{ penguin_id: 1, sex: 'male' }])).status, 200);
    await manager.stop(endpoint.name);
    assert.deepEqual(manager.recorded().find((r) => r.name === endpoint.name)?.features, { file: featuresFile(), views: ['measurements', 'home'] });
    const second = new EndpointManager(f.store);
    try {
      const again = await second.startRecorded(endpoint.name);
      assert.deepEqual(again.features?.views, ['measurements', 'home']);
      const answer = await invoke(again.url, [{ penguin_id: 1, sex: 'male' }]);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.match(answer.freshness ?? '', /^measurements;oldest=/);
    } finally {
      await second.stopAll();
    }
    endpoint = await manager.startRecorded(endpoint.name);
  });

  it('without a choice, looks up the feature views the version was trained from (lineage)', async () => {
    const [[digest]] = f.store.database.rows('SELECT digest FROM run_inputs WHERE run_id = ?', [f.v1.runId]) as [[string]];
    await lineageFor(f.store).record([{ from: { kind: 'featureSet', id: 'measurements' }, to: datasetNode(digest), relation: 'built' }]);
    const auto = await manager.start({ uri: 'models:/penguins/1', name: 'from-lineage' });
    assert.deepEqual(auto.features, { file: featuresFile(), views: ['measurements'], source: 'lineage' });
    const answer = await invoke(auto.url, [{ penguin_id: 1, sex: 'male', island: 'Dream' }]);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.match(answer.freshness ?? '', /^measurements;oldest=/);
    const off = await manager.start({ uri: 'models:/penguins/1', name: 'no-lookups', features: false });
    assert.equal(off.features, undefined);
    // without lookups the measurements stay missing (the model imputes them) and no header is sent
    const plain = await invoke(off.url, [{ penguin_id: 1, sex: 'male', island: 'Dream' }]);
    assert.equal(plain.status, 200, JSON.stringify(plain.body));
    assert.equal(plain.freshness, null);
  });

  it('refuses a choice it cannot serve, saying why', async () => {
    await assert.rejects(manager.start({ uri: 'models:/penguins/1', name: 'x1', features: { file: featuresFile(), views: ['nope'] } }), /has no feature view "nope"; it has: measurements, home, unrelated/);
    await assert.rejects(manager.start({ uri: 'models:/penguins/1', name: 'x2', features: { file: featuresFile(), views: ['unrelated'] } }), /"unrelated" \(shore\) fills none of the model's inputs/);
    await assert.rejects(manager.start({ uri: 'models:/penguins/1', name: 'x3', features: { file: join(workspace, 'missing.yaml'), views: [] } }), /missing\.yaml/);
  });
});
