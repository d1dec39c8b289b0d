/**
 * What `mlops serve` says about its endpoint while it serves and when it stops: traffic, latency,
 * the CPU the endpoint process used per request and what 1,000 predictions cost at the prices given.
 */
import type { Command } from 'commander';
import type { CostPrices } from '../core/process/runCost';
import type { EndpointInfo } from '../core/serving/endpointManager';
import { costPer1000Predictions, describeCpuPerRequest, formatCost } from '../core/serving/endpointUsage';
import { CliError } from './cliContext';

/** `--status-every SECONDS` on `mlops serve`. */
export function addStatusOption(command: Command): Command {
  return command.option('--status-every <seconds>', 'while there is traffic, print requests, latency, CPU per request and cost per 1,000 predictions to stderr this often (default 60; 0: only when stopping)');
}

export function parseStatusEvery(text: string | undefined): number {
  if (text === undefined) return 60;
  const seconds = Number(text);
  if (!(Number.isFinite(seconds) && seconds >= 0)) throw new CliError(`--status-every must be a number of seconds ≥ 0 (0: only when stopping), got "${text}"`);
  return seconds;
}

/** "42 requests · p50 1.2 ms · p99 3.4 ms · 0.81 ms CPU per request over the last 5 min (42 requests) · cost per 1,000 predictions 0.000123" */
export function servingStatusLine(info: EndpointInfo, prices: CostPrices): string {
  const s = info.stats;
  const cpu = describeCpuPerRequest(s.usage);
  const cost = costPer1000Predictions(s.usage, prices);
  const costText = cpu === undefined ? [] : [cost === undefined ? 'cost per 1,000 predictions: give --cpu-hour-price or --gb-hour-price' : `cost per 1,000 predictions ${formatCost(cost)}`];
  return [`${s.requests} request${s.requests === 1 ? '' : 's'}${s.errors ? ` (${s.errors} errors)` : ''}`, `p50 ${s.p50Ms.toFixed(1)} ms`, `p99 ${s.p99Ms.toFixed(1)} ms`, ...(cpu ? [cpu] : []), ...costText].join(' · ');
}

/**
 * Prints a status line every `seconds` while requests keep coming (none when nothing changed);
 * `stop()` prints the last one, if the endpoint served anything.
 */
export function reportServingStatus(current: () => EndpointInfo | undefined, prices: CostPrices, seconds: number, write: (line: string) => void = (line) => process.stderr.write(line)): { stop(): void } {
  let lastRequests = 0;
  const timer = seconds > 0
    ? setInterval(() => {
        const now = current();
        if (!now || now.stats.requests === lastRequests) return;
        lastRequests = now.stats.requests;
        write(`mlops: ${servingStatusLine(now, prices)}\n`);
      }, seconds * 1000)
    : undefined;
  return {
    stop: () => {
      clearInterval(timer);
      const last = current();
      if (last && last.stats.requests > 0) write(`mlops: served ${servingStatusLine(last, prices)}\n`);
    },
  };
}
