import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runScriptAsExperiment } from '../../../src/core/scripts/scriptRun';
import { runCli } from '../lib/runCli';
import { openStoreAfterCli } from '../store/testSupport';

const root = join(__dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'mlops-sysmetrics-'));
after(() => rmSync(work, { recursive: true, force: true }));

function metric(run: { data: { metrics: ReadonlyArray<{ key: string; value: number }> } }, key: string): number | undefined {
  return run.data.metrics.find((m) => m.key === key)?.value;
}

describe('runs the product starts get system metrics and a cost', () => {
  test('mlops train: the run has system/* points under MLflow names, cpu_seconds, peak RSS and a cost at the CPU-hour price', async () => {
    const folder = mkdtempSync(join(work, 'train-'));
    // 3600 a CPU-hour: the cost is the CPU-seconds
    const r = runCli(['--workspace', folder, '--json', 'train', join(root, 'examples', 'penguins.train.yaml'), '--backend', 'js', '--cpu-hour-price', '3600']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { runId: string; usage: { cpuSeconds: number }; cost: number };
    const store = await openStoreAfterCli({ dir: join(folder, '.mlops'), writerName: 'system metrics test' });
    try {
      const run = await store.tracking.getRun(out.runId);
      const cpuSeconds = metric(run, 'cpu_seconds') ?? 0;
      assert.ok(cpuSeconds > 0, `cpu_seconds ${cpuSeconds}`);
      assert.equal(cpuSeconds, out.usage.cpuSeconds);
      assert.ok((metric(run, 'wall_seconds') ?? 0) > 0);
      assert.ok((metric(run, 'peak_rss_megabytes') ?? 0) > 20, 'a Node worker holds more than 20 MB');
      assert.ok(Math.abs((metric(run, 'cost') ?? -1) - cpuSeconds) < 1e-6, `cost ${metric(run, 'cost')} = CPU-seconds × 3600/3600`);
      assert.equal(out.cost, metric(run, 'cost'));
      const cpu = await store.tracking.getMetricHistory(out.runId, 'system/cpu_utilization_percentage');
      assert.ok(cpu.points.length >= 1, 'at least the last sample');
      for (const p of cpu.points) assert.ok(p.value >= 0 && p.value <= 100, `cpu ${p.value}`);
      const rss = await store.tracking.getMetricHistory(out.runId, 'system/process_tree_rss_megabytes');
      assert.ok(rss.points.some((p) => p.value > 20), 'the worker tree RSS was seen');
      assert.ok((await store.tracking.getMetricHistory(out.runId, 'system/system_memory_usage_megabytes')).points.length >= 1);
    } finally {
      await store.close();
    }
  });

  test('mlops train without prices: no cost metric, CPU-seconds still', async () => {
    const folder = mkdtempSync(join(work, 'noprice-'));
    const r = runCli(['--workspace', folder, 'train', join(root, 'examples', 'penguins.train.yaml'), '--backend', 'js'], { env: { MLOPS_COST_CPU_HOUR: '', MLOPS_COST_GB_HOUR: '', MLOPS_COST_GPU_HOUR: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^used +\d+\.\d CPU-seconds, peak \d+ MB, [\d.]+ s$/m);
    // `mlops runs list` picks what the runs learned for its columns, not what every run has used
    const header = runCli(['--workspace', folder, 'runs', 'list']).stdout.split('\n')[0] ?? '';
    assert.match(header, /accuracy/, header);
    assert.doesNotMatch(header, /system\/|cpu_seconds|peak_rss/, header);
    const bad = runCli(['--workspace', folder, 'train', join(root, 'examples', 'penguins.train.yaml'), '--cpu-hour-price', 'lots']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /CPU-hour price must be a number/);
  });

  test('a script run: the busy script’s CPU-seconds and a GB-hour cost', async () => {
    const folder = mkdtempSync(join(work, 'script-'));
    const store = await openStoreAfterCli({ dir: join(folder, '.mlops'), writerName: 'system metrics script test' });
    try {
      const experimentId = await store.tracking.createExperiment('scripts');
      // burns 0.5 s of CPU however busy the machine is
      const busy = 'const t=process.cpuUsage();let x=0;while(true){const u=process.cpuUsage(t);if(u.user+u.system>500000)break;for(let i=0;i<1e5;i++)x+=i;}';
      const result = await runScriptAsExperiment({ store: store.tracking, command: `${JSON.stringify(process.execPath)} -e "${busy}"`, cwd: folder, experimentId, prices: { cpuHour: 0, gbHour: 1000, gpuHour: 0 }, systemMetricsIntervalMs: 100 });
      assert.equal(result.status, 'FINISHED');
      const run = await store.tracking.getRun(result.runId);
      assert.ok((metric(run, 'cpu_seconds') ?? 0) >= 0.45, `all the script's 0.5 CPU-seconds, to its end: cpu_seconds ${metric(run, 'cpu_seconds')}`);
      assert.ok((metric(run, 'cost') ?? 0) > 0, 'memory held for a while costs at 1000 a GB-hour');
      assert.ok((await store.tracking.getMetricHistory(result.runId, 'system/cpu_utilization_percentage')).points.length >= 1);
    } finally {
      await store.close();
    }
  });
});
