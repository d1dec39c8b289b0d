import Papa from 'papaparse';
import type { ModelSignature, SignatureInput } from '../modelPackage/modelPackageFormat';
import { jsonNestingExceeds, MAX_JSON_NESTING } from '../server/jsonNesting';
import { ScoringRequestError } from './scoringErrors';

export type ScoringRecord = Record<string, unknown>;

/** MLflow's JSON input keys; a request holds exactly one of them. */
export const JSON_INPUT_KEYS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/**
 * A parsed /invocations body. `dataframe_split` stays as its columns and rows (no record object
 * per row: a 100-row request is encoded straight from them); everything else is records.
 */
export type ScoringInput =
  | { readonly kind: 'split'; readonly columns: readonly string[]; readonly data: readonly (readonly unknown[])[]; readonly body?: string }
  | { readonly kind: 'records'; readonly records: ScoringRecord[]; readonly body?: string };

/**
 * Turns an /invocations body into records keyed by input column, following MLflow's scoring
 * protocol (JSON with one of the keys above, or text/csv with a header line).
 */
export function parseScoringBody(contentType: string | undefined, body: string, signature: ModelSignature): ScoringRecord[] {
  return scoringRecords(parseScoringInput(contentType, body, signature));
}

/** The records of a parsed body (split rows become records here, for the paths that need them). */
export function scoringRecords(input: ScoringInput): ScoringRecord[] {
  if (input.kind === 'records') return input.records;
  const { columns, data } = input;
  return data.map((row) => {
    const record: ScoringRecord = {};
    columns.forEach((c, i) => (record[c] = row[i]));
    return record;
  });
}

/** How many rows a parsed body holds. */
export function scoringRowCount(input: ScoringInput): number {
  return input.kind === 'split' ? input.data.length : input.records.length;
}

