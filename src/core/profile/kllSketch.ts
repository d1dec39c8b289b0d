/**
 * A KLL quantile sketch (Karnin, Lang, Liberty 2016): compactors whose capacity shrinks by 2/3
 * per level down from the top; rank error ≈ 1.7/k. Until the first compaction it holds every
 * value, so small columns get exact quantiles. Hand-written: no npm package was cleared for
 * this; @datadog/sketches-js (DDSketch) would be the candidate to replace it.
 *
 * Speed (sorting was the profiler's hottest function): the lowest compactor is an unsorted
 * buffer of at least k values and the levels above it are kept sorted, so a compaction sorts
 * one buffer and merges linearly upwards. Once the sketch is tall, the bottom levels (those at
 * the minimum capacity) are replaced by a sampler, as in the paper: one value chosen at random
 * from each block of 2^base values enters level `base` with weight 2^base, so most values cost
 * a counter step. Sketches merge (parallel profiling) with the same error bound.
 */
import { sortFloat64 } from './float64QuickSort';

/** Levels this far below the top keep the minimum capacity, so they are sampled instead. */
const SAMPLED_DEPTH = 10;

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
  /** the level new values enter (unsorted); every other level is sorted */
  private base = 0;
  private baseCapacity: number;
  private blockSize = 1;
  private blockPos = 0;
  private blockPick = 0;
  private scratch: Float64Array = new Float64Array(0);

  constructor(private readonly k = 256) {
    this.baseCapacity = this.capacity(0);
  }

  get n(): number {
    return this.count;
  }

  add(value: number): void {
    this.count++;
    if (this.blockSize > 1) {
      const pos = this.blockPos++;
      if (this.blockPos === this.blockSize) {
        this.blockPos = 0;
        this.blockPick = this.randomBelow(this.blockSize);
      }
      if (pos !== this.blockPick) return;
    }
    const b = this.base;
    let size = this.sizes[b]!;
    if (size >= this.baseCapacity) {
      this.compress();
      size = this.sizes[this.base]!;
    }
    const h = this.base;
    let buf = this.levels[h]!;
    if (size === buf.length) buf = this.ensure(h, 1);
    buf[size] = value;
    this.sizes[h] = size + 1;
  }

  /** Adds every value of `other` (rank error stays that of one sketch over all the values). */
  merge(other: KllSketch): void {
    this.count += other.count;
    for (let h = 0; h < other.levels.length; h++) {
      const size = other.sizes[h]!;
      if (size === 0) continue;
      while (this.levels.length <= h) this.addLevel();
      let from = other.levels[h]!;
      if (h === other.base) {
        from = from.slice(0, size);
        sortFloat64(from, 0, size);
      }
      if (h === this.base) {
        const buf = this.ensure(h, size);
        buf.set(from.subarray(0, size), this.sizes[h]!);
        this.sizes[h]! += size;
      } else this.mergeSorted(h, from, 0, size, 1);
    }
    // a sketch may hold exactly its capacity (as a single pass does before its next value)
    while (this.levels.some((_, h) => this.sizes[h]! > (h === this.base ? this.baseCapacity : this.capacity(h)))) this.compress();
  }

  toState(): KllState {
    // the unsorted level is sent sorted, so every level of a state is sorted
    const levels = this.levels.map((buf, h) => buf.slice(0, this.sizes[h]!));
    sortFloat64(levels[this.base]!, 0, levels[this.base]!.length);
    return { k: this.k, count: this.count, seed: this.seed, levels };
  }

  static fromState(state: KllState): KllSketch {
    const sketch = new KllSketch(state.k);
    sketch.count = state.count;
    sketch.seed = state.seed;
    sketch.levels = state.levels.map((l) => (l.length > 0 ? Float64Array.from(l) : new Float64Array(8)));
    sketch.sizes = state.levels.map((l) => l.length);
    sketch.updateBase();
    return sketch;
  }

  private capacity(level: number): number {
    const height = this.levels.length;
    const c = Math.max(8, Math.ceil(this.k * (2 / 3) ** (height - 1 - level)));
    return level === this.base ? Math.max(c, this.k) : c;
  }

  private addLevel(): void {
    this.levels.push(new Float64Array(this.k));
    this.sizes.push(0);
    this.updateBase();
  }

  /** Moves the entry level up as the sketch grows (levels below it keep what they hold, sorted). */
  private updateBase(): void {
    const base = Math.max(0, this.levels.length - SAMPLED_DEPTH);
    if (base !== this.base) {
      const old = this.base;
      sortFloat64(this.levels[old]!, 0, this.sizes[old]!);
      // the new entry level is sorted already, which an unsorted level tolerates
      this.base = base;
      this.blockSize = 2 ** base;
      this.blockPos = 0;
      this.blockPick = this.randomBelow(this.blockSize);
    }
    this.baseCapacity = this.capacity(this.base);
  }

  private nextSeed(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  }

  private randomBelow(n: number): number {
    return n === 1 ? 0 : Math.floor((this.nextSeed() / 4294967296) * n);
  }

  private compress(): void {
    for (let h = 0; h < this.levels.length; h++) {
      const size = this.sizes[h]!;
      if (size < this.capacity(h)) continue;
      if (h + 1 === this.levels.length) this.addLevel();
      const items = this.levels[h]!;
      if (h === this.base) sortFloat64(items, 0, size);
      const offset = this.nextSeed() & 1;
      const pairs = size - (size % 2);
      // every other item of the sorted run moves up with twice the weight
      this.mergeSorted(h + 1, items, offset, pairs, 2);
      if (size % 2 === 1) items[0] = items[size - 1]!;
      this.sizes[h] = size % 2;
    }
    this.baseCapacity = this.capacity(this.base);
  }

  /** Merges the sorted items from[start], from[start+step], … (< end) into sorted level `level`. */
  private mergeSorted(level: number, from: Float64Array, start: number, end: number, step: number): void {
    const a = this.levels[level]!;
    const aSize = this.sizes[level]!;
    if (level === this.base) sortFloat64(a, 0, aSize);
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
