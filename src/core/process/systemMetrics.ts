import { execFile } from 'node:child_process';
import { readdir, readFile, statfs } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';
import type { MetricInput } from '../tracking/trackingTypes';

// System metrics of a run, under MLflow 2.12's names (mlflow/system_metrics/metrics/*.py, with its
// "system/" prefix) so MLflow's UI shows them when runs go to a team server, plus the process
// tree's own CPU and memory, which MLflow does not measure but cost needs.

export const SYSTEM_METRIC = {
  cpuUtilization: 'system/cpu_utilization_percentage',
  memoryUsageMegabytes: 'system/system_memory_usage_megabytes',
  memoryUsagePercentage: 'system/system_memory_usage_percentage',
  diskUsagePercentage: 'system/disk_usage_percentage',
  diskUsageMegabytes: 'system/disk_usage_megabytes',
  diskAvailableMegabytes: 'system/disk_available_megabytes',
  networkReceiveMegabytes: 'system/network_receive_megabytes',
  networkTransmitMegabytes: 'system/network_transmit_megabytes',
  treeCpuUtilization: 'system/process_tree_cpu_utilization_percentage',
  treeRssMegabytes: 'system/process_tree_rss_megabytes',
  treePeakRssMegabytes: 'system/process_tree_peak_rss_megabytes',
  treeDiskReadMegabytes: 'system/process_tree_disk_read_megabytes',
  treeDiskWriteMegabytes: 'system/process_tree_disk_write_megabytes',
} as const;

/** Per GPU `i`, as MLflow's GPU monitor names them. */
export function gpuMetricNames(i: number): { utilization: string; memoryMegabytes: string; memoryPercentage: string; powerWatts: string; powerPercentage: string } {
  return {
    utilization: `system/gpu_${i}_utilization_percentage`,
    memoryMegabytes: `system/gpu_${i}_memory_usage_megabytes`,
    memoryPercentage: `system/gpu_${i}_memory_usage_percentage`,
    powerWatts: `system/gpu_${i}_power_usage_watts`,
    powerPercentage: `system/gpu_${i}_power_usage_percentage`,
  };
}

/** Final metrics a run gets when its process ends. */
export const USAGE_METRIC = { cpuSeconds: 'cpu_seconds', wallSeconds: 'wall_seconds', peakRssMegabytes: 'peak_rss_megabytes', gpuSeconds: 'gpu_seconds', cost: 'cost' } as const;

/** The run's resource use so far. */
export interface SystemUsage {
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  readonly peakRssMegabytes: number;
  /** RSS integrated over time: what a GB-hour price is paid for */
  readonly memoryGbHours: number;
  /** GPU utilization integrated over time (one GPU fully busy for a second = 1); 0 without a GPU */
  readonly gpuSeconds: number;
}

export interface SystemSample {
  readonly step: number;
  readonly timestamp: number;
  readonly metrics: Readonly<Record<string, number>>;
}

export interface SystemMetricsOptions {
  /** root of the process tree to measure; without it (or without /proc) this process is measured */
  readonly pid?: number;
  /** default 5000 */
  readonly intervalMs?: number;
  /** default 500: short runs get a sample too */
  readonly firstSampleMs?: number;
  readonly onSample: (sample: SystemSample) => void;
  /** tests point this at a fake /proc */
  readonly procDir?: string;
  /** NVIDIA's `nvidia-smi`, queried each sample while it answers; tests point this at a fake */
  readonly gpuCommand?: string;
}

export interface SystemMetricsSampler {
  /** What the root process says it uses, for systems where its tree cannot be read (no /proc). */
  feed(reported: { cpuSeconds: number; rssBytes: number }): void;
  /**
   * Takes a last sample (the tree may be gone by then) and stops; never rejects. `reported`: what
   * the tree's root said it used as it ended, which counts where it is more than was sampled.
   */
  stop(reported?: { cpuSeconds?: number; peakRssBytes?: number }): Promise<SystemUsage>;
  usage(): SystemUsage;
}

/** Linux reports CPU times in USER_HZ, which is 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
const MB = 1e6; // MLflow's megabytes are 1e6 bytes

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime + cutime + cstime: the process and its waited-for descendants */
  readonly ticks: number;
}

/** Parses /proc/PID/stat; the command name is in parentheses and may hold spaces. */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number.parseInt(text, 10);
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // fields[0] is state (field 3 of proc(5)), so field n is fields[n - 3]
  const num = (n: number): number => Number(fields[n - 3] ?? 0);
  if (!Number.isFinite(pid) || fields.length < 17) return undefined;
  return { pid, ppid: num(4), ticks: num(14) + num(15) + num(16) + num(17) };
}

