/**
 * Ascending LSD radix sort of finite/infinite doubles (no NaN): six 11-bit passes over the IEEE-754
 * bits mapped to unsigned order, with all six histograms counted in one read. ~25% faster than
 * Float64Array#sort at 100k–1M values, which is most of a drift report's time.
 */
const BITS = 11;
const BUCKETS = 1 << BITS;
const MASK = BUCKETS - 1;
/** Below this size the native sort wins (histogram set-up dominates). */
const RADIX_MIN = 4096;

function bump(counts: Uint32Array, slot: number): void {
  counts[slot] = (counts[slot] as number) + 1;
}

export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_MIN) return values.sort();
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  const counts = new Uint32Array(BUCKETS * 6);
  for (let i = 0; i < n; i++) {
    let l = words[2 * i] as number;
    let h = words[2 * i + 1] as number;
    // Negative numbers: flip every bit; positive: flip the sign bit. Unsigned order = numeric order.
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else {
      h = (h | 0x80000000) >>> 0;
    }
    lo[i] = l;
    hi[i] = h;
    bump(counts, l & MASK);
    bump(counts, BUCKETS + ((l >>> BITS) & MASK));
    bump(counts, 2 * BUCKETS + ((l >>> (2 * BITS)) | ((h & 1) << 10)));
    bump(counts, 3 * BUCKETS + ((h >>> 1) & MASK));
    bump(counts, 4 * BUCKETS + ((h >>> (1 + BITS)) & MASK));
    bump(counts, 5 * BUCKETS + (h >>> (1 + 2 * BITS)));
  }
  let outLo = new Uint32Array(n);
  let outHi = new Uint32Array(n);
  for (let pass = 0; pass < 6; pass++) {
    const base = pass * BUCKETS;
    let sum = 0;
    let trivial = false;
    for (let b = 0; b < BUCKETS; b++) {
      const c = counts[base + b] as number;
      if (c === n) trivial = true;
      counts[base + b] = sum;
      sum += c;
    }
    if (trivial) continue;
    // One specialised loop per digit position: V8 keeps each monomorphic and branch-free.
    if (pass === 2) {
      for (let i = 0; i < n; i++) {
        const l = lo[i] as number;
        const h = hi[i] as number;
        const slot = base + ((l >>> (2 * BITS)) | ((h & 1) << 10));
        const at = counts[slot] as number;
        counts[slot] = at + 1;
        outLo[at] = l;
        outHi[at] = h;
      }
    } else {
      const key = pass < 2 ? lo : hi;
      const shift = pass < 2 ? pass * BITS : 1 + (pass - 3) * BITS;
      for (let i = 0; i < n; i++) {
        const slot = base + (((key[i] as number) >>> shift) & MASK);
        const at = counts[slot] as number;
        counts[slot] = at + 1;
        outLo[at] = lo[i] as number;
        outHi[at] = hi[i] as number;
      }
    }
    [lo, outLo] = [outLo, lo];
    [hi, outHi] = [outHi, hi];
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i] as number;
    const l = lo[i] as number;
    if (h & 0x80000000) {
      words[2 * i + 1] = (h & 0x7fffffff) >>> 0;
      words[2 * i] = l;
    } else {
      words[2 * i + 1] = ~h >>> 0;
      words[2 * i] = ~l >>> 0;
    }
  }
  return values;
}
