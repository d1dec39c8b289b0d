/**
 * A KLL quantile sketch (Karnin, Lang, Liberty 2016): compactors whose capacity shrinks by 2/3
 * per level down from the top; rank error ≈ 1.7/k. Until the first compaction it holds every
 * value, so small columns get exact quantiles. Hand-written: no npm package was cleared for
 * this; @datadog/sketches-js (DDSketch) would be the candidate to replace it.
 *
 * Speed: level 0 is an unsorted buffer of at least k values (the textbook shrinking level-0
 * compactor of 8 items meant a sort every 8 values, the profiler's hottest function); levels
 * above it are kept sorted, so a compaction sorts only level 0 and merges linearly upwards.
 * A bigger level 0 only lowers the rank error. Sketches merge (parallel profiling).
 */
import { sortFloat64 } from './float64QuickSort';

/** A sketch as plain data, to cross a worker boundary (structured clone). */
export interface KllState {
  k: number;
  count: number;
  seed: number;
  levels: Float64Array[];
}

export class KllSketch {
  private levels: Float64Array[] = [new Float64Array(64)];
  private sizes: number[] = [0];
  private count = 0;
  private seed = 0x2545f491;
  private level0Capacity: number;
  private scratch: Float64Array = new Float64Array(0);

  constructor(private readonly k = 256) {
    this.level0Capacity = this.capacity(0);
  }

  get n(): number {
    return this.count;
  }

  add(value: number): void {
    this.count++;
    let size = this.sizes[0]!;
    if (size >= this.level0Capacity) {
      this.compress();
      size = this.sizes[0]!;
    }
    let level0 = this.levels[0]!;
    if (size === level0.length) level0 = this.ensure(0, 1);
    level0[size] = value;
    this.sizes[0] = size + 1;
  }

  /** Adds every value of `other` (rank error stays that of one sketch over all the values). */
  merge(other: KllSketch): void {
    this.count += other.count;
    for (let h = 0; h < other.levels.length; h++) {
      const size = other.sizes[h]!;
      if (size === 0) continue;
      while (this.levels.length <= h) this.addLevel();
      if (h === 0) {
        const level0 = this.ensure(0, size);
        level0.set(other.levels[0]!.subarray(0, size), this.sizes[0]!);
        this.sizes[0]! += size;
      } else this.mergeSorted(h, other.levels[h]!, 0, size, 1);
    }
    this.level0Capacity = this.capacity(0);
    // a sketch may hold exactly its capacity (as a single pass does before its next value)
    while (this.levels.some((_, h) => this.sizes[h]! > (h === 0 ? this.level0Capacity : this.capacity(h)))) this.compress();
  }

  toState(): KllState {
    return { k: this.k, count: this.count, seed: this.seed, levels: this.levels.map((buf, h) => buf.slice(0, this.sizes[h]!)) };
  }

  static fromState(state: KllState): KllSketch {
    const sketch = new KllSketch(state.k);
    sketch.count = state.count;
    sketch.seed = state.seed;
    sketch.levels = state.levels.map((l) => (l.length > 0 ? Float64Array.from(l) : new Float64Array(8)));
    sketch.sizes = state.levels.map((l) => l.length);
    sketch.level0Capacity = sketch.capacity(0);
    return sketch;
  }

  private capacity(level: number): number {
    const height = this.levels.length;
    const c = Math.max(8, Math.ceil(this.k * (2 / 3) ** (height - 1 - level)));
    return level === 0 ? Math.max(c, this.k) : c;
  }

  private addLevel(): void {
    this.levels.push(new Float64Array(this.k));
    this.sizes.push(0);
    this.level0Capacity = this.capacity(0);
  }

  private random(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed & 1;
  }

  private compress(): void {
    for (let h = 0; h < this.levels.length; h++) {
      const size = this.sizes[h]!;
      if (size < this.capacity(h)) continue;
      if (h + 1 === this.levels.length) this.addLevel();
      const items = this.levels[h]!;
      if (h === 0) sortFloat64(items, 0, size);
      const offset = this.random();
      const pairs = size - (size % 2);
      // every other item of the sorted run moves up with twice the weight
      this.mergeSorted(h + 1, items, offset, pairs, 2);
      if (size % 2 === 1) items[0] = items[size - 1]!;
      this.sizes[h] = size % 2;
    }
    this.level0Capacity = this.capacity(0);
  }

  /** Merges the sorted items from[start], from[start+step], … (< end) into sorted level `level`. */
  private mergeSorted(level: number, from: Float64Array, start: number, end: number, step: number): void {
    const a = this.levels[level]!;
    const aSize = this.sizes[level]!;
    const incoming = start < end ? Math.ceil((end - start) / step) : 0;
    const total = aSize + incoming;
    if (this.scratch.length < total) this.scratch = new Float64Array(Math.max(total, this.k * 2));
    const out = this.scratch;
    let i = 0;
    let j = start;
    let o = 0;
    while (i < aSize && j < end) {
      const x = a[i]!;
      const y = from[j]!;
      if (x <= y) {
        out[o++] = x;
        i++;
      } else {
        out[o++] = y;
        j += step;
      }
    }
    while (i < aSize) out[o++] = a[i++]!;
    while (j < end) {
      out[o++] = from[j]!;
      j += step;
    }
    // the merged run becomes the level; the old level buffer is the next scratch
    this.scratch = a.length >= this.k ? a : new Float64Array(this.k * 2);
    this.levels[level] = out;
    this.sizes[level] = total;
  }

  private ensure(level: number, extra: number): Float64Array {
    const buf = this.levels[level]!;
    const need = this.sizes[level]! + extra;
    if (need <= buf.length) return buf;
    const bigger = new Float64Array(Math.max(need, buf.length * 2));
    bigger.set(buf.subarray(0, this.sizes[level]!));
    this.levels[level] = bigger;
    return bigger;
  }

  /** Whether every value is still held (quantiles are then exact). */
  get exact(): boolean {
    return this.levels.length === 1;
  }

  /**
   * Quantiles at `ps` (0..1). Exact sketches interpolate linearly between order statistics
   * (numpy's default, "type 7"); compacted ones return the weighted item at that rank.
   */
  quantiles(ps: readonly number[]): number[] {
    if (this.count === 0) return ps.map(() => NaN);
    if (this.exact) {
      const sorted = this.levels[0]!.slice(0, this.sizes[0]!).sort();
      return ps.map((p) => {
        const h = (sorted.length - 1) * p;
        const lo = Math.floor(h);
        const hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
      });
    }
    const items: { v: number; w: number }[] = [];
    this.levels.forEach((buf, h) => {
      const w = 2 ** h;
      for (let i = 0; i < this.sizes[h]!; i++) items.push({ v: buf[i]!, w });
    });
    items.sort((a, b) => a.v - b.v);
    const total = items.reduce((s, it) => s + it.w, 0);
    return ps.map((p) => {
      const target = p * total;
      let cumulative = 0;
      for (const it of items) {
        cumulative += it.w;
        if (cumulative >= target) return it.v;
      }
      return items[items.length - 1]!.v;
    });
  }
}
