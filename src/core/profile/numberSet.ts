/**
 * A set of numbers (no NaN) in an open-addressing Float64Array: the exact distinct count of a
 * column adds every cell until 10,000 distinct values, and a JS Set<number> costs ~4× more per
 * add (its keys are boxed doubles). Keys compare with ===, so 0 and -0 are one value, like Set.
 */
const EMPTY = NaN;

const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);

export class NumberSet {
  private keys = new Float64Array(64).fill(EMPTY);
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(value: number): void {
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = slotOf(value) & mask;
    for (;;) {
      const k = keys[i]!;
      if (k === value) return;
      if (k !== k) break;
      i = (i + 1) & mask;
    }
    keys[i] = value;
    // grow at half full: probes stay short
    if (++this.count * 2 > keys.length) this.grow();
  }

  /** The values, in no particular order. */
  values(): Float64Array {
    const out = new Float64Array(this.count);
    let o = 0;
    for (const k of this.keys) if (k === k) out[o++] = k;
    return out;
  }

  private grow(): void {
    const old = this.keys;
    const keys = new Float64Array(old.length * 2).fill(EMPTY);
    const mask = keys.length - 1;
    for (const k of old) {
      if (k !== k) continue;
      let i = slotOf(k) & mask;
      while (keys[i] === keys[i]) i = (i + 1) & mask;
      keys[i] = k;
    }
    this.keys = keys;
  }
}

function slotOf(value: number): number {
  scratch[0] = value === 0 ? 0 : value;
  const h = Math.imul(words[0]! ^ Math.imul(words[1]!, 0x9e3779b1), 0x85ebca6b);
  return h ^ (h >>> 15);
}
