import { crc32 } from '../store/crc32';
import { readFully } from '../store/journal';
import type { RequestLogEntry } from './endpointTypes';

/*
 * A request-log segment: "MLOPSR01", then frames. A frame is
 *   u32 magic | u32 JSON length | u32 crc32 | f64 time | u32 rows | u16 status | u8 flags | u8 0 | JSON
 * where the crc covers the length and everything after the crc. Time, status, rows and "has
 * inputs" sit before the JSON so counting and windowing never parse it. Nothing in the format
 * caps a file: offsets are plain numbers (exact to 2^53) and a file is read a window at a time.
 * The magic lets a reader find the next whole frame after damage and keep what follows it; a
 * damaged frame with none after it is the torn tail of a write a crash cut short.
 */
export const SEGMENT_MAGIC = Buffer.from('MLOPSR01', 'latin1');
export const SEGMENT_HEADER_BYTES = SEGMENT_MAGIC.length;
const FRAME_MAGIC = 0x52474f4c; // "LOGR" in a little-endian hex dump
export const FRAME_HEADER_BYTES = 28;
/** no entry is larger (an endpoint refuses bodies over 5 MiB by default); a larger length is damage */
const MAX_FRAME_JSON_BYTES = 256 * 1024 * 1024;
const HAS_INPUTS = 1;

/** One logged request as the log keeps it: the entry, and the model that answered it. */
export interface LoggedRequest extends RequestLogEntry {
  readonly modelName: string;
  /** the row id it had in the database before request logs moved to segments */
  readonly legacyId?: number;
}

/** What a frame says before its JSON. */
export interface FrameMeta {
  readonly offset: number;
  /** bytes of the whole frame */
  readonly length: number;
  readonly time: number;
  readonly rows: number;
  readonly status: number;
  readonly hasInputs: boolean;
}

/**
 * Where a frame's inputs are: records as JSON text, or the request's own JSON body
 * (`dataframe_split` or `dataframe_records`), kept as it came and turned into records when read —
 * so an endpoint logs a request without writing its rows out again.
 */
export type FrameInputs = string | { readonly body: string } | null;

/**
 * Where a frame's outputs are: JSON text, or the model's raw outputs (float32, a value per row or
 * a probability per class) that read back as the predictions the endpoint answered — a tenth of
 * the bytes of their JSON.
 */
export type FrameOutputs = string | { readonly raw: Float32Array; readonly classes: readonly string[] | null } | null;

/**
 * A frame for one logged request. Inputs and `outputsJson` are given as JSON text (the database
 * kept them so; a migration copies them without parsing).
 */
export function encodeFrame(request: Omit<LoggedRequest, 'inputs' | 'outputs'>, inputs: FrameInputs, outputs: FrameOutputs): Buffer {
  const inputsJson = typeof inputs === 'string' || inputs === null ? inputs : null;
  const head = JSON.stringify({
    m: request.modelName,
    v: request.version,
    l: request.latencyMs,
    ...(request.requestId === undefined ? {} : { id: request.requestId }),
    ...(request.error === undefined ? {} : { e: request.error }),
    ...(request.legacyId === undefined ? {} : { x: request.legacyId }),
  });
  const inputsPart = inputs !== null && typeof inputs === 'object' ? `"b":${inputs.body}` : `"i":${inputsJson ?? 'null'}`;
  const outputsPart =
    outputs !== null && typeof outputs === 'object'
      ? `"r":{"k":${JSON.stringify(outputs.classes)},"f":"${Buffer.from(outputs.raw.buffer, outputs.raw.byteOffset, outputs.raw.byteLength).toString('base64')}"}`
      : `"o":${outputs ?? 'null'}`;
  const json = Buffer.from(`${head.slice(0, -1)},${inputsPart},${outputsPart}}`, 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + json.length);
  frame.writeUInt32LE(FRAME_MAGIC, 0);
  frame.writeUInt32LE(json.length, 4);
  frame.writeDoubleLE(request.time, 12);
  frame.writeUInt32LE(Math.max(0, Math.min(0xffffffff, Math.floor(request.rows))), 20);
  frame.writeUInt16LE(Math.max(0, Math.min(0xffff, request.status)), 24);
  frame.writeUInt8(inputs === null ? 0 : HAS_INPUTS, 26);
  frame.writeUInt8(0, 27);
  json.copy(frame, FRAME_HEADER_BYTES);
  frame.writeUInt32LE(frameCrc(frame), 8);
  return frame;
}