/** The tree under `root`, from every process's parent pid. */
export function processTree(stats: readonly ProcStat[], root: number): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const tree: ProcStat[] = [];
  const rootStat = stats.find((s) => s.pid === root);
  if (!rootStat) return tree;
  const queue = [rootStat];
  while (queue.length > 0) {
    const next = queue.shift() as ProcStat;
    tree.push(next);
    queue.push(...(children.get(next.pid) ?? []));
  }
  return tree;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

function kbField(text: string | undefined, name: string): number | undefined {
  const match = text?.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'));
  return match ? Number(match[1]) * 1024 : undefined;
}

/** Bytes received and sent by every interface but loopback. */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!rest || name?.trim() === 'lo') continue;
    const fields = rest.trim().split(/\s+/).map(Number);
    rx += fields[0] ?? 0;
    tx += fields[8] ?? 0;
  }
  return { rx, tx };
}

function parseCpuLine(text: string | undefined): { idle: number; total: number } | undefined {
  const line = text?.split('\n')[0];
  if (!line?.startsWith('cpu ')) return undefined;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle: (v[3] ?? 0) + (v[4] ?? 0), total };
}

interface TreeReading {
  readonly ticks: number;
  readonly rssBytes: number;
  readonly readBytes: number;
  readonly writeBytes: number;
}

async function readTree(procDir: string, root: number): Promise<TreeReading | undefined> {
  let names: string[];
  try {
    names = await readdir(procDir);
  } catch {
    return undefined;
  }
  const stats = (await Promise.all(names.filter((n) => /^\d+$/.test(n)).map(async (n) => parseProcStat((await readText(`${procDir}/${n}/stat`)) ?? '')))).filter((s): s is ProcStat => s !== undefined);
  const tree = processTree(stats, root);
  if (tree.length === 0) return undefined;
  const readings = await Promise.all(
    tree.map(async (p) => {
      // only our own processes' io is readable; the rest count 0
      const [status, io] = await Promise.all([readText(`${procDir}/${p.pid}/status`), readText(`${procDir}/${p.pid}/io`)]);
      return { rss: kbField(status, 'VmRSS') ?? 0, read: Number(io?.match(/^read_bytes:\s+(\d+)/m)?.[1] ?? 0), write: Number(io?.match(/^write_bytes:\s+(\d+)/m)?.[1] ?? 0) };
    }),
  );
  const sum = (pick: (r: (typeof readings)[number]) => number): number => readings.reduce((total, r) => total + pick(r), 0);
  return { ticks: tree.reduce((total, p) => total + p.ticks, 0), rssBytes: sum((r) => r.rss), readBytes: sum((r) => r.read), writeBytes: sum((r) => r.write) };
}

interface GpuReading {
  readonly utilization: number;
  readonly memoryUsedMib: number;
  readonly memoryTotalMib: number;
  readonly powerWatts: number;
  readonly powerLimitWatts: number;
}

/** `nvidia-smi --query-gpu=… --format=csv,noheader,nounits`: one line per GPU ("[N/A]" where a card does not say). */
export function parseNvidiaSmi(text: string): GpuReading[] {
  return text
    .split('\n')
    .map((line) => line.split(',').map((v) => Number(v.trim())))
    .filter((v) => v.length >= 5 && Number.isFinite(v[0]))
    .map(([utilization, used, total, power, limit]) => ({ utilization: utilization as number, memoryUsedMib: used as number, memoryTotalMib: total as number, powerWatts: power as number, powerLimitWatts: limit as number }));
}

/** GPUs of the machine, or undefined when there is no nvidia-smi (or it fails, or is slow). */
function readGpus(command: string): Promise<GpuReading[] | undefined> {
  return new Promise((resolve) => {
    execFile(command, ['--query-gpu=utilization.gpu,memory.used,memory.total,power.draw,power.limit', '--format=csv,noheader,nounits'], { timeout: 3000, windowsHide: true }, (error, stdout) => {
      resolve(error ? undefined : parseNvidiaSmi(stdout));
    });
  });
}

/**
 * Samples the process tree under `pid` and the machine every `intervalMs` (first after
 * `firstSampleMs`) and hands each sample to `onSample`. Reads /proc asynchronously, never throws:
 * a metric it cannot read is left out. Without /proc (macOS, Windows) it measures this process.
 */
