import { readFileSync } from 'node:fs';

/** CPU-seconds of this process (all its threads) and of its children it has waited for. */
export interface ProcessCpu {
  readonly own: number;
  /** ended children, and their waited-for descendants (Linux; 0 elsewhere) */
  readonly children: number;
  /** the largest resident set this process had (its own, children not included) */
  readonly peakRssBytes: number;
  /** its resident set now */
  readonly rssBytes: number;
}

/**
 * Read by a worker just before it reports back: the host's samples miss the CPU a process used
 * after the last sample, and a process's time is unreadable once it has exited.
 */
export function processCpuSeconds(): ProcessCpu {
  const usage = process.cpuUsage();
  let children = 0;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime are fields 16 and 17 of proc(5), in USER_HZ (100 a second)
    children = (Number(fields[13]) + Number(fields[14])) / 100;
    if (!Number.isFinite(children)) children = 0;
  } catch {
    // no /proc: children's time is not known
  }
  return { own: (usage.user + usage.system) / 1e6, children, peakRssBytes: process.resourceUsage().maxRSS * 1024, rssBytes: process.memoryUsage.rss() };
}