/**
 * Whole frames laid end to end (as an endpoint process hands them over) cut into one buffer each,
 * with what the writer counts: the time and the rows answered (status 200 with inputs).
 */
export function splitFrames(bytes: Buffer): { frame: Buffer; time: number; answeredRows: number }[] {
  const frames: { frame: Buffer; time: number; answeredRows: number }[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    if (bytes.length - offset < FRAME_HEADER_BYTES || bytes.readUInt32LE(offset) !== FRAME_MAGIC) throw new Error(`request log frames: no frame at byte ${offset} of ${bytes.length}`);
    const length = FRAME_HEADER_BYTES + bytes.readUInt32LE(offset + 4);
    if (offset + length > bytes.length) throw new Error(`request log frames: the frame at byte ${offset} runs past the end`);
    const frame = bytes.subarray(offset, offset + length);
    const answered = frame.readUInt16LE(24) === 200 && (frame.readUInt8(26) & HAS_INPUTS) !== 0;
    frames.push({ frame, time: frame.readDoubleLE(12), answeredRows: answered ? frame.readUInt32LE(20) : 0 });
    offset += length;
  }
  return frames;
}

function frameCrc(frame: Uint8Array): number {
  return crc32(frame.subarray(12), crc32(frame.subarray(4, 8)));
}

/** The logged request in a whole frame's bytes. */
export function decodeFrame(frame: Buffer): LoggedRequest {
  const json = JSON.parse(frame.toString('utf8', FRAME_HEADER_BYTES)) as { m: string; v: number; l: number; id?: string; e?: string; x?: number; i?: Record<string, unknown>[] | null; b?: unknown; o?: unknown[] | null; r?: { k: string[] | null; f: string } };
  return {
    ...(json.id === undefined ? {} : { requestId: json.id }),
    time: frame.readDoubleLE(12),
    version: json.v,
    status: frame.readUInt16LE(24),
    latencyMs: json.l,
    rows: frame.readUInt32LE(20),
    inputs: json.b === undefined ? (json.i ?? null) : recordsOfBody(json.b),
    outputs: json.r === undefined ? (json.o ?? null) : outputsOfRaw(json.r.k, json.r.f),
    ...(json.e === undefined ? {} : { error: json.e }),
    modelName: json.m,
    ...(json.x === undefined ? {} : { legacyId: json.x }),
  };
}

/** The predictions raw float32 outputs stood for, as the endpoint answered them (JSON's null for a non-finite number). */
function outputsOfRaw(classes: readonly string[] | null, base64: string): unknown[] {
  const bytes = Buffer.from(base64, 'base64');
  const raw = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const value = (x: number): number | null => (Number.isFinite(x) ? x : null);
  if (classes === null) return Array.from(raw, value);
  const k = classes.length;
  const predictions: unknown[] = [];
  for (let base = 0; base + k <= raw.length; base += k) {
    let best = 0;
    const probabilities: Record<string, number | null> = {};
    for (let c = 0; c < k; c++) {
      probabilities[classes[c] as string] = value(raw[base + c] as number);
      if ((raw[base + c] as number) > (raw[base + best] as number)) best = c;
    }
    predictions.push({ label: classes[best], probabilities });
  }
  return predictions;
}

