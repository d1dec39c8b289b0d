import { invalidParameter } from './mlflowHttpError';

/** A request's parameters: the JSON body of a POST, or the query string of a GET. */
export type RequestParams = Readonly<Record<string, unknown>>;

const DOCS_HINT = 'See the API docs for more information about request parameters.';

function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** MLflow's wording, so messages match what users see from a real server. */
export function missingParameter(name: string): Error {
  return invalidParameter(`Missing value for required parameter '${name}'. ${DOCS_HINT}`);
}

export function invalidValue(name: string, value: unknown, expected: string): Error {
  return invalidParameter(`Invalid value ${describeValue(value)} for parameter '${name}' supplied: expected ${expected}. ${DOCS_HINT}`);
}

/**
 * Parses a query string the way MLflow 2.12's server does (querystring_parser): a repeated key,
 * `a[]=` and `a[0]=` all give lists; other keys give strings.
 */
export function parseQueryString(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (query === '') return out;
  for (const [rawKey, value] of new URLSearchParams(query)) {
    const listMatch = /^(.*)\[\d*\]$/.exec(rawKey);
    const key = listMatch ? (listMatch[1] as string) : rawKey;
    const previous = out[key];
    if (previous === undefined) out[key] = listMatch ? [value] : value;
    else if (Array.isArray(previous)) previous.push(value);
    else out[key] = [previous, value];
  }
  return out;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

export function optionalString(params: RequestParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidValue(name, value, 'a string');
  return value;
}

export function requiredString(params: RequestParams, name: string): string {
  const value = optionalString(params, name);
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}

/** `run_id`, or the deprecated `run_uuid` that older clients send alone. */
export function requiredRunId(params: RequestParams): string {
  const runId = optionalString(params, 'run_id');
  if (runId) return runId;
  const runUuid = optionalString(params, 'run_uuid');
  if (runUuid) return runUuid;
  throw missingParameter('run_id');
}

/** An int64: a JSON number, or a decimal string (protobuf JSON and query strings give those). */
export function optionalInteger(params: RequestParams, name: string): number | undefined {
  const value = params[name];
  if (!present(value)) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw invalidValue(name, value, 'an integer');
  return n;
}

export function requiredInteger(params: RequestParams, name: string): number {
  const n = optionalInteger(params, name);
  if (n === undefined) throw missingParameter(name);
  return n;
}

/** A double as protobuf JSON writes it: a number, or "NaN" / "Infinity" / "-Infinity" / a numeric string. */
export function parseDouble(name: string, value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return NaN;
    if (value === 'Infinity') return Infinity;
    if (value === '-Infinity') return -Infinity;
    const n = Number(value);
    if (value.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw invalidValue(name, value, 'a number (or "NaN", "Infinity", "-Infinity")');
}

export function optionalBoolean(params: RequestParams, name: string): boolean | undefined {
  const value = params[name];
  if (!present(value)) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'True') return true;
  if (value === 'false' || value === 'False') return false;
  throw invalidValue(name, value, 'true or false');
}

/** A repeated string field; a single value (one query-string occurrence) is a one-element list. */
export function stringList(params: RequestParams, name: string): string[] {
  const value = params[name];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  return list.map((item, i) => {
    if (typeof item !== 'string') throw invalidValue(`${name}[${i}]`, item, 'a string');
    return item;
  });
}

/** A repeated message field: a JSON array of objects. */
export function objectList(params: RequestParams, name: string): RequestParams[] {
  const value = params[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidValue(name, value, 'a list');
  return value.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalidValue(`${name}[${i}]`, item, 'an object');
    return item as RequestParams;
  });
}

/** `[{"key","value"}]` lists (tags, params); `value` may be missing for tags (MLflow stores "" then). */
export function keyValueList(params: RequestParams, name: string, options: { valueRequired?: boolean } = {}): { key: string; value: string }[] {
  return objectList(params, name).map((item, i) => {
    const key = item.key;
    if (typeof key !== 'string' || key === '') throw missingParameter(`${name}[${i}].key`);
    const value = item.value ?? (options.valueRequired ? undefined : '');
    if (value === undefined) throw missingParameter(`${name}[${i}].value`);
    if (typeof value !== 'string') throw invalidValue(`${name}[${i}].value`, value, 'a string');
    return { key, value };
  });
}

/** A protobuf enum given by name or by number. */
export function optionalEnum<T extends string>(params: RequestParams, name: string, names: readonly T[], numbers: ReadonlyMap<number, T>): T | undefined {
  const value = params[name];
  if (!present(value)) return undefined;
  if (typeof value === 'string' && (names as readonly string[]).includes(value)) return value as T;
  const byNumber = typeof value === 'number' ? numbers.get(value) : typeof value === 'string' && /^\d+$/.test(value) ? numbers.get(Number(value)) : undefined;
  if (byNumber !== undefined) return byNumber;
  throw invalidValue(name, value, `one of ${names.join(', ')}`);
}
