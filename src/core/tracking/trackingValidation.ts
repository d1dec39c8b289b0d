import { InvalidArgumentError } from './trackingErrors';

// MLflow 2.12.2's limits and rules (mlflow/utils/validation.py), so that whatever we accept an
// MLflow server accepts too, and the REST API answers as one does.
export const MAX_KEY_LENGTH = 250;
export const MAX_PARAM_VALUE_LENGTH = 6_000;
export const MAX_TAG_VALUE_LENGTH = 5_000;

/** Python's `\w` (Unicode letters and numbers, `_`) plus `/ . -` and space: `^[/\w.\- ]*$`. */
const VALID_NAME = /^[/\p{L}\p{N}_.\- ]*$/u;
const BAD_CHARACTERS = 'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).';
const KIND_NAMES: Readonly<Record<string, string>> = { param: 'parameter', tag: 'tag', metric: 'metric' };

/** Python's posixpath.normpath(name) != name, or a name that leaves its folder (validation.path_not_unique). */
function pathNotUnique(name: string): boolean {
  if (name === '' || name.startsWith('/') || name.startsWith('..')) return true;
  return name.split('/').some((part) => part === '' || part === '.' || part === '..');
}

/** A metric, param or tag key: what MLflow accepts (its characters, not a path that resolves elsewhere), at most 250 characters. */
export function checkKey(kind: string, key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidArgumentError(`A ${kind} key must be a non-empty string`);
  const name = KIND_NAMES[kind] ?? kind;
  if (!VALID_NAME.test(key)) throw new InvalidArgumentError(`Invalid ${name} name: '${key}'. ${BAD_CHARACTERS}`);
  if (pathNotUnique(key)) throw new InvalidArgumentError(`Invalid ${name} name: '${key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such.`);
  if (key.length > MAX_KEY_LENGTH) throw new InvalidArgumentError(`${kind} key "${key.slice(0, 40)}…" is longer than ${MAX_KEY_LENGTH} characters`);
  return key;
}

/** A param or tag value: a string within `max` characters. */
export function checkString(kind: string, key: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(`${kind} "${key}" must have a string value, got ${typeof value}`);
  if (value.length > max) throw new InvalidArgumentError(`${kind} value '${value.slice(0, 250)}' had length ${value.length}, which exceeded length limit of ${max}`);
  return value;
}

/**
 * A run's param or tag value: MLflow keeps the first `max` characters of a longer one (its
 * MLFLOW_TRUNCATE_LONG_VALUES, on by default) rather than refusing it.
 */
export function truncatedString(kind: string, key: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(`${kind} "${key}" must have a string value, got ${typeof value}`);
  return value.length > max ? value.slice(0, max) : value;
}

/** MLflow refuses a log-batch that names a param twice, even with the same value. */
export function checkParamKeysUnique(params: readonly { key: string }[]): void {
  const seen = new Set<string>();
  const dupes: string[] = [];
  for (const p of params) {
    if (seen.has(p.key)) dupes.push(p.key);
    seen.add(p.key);
  }
  if (dupes.length > 0) {
    throw new InvalidArgumentError(`Duplicate parameter keys have been submitted: [${dupes.map((k) => `'${k}'`).join(', ')}]. Please ensure the request contains only one param value per param key.`);
  }
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
