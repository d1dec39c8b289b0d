/** HyperLogLog distinct-count estimate (Flajolet et al. 2007, with the small-range correction). */
import { hashNumberHalves } from './byteCells';

// bound once: tsx's CommonJS interop makes each call of an imported function a getter call
const halvesOf = hashNumberHalves;
const P = 14;
const M = 1 << P;
const ALPHA = 0.7213 / (1 + 1.079 / M);

export class HyperLogLog {
  private readonly halves = new Uint32Array(2);

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

  /**
   * The same as add(hashNumber(value)) without building and splitting the 53-bit float: the
   * register is the low bits, the rank comes from the top 32 bits of 53.
   */
  addNumber(value: number): void {
    const h = this.halves;
    halvesOf(value, h);
    const low = h[1]!;
    const index = low & (M - 1);
    const rank = Math.clz32(((h[0]! << 11) | (low >>> 21)) >>> 0) + 1;
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
