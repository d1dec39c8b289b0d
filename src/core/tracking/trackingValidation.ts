import { InvalidArgumentError } from './trackingErrors';

// MLflow's limits, so that whatever we accept an MLflow server accepts too.
export const MAX_KEY_LENGTH = 250;
export const MAX_PARAM_VALUE_LENGTH = 6_000;
export const MAX_TAG_VALUE_LENGTH = 8_000;

/** A metric, param or tag key: non-empty, at most 250 characters, no NUL. */
export function checkKey(kind: string, key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidArgumentError(`A ${kind} key must be a non-empty string`);
  if (key.length > MAX_KEY_LENGTH) throw new InvalidArgumentError(`${kind} key "${key.slice(0, 40)}…" is longer than ${MAX_KEY_LENGTH} characters`);
  if (key.includes('\0')) throw new InvalidArgumentError(`${kind} key ${JSON.stringify(key)} contains a NUL character`);
  return key;
}

/** A param or tag value: a string within `max` characters. */
export function checkString(kind: string, key: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(`${kind} "${key}" must have a string value, got ${typeof value}`);
  if (value.length > max) throw new InvalidArgumentError(`${kind} "${key}" has a value longer than ${max} characters`);
  return value;
}

/** A metric step: a safe integer (MLflow steps are int64). */
export function checkStep(key: string, step: unknown): number {
  if (typeof step !== 'number' || !Number.isSafeInteger(step)) throw new InvalidArgumentError(`Metric "${key}" needs an integer step, got ${String(step)}`);
  return step;
}

/** A metric timestamp: finite milliseconds since the epoch. */
export function checkTimestamp(key: string, timestamp: unknown): number {
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) throw new InvalidArgumentError(`Metric "${key}" needs a finite timestamp in ms, got ${String(timestamp)}`);
  return timestamp;
}
