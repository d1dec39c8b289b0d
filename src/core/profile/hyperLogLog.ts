/** HyperLogLog distinct-count estimate (Flajolet et al. 2007, with the small-range correction). */
const P = 14;
const M = 1 << P;
const ALPHA = 0.7213 / (1 + 1.079 / M);

export class HyperLogLog {
  constructor(private readonly registers: Uint8Array = new Uint8Array(M)) {}

  /** The registers (to send a sketch across a worker boundary). */
  get state(): Uint8Array {
    return this.registers;
  }

  /** The union: the same registers as one sketch fed both streams. */
  merge(other: HyperLogLog): void {
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < M; i++) if (b[i]! > a[i]!) a[i] = b[i]!;
  }

  /** `hash` is a 53-bit hash (byteCells.ts): its low bits pick the register, its high bits give the rank. */
  add(hash: number): void {
    const index = hash & (M - 1);
    const high = Math.floor(hash / 2097152) >>> 0; // the top 32 bits of 53
    const rank = Math.clz32(high) + 1;
    if (rank > this.registers[index]!) this.registers[index] = rank;
  }

  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      const r = this.registers[i]!;
      sum += 1 / 2 ** r;
      if (r === 0) zeros++;
    }
    const raw = (ALPHA * M * M) / sum;
    if (raw <= 2.5 * M && zeros > 0) return Math.round(M * Math.log(M / zeros));
    return Math.round(raw);
  }
}