export function startSystemMetrics(options: SystemMetricsOptions): SystemMetricsSampler {
  const procDir = options.procDir ?? '/proc';
  const started = Date.now();
  const ownCpuAtStart = process.cpuUsage();
  let step = 0;
  let cpuSeconds = 0;
  let peakRss = 0;
  let gbHours = 0;
  let last: { time: number; rss: number; cpuSeconds: number; cpu?: { idle: number; total: number } } = { time: started, rss: 0, cpuSeconds: 0 };
  let netStart: { rx: number; tx: number } | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let baselined = false;
  let fed: { cpuSeconds: number; rssBytes: number } | undefined;
  let gpuSeconds = 0;
  // a machine without nvidia-smi is asked once
  let gpuCommand: string | undefined = options.gpuCommand ?? 'nvidia-smi';

  const collect = async (): Promise<Record<string, number>> => {
    const metrics: Record<string, number> = {};
    const now = Date.now();
    const tree = options.pid !== undefined ? await readTree(procDir, options.pid) : undefined;
    let rss: number;
    if (tree) {
      // ticks of a process that ended move to its parent's cutime once it is waited for;
      // a process that ended unwaited leaves the sum, so keep the largest seen
      cpuSeconds = Math.max(cpuSeconds, tree.ticks / CLOCK_TICKS_PER_SECOND);
      rss = tree.rssBytes;
      metrics[SYSTEM_METRIC.treeDiskReadMegabytes] = tree.readBytes / MB;
      metrics[SYSTEM_METRIC.treeDiskWriteMegabytes] = tree.writeBytes / MB;
    } else if (fed) {
      // no /proc: what the root process reported
      cpuSeconds = Math.max(cpuSeconds, fed.cpuSeconds);
      rss = fed.rssBytes;
    } else if (options.pid === undefined || options.pid === process.pid) {
      // no /proc, and the tree is this process: Node says what it uses
      const used = process.cpuUsage(ownCpuAtStart);
      cpuSeconds = (used.user + used.system) / 1e6;
      rss = process.memoryUsage().rss;
    } else {
      // the tree has ended (or, without /proc, has not reported yet): what was measured stands
      rss = 0;
    }
    peakRss = Math.max(peakRss, rss);
    const hours = (now - last.time) / 3_600_000;
    gbHours += ((last.rss + rss) / 2 / 1e9) * hours;
    metrics[SYSTEM_METRIC.treeRssMegabytes] = rss / MB;
    metrics[SYSTEM_METRIC.treePeakRssMegabytes] = peakRss / MB;
    const treeCpu = now > last.time ? ((cpuSeconds - last.cpuSeconds) / ((now - last.time) / 1000)) * 100 : undefined;
    if (treeCpu !== undefined) metrics[SYSTEM_METRIC.treeCpuUtilization] = treeCpu;

    // MLflow's CPU utilization is the machine's (psutil.cpu_percent); without /proc/stat, the tree's
    const cpu = parseCpuLine(await readText(`${procDir}/stat`));
    if (cpu && last.cpu && cpu.total > last.cpu.total) metrics[SYSTEM_METRIC.cpuUtilization] = (1 - (cpu.idle - last.cpu.idle) / (cpu.total - last.cpu.total)) * 100;
    else if (cpu === undefined && treeCpu !== undefined) metrics[SYSTEM_METRIC.cpuUtilization] = treeCpu;

    const meminfo = await readText(`${procDir}/meminfo`);
    const total = kbField(meminfo, 'MemTotal') ?? totalmem();
    const available = kbField(meminfo, 'MemAvailable') ?? freemem();
    metrics[SYSTEM_METRIC.memoryUsageMegabytes] = (total - available) / MB;
    metrics[SYSTEM_METRIC.memoryUsagePercentage] = ((total - available) / total) * 100;

    const netText = await readText(`${procDir}/net/dev`);
    if (netText) {
      const net = parseNetDev(netText);
      netStart ??= net;
      metrics[SYSTEM_METRIC.networkReceiveMegabytes] = (net.rx - netStart.rx) / MB;
      metrics[SYSTEM_METRIC.networkTransmitMegabytes] = (net.tx - netStart.tx) / MB;
    }
    const gpus = gpuCommand ? await readGpus(gpuCommand) : undefined;
    if (gpus === undefined) gpuCommand = undefined;
    gpus?.forEach((gpu, i) => {
      const name = gpuMetricNames(i);
      const mib = 1048576 / MB;
      metrics[name.utilization] = gpu.utilization;
      if (Number.isFinite(gpu.memoryUsedMib)) metrics[name.memoryMegabytes] = gpu.memoryUsedMib * mib;
      if (gpu.memoryTotalMib > 0) metrics[name.memoryPercentage] = (gpu.memoryUsedMib / gpu.memoryTotalMib) * 100;
      if (Number.isFinite(gpu.powerWatts)) metrics[name.powerWatts] = gpu.powerWatts;
      if (gpu.powerLimitWatts > 0) metrics[name.powerPercentage] = (gpu.powerWatts / gpu.powerLimitWatts) * 100;
      // The machine's GPUs, not the tree's: nvidia-smi's per-process figures need root on many
      // systems. A run has the GPUs to itself far more often than its CPUs.
      gpuSeconds += ((now - last.time) / 1000) * (gpu.utilization / 100);
    });
    try {
      const disk = await statfs('/');
      const totalBytes = disk.blocks * disk.bsize;
      const free = disk.bavail * disk.bsize;
      metrics[SYSTEM_METRIC.diskUsageMegabytes] = (totalBytes - free) / MB;
      metrics[SYSTEM_METRIC.diskAvailableMegabytes] = free / MB;
      metrics[SYSTEM_METRIC.diskUsagePercentage] = ((totalBytes - free) / totalBytes) * 100;
    } catch {
      // no disk figures on this platform
    }
    last = { time: now, rss, cpuSeconds, ...(cpu ? { cpu } : {}) };
    return metrics;
  };

  const sample = (): Promise<void> => {
    running = running.then(async () => {
      try {
        const metrics = await collect();
        // the first reading only sets the baselines of the deltas
        if (!baselined) {
          baselined = true;
          if (!stopped) return;
        }
        options.onSample({ step: step++, timestamp: Date.now(), metrics });
      } catch {
        // metrics never fail the run they measure
      }
    });
    return running;
  };

  // baselines right away, then the first sample soon, then every interval
  void sample();
  let timer: NodeJS.Timeout = setTimeout(function tick(): void {
    void sample();
    timer = setTimeout(tick, options.intervalMs ?? 5000);
    timer.unref();
  }, options.firstSampleMs ?? 500);
  timer.unref();

  const usage = (): SystemUsage => ({ cpuSeconds, wallSeconds: (Date.now() - started) / 1000, peakRssMegabytes: peakRss / MB, memoryGbHours: gbHours, gpuSeconds });
  return {
    usage,
    feed(reported: { cpuSeconds: number; rssBytes: number }): void {
      fed = reported;
    },
    async stop(reported?: { cpuSeconds?: number; peakRssBytes?: number }): Promise<SystemUsage> {
      if (!stopped) {
        stopped = true;
        clearTimeout(timer);
        await sample();
        if (reported?.cpuSeconds !== undefined && Number.isFinite(reported.cpuSeconds)) cpuSeconds = Math.max(cpuSeconds, reported.cpuSeconds);
        if (reported?.peakRssBytes !== undefined && Number.isFinite(reported.peakRssBytes)) peakRss = Math.max(peakRss, reported.peakRssBytes);
      }
      return usage();
    },
  };
}

/** `cpu_seconds`, `wall_seconds`, `peak_rss_megabytes` (and `cost` when priced) as final metrics. */
export function usageMetrics(usage: SystemUsage, cost: number | undefined, timestamp: number): MetricInput[] {
  return [
    { key: USAGE_METRIC.cpuSeconds, value: usage.cpuSeconds, step: 0, timestamp },
    { key: USAGE_METRIC.wallSeconds, value: usage.wallSeconds, step: 0, timestamp },
    { key: USAGE_METRIC.peakRssMegabytes, value: usage.peakRssMegabytes, step: 0, timestamp },
    ...(usage.gpuSeconds > 0 ? [{ key: USAGE_METRIC.gpuSeconds, value: usage.gpuSeconds, step: 0, timestamp }] : []),
    ...(cost !== undefined ? [{ key: USAGE_METRIC.cost, value: cost, step: 0, timestamp }] : []),
  ];
}

/** One sample as a logBatch's metrics. */
export function sampleMetrics(sample: SystemSample): MetricInput[] {
  return Object.entries(sample.metrics)
    .filter(([, value]) => Number.isFinite(value))
    .map(([key, value]) => ({ key, value, step: sample.step, timestamp: sample.timestamp }));
}
