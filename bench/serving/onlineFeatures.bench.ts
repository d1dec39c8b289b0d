/**
 * What looking up online features costs an endpoint:
 *   (a) the lookup alone, in process: OnlineFeatureLookup.fill on 1-row and 100-row requests
 *       against a 100,000-entity online store (random keys, 4 numeric + 1 string feature);
 *   (b) end to end: sequential 1-row requests (keep-alive) to two endpoints of the same penguins
 *       MLP, one given every input, one given penguin_id and sex and looking the rest up in two
 *       feature views (10,000 penguins); the p50/p99 difference is the overhead a client sees.
 * Prints and writes bench/results/online-features.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { materializeRepo } from '../../src/core/features/featureMaterializer';
import { loadFeatureRepo } from '../../src/core/features/featureSpecParser';
import type { ModelSignature } from '../../src/core/modelPackage/modelPackageFormat';
import { modelRegistryFor } from '../../src/core/registry/registryAccess';
import { EndpointManager } from '../../src/core/serving/endpointManager';
import { OnlineFeatureLookup } from '../../src/core/serving/onlineFeatureLookup';
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import { runTraining } from '../../src/core/training/trainingRunner';

const ROOT = join(__dirname, '..', '..');
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function percentiles(samples: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { p50: at(0.5), p99: at(0.99), mean: sorted.reduce((s, v) => s + v, 0) / sorted.length };
}

async function lookupAlone(work: string): Promise<Record<string, unknown>> {
  const entities = 100_000;
  const now = Date.now();
  const entries: Record<string, { eventTime: string; values: Record<string, number | string> }> = {};
  for (let i = 0; i < entities; i++) entries[String(i)] = { eventTime: new Date(now - (i % 1000) * 60_000).toISOString(), values: { a: i * 0.5, b: i % 17, c: i % 101, d: 3000 + (i % 2000), island: ['Dream', 'Biscoe', 'Torgersen'][i % 3] as string } };
  const file = join(work, 'online.json');
  writeFileSync(file, JSON.stringify({ view: 'v', materializedAt: new Date(now).toISOString(), entries }));
  const loadStarted = performance.now();
  const lookup = await OnlineFeatureLookup.load({ views: [{ name: 'v', joinKeys: ['id'], ttlMs: 86_400_000, features: ['a', 'b', 'c', 'd', 'island'], onlineFile: file }] });
  const loadMs = performance.now() - loadStarted;
  const signature: ModelSignature = {
    inputs: [...['a', 'b', 'c', 'd'].map((name) => ({ name, type: 'double' as const, optional: true })), { name: 'island', type: 'string', optional: false }, { name: 'sex', type: 'string', optional: true }],
    output: { task: 'regression', target: 'y', type: 'double' },
  };
  const result: Record<string, unknown> = { entities, loadMs: round(loadMs) };
  for (const rows of [1, 100]) {
    const iterations = rows === 1 ? 200_000 : 5_000;
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const records = Array.from({ length: rows }, () => ({ id: Math.floor(Math.random() * entities), sex: 'male' }) as Record<string, unknown>);
      const started = performance.now();
      lookup.fill(records, signature, now);
      samples.push((performance.now() - started) * 1000);
    }
    const p = percentiles(samples.slice(iterations / 10)); // the first tenth warms up the JIT
    result[`rows${rows}`] = { iterations, p50Us: round(p.p50), p99Us: round(p.p99), meanUs: round(p.mean) };
  }
  return result;
}

async function endToEnd(work: string): Promise<Record<string, unknown>> {
  const store = await openWorkspaceStore({ dir: join(work, '.mlops'), writerName: 'online features bench' });
  let manager: EndpointManager | undefined;
  try {
    const trained = await runTraining({ store: store.tracking, specPath: join(ROOT, 'examples/penguins.train.yaml'), backend: 'js', overrides: { epochs: 5 } });
    await modelRegistryFor(store, { actor: 'bench' }).registerVersion(trained.runId, 'penguins');
    const penguins = 10_000;
    const time = new Date(Date.now() - 3_600_000).toISOString();
    const measurements = ['penguin_id,ts,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g'];
    const homes = ['penguin_id,ts,island'];
    for (let i = 0; i < penguins; i++) {
      measurements.push(`${i},${time},${35 + (i % 20)},${15 + (i % 5)},${180 + (i % 40)},${3000 + (i % 2000)}`);
      homes.push(`${i},${time},${['Dream', 'Biscoe', 'Torgersen'][i % 3]}`);
    }
    writeFileSync(join(work, 'measurements.csv'), `${measurements.join('\n')}\n`);
    writeFileSync(join(work, 'home.csv'), `${homes.join('\n')}\n`);
    writeFileSync(
      join(work, 'features.yaml'),
      'entities:\n  - { name: penguin, join_keys: [penguin_id] }\nsources:\n  - { name: m, path: measurements.csv, timestamp: ts }\n  - { name: h, path: home.csv, timestamp: ts }\nfeature_views:\n  - name: measurements\n    entities: [penguin]\n    source: m\n    ttl: 30d\n    features:\n      - { name: bill_length_mm, type: float }\n      - { name: bill_depth_mm, type: float }\n      - { name: flipper_length_mm, type: float }\n      - { name: body_mass_g, type: float }\n  - name: home\n    entities: [penguin]\n    source: h\n    features:\n      - { name: island, type: string }\n',
    );
    await materializeRepo(await loadFeatureRepo(join(work, 'features.yaml')), store.dir);
    manager = new EndpointManager(store);
    const plain = await manager.start({ uri: 'models:/penguins/1', name: 'plain', features: false });
    const looked = await manager.start({ uri: 'models:/penguins/1', name: 'lookup', features: { file: join(work, 'features.yaml'), views: [] } });
    const full = { island: 'Dream', bill_length_mm: 40.1, bill_depth_mm: 18.2, flipper_length_mm: 190, body_mass_g: 3700, sex: 'male' };
    const timings: Record<string, number[]> = { plain: [], lookup: [] };
    const once = async (which: 'plain' | 'lookup', i: number): Promise<void> => {
      const url = which === 'plain' ? plain.url : looked.url;
      const record = which === 'plain' ? full : { penguin_id: i % penguins, sex: 'male' };
      const body = JSON.stringify({ dataframe_records: [record] });
      const started = performance.now();
      const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      await res.arrayBuffer();
      const ms = performance.now() - started;
      if (res.status !== 200) throw new Error(`${which} answered ${res.status}`);
      timings[which]?.push(ms);
    };
    for (let i = 0; i < 200; i++) {
      await once('plain', i);
      await once('lookup', i);
    }
    timings.plain = [];
    timings.lookup = [];
    // alternate, so both see the same machine load
    for (let i = 0; i < REQUESTS; i++) {
      await once('plain', i * 7);
      await once('lookup', i * 7);
    }
    const p = percentiles(timings.plain);
    const l = percentiles(timings.lookup);
    return {
      requests: REQUESTS,
      penguins,
      plain: { p50Ms: round(p.p50, 3), p99Ms: round(p.p99, 3) },
      lookup: { p50Ms: round(l.p50, 3), p99Ms: round(l.p99, 3) },
      overhead: { p50Ms: round(l.p50 - p.p50, 3), p99Ms: round(l.p99 - p.p99, 3) },
    };
  } finally {
    await manager?.stopAll();
    await store.close();
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'mlops-online-bench-'));
  try {
    const alone = await lookupAlone(work);
    console.log('lookup alone (100,000 entities):', JSON.stringify(alone));
    const e2e = await endToEnd(work);
    console.log('end to end (1-row requests, sequential, keep-alive):', JSON.stringify(e2e));
    const result = { when: new Date().toISOString(), machine: { cpus: cpus().length, load: loadavg().map((v) => round(v)) }, lookupAlone: alone, endToEnd: e2e };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'online-features.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
