import type { Command } from 'commander';
import { COST_ENV, resolvePrices, type CostPrices } from '../core/process/runCost';
import { CliError } from './cliContext';

export interface PriceFlags {
  cpuHourPrice?: string;
  gbHourPrice?: string;
  gpuHourPrice?: string;
}

/** `--cpu-hour-price` and friends on a command that starts runs: the runs get a `cost` metric. */
export function addPriceOptions(command: Command): Command {
  return command
    .option('--cpu-hour-price <n>', `price of one CPU-hour, in your currency (default: $${COST_ENV.cpuHour} or 0); runs get a \`cost\` metric when a price is set`)
    .option('--gb-hour-price <n>', `price of 1 GB of memory for an hour (default: $${COST_ENV.gbHour} or 0)`)
    .option('--gpu-hour-price <n>', `price of one GPU-hour (default: $${COST_ENV.gpuHour} or 0)`);
}

export function pricesFromCli(flags: PriceFlags): CostPrices {
  try {
    return resolvePrices({ cpuHour: flags.cpuHourPrice, gbHour: flags.gbHourPrice, gpuHour: flags.gpuHourPrice });
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}
