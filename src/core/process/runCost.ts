import type { SystemUsage } from './systemMetrics';

/** Prices per hour in whatever currency the user means; 0 means "not priced". */
export interface CostPrices {
  readonly cpuHour: number;
  /** per GB of memory (RSS) held for an hour */
  readonly gbHour: number;
  readonly gpuHour: number;
}

export const NO_PRICES: CostPrices = { cpuHour: 0, gbHour: 0, gpuHour: 0 };

/** Environment variables the CLI and child processes read the prices from. */
export const COST_ENV = { cpuHour: 'MLOPS_COST_CPU_HOUR', gbHour: 'MLOPS_COST_GB_HOUR', gpuHour: 'MLOPS_COST_GPU_HOUR' } as const;

export function isPriced(prices: CostPrices | undefined): prices is CostPrices {
  return prices !== undefined && (prices.cpuHour > 0 || prices.gbHour > 0 || prices.gpuHour > 0);
}

/** What a run cost: CPU-hours, memory GB-hours and GPU-hours at their prices; undefined when nothing is priced. */
export function runCost(usage: Pick<SystemUsage, 'cpuSeconds' | 'memoryGbHours'> & { gpuSeconds?: number }, prices: CostPrices | undefined): number | undefined {
  if (!isPriced(prices)) return undefined;
  return (usage.cpuSeconds / 3600) * prices.cpuHour + usage.memoryGbHours * prices.gbHour + ((usage.gpuSeconds ?? 0) / 3600) * prices.gpuHour;
}

function price(value: string | number | undefined, name: string): number {
  if (value === undefined || value === '') return 0;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0, not "${String(value)}"`);
  return n;
}

/** Prices from explicit values (CLI flags) over MLOPS_COST_* variables; a bad value throws. */
export function resolvePrices(explicit: Partial<Record<keyof CostPrices, string | number | undefined>>, env: NodeJS.ProcessEnv = process.env): CostPrices {
  return {
    cpuHour: price(explicit.cpuHour ?? env[COST_ENV.cpuHour], 'the CPU-hour price'),
    gbHour: price(explicit.gbHour ?? env[COST_ENV.gbHour], 'the GB-hour price'),
    gpuHour: price(explicit.gpuHour ?? env[COST_ENV.gpuHour], 'the GPU-hour price'),
  };
}
