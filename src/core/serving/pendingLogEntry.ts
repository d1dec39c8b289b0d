import { encodeFrame, type FrameOutputs } from './requestLogFormat';
import type { ScoringInput } from './scoringInput';

/**
 * A request the endpoint process will log, as the request left it: the parsed input and the
 * model's raw outputs. Encoded into a segment frame later, in a batch,
 * off the request path; the process holding the store only appends the bytes.
 */
export interface PendingLogEntry {
  readonly requestId: string;
  readonly time: number;
  readonly modelName: string;
  readonly version: number;
  readonly status: number;
  readonly latencyMs: number;
  readonly rows: number;
  /** null when the request was refused before its body was parsed */
  readonly input: ScoringInput | null;
  /** the model's raw outputs for the rows (a value, or a probability per class), null when refused */
  readonly outputs: FrameOutputs;
  readonly error?: string;
}

/**
 * The segment frame of one entry; its inputs read back as the records the request stood for. A
 * `dataframe_split` or `dataframe_records` body is kept as it came (no rows written out again).
 */
export function encodeLogEntry(entry: PendingLogEntry): Buffer {
  const { input, outputs, ...rest } = entry;
  return encodeFrame(rest, input === null ? null : input.body === undefined ? inputsJson(input) : { body: input.body }, outputs);
}

/** Text for text what JSON.stringify writes for the input's records, without building them. */
export function inputsJson(input: ScoringInput): string {
  if (input.kind === 'records') return JSON.stringify(input.records);
  const { columns, data } = input;
  // A record built in column order: integer-like names come first, a repeated name keeps its first place and its last value.
  const template: Record<string, number> = {};
  columns.forEach((c, i) => (template[c] = i));
  const order = Object.keys(template);
  const keys = order.map((k, i) => `${i === 0 ? '{' : ','}${JSON.stringify(k)}:`);
  const at = order.map((k) => template[k] as number);
  let text = '[';
  for (let r = 0; r < data.length; r++) {
    const row = data[r] as readonly unknown[];
    if (r > 0) text += ',';
    if (keys.length === 0) text += '{';
    for (let i = 0; i < keys.length; i++) text += (keys[i] as string) + cell(row[at[i] as number]);
    text += '}';
  }
  return `${text}]`;
}

function cell(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === true || value === false) return String(value);
  return JSON.stringify(value) ?? 'null';
}
