import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { costPer1000Predictions, describeCpuPerRequest, UsageMeter, type ProcessReading } from '../../../src/core/serving/endpointUsage';
import type { EndpointInfo } from '../../../src/core/serving/endpointManager';
import { penguinsFixture, ROOT, servedPenguins } from './servingTestSupport';

const GIB = 1024 ** 3;

/** A meter on a clock and CPU readings the test sets. */
function fakeMeter(): { meter: UsageMeter; at: (ms: number, cpuSeconds: number, rssBytes?: number) => void } {
  let now = 0;
  let reading: ProcessReading = { cpuSeconds: 10, rssBytes: GIB };
  const meter = new UsageMeter(() => reading, () => now);
  return { meter, at: (ms, cpuSeconds, rssBytes = GIB) => ((now = ms), (reading = { cpuSeconds, rssBytes })) };
}

describe('endpoint usage', () => {
  test('CPU-seconds per request and per prediction come from the process CPU used over the window', () => {
    const { meter, at } = fakeMeter();
    at(30_000, 10.3);
    meter.sample(150, 300);
    at(60_000, 10.6);
    const usage = meter.measure(300, 600);
    assert.equal(usage.windowSeconds, 60);
    assert.equal(usage.requests, 300);
    assert.equal(usage.predictions, 600);
    assert.ok(Math.abs((usage.cpuSecondsPerRequest as number) - 0.002) < 1e-12);
    assert.ok(Math.abs((usage.cpuSecondsPerPrediction as number) - 0.001) < 1e-12);
    // 1 GiB held for a minute
    assert.ok(Math.abs(usage.memoryGbHours - 1 / 60) < 1e-12);
    // 0.6 CPU-s at 3.6 per CPU-hour is 0.0006 for 600 predictions: 0.001 per 1,000
    assert.ok(Math.abs((costPer1000Predictions(usage, { cpuHour: 3.6, gbHour: 0, gpuHour: 0 }) as number) - 0.001) < 1e-12);
    // memory is shared out the same way: 1/60 GB-hour at 6 per GB-hour is 0.1 for 600 predictions
    assert.ok(Math.abs((costPer1000Predictions(usage, { cpuHour: 0, gbHour: 6, gpuHour: 0 }) as number) - 0.1 / 0.6) < 1e-9);
    assert.equal(costPer1000Predictions(usage, { cpuHour: 0, gbHour: 0, gpuHour: 0 }), undefined, 'nothing priced, no cost');
    assert.equal(describeCpuPerRequest(usage), '2.00 ms CPU per request over the last 1 min (300 requests)');
  });

  test('the window is the last five minutes: older traffic stops counting', () => {
    const { meter, at } = fakeMeter();
    // a busy first minute (1 CPU-s for 100 requests), then four quiet-ish minutes… then six more
    for (let minute = 1; minute <= 11; minute++) {
      at(minute * 60_000, 10 + (minute === 1 ? 1 : 1 + (minute - 1) * 0.01));
      meter.sample(100 + (minute - 1) * 10, 100 + (minute - 1) * 10);
    }
    at(11 * 60_000 + 1000, 11.1);
    const usage = meter.measure(200, 200);
    assert.ok(usage.windowSeconds <= 5 * 60 + 61, `window ${usage.windowSeconds} s`);
    assert.ok(usage.requests <= 60, `${usage.requests} requests in the window`);
    assert.ok((usage.cpuSecondsPerRequest as number) < 0.005, 'the busy first minute is out of the window');
  });

  test('no predictions in the window: no cost, no CPU per request', () => {
    const { meter, at } = fakeMeter();
    at(10_000, 10.01);
    const usage = meter.measure(0, 0);
    assert.equal(usage.cpuSecondsPerRequest, null);
    assert.equal(costPer1000Predictions(usage, { cpuHour: 1, gbHour: 0, gpuHour: 0 }), undefined);
    assert.equal(describeCpuPerRequest(usage), undefined);
  });

  describe('a served model', () => {
    const served = servedPenguins();

    test('the host sees what the endpoint process used per request, and GET /health says it too', async () => {
      const body = JSON.stringify({ dataframe_records: [{ island: 'Biscoe', bill_length_mm: 45, bill_depth_mm: 15, flipper_length_mm: 220, body_mass_g: 5000, sex: 'male' }, { island: 'Dream', bill_length_mm: 39, bill_depth_mm: 18, flipper_length_mm: 190, body_mass_g: 3700, sex: 'female' }] });
      const seen = new Promise<EndpointInfo>((resolve) => {
        const subscription = served.manager.onDidChange(() => {
          const info = served.manager.list()[0];
          if (info && info.stats.requests >= 40 && info.stats.usage) {
            subscription.dispose();
            resolve(info);
          }
        });
      });
      for (let i = 0; i < 40; i++) {
        const response = await fetch(`${served.endpoint.url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        assert.equal(response.status, 200);
      }
      const info = await seen;
      const usage = info.stats.usage!;
      assert.equal(info.stats.predictions, 80, 'two rows a request');
      assert.equal(usage.requests, 40);
      assert.equal(usage.predictions, 80);
      assert.ok(usage.cpuSeconds > 0 && (usage.cpuSecondsPerRequest as number) > 0, JSON.stringify(usage));
      assert.ok(Math.abs((usage.cpuSecondsPerPrediction as number) * 2 - (usage.cpuSecondsPerRequest as number)) < 1e-12);
      assert.ok((costPer1000Predictions(usage, { cpuHour: 1, gbHour: 0, gpuHour: 0 }) as number) > 0);
      const health = (await (await fetch(`${served.endpoint.url}/health`)).json()) as { requests: number; predictions: number; usage: { cpuSecondsPerRequest: number; windowSeconds: number } };
      assert.equal(health.predictions, 80);
      assert.ok(health.usage.cpuSecondsPerRequest > 0 && health.usage.windowSeconds > 0);
    });
  });
});

describe('mlops serve', () => {
  test('prints requests, latency, CPU per request and the cost per 1,000 predictions while serving and when stopped', async () => {
    const fixture = await penguinsFixture();
    const workspace = dirname(fixture.dir);
    await fixture.store.close();
    const tsx = pathToFileURL(require.resolve('tsx')).href;
    const child = spawn(process.execPath, ['--import', tsx, join(ROOT, 'src', 'cli', 'main.ts'), '-w', workspace, 'serve', 'models:/penguins/1', '--status-every', '0.2', '--cpu-hour-price', '3600'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const waitFor = (stream: 'out' | 'err', pattern: RegExp): Promise<RegExpExecArray> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(stream === 'out' ? out : err);
          if (match) resolve(match);
        };
        child.stdout.on('data', (d: Buffer) => ((out += d.toString()), check()));
        child.stderr.on('data', (d: Buffer) => ((err += d.toString()), check()));
        child.once('exit', (code) => reject(new Error(`mlops serve exited (${code}) before printing ${pattern}: ${out}\n${err}`)));
        check();
      });
    try {
      const url = (await waitFor('out', /at (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;
      const body = JSON.stringify({ dataframe_records: [{ island: 'Biscoe', bill_length_mm: 45, bill_depth_mm: 15, flipper_length_mm: 220, body_mass_g: 5000, sex: 'male' }] });
      for (let i = 0; i < 20; i++) assert.equal((await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status, 200);
      await waitFor('err', /^mlops: 20 requests · p50 [\d.]+ ms · p99 [\d.]+ ms · [\d.]+ ms CPU per request over the last \d+ (?:s|min) \(20 requests\) · cost per 1,000 predictions [\d.e-]+$/m);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      assert.equal(await exited, 0, err);
      assert.match(err, /^mlops: served 20 requests · .* · cost per 1,000 predictions [\d.e-]+$/m);
    } finally {
      child.kill('SIGKILL');
      await fixture.cleanup();
    }
  });
});
