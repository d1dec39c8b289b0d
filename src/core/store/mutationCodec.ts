import type { SqlValue } from 'sql.js';

/** One SQL statement of a mutation; parameters are positional. */
export interface SqlStatement {
  readonly sql: string;
  readonly params?: readonly SqlValue[];
}

/** Bytes appended to a file of the store (series files), relative to the store folder. */
export interface FileAppend {
  readonly file: string;
  readonly bytes: Uint8Array;
}

/** What one journal record carries: applied together on replay, or not at all. */
export interface Mutation {
  readonly statements: readonly SqlStatement[];
  readonly appends?: readonly FileAppend[];
}

const FORMAT_VERSION = 1;

// JSON cannot carry NaN, ±Infinity or bytes; they travel as tagged objects.
function encodeValue(value: SqlValue | undefined): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return { $n: String(value) };
  if (value instanceof Uint8Array) return { $b: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  return value ?? null;
}

function decodeValue(value: unknown): SqlValue {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'object') {
    const tagged = value as { $n?: string; $b?: string };
    if (tagged.$n !== undefined) return Number(tagged.$n);
    if (tagged.$b !== undefined) return new Uint8Array(Buffer.from(tagged.$b, 'base64'));
  }
  throw new Error(`journal: unexpected parameter ${JSON.stringify(value)}`);
}

/** Layout: u8 version | u32 json length | json [[sql, params], …] | u32 appends | (u16 name length | name | u32 length | bytes)… */
export function encodeMutation(mutation: Mutation): Buffer {
  const json = Buffer.from(JSON.stringify(mutation.statements.map((s) => [s.sql, (s.params ?? []).map(encodeValue)])), 'utf8');
  const appends = mutation.appends ?? [];
  let size = 1 + 4 + json.length + 4;
  const names = appends.map((a) => Buffer.from(a.file, 'utf8'));
  appends.forEach((a, i) => {
    size += 2 + (names[i] as Buffer).length + 4 + a.bytes.length;
  });
  const out = Buffer.allocUnsafe(size);
  let at = out.writeUInt8(FORMAT_VERSION, 0);
  at = out.writeUInt32LE(json.length, at);
  at += json.copy(out, at);
  at = out.writeUInt32LE(appends.length, at);
  appends.forEach((a, i) => {
    const name = names[i] as Buffer;
    at = out.writeUInt16LE(name.length, at);
    at += name.copy(out, at);
    at = out.writeUInt32LE(a.bytes.length, at);
    out.set(a.bytes, at);
    at += a.bytes.length;
  });
  return out;
}

export function decodeMutation(payload: Buffer): Mutation {
  const version = payload.readUInt8(0);
  if (version !== FORMAT_VERSION) throw new Error(`journal record format ${version} is not supported (written by a newer version?)`);
  let at = 1;
  const jsonLength = payload.readUInt32LE(at);
  at += 4;
  const raw = JSON.parse(payload.toString('utf8', at, at + jsonLength)) as [string, unknown[]][];
  at += jsonLength;
  const statements: SqlStatement[] = raw.map(([sql, params]) => ({ sql, params: params.map(decodeValue) }));
  const count = payload.readUInt32LE(at);
  at += 4;
  const appends: FileAppend[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = payload.readUInt16LE(at);
    at += 2;
    const file = payload.toString('utf8', at, at + nameLength);
    at += nameLength;
    const length = payload.readUInt32LE(at);
    at += 4;
    appends.push({ file, bytes: payload.subarray(at, at + length) });
    at += length;
  }
  return { statements, appends };
}
