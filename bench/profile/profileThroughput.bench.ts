// Profiling throughput on a generated ~1 GB CSV (in the temp folder, deleted after), with peak RSS.
// Target (issue 9): ≥ 100 MB/s with memory under 500 MB. Size: PROFILE_BENCH_BYTES (default 1e9).
import { rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileCsv } from '../../src/core/profile/csvProfiler';
import { round, saveResults } from '../store/benchSupport';
import { writeMixedCsv } from './csvFixture';

async function main(): Promise<void> {
  const bytesWanted = Number(process.env.PROFILE_BENCH_BYTES ?? 1e9);
  const path = join(tmpdir(), `mlops-profile-bench-${process.pid}.csv`);
  try {
    const generated = await writeMixedCsv(path, bytesWanted);
    const loadBefore = loadavg();
    let peakSampled = 0;
    const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, process.memoryUsage().rss)), 50);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const profile = await profileCsv(path, { target: 'x1' });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const mb = generated.bytes / 1e6;
    saveResults('profile-throughput', {
      bytes: generated.bytes,
      rows: profile.rows,
      columns: profile.columns.length,
      seconds: round(seconds),
      mbPerSecond: round(mb / seconds),
      cpuSeconds: round(cpuSeconds),
      mbPerCpuSecond: round(mb / cpuSeconds),
      peakRssMb: round(process.resourceUsage().maxRSS / 1024),
      peakRssSampledMb: round(peakSampled / 1e6),
      loadAverageBefore: loadBefore.map((v) => round(v)),
      loadAverageAfter: loadavg().map((v) => round(v)),
      targets: { mbPerSecond: 100, peakRssMb: 500 },
      note: 'wall-clock MB/s depends on the machine load (shared 2-core machine); MB per CPU-second is the load-independent figure',
    });
  } finally {
    rmSync(path, { force: true });
  }
}

void main();