/** The records a logged request body stood for (its `dataframe_split` rows, or its `dataframe_records`). */
function recordsOfBody(body: unknown): Record<string, unknown>[] | null {
  const object = (body ?? {}) as { dataframe_split?: { columns: string[]; data: unknown[][] }; dataframe_records?: Record<string, unknown>[] };
  if (object.dataframe_records) return object.dataframe_records;
  const split = object.dataframe_split;
  if (!split) return null;
  return split.data.map((row) => {
    const record: Record<string, unknown> = {};
    split.columns.forEach((c, i) => (record[c] = row[i]));
    return record;
  });
}

export interface SegmentScan {
  /** frames in file order */
  readonly frames: number;
  /** where the last whole frame ends: appends go there (a torn tail after it is cut off) */
  readonly validEnd: number;
  /** bytes between whole frames that are not frames (damage skipped over) */
  readonly skippedBytes: number;
}

const WINDOW_BYTES = 4 * 1024 * 1024;

/**
 * Walks the whole frames of a segment from `from` (past the header) to `size`, a window at a
 * time: memory for one window and the largest frame, whatever the file's size.
 */
export function scanSegment(fd: number, size: number, from: number, onFrame: (meta: FrameMeta) => void): SegmentScan {
  let window = Buffer.allocUnsafe(Math.min(WINDOW_BYTES, Math.max(0, size - from)));
  let windowStart = 0;
  let windowLength = 0;
  const bytes = (position: number, length: number): Buffer => {
    const end = Math.min(size, position + length);
    if (position >= windowStart && end <= windowStart + windowLength) return window.subarray(position - windowStart, end - windowStart);
    const want = Math.min(size - position, Math.max(WINDOW_BYTES, end - position));
    if (window.length < want) window = Buffer.allocUnsafe(want);
    windowStart = position;
    windowLength = readFully(fd, window, want, position);
    return window.subarray(0, Math.min(windowLength, end - position));
  };
  const frameAt = (offset: number): FrameMeta | undefined => {
    if (size - offset < FRAME_HEADER_BYTES) return undefined;
    const header = bytes(offset, FRAME_HEADER_BYTES);
    if (header.length < FRAME_HEADER_BYTES || header.readUInt32LE(0) !== FRAME_MAGIC) return undefined;
    const jsonLength = header.readUInt32LE(4);
    if (jsonLength === 0 || jsonLength > MAX_FRAME_JSON_BYTES || offset + FRAME_HEADER_BYTES + jsonLength > size) return undefined;
    const length = FRAME_HEADER_BYTES + jsonLength;
    const frame = bytes(offset, length);
    if (frame.length < length || frameCrc(frame) !== frame.readUInt32LE(8)) return undefined;
    return { offset, length, time: frame.readDoubleLE(12), rows: frame.readUInt32LE(20), status: frame.readUInt16LE(24), hasInputs: (frame.readUInt8(26) & HAS_INPUTS) !== 0 };
  };
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(FRAME_MAGIC, 0);
  /** the next offset after `from` where a whole frame starts, if any */
  const resync = (start: number): number | undefined => {
    for (let at = start; at < size; ) {
      const slice = bytes(at, WINDOW_BYTES);
      if (slice.length === 0) return undefined;
      // Offsets first: checking a candidate may read elsewhere and reuse the window's buffer.
      const found: number[] = [];
      for (let i = slice.indexOf(magic); i >= 0; i = slice.indexOf(magic, i + 1)) found.push(at + i);
      const sliceLength = slice.length;
      for (const candidate of found) if (frameAt(candidate)) return candidate;
      if (at + sliceLength >= size) return undefined;
      at += sliceLength - 3; // a magic split across two slices is found in the next one
    }
    return undefined;
  };
  let offset = from;
  let validEnd = from;
  let frames = 0;
  let skippedBytes = 0;
  while (offset < size) {
    const meta = frameAt(offset);
    if (!meta) {
      const next = resync(offset + 1);
      if (next === undefined) break; // a torn tail
      skippedBytes += next - offset;
      offset = next;
      continue;
    }
    frames++;
    onFrame(meta);
    offset += meta.length;
    validEnd = offset;
  }
  return { frames, validEnd, skippedBytes };
}
