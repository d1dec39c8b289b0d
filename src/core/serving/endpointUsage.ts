/**
 * What an endpoint process uses to answer: its own CPU time and resident memory over a recent
 * window, per request and per prediction. Measured inside the endpoint process (everything it
 * does counts — parsing, scoring, the request log, idle timers), so the cost per 1,000
 * predictions is what serving actually took, not an estimate from latency.
 */
import { isPriced, type CostPrices } from '../process/runCost';

/** The last few minutes of traffic, as measured. */
export interface EndpointUsage {
  /** how long the window is (from its first sample to now) */
  readonly windowSeconds: number;
  readonly requests: number;
  /** rows answered (a request of 10 records is 10 predictions) */
  readonly predictions: number;
  /** CPU time the process used in the window */
  readonly cpuSeconds: number;
  /** resident memory held over the window, integrated (what a GB-hour price is paid for) */
  readonly memoryGbHours: number;
  readonly cpuSecondsPerRequest: number | null;
  readonly cpuSecondsPerPrediction: number | null;
}

interface Sample {
  readonly time: number;
  readonly cpuSeconds: number;
  readonly requests: number;
  readonly predictions: number;
  readonly rssBytes: number;
}

export interface ProcessReading {
  readonly cpuSeconds: number;
  readonly rssBytes: number;
}

/** This process's CPU time (all threads, user + system) and resident set. */
export function readProcess(): ProcessReading {
  const cpu = process.cpuUsage();
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, rssBytes: process.memoryUsage.rss() };
}

const WINDOW_MS = 5 * 60_000;
/** samples closer together than this add nothing but memory */
const SAMPLE_EVERY_MS = 5_000;

/**
 * Samples the process now and then (at most every 5 s, when traffic or a status read asks), and
 * measures from the oldest sample still in the last 5 minutes — or, after a quiet spell, from the
 * last sample before it — to now.
 */
export class UsageMeter {
  private readonly samples: Sample[] = [];

  constructor(
    private readonly read: () => ProcessReading = readProcess,
    private readonly now: () => number = Date.now,
  ) {
    this.sample(0, 0, true);
  }

  /** Takes a sample if the last one is old enough (call it on each request: it is cheap). */
  sample(requests: number, predictions: number, force = false): void {
    const time = this.now();
    const last = this.samples[this.samples.length - 1];
    if (!force && last && time - last.time < SAMPLE_EVERY_MS) return;
    this.samples.push({ time, requests, predictions, ...this.read() });
    // keep one sample at or before the window's start, so the window is always covered
    while (this.samples.length > 2 && (this.samples[1] as Sample).time <= time - WINDOW_MS) this.samples.shift();
  }

  /** Usage from the window's first sample to now, given the counters now. */
  measure(requests: number, predictions: number): EndpointUsage {
    this.sample(requests, predictions);
    const time = this.now();
    // trimming keeps the first sample at or before the window's start
    const start = this.samples[0] as Sample;
    const current = { time, requests, predictions, ...this.read() };
    let memoryGbHours = 0;
    const span = [...this.samples, current];
    for (let i = 1; i < span.length; i++) {
      const a = span[i - 1] as Sample;
      const b = span[i] as Sample;
      memoryGbHours += (((a.rssBytes + b.rssBytes) / 2) / 1024 ** 3) * ((b.time - a.time) / 3_600_000);
    }
    const dRequests = current.requests - start.requests;
    const dPredictions = current.predictions - start.predictions;
    const cpuSeconds = Math.max(0, current.cpuSeconds - start.cpuSeconds);
    return {
      windowSeconds: (time - start.time) / 1000,
      requests: dRequests,
      predictions: dPredictions,
      cpuSeconds,
      memoryGbHours,
      cpuSecondsPerRequest: dRequests > 0 ? cpuSeconds / dRequests : null,
      cpuSecondsPerPrediction: dPredictions > 0 ? cpuSeconds / dPredictions : null,
    };
  }
}

/**
 * The cost of 1,000 predictions at these prices, from the window's CPU time and memory shared out
 * over the predictions it answered; undefined when nothing is priced or nothing was predicted.
 */
export function costPer1000Predictions(usage: EndpointUsage | undefined, prices: CostPrices | undefined): number | undefined {
  if (!usage || !isPriced(prices) || usage.predictions <= 0) return undefined;
  const windowCost = (usage.cpuSeconds / 3600) * prices.cpuHour + usage.memoryGbHours * prices.gbHour;
  return (windowCost / usage.predictions) * 1000;
}

/** "0.8 ms CPU per request over the last 5 min" */
export function describeCpuPerRequest(usage: EndpointUsage | undefined): string | undefined {
  if (!usage || usage.cpuSecondsPerRequest === null) return undefined;
  const ms = usage.cpuSecondsPerRequest * 1000;
  const minutes = usage.windowSeconds / 60;
  const window = minutes >= 1 ? `${Math.round(minutes)} min` : `${Math.max(1, Math.round(usage.windowSeconds))} s`;
  return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms CPU per request over the last ${window} (${usage.requests} request${usage.requests === 1 ? '' : 's'})`;
}

/** A cost with enough digits to read a fraction of a cent. */
export function formatCost(value: number): string {
  return value === 0 ? '0' : value >= 1 ? value.toFixed(2) : Number(value.toPrecision(3)).toString();
}
