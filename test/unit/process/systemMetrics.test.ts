import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gpuMetricNames, parseNetDev, parseNvidiaSmi, parseProcStat, processTree, startSystemMetrics, SYSTEM_METRIC, usageMetrics, type SystemSample } from '../../../src/core/process/systemMetrics';
import { processCpuSeconds } from '../../../src/core/process/processCpu';
import { resolvePrices, runCost } from '../../../src/core/process/runCost';

// A child that starts a grandchild; the grandchild holds ~80 MB and burns 0.4 s of CPU, then
// says so and waits to be killed (with its whole process group).
const GRANDCHILD = `
const held = Buffer.alloc(80e6, 1);
const t0 = process.cpuUsage();
let x = 0;
while (true) { const u = process.cpuUsage(t0); if (u.user + u.system > 400000) break; for (let i = 0; i < 1e5; i++) x += i; }
process.stdout.write('busy done ' + held.length + '\\n');
setInterval(() => {}, 1000);
`;
const CHILD = `
const { spawn } = require('node:child_process');
const g = spawn(process.execPath, ['-e', ${JSON.stringify(GRANDCHILD)}], { stdio: ['ignore', 'inherit', 'inherit'] });
process.stdout.write('grandchild ' + g.pid + '\\n');
setInterval(() => {}, 1000);
`;

function rssBytes(pid: number): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(text)?.[1] ?? 0) * 1024;
}

