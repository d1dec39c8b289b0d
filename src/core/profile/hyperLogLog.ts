/** HyperLogLog distinct-count estimate (Flajolet et al. 2007, with the small-range correction). */
const P = 14;
const M = 1 << P;
const ALPHA = 0.7213 / (1 + 1.079 / M);

export class HyperLogLog {
  private readonly registers = new Uint8Array(M);

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
