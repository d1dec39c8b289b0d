/**
 * A KLL quantile sketch (Karnin, Lang, Liberty 2016): compactors whose capacity shrinks by 2/3
 * per level down from the top; rank error ≈ 1.7/k. Until the first compaction it holds every
 * value, so small columns get exact quantiles. Hand-written: no npm package was cleared for
 * this; @datadog/sketches-js (DDSketch) would be the candidate to replace it.
 */
import { sortFloat64 } from './float64QuickSort';

export class KllSketch {
  private levels: Float64Array[] = [new Float64Array(64)];
  private sizes: number[] = [0];
  private count = 0;
  private seed = 0x2545f491;

  constructor(private readonly k = 256) {}

  get n(): number {
    return this.count;
  }

  add(value: number): void {
    this.count++;
    let level0 = this.levels[0]!;
    const size = this.sizes[0]!;
    if (size === level0.length) {
      if (size < this.capacity(0)) {
        const bigger = new Float64Array(Math.min(this.capacity(0), size * 2));
        bigger.set(level0);
        this.levels[0] = level0 = bigger;
      } else {
        this.compress();
        this.add0(value);
        return;
      }
    }
    level0[size] = value;
    this.sizes[0] = size + 1;
  }

  private add0(value: number): void {
    const level0 = this.levels[0]!;
    level0[this.sizes[0]!] = value;
    this.sizes[0] = this.sizes[0]! + 1;
  }

  private capacity(level: number): number {
    const height = this.levels.length;
    return Math.max(8, Math.ceil(this.k * (2 / 3) ** (height - 1 - level)));
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
      if (h + 1 === this.levels.length) {
        this.levels.push(new Float64Array(this.k));
        this.sizes.push(0);
      }
      const items = this.levels[h]!;
      sortFloat64(items, 0, size);
      const offset = this.random();
      const pairs = size - (size % 2);
      const next = this.ensure(h + 1, Math.ceil(pairs / 2));
      let nextSize = this.sizes[h + 1]!;
      for (let i = offset; i < pairs; i += 2) next[nextSize++] = items[i]!;
      this.sizes[h + 1] = nextSize;
      const level = this.levels[h]!;
      if (size % 2 === 1) level[0] = items[size - 1]!;
      this.sizes[h] = size % 2;
    }
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