describe('system metrics of a run', () => {
  test('MLflow 2.12 names: the UI of a team MLflow server groups them under System metrics', () => {
    assert.equal(SYSTEM_METRIC.cpuUtilization, 'system/cpu_utilization_percentage');
    assert.equal(SYSTEM_METRIC.memoryUsageMegabytes, 'system/system_memory_usage_megabytes');
    assert.equal(SYSTEM_METRIC.memoryUsagePercentage, 'system/system_memory_usage_percentage');
    assert.equal(SYSTEM_METRIC.diskUsageMegabytes, 'system/disk_usage_megabytes');
    assert.equal(SYSTEM_METRIC.diskUsagePercentage, 'system/disk_usage_percentage');
    assert.equal(SYSTEM_METRIC.diskAvailableMegabytes, 'system/disk_available_megabytes');
    assert.equal(SYSTEM_METRIC.networkReceiveMegabytes, 'system/network_receive_megabytes');
    assert.equal(SYSTEM_METRIC.networkTransmitMegabytes, 'system/network_transmit_megabytes');
    for (const name of Object.values(SYSTEM_METRIC)) assert.match(name, /^system\/[a-z_]+$/);
    assert.deepEqual(usageMetrics({ cpuSeconds: 2, wallSeconds: 3, peakRssMegabytes: 4, memoryGbHours: 0, gpuSeconds: 0 }, undefined, 1).map((m) => [m.key, m.value]), [['cpu_seconds', 2], ['wall_seconds', 3], ['peak_rss_megabytes', 4]]);
  });

  test('/proc parsing: a command name with spaces and parentheses, the tree by parent pid, network without loopback', () => {
    const stat = parseProcStat('42 (my (odd) name) S 7 42 42 0 -1 4194560 100 0 0 0 150 50 10 5 20 0 1 0 12345 0 0');
    assert.deepEqual(stat, { pid: 42, ppid: 7, ticks: 215 });
    const tree = processTree([{ pid: 1, ppid: 0, ticks: 0 }, { pid: 7, ppid: 1, ticks: 1 }, { pid: 42, ppid: 7, ticks: 2 }, { pid: 43, ppid: 42, ticks: 3 }, { pid: 50, ppid: 1, ticks: 9 }], 7);
    assert.deepEqual(tree.map((p) => p.pid).sort(), [42, 43, 7]);
    const net = parseNetDev('Inter-|   Receive\n face |bytes\n    lo: 999 1 0 0 0 0 0 0 999 1 0 0 0 0 0 0\n  eth0: 1000 5 0 0 0 0 0 0 2000 6 0 0 0 0 0 0\n');
    assert.deepEqual(net, { rx: 1000, tx: 2000 });
  });

  test('a process tree: CPU-seconds of a busy grandchild count, and the tree RSS holds the child and the grandchild', { skip: !existsSync('/proc/self/stat') }, async () => {
    const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let out = '';
    const busyDone = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('busy done')) resolve();
      });
    });
    const samples: SystemSample[] = [];
    let onSample: () => void = () => undefined;
    const sampler = startSystemMetrics({
      pid: child.pid!,
      intervalMs: 100,
      firstSampleMs: 50,
      onSample: (s) => {
        samples.push(s);
        onSample();
      },
    });
    try {
      await busyDone;
      const grandchild = Number(/grandchild (\d+)/.exec(out)?.[1]);
      // a sample taken after the grandchild finished its work
      const after = samples.length;
      const next = await new Promise<SystemSample>((resolve) => {
        onSample = () => {
          if (samples.length > after + 1) resolve(samples.at(-1)!);
        };
      });
      const tree = next.metrics[SYSTEM_METRIC.treeRssMegabytes]!;
      const childOnly = rssBytes(child.pid!) / 1e6;
      const grandchildOnly = rssBytes(grandchild) / 1e6;
      assert.ok(grandchildOnly > 70, `the grandchild holds its 80 MB (${grandchildOnly} MB)`);
      assert.ok(tree > childOnly + 70, `tree RSS ${tree} MB counts the grandchild beside the child (${childOnly} MB)`);
      assert.ok(next.metrics[SYSTEM_METRIC.treePeakRssMegabytes]! >= tree);
      assert.ok(sampler.usage().cpuSeconds >= 0.3, `CPU-seconds ${sampler.usage().cpuSeconds} include the grandchild's 0.4 s`);
      assert.ok(next.metrics[SYSTEM_METRIC.cpuUtilization]! >= 0 && next.metrics[SYSTEM_METRIC.cpuUtilization]! <= 100);
      assert.ok(next.metrics[SYSTEM_METRIC.memoryUsageMegabytes]! > 0);
      assert.ok(next.metrics[SYSTEM_METRIC.networkReceiveMegabytes]! >= 0);
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
      await once(child, 'exit').catch(() => undefined);
    }
    const usage = await sampler.stop();
    // the tree is gone: what was measured stands
    assert.ok(usage.cpuSeconds >= 0.3);
    assert.ok(usage.peakRssMegabytes > 80);
    assert.ok(usage.memoryGbHours > 0);
    assert.ok(samples.every((s, i) => s.step === i), 'steps count up from 0');
  });

  test('without /proc it measures this process and never throws', async () => {
    const fake = mkdtempSync(join(tmpdir(), 'noproc-'));
    mkdirSync(join(fake, 'net'));
    writeFileSync(join(fake, 'stat'), 'garbage');
    const samples: SystemSample[] = [];
    const sampler = startSystemMetrics({ pid: process.pid, procDir: join(fake, 'missing'), intervalMs: 10_000, firstSampleMs: 10_000, onSample: (s) => samples.push(s) });
    const usage = await sampler.stop();
    assert.ok(samples.length >= 1, 'stop takes a last sample');
    assert.ok(samples[0]!.metrics[SYSTEM_METRIC.treeRssMegabytes]! > 0, 'this process’s RSS');
    assert.ok(samples[0]!.metrics[SYSTEM_METRIC.memoryUsageMegabytes]! > 0, 'system memory from os');
    assert.ok(usage.peakRssMegabytes > 0);
  });

  test('without /proc, a worker’s tree is what the worker reports, never the host’s own use', async () => {
    const samples: SystemSample[] = [];
    const other = startSystemMetrics({ pid: 999_999_999, procDir: join(tmpdir(), 'no-proc-here'), intervalMs: 60_000, firstSampleMs: 60_000, onSample: (s) => samples.push(s) });
    other.feed({ cpuSeconds: 3, rssBytes: 50e6 });
    const usage = await other.stop();
    assert.equal(usage.cpuSeconds, 3);
    assert.equal(usage.peakRssMegabytes, 50);
    assert.equal(samples.at(-1)!.metrics[SYSTEM_METRIC.treeRssMegabytes], 50);
    const silent = await startSystemMetrics({ pid: 999_999_999, procDir: join(tmpdir(), 'no-proc-here'), intervalMs: 60_000, firstSampleMs: 60_000, onSample: () => undefined }).stop();
    assert.equal(silent.cpuSeconds, 0, 'not the host’s CPU time');
    assert.equal(silent.peakRssMegabytes, 0);
  });
});

describe('what a process reports as it ends', () => {
  test('its CPU time and peak RSS count where they exceed the samples (time after the last sample is not lost)', async () => {
    const here = processCpuSeconds();
    assert.ok(here.own > 0 && here.peakRssBytes > 10e6 && here.children >= 0, JSON.stringify(here));
    const sampler = startSystemMetrics({ pid: process.pid, intervalMs: 60_000, firstSampleMs: 60_000, onSample: () => undefined });
    const usage = await sampler.stop({ cpuSeconds: 1234, peakRssBytes: 5e12 });
    assert.equal(usage.cpuSeconds, 1234);
    assert.equal(usage.peakRssMegabytes, 5e6);
  });
});

