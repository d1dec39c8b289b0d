/** Reading numbers and hashes straight from CSV bytes, without building strings. */

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * The number in buf[start, end), or NaN when it is not a plain decimal number. The fast path
 * (≤ 15 significant digits, exponent within ±22) is exact: an integer mantissa times or divided by
 * an exact power of ten rounds once. Anything else goes through Number().
 */
export function parseNumberBytes(buf: Buffer, start: number, end: number): number {
  return storeNumberBytes(buf, start, end, scratchNumber, 0) ? scratchNumber[0]! : NaN;
}

const scratchNumber = new Float64Array(1);

/**
 * parseNumberBytes writing into `out[index]` and answering whether buf[start, end) was a plain
 * decimal number (the value may then still be ±Infinity, from an exponent too large). A typed
 * column stores millions of these: returning a double from a call that is not inlined boxes it.
 */
export function storeNumberBytes(buf: Buffer, start: number, end: number, out: Float64Array, index: number): boolean {
  let p = start;
  while (p < end && buf[p] === 32) p++;
  while (end > p && buf[end - 1] === 32) end--;
  if (p === end) return false;
  let negative = false;
  let c = buf[p]!;
  if (c === 45 || c === 43) {
    negative = c === 45;
    p++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let any = false;
  while (p < end) {
    c = buf[p]!;
    if (c < 48 || c > 57) break;
    mantissa = mantissa * 10 + (c - 48);
    if (mantissa !== 0) digits++;
    any = true;
    p++;
  }
  if (p < end && buf[p] === 46) {
    p++;
    while (p < end) {
      c = buf[p]!;
      if (c < 48 || c > 57) break;
      mantissa = mantissa * 10 + (c - 48);
      if (mantissa !== 0) digits++;
      scale--;
      any = true;
      p++;
    }
  }
  if (!any) return false;
  if (p < end && (buf[p] === 101 || buf[p] === 69)) {
    p++;
    let expNegative = false;
    if (p < end && (buf[p] === 45 || buf[p] === 43)) {
      expNegative = buf[p] === 45;
      p++;
    }
    let exp = 0;
    let expDigits = 0;
    while (p < end) {
      c = buf[p]!;
      if (c < 48 || c > 57) break;
      exp = exp * 10 + (c - 48);
      expDigits++;
      p++;
    }
    if (expDigits === 0) return false;
    scale += expNegative ? -exp : exp;
  }
  if (p !== end) return false;
  if (digits <= 15 && scale >= -22 && scale <= 22) {
    const value = scale < 0 ? mantissa / POW10[-scale]! : mantissa * POW10[scale]!;
    out[index] = negative ? -value : value;
    return true;
  }
  out[index] = Number(buf.toString('latin1', start, end).trim());
  return true;
}

/** Cells that mean "no value" besides the empty cell. */
const MISSING_TOKENS = new Set(['NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '#N/A', '-', '?']);

export function isMissingText(text: string): boolean {
  return text === '' || MISSING_TOKENS.has(text.trim()) || text.trim() === '';
}

/** Whether buf[start, end) is a missing-value token (checked only after a number failed to parse or for text). */
export function isMissingBytes(buf: Buffer, start: number, end: number): boolean {
  // an empty cell is missing (buf[start] would be the next delimiter, not part of the cell)
  if (end <= start) return true;
  const first = buf[start]!;
  // every token starts with one of: space N n - ? #
  if (first !== 32 && first !== 78 && first !== 110 && first !== 45 && first !== 63 && first !== 35) return false;
  if (end - start > 4) {
    for (let p = start; p < end; p++) if (buf[p] !== 32) return false;
    return true;
  }
  return isMissingText(buf.toString('latin1', start, end));
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 53-bit hash of buf[start, end) (two 32-bit FNV-style lanes, mixed): collisions are negligible below billions of values. */
export function hashBytes(buf: Buffer, start: number, end: number): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  // two bytes a step (row hashes cover every byte of a file: half the multiplies)
  let p = start;
  for (; p + 1 < end; p += 2) {
    const c = buf[p]! | (buf[p + 1]! << 8);
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  if (p < end) {
    const c = buf[p]!;
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  a = fmix32(a ^ (end - start));
  b = fmix32(b + end - start);
  return (a & 0x1fffff) * 4294967296 + b;
}

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

const halves = new Uint32Array(2);

/** A 53-bit hash of a number's bits (so 1 and 1.0 hash alike, -0 and 0 too). */
export function hashNumber(value: number): number {
  hashNumberHalves(value, halves);
  return halves[0]! * 4294967296 + halves[1]!;
}

/** hashNumber(value) as its top 21 bits (out[0]) and low 32 bits (out[1]), without building the 53-bit float. */
export function hashNumberHalves(value: number, out: Uint32Array): void {
  scratch[0] = value === 0 ? 0 : value;
  const lo = scratchWords[0]!;
  const hi = scratchWords[1]!;
  // two finalizer rounds (not four): each lane mixes both words through a multiply first
  out[0] = fmix32(lo ^ Math.imul(hi ^ 0x9e3779b9, 0xcc9e2d51)) & 0x1fffff;
  out[1] = fmix32(hi ^ Math.imul(lo + 0x7f4a7c15, 0x1b873593));
}

/** The same hash as hashBytes for a string's UTF-8 bytes. */
export function hashText(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return hashBytes(bytes, 0, bytes.length);
}
