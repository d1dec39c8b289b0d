import type { CostPrices } from '../../process/runCost';
import { BACKEND_PREFERENCES, type BackendPreference } from '../../process/workerProtocol';
import { InvalidArgumentError } from '../../tracking/trackingErrors';

// Parameters every job a client starts in the engine may carry (trainings, retraining attempts).

/** The training backend asked for, checked (undefined: the engine's default, "auto"). */
export function backendParam(value: unknown): BackendPreference | undefined {
  if (value === undefined) return undefined;
  if (!BACKEND_PREFERENCES.includes(value as BackendPreference)) throw new InvalidArgumentError(`backend must be one of ${BACKEND_PREFERENCES.join(', ')}, got ${JSON.stringify(value)}`);
  return value as BackendPreference;
}

/** Prices of a CPU-hour, a GB-hour and a GPU-hour, checked (undefined: no cost metric). */
export function pricesParam(value: unknown): CostPrices | undefined {
  if (value === undefined) return undefined;
  const p = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const price = (v: unknown, what: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InvalidArgumentError(`prices.${what} must be a non-negative number, got ${JSON.stringify(v)}`);
    return v;
  };
  return { cpuHour: price(p.cpuHour, 'cpuHour'), gbHour: price(p.gbHour, 'gbHour'), gpuHour: price(p.gpuHour, 'gpuHour') };
}

/** A status request's `from` and `waitMs`, checked. */
export function followParams(params: { from?: unknown; waitMs?: unknown }): { from: number; waitMs: number } {
  const from = params.from ?? 0;
  if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < 0) throw new InvalidArgumentError(`from must be a non-negative integer, got ${JSON.stringify(params.from)}`);
  const waitMs = params.waitMs ?? 0;
  if (typeof waitMs !== 'number' || !(waitMs >= 0)) throw new InvalidArgumentError(`waitMs must be a non-negative number, got ${JSON.stringify(params.waitMs)}`);
  return { from, waitMs };
}
