import type { EvalInputRow, EvalRow } from './evalSet';
import { EvalSetError } from './evalSet';

/**
 * Predictions from a served model for an evaluation set's rows that have none: each input is
 * posted to the endpoint in MLflow's scoring protocol (`{"inputs": ["…"]}` to /invocations), the
 * answer's first prediction is the row's prediction and the round trip its latency. Works with the
 * extension's own endpoints and any MLflow-compatible server (an LLM behind `mlflow models serve`).
 */
export interface EndpointPredictionOptions {
  /** http(s)://HOST:PORT[/invocations] */
  readonly url: string;
  /** sent as `Authorization: Bearer …` when set */
  readonly token?: string;
  /** requests in flight at once (default 4) */
  readonly concurrency?: number;
  /** per request (default 60 s): a generating model can be slow */
  readonly timeoutMs?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** The endpoint's URL with /invocations when only a host and port were given. */
export function invocationsUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EvalSetError(`--endpoint ${url}: not a URL (expected e.g. http://127.0.0.1:5001/invocations)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new EvalSetError(`--endpoint ${url}: only http and https endpoints are supported`);
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/invocations';
  return parsed;
}

/** The text of one prediction: a string, or the usual text field of an object, or the first of a list. */
export function predictionText(prediction: unknown): string | undefined {
  if (typeof prediction === 'string') return prediction;
  if (Array.isArray(prediction)) return prediction.length > 0 ? predictionText(prediction[0]) : undefined;
  if (typeof prediction === 'object' && prediction !== null) {
    const record = prediction as Record<string, unknown>;
    for (const key of ['generated_text', 'text', 'content', 'output', 'prediction', 'answer']) if (typeof record[key] === 'string') return record[key];
  }
  return undefined;
}

async function predictOne(row: EvalInputRow, url: URL, options: EndpointPredictionOptions, where: string): Promise<{ prediction: string; latencyMs: number }> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 60_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      body: JSON.stringify({ inputs: [row.input] }),
      signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const why = timeout.aborted ? `no answer within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s` : error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new EvalSetError(`${where} line ${row.line}: the endpoint ${url.origin} did not answer: ${why}`);
  }
  const text = await response.text();
  const latencyMs = performance.now() - started;
  if (!response.ok) throw new EvalSetError(`${where} line ${row.line}: the endpoint answered ${response.status}: ${text.slice(0, 300)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new EvalSetError(`${where} line ${row.line}: the endpoint's answer is not JSON: ${text.slice(0, 120)}`);
  }
  const predictions = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).predictions : body;
  const prediction = predictionText(predictions);
  if (prediction === undefined) throw new EvalSetError(`${where} line ${row.line}: the endpoint's answer has no text prediction (expected {"predictions": ["…"]}): ${text.slice(0, 120)}`);
  return { prediction, latencyMs };
}

/** Rows with a prediction keep it; the others get the endpoint's, with its latency. */
export async function predictWithEndpoint(rows: readonly EvalInputRow[], where: string, options: EndpointPredictionOptions): Promise<EvalRow[]> {
  const url = invocationsUrl(options.url);
  const out: EvalRow[] = new Array<EvalRow>(rows.length);
  const pending = rows.map((row, i) => ({ row, i })).filter(({ row, i }) => {
    if (row.prediction === undefined) return true;
    out[i] = row as EvalRow;
    return false;
  });
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < pending.length) {
      const { row, i } = pending[next++] as { row: EvalInputRow; i: number };
      const { prediction, latencyMs } = await predictOne(row, url, options, where);
      out[i] = { ...row, prediction, latencyMs: row.latencyMs ?? latencyMs };
      options.onProgress?.(++done, pending.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, pending.length)) }, worker));
  return out;
}
