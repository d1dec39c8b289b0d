import * as zlib from 'node:zlib';

// CRC-32 (IEEE 802.3, the one zlib and zip use), slicing-by-8 so that checking a 100 MB snapshot
// costs a fraction of a second rather than seconds.
const TABLES: Uint32Array[] = buildTables();

function buildTables(): Uint32Array[] {
  const tables: Uint32Array[] = [];
  const first = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    first[n] = c >>> 0;
  }
  tables.push(first);
  for (let t = 1; t < 8; t++) {
    const previous = tables[t - 1] as Uint32Array;
    const table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      const p = previous[n] as number;
      table[n] = ((p >>> 8) ^ (first[p & 0xff] as number)) >>> 0;
    }
    tables.push(table);
  }
  return tables;
}

type NativeCrc32 = (data: Uint8Array, value?: number) => number;
// Node >= 20.15 has a native CRC-32 (about 10x faster); older hosts use the table version below.
const nativeCrc32: NativeCrc32 | undefined = (zlib as { crc32?: NativeCrc32 }).crc32;

/** CRC-32 of `bytes`, continuing from `previous` (the CRC of the bytes before them, 0 to start). */
export function crc32(bytes: Uint8Array, previous = 0): number {
  if (!nativeCrc32) return crc32Portable(bytes, previous);
  // zlib takes a 32-bit length: larger arrays go through in slices.
  let crc = previous;
  for (let at = 0; at < bytes.length; at += NATIVE_SLICE_BYTES) crc = nativeCrc32(bytes.subarray(at, at + NATIVE_SLICE_BYTES), crc);
  return crc;
}

const NATIVE_SLICE_BYTES = 1 << 30;

/** The portable implementation, exported so tests can check it agrees with the native one. */
export function crc32Portable(bytes: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let crc = ~previous >>> 0;
  let i = 0;
  const n = bytes.length;
  const end8 = n - (n % 8);
  while (i < end8) {
    const a = (crc ^ ((bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24))) >>> 0;
    crc =
      (t7[a & 0xff] as number) ^
      (t6[(a >>> 8) & 0xff] as number) ^
      (t5[(a >>> 16) & 0xff] as number) ^
      (t4[a >>> 24] as number) ^
      (t3[bytes[i + 4] as number] as number) ^
      (t2[bytes[i + 5] as number] as number) ^
      (t1[bytes[i + 6] as number] as number) ^
      (t0[bytes[i + 7] as number] as number);
    i += 8;
  }
  while (i < n) {
    crc = (t0[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
    i++;
  }
  return ~crc >>> 0;
}