describe('GPUs (through nvidia-smi)', () => {
  test('MLflow’s GPU names; "[N/A]" fields are left out', () => {
    assert.deepEqual(gpuMetricNames(1), {
      utilization: 'system/gpu_1_utilization_percentage',
      memoryMegabytes: 'system/gpu_1_memory_usage_megabytes',
      memoryPercentage: 'system/gpu_1_memory_usage_percentage',
      powerWatts: 'system/gpu_1_power_usage_watts',
      powerPercentage: 'system/gpu_1_power_usage_percentage',
    });
    assert.deepEqual(parseNvidiaSmi('45, 2048, 16384, 120.5, 300\n'), [{ utilization: 45, memoryUsedMib: 2048, memoryTotalMib: 16384, powerWatts: 120.5, powerLimitWatts: 300 }]);
  });

  test('a machine with two GPUs: each one’s utilization and memory per sample, GPU-seconds from their utilization, priced per GPU-hour', { skip: process.platform === 'win32' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-smi-'));
    const smi = join(dir, 'nvidia-smi');
    writeFileSync(smi, '#!/bin/sh\necho "50, 2048, 16384, 120.5, 300"\necho "100, 1024, 16384, [N/A], [N/A]"\n', { mode: 0o755 });
    const samples: SystemSample[] = [];
    let enough: () => void = () => undefined;
    const twoSamples = new Promise<void>((resolve) => (enough = resolve));
    const sampler = startSystemMetrics({ pid: process.pid, gpuCommand: smi, intervalMs: 20, firstSampleMs: 20, onSample: (s) => {
      samples.push(s);
      if (samples.length >= 2) enough();
    } });
    // the sampler's timers do not keep a process alive (a CLI exits when its work is done); this test waits on them
    const keepAlive = setInterval(() => undefined, 1000);
    await twoSamples.finally(() => clearInterval(keepAlive));
    const usage = await sampler.stop();
    const first = samples[0]!.metrics;
    assert.equal(first['system/gpu_0_utilization_percentage'], 50);
    assert.equal(first['system/gpu_0_memory_usage_megabytes'], 2048 * 1.048576);
    assert.equal(first['system/gpu_0_memory_usage_percentage'], 12.5);
    assert.ok(Math.abs(first['system/gpu_0_power_usage_percentage']! - (120.5 / 300) * 100) < 1e-9);
    assert.equal(first['system/gpu_1_utilization_percentage'], 100);
    assert.equal(first['system/gpu_1_power_usage_watts'], undefined, 'no power figure from this card');
    // 1.5 GPUs busy: GPU-seconds grow at 1.5 per second of wall time
    assert.ok(usage.gpuSeconds > 0 && usage.gpuSeconds <= usage.wallSeconds * 1.5 + 1e-9, `${usage.gpuSeconds} GPU-s in ${usage.wallSeconds} s`);
    // at 3,600 a GPU-hour a GPU-second costs 1 (to float rounding: the price is per hour)
    assert.ok(Math.abs((runCost({ cpuSeconds: 0, memoryGbHours: 0, gpuSeconds: usage.gpuSeconds }, { cpuHour: 0, gbHour: 0, gpuHour: 3600 }) ?? Number.NaN) - usage.gpuSeconds) < 1e-9);
    assert.ok(usageMetrics(usage, undefined, 1).some((m) => m.key === 'gpu_seconds' && m.value === usage.gpuSeconds));
  });
});

describe('cost of a run', () => {
  test('CPU-hours and memory GB-hours at their prices; nothing priced → no cost', () => {
    assert.equal(runCost({ cpuSeconds: 7200, memoryGbHours: 3 }, { cpuHour: 0.5, gbHour: 0.1, gpuHour: 0 }), 0.5 * 2 + 0.1 * 3);
    assert.equal(runCost({ cpuSeconds: 7200, memoryGbHours: 3 }, { cpuHour: 0, gbHour: 0, gpuHour: 0 }), undefined);
    assert.equal(runCost({ cpuSeconds: 1800, memoryGbHours: 0 }, { cpuHour: 2, gbHour: 0, gpuHour: 0 }), 1);
  });

  test('prices: flags over MLOPS_COST_* variables; a negative or non-number price is refused', () => {
    assert.deepEqual(resolvePrices({ cpuHour: '0.2' }, { MLOPS_COST_CPU_HOUR: '9', MLOPS_COST_GB_HOUR: '0.01' }), { cpuHour: 0.2, gbHour: 0.01, gpuHour: 0 });
    assert.deepEqual(resolvePrices({}, {}), { cpuHour: 0, gbHour: 0, gpuHour: 0 });
    assert.throws(() => resolvePrices({ gbHour: '-1' }, {}), /GB-hour price/);
    assert.throws(() => resolvePrices({}, { MLOPS_COST_GPU_HOUR: 'cheap' }), /GPU-hour price/);
  });
});