/** Like parseScoringBody, but leaves `dataframe_split` as columns and rows. */
export function parseScoringInput(contentType: string | undefined, body: string, signature: ModelSignature): ScoringInput {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'text/csv') return { kind: 'records', records: parseCsvBody(body) };
  if (type !== 'application/json') {
    throw new ScoringRequestError(415, `Content-Type "${contentType ?? '(none)'}" is not supported: send application/json (with one of ${JSON_INPUT_KEYS.join(', ')}) or text/csv.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new ScoringRequestError(400, `The body is not valid JSON: ${(error as Error).message}.`);
  }
  if (jsonNestingExceeds(parsed)) throw new ScoringRequestError(400, `The JSON body nests arrays and objects more than ${MAX_JSON_NESTING} levels deep; rows and tensors need only a few.`);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ScoringRequestError(400, `The JSON body must be an object with exactly one of ${JSON_INPUT_KEYS.join(', ')}; got ${Array.isArray(parsed) ? 'an array' : typeof parsed}.`);
  }
  const object = parsed as Record<string, unknown>;
  const present = JSON_INPUT_KEYS.filter((key) => key in object);
  if (present.length !== 1) {
    const others = Object.keys(object).slice(0, 5).join(', ');
    throw new ScoringRequestError(400, present.length === 0 ? `The JSON body holds none of ${JSON_INPUT_KEYS.join(', ')} (keys found: ${others || 'none'}).` : `The JSON body must hold exactly one of ${JSON_INPUT_KEYS.join(', ')}; it holds ${present.join(' and ')}.`);
  }
  const key = present[0] as (typeof JSON_INPUT_KEYS)[number];
  const value = object[key];
  // The body itself stands for these two in the request log (read back as the same records).
  if (key === 'dataframe_split') return { ...fromSplit(value), body };
  if (key === 'dataframe_records') return { kind: 'records', records: fromRecords(value, key), body };
  return { kind: 'records', records: fromTensorInput(value, key, signature) };
}

function fromSplit(value: unknown): { kind: 'split'; columns: string[]; data: unknown[][] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ScoringRequestError(400, 'dataframe_split must be an object {"columns": [...], "data": [[...], ...]}.');
  const { columns, data } = value as { columns?: unknown; data?: unknown };
  if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) throw new ScoringRequestError(400, 'dataframe_split.columns must be an array of column names.');
  if (!Array.isArray(data)) throw new ScoringRequestError(400, 'dataframe_split.data must be an array of rows (arrays of values).');
  for (let r = 0; r < data.length; r++) {
    const row: unknown = data[r];
    if (!Array.isArray(row)) throw new ScoringRequestError(400, `dataframe_split.data[${r}] is not an array of values.`);
    if (row.length !== columns.length) throw new ScoringRequestError(400, `dataframe_split.data[${r}] has ${row.length} values for ${columns.length} columns.`);
  }
  return { kind: 'split', columns: columns as string[], data: data as unknown[][] };
}

function fromRecords(value: unknown, key: string): ScoringRecord[] {
  if (!Array.isArray(value)) throw new ScoringRequestError(400, `${key} must be an array of objects, one per row.`);
  value.forEach((row, r) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new ScoringRequestError(400, `${key}[${r}] is not an object of column values.`);
  });
  return value as ScoringRecord[];
}

/** `instances` / `inputs`: a list of records, a list of positional rows, or a dict of columns. */
function fromTensorInput(value: unknown, key: string, signature: ModelSignature): ScoringRecord[] {
  const names = signature.inputs.map((i) => i.name);
  if (Array.isArray(value)) {
    return value.map((row, r) => {
      if (Array.isArray(row)) {
        if (row.length !== names.length) throw new ScoringRequestError(400, `${key}[${r}] has ${row.length} values; the model takes ${names.length} inputs (${names.join(', ')}).`);
        const record: ScoringRecord = {};
        names.forEach((n, i) => (record[n] = row[i]));
        return record;
      }
      if (typeof row === 'object' && row !== null) return row as ScoringRecord;
      throw new ScoringRequestError(400, `${key}[${r}] must be an object of column values or an array of ${names.length} values.`);
    });
  }
  if (typeof value === 'object' && value !== null) {
    const columns = value as Record<string, unknown>;
    const lengths = Object.entries(columns).map(([name, v]) => {
      if (!Array.isArray(v)) throw new ScoringRequestError(400, `${key}.${name} must be an array of values (one per row).`);
      return v.length;
    });
    const n = lengths[0] ?? 0;
    if (lengths.some((l) => l !== n)) throw new ScoringRequestError(400, `The columns of ${key} have different lengths (${lengths.join(', ')}).`);
    return Array.from({ length: n }, (_, r) => {
      const record: ScoringRecord = {};
      for (const [name, v] of Object.entries(columns)) record[name] = (v as unknown[])[r];
      return record;
    });
  }
  throw new ScoringRequestError(400, `${key} must be an array of rows or an object of columns.`);
}

function parseCsvBody(body: string): ScoringRecord[] {
  const result = Papa.parse<string[]>(body.trim(), { skipEmptyLines: true });
  const [header, ...rows] = result.data;
  if (!header || header.length === 0) throw new ScoringRequestError(400, 'The CSV body has no header line.');
  return rows.map((row, r) => {
    if (row.length !== header.length) throw new ScoringRequestError(400, `CSV line ${r + 2} has ${row.length} fields; the header has ${header.length}.`);
    const record: ScoringRecord = {};
    header.forEach((c, i) => (record[c] = row[i]));
    return record;
  });
}

/**
 * Checks records against the signature: unknown-to-model columns are ignored (like MLflow), a
 * missing column, a wrong type or a NaN is a 400 naming the row and column.
 */
export function checkRecords(records: readonly ScoringRecord[], signature: ModelSignature): void {
  if (records.length === 0) throw new ScoringRequestError(400, 'The request holds no rows to score.');
  if (records.length > 0) {
    const first = records[0] as ScoringRecord;
    checkColumns(signature, (name) => name in first);
  }
  records.forEach((record, r) => {
    for (const input of signature.inputs) {
      const value = record[input.name];
      checkCell(value, input, r, value !== undefined || input.name in record);
    }
  });
}

/** The first row's missing required columns, as the 400 says it (`present` tells which names the rows have). */
export function checkColumns(signature: ModelSignature, present: (name: string) => boolean): void {
  const missing = signature.inputs.filter((input) => !input.optional && !present(input.name));
  if (missing.length > 0) throw new ScoringRequestError(400, `Missing input column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m.name}"`).join(', ')} (the model takes ${signature.inputs.map(describeInput).join(', ')}).`);
}

function describeInput(input: SignatureInput): string {
  return `${input.name}: ${input.type}${input.optional ? '?' : ''}`;
}

/**
 * One cell against its input: a 400 naming the row (1-based `r + 1`) and column when it is
 * missing, null, NaN or of the wrong type. `present`: the row has the column at all.
 */
export function checkCell(value: unknown, input: SignatureInput, r: number, present: boolean): void {
  const where = `row ${r + 1}, column "${input.name}"`;
  if (value === undefined && !present) {
    if (!input.optional) throw new ScoringRequestError(400, `${where}: missing (the column is required: training had no empty cells in it).`);
    return;
  }
  if (value === null || value === '') {
    if (!input.optional) throw new ScoringRequestError(400, `${where}: null, but the column is required (training had no empty cells in it).`);
    return;
  }
  if (input.type === 'double') {
    if (typeof value === 'number') {
      if (Number.isNaN(value)) throw new ScoringRequestError(400, `${where}: NaN is not allowed; send null for a missing value${input.optional ? '' : ' (and this column is required)'}.`);
      if (!Number.isFinite(value)) throw new ScoringRequestError(400, `${where}: ${value} is not a finite number.`);
      return;
    }
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (/^nan$/i.test(trimmed)) throw new ScoringRequestError(400, `${where}: NaN is not allowed; send null for a missing value.`);
      if (trimmed !== '' && Number.isFinite(Number(trimmed))) return;
    }
    throw new ScoringRequestError(400, `${where}: expected a number (double), got ${describeValue(value)}.`);
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new ScoringRequestError(400, `${where}: expected a string, got ${describeValue(value)}.`);
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return `${Array.isArray(value) ? 'an array' : typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}
