/**
 * Evaluation sets as JSONL: one object per line with `input`, `reference` (a string) or
 * `references` (a non-empty list of strings), `prediction`, and optionally `latency_ms` and `id`.
 * Blank lines are skipped. Malformed rows fail with the file, line and field.
 */

export interface EvalRow {
  /** 0-based position among the rows (blank lines do not count) */
  readonly index: number;
  /** 1-based line in the file */
  readonly line: number;
  readonly id?: string;
  readonly input: string;
  readonly references: readonly string[];
  readonly prediction: string;
  readonly latencyMs?: number;
}

export class EvalSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalSetError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A row whose prediction an endpoint will give (`mlops eval --endpoint`): `prediction` may be absent. */
export type EvalInputRow = Omit<EvalRow, 'prediction'> & { readonly prediction?: string };

export interface ParseEvalSetOptions {
  /** rows may leave out `prediction` (a served model fills it in) */
  readonly predictionOptional?: boolean;
}

function parseRow(value: unknown, index: number, line: number, where: string, options: ParseEvalSetOptions = {}): EvalInputRow {
  const fail = (field: string, problem: string): never => {
    throw new EvalSetError(`${where} line ${line}: field "${field}" ${problem}`);
  };
  if (!isRecord(value)) throw new EvalSetError(`${where} line ${line}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  const input = value.input;
  if (typeof input !== 'string') fail('input', input === undefined ? 'is missing' : 'must be a string');
  const prediction = value.prediction;
  if (typeof prediction !== 'string' && !(prediction === undefined && options.predictionOptional)) {
    fail('prediction', prediction === undefined ? 'is missing (or let a served model predict: mlops eval --endpoint URL)' : 'must be a string');
  }
  let references: string[] = [];
  if (value.references !== undefined) {
    const refs = value.references;
    if (!Array.isArray(refs) || refs.length === 0) fail('references', 'must be a non-empty list of strings');
    (refs as unknown[]).forEach((ref, i) => {
      if (typeof ref !== 'string') fail(`references[${i}]`, 'must be a string');
    });
    references = refs as string[];
    if (value.reference !== undefined) fail('reference', 'cannot be given together with "references"');
  } else if (value.reference !== undefined) {
    if (typeof value.reference !== 'string') fail('reference', 'must be a string (or use "references" for a list)');
    references = [value.reference as string];
  } else {
    fail('references', 'is missing (give "reference": "…" or "references": ["…"])');
  }
  const latency = value.latency_ms;
  if (latency !== undefined && (typeof latency !== 'number' || !Number.isFinite(latency) || latency < 0)) fail('latency_ms', 'must be a non-negative number of milliseconds');
  const id = value.id;
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') fail('id', 'must be a string or a number');
  return {
    index,
    line,
    ...(id !== undefined ? { id: String(id) } : {}),
    input: input as string,
    references,
    ...(typeof prediction === 'string' ? { prediction } : {}),
    ...(typeof latency === 'number' ? { latencyMs: latency } : {}),
  };
}

/** Parses JSONL text; `where` names the file in error messages. */
export function parseEvalSet(text: string, where: string): EvalRow[];
export function parseEvalSet(text: string, where: string, options: ParseEvalSetOptions): EvalInputRow[];
export function parseEvalSet(text: string, where: string, options: ParseEvalSetOptions = {}): EvalInputRow[] {
  const rows: EvalInputRow[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new EvalSetError(`${where} line ${i + 1}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    rows.push(parseRow(value, rows.length, i + 1, where, options));
  });
  if (rows.length === 0) throw new EvalSetError(`${where}: no rows (expected one JSON object per line with input, reference(s) and prediction)`);
  return rows;
}
