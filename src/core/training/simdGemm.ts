/**
 * Matrix product for the built-in trainer: C = P·Q (row-major float32, P: M×K, Q: K×N, C: M×N),
 * all three living in one WebAssembly memory. The bulk runs in a small WebAssembly SIMD kernel
 * generated below: 4×8 output blocks, eight f32x4 accumulators, each P value broadcast once per
 * k — 20–35 GFLOP/s here versus ~4 for the best scalar JavaScript loop and ~2 achieved by
 * tfjs-wasm's per-op pipeline (perf notes). Edge rows and columns are done in JavaScript.
 */

export interface Arena {
  readonly memory: WebAssembly.Memory;
  /** a zeroed float32 view of `length` values, 16-byte aligned */
  alloc(length: number): Float32Array;
}

export type Gemm = (P: Float32Array, Q: Float32Array, C: Float32Array, M: number, N: number, K: number) => void;

export interface GemmKernels {
  /** C = P·Q, P row-major M×K */
  readonly gemm: Gemm;
  /** C = Pᵀ·Q with P stored K×M (a weight gradient Aᵀ·dZ without transposing A) */
  readonly gemmTN: Gemm;
  /** out[r, u] = max(out[r, u] + b[u], 0) */
  readonly biasRelu: (out: Float32Array, b: Float32Array, rows: number, units: number) => void;
  /** gz[i] = a[i] > 0 ? gz[i] : 0 (back through a ReLU, from its output) */
  readonly reluBackward: (gz: Float32Array, a: Float32Array, n: number) => void;
  /** out[c] = Σ_r m[r, c] */
  readonly columnSums: (out: Float32Array, m: Float32Array, rows: number, cols: number) => void;
  readonly simd: boolean;
}

/** Reserves memory for `floats` values (plus alignment slack); views are never invalidated (no growth). */
export function createArena(floats: number, views: number): Arena {
  const bytes = floats * 4 + views * 16 + 64;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
  let offset = 0;
  return {
    memory,
    alloc: (length) => {
      const view = new Float32Array(memory.buffer, offset, length);
      offset += Math.ceil((length * 4) / 16) * 16;
      if (offset > memory.buffer.byteLength) throw new Error('arena exhausted (size estimate too small)');
      return view;
    },
  };
}

/** The products over an arena: SIMD when the runtime supports WebAssembly SIMD (Node ≥ 16.4 does), else JavaScript. */
export function makeGemm(arena: Arena): GemmKernels {
  const bytes = kernelBytes();
  if (!WebAssembly.validate(bytes)) {
    return { gemm: gemmJs, gemmTN: (P, Q, C, M, N, K) => edge(P, Q, C, 0, M, 0, N, M, N, K, true), biasRelu: biasReluJs, reluBackward: (gz, a, n) => reluBackwardJs(gz, a, 0, n), columnSums: (out, m, rows, cols) => columnSumsJs(out, m, rows, cols, 0), simd: false };
  }
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: arena.memory } });
  type Kernel = (p: number, q: number, c: number, m: number, n: number, k: number) => void;
  type Elementwise = (a: number, b: number, c: number, d: number) => void;
  const wrap =
    (kernel: Kernel, transposed: boolean): Gemm =>
    (P, Q, C, M, N, K) => {
      const m4 = M & ~3;
      const n8 = N & ~7;
      if (m4 > 0 && n8 > 0) kernel(P.byteOffset, Q.byteOffset, C.byteOffset, M, N, K);
      if (n8 < N) edge(P, Q, C, 0, m4, n8, N, M, N, K, transposed);
      if (m4 < M) edge(P, Q, C, m4, M, 0, N, M, N, K, transposed);
    };
  const exports = instance.exports as Record<string, Kernel & Elementwise>;
  const biasRelu = exports.biasRelu as Elementwise;
  const reluBackward = exports.reluBackward as Elementwise;
  const columnSums = exports.columnSums as Elementwise;
  return {
    simd: true,
    gemm: wrap(exports.gemm as Kernel, false),
    gemmTN: wrap(exports.gemmTN as Kernel, true),
    // the SIMD loops need whole vectors; other widths (a 10-class output) stay in JavaScript
    biasRelu: (out, b, rows, units) => (units % 4 === 0 ? biasRelu(out.byteOffset, b.byteOffset, rows, units) : biasReluJs(out, b, rows, units)),
    reluBackward: (gz, a, n) => {
      const n4 = n & ~3;
      reluBackward(gz.byteOffset, a.byteOffset, n4, 0);
      reluBackwardJs(gz, a, n4, n);
    },
    columnSums: (out, m, rows, cols) => {
      const c4 = cols & ~3;
      if (c4 > 0) columnSums(out.byteOffset, m.byteOffset, rows, cols);
      columnSumsJs(out, m, rows, cols, c4);
    },
  };
}

function biasReluJs(out: Float32Array, b: Float32Array, rows: number, units: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * units;
    for (let u = 0; u < units; u++) {
      const z = (out[o + u] as number) + (b[u] as number);
      out[o + u] = z > 0 ? z : 0;
    }
  }
}

function reluBackwardJs(gz: Float32Array, a: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) if (!((a[i] as number) > 0)) gz[i] = 0;
}

/** column sums of columns from c0 on */
function columnSumsJs(out: Float32Array, m: Float32Array, rows: number, cols: number, c0: number): void {
  for (let c = c0; c < cols; c++) out[c] = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = c0; c < cols; c++) out[c] = (out[c] as number) + (m[o + c] as number);
  }
}

/** C[rows a0..a1, cols b0..b1] = P·Q (or Pᵀ·Q) there, in scalar JavaScript */
function edge(P: Float32Array, Q: Float32Array, C: Float32Array, a0: number, a1: number, b0: number, b1: number, M: number, N: number, K: number, transposed: boolean): void {
  for (let a = a0; a < a1; a++) {
    for (let b = b0; b < b1; b++) {
      let s = 0;
      if (transposed) for (let k = 0; k < K; k++) s += (P[k * M + a] as number) * (Q[k * N + b] as number);
      else for (let k = 0; k < K; k++) s += (P[a * K + k] as number) * (Q[k * N + b] as number);
      C[a * N + b] = s;
    }
  }
}

export function gemmJs(P: Float32Array, Q: Float32Array, C: Float32Array, M: number, N: number, K: number): void {
  edge(P, Q, C, 0, M, 0, N, M, N, K, false);
}

// ---- the WebAssembly module, assembled here so there is no build step or binary to ship ----

function uleb(value: number): number[] {
  const out: number[] = [];
  let n = value >>> 0;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let n = value | 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => vec([...Buffer.from(s)].map((x) => [x]));

let cached: Uint8Array<ArrayBuffer> | undefined;

/**
 * Exports gemm(p, q, c, M, N, K) — full 4×8 blocks of C = P·Q — and gemmTN, the same with P
 * stored transposed; all arguments are byte offsets into the imported memory and sizes.
 */
function kernelBytes(): Uint8Array<ArrayBuffer> {
  if (cached) return cached;
  const func = (transposed: boolean): number[] => kernelFunction(transposed);
  const bodies = [func(false), func(true), biasReluFunction(), reluBackwardFunction(), columnSumsFunction()];
  const i32s = (n: number): number[] => vec(Array.from({ length: n }, () => [0x7f]));
  cached = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...i32s(6), ...vec([])], [0x60, ...i32s(4), ...vec([])]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0], [0], [1], [1], [1]])),
    ...section(7, vec([[...name('gemm'), 0x00, 0], [...name('gemmTN'), 0x00, 1], [...name('biasRelu'), 0x00, 2], [...name('reluBackward'), 0x00, 3], [...name('columnSums'), 0x00, 4]])),
    ...section(10, vec(bodies.map((b) => [...uleb(b.length), ...b]))),
  ]); // prettier-ignore
  return cached;
}

function kernelFunction(transposed: boolean): number[] {
  // parameters 0–5, then i32 locals 6–16, then v128 locals 17–27
  const [P, Q, C, M, N, K] = [0, 1, 2, 3, 4, 5];
  const [A, B, KK, PK, QK, RS, QS, CP, N8, R2, R3] = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const ACC = 17; // 17..24
  const [Q0, Q1, S] = [25, 26, 27];
  const get = (i: number): number[] => [0x20, ...uleb(i)];
  const set = (i: number): number[] => [0x21, ...uleb(i)];
  const i32 = (v: number): number[] => [0x41, ...sleb(v)];
  const add = [0x6a];
  const mul = [0x6c];
  const shl = [0x74];
  const and = [0x71];
  const geS = [0x4e];
  const f32load = (offset: number): number[] => [0x2a, 2, ...uleb(offset)];
  const v128load = (offset: number): number[] => [0xfd, 0x00, 4, ...uleb(offset)];
  const v128store = (offset: number): number[] => [0xfd, 0x0b, 4, ...uleb(offset)];
  const v128zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
  const splat = [0xfd, 0x13];
  const fadd = [0xfd, 0xe4, 0x01];
  const fmul = [0xfd, 0xe6, 0x01];
  const loopStart = [0x02, 0x40, 0x03, 0x40]; // block { loop {
  const exitIf = (cond: number[]): number[] => [...cond, 0x0d, 1]; // br_if to the block end
  const loopEnd = [0x0c, 0, 0x0b, 0x0b]; // br loop } }
  const body = [
    ...get(transposed ? M : K), ...i32(2), ...shl, ...set(RS), // P row stride in bytes
    ...get(N), ...i32(2), ...shl, ...set(QS), // Q and C row stride in bytes
    ...get(RS), ...i32(1), ...shl, ...set(R2),
    ...get(R2), ...get(RS), ...add, ...set(R3),
    ...get(N), ...i32(-8), ...and, ...set(N8),
    ...get(M), ...i32(-4), ...and, ...set(M),
    ...i32(0), ...set(A),
    ...loopStart,
    ...exitIf([...get(A), ...get(M), ...geS]),
    ...i32(0), ...set(B),
    ...loopStart,
    ...exitIf([...get(B), ...get(N8), ...geS]),
    ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => [...v128zero, ...set(ACC + i)]),
    ...(transposed ? [...get(P), ...get(A), ...i32(2), ...shl, ...add, ...set(PK)] : [...get(P), ...get(A), ...get(RS), ...mul, ...add, ...set(PK)]),
    ...get(Q), ...get(B), ...i32(2), ...shl, ...add, ...set(QK),
    ...i32(0), ...set(KK),
    ...loopStart,
    ...exitIf([...get(KK), ...get(K), ...geS]),
    ...get(QK), ...v128load(0), ...set(Q0),
    ...get(QK), ...v128load(16), ...set(Q1),
    ...[0, 1, 2, 3].flatMap((r) => [
      // row r of the block: the next float (transposed) or the next row of P
      ...(transposed ? [...get(PK), ...f32load(4 * r)] : [...get(PK), ...(r === 0 ? [] : [...get(r === 1 ? RS : r === 2 ? R2 : R3), ...add]), ...f32load(0)]),
      ...splat, ...set(S),
      ...get(ACC + 2 * r), ...get(S), ...get(Q0), ...fmul, ...fadd, ...set(ACC + 2 * r),
      ...get(ACC + 2 * r + 1), ...get(S), ...get(Q1), ...fmul, ...fadd, ...set(ACC + 2 * r + 1),
    ]),
    ...(transposed ? [...get(PK), ...get(RS), ...add, ...set(PK)] : [...get(PK), ...i32(4), ...add, ...set(PK)]),
    ...get(QK), ...get(QS), ...add, ...set(QK),
    ...get(KK), ...i32(1), ...add, ...set(KK),
    ...loopEnd,
    ...get(C), ...get(A), ...get(N), ...mul, ...get(B), ...add, ...i32(2), ...shl, ...add, ...set(CP),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...get(CP), ...get(ACC + 2 * r), ...v128store(0),
      ...get(CP), ...get(ACC + 2 * r + 1), ...v128store(16),
      ...get(CP), ...get(QS), ...add, ...set(CP),
    ]),
    ...get(B), ...i32(8), ...add, ...set(B),
    ...loopEnd,
    ...get(A), ...i32(4), ...add, ...set(A),
    ...loopEnd,
    0x0b,
  ]; // prettier-ignore
  return [...vec([[...uleb(11), 0x7f], [...uleb(11), 0x7b]]), ...body];
}

// Elementwise kernels (4 i32 parameters, then i32 locals 4–9 and v128 locals 10–11). Sizes are
// counts of floats; loops walk byte offsets.
const op = {
  get: (i: number): number[] => [0x20, ...uleb(i)],
  set: (i: number): number[] => [0x21, ...uleb(i)],
  i32: (v: number): number[] => [0x41, ...sleb(v)],
  add: [0x6a],
  mul: [0x6c],
  shl: [0x74],
  geS: [0x4e],
  load: (offset = 0): number[] => [0xfd, 0x00, 4, ...uleb(offset)],
  store: (offset = 0): number[] => [0xfd, 0x0b, 4, ...uleb(offset)],
  zero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
  fadd: [0xfd, 0xe4, 0x01],
  fmax: [0xfd, 0xe9, 0x01],
  fgt: [0xfd, 0x44],
  and: [0xfd, 0x4e],
  loopStart: [0x02, 0x40, 0x03, 0x40],
  exitIf: (cond: number[]): number[] => [...cond, 0x0d, 1],
  loopEnd: [0x0c, 0, 0x0b, 0x0b],
};
const elementwiseLocals = (): number[] => vec([[...uleb(6), 0x7f], [...uleb(2), 0x7b]]);

/** biasRelu(out, b, rows, units): units a multiple of 4 */
function biasReluFunction(): number[] {
  const [OUT, B, ROWS, UNITS] = [0, 1, 2, 3];
  const [END, U, RB, ROW] = [4, 5, 6, 7];
  const ZERO = 10;
  const { get, set, i32, add, mul, shl, geS, load, store, zero, fadd, fmax, loopStart, exitIf, loopEnd } = op;
  return [
    ...elementwiseLocals(),
    ...zero, ...set(ZERO),
    ...get(UNITS), ...i32(2), ...shl, ...set(RB),
    ...get(OUT), ...get(ROWS), ...get(RB), ...mul, ...add, ...set(END),
    ...get(OUT), ...set(ROW),
    ...loopStart,
    ...exitIf([...get(ROW), ...get(END), ...geS]),
    ...i32(0), ...set(U),
    ...loopStart,
    ...exitIf([...get(U), ...get(RB), ...geS]),
    ...get(ROW), ...get(U), ...add,
    ...get(ROW), ...get(U), ...add, ...load(), ...get(B), ...get(U), ...add, ...load(), ...fadd, ...get(ZERO), ...fmax,
    ...store(),
    ...get(U), ...i32(16), ...add, ...set(U),
    ...loopEnd,
    ...get(ROW), ...get(RB), ...add, ...set(ROW),
    ...loopEnd,
    0x0b,
  ]; // prettier-ignore
}

/** reluBackward(gz, a, n, _): n a multiple of 4 */
function reluBackwardFunction(): number[] {
  const [GZ, A, N] = [0, 1, 2];
  const [END, I] = [4, 5];
  const ZERO = 10;
  const { get, set, i32, add, shl, geS, load, store, zero, fgt, and, loopStart, exitIf, loopEnd } = op;
  return [
    ...elementwiseLocals(),
    ...zero, ...set(ZERO),
    ...get(N), ...i32(2), ...shl, ...set(END),
    ...i32(0), ...set(I),
    ...loopStart,
    ...exitIf([...get(I), ...get(END), ...geS]),
    ...get(GZ), ...get(I), ...add,
    ...get(GZ), ...get(I), ...add, ...load(),
    ...get(A), ...get(I), ...add, ...load(), ...get(ZERO), ...fgt,
    ...and, ...store(),
    ...get(I), ...i32(16), ...add, ...set(I),
    ...loopEnd,
    0x0b,
  ]; // prettier-ignore
}

/** columnSums(out, m, rows, cols): sums of the first cols & ~3 columns */
function columnSumsFunction(): number[] {
  const [OUT, M, ROWS, COLS] = [0, 1, 2, 3];
  const [C4, C, RB, P, END] = [4, 5, 6, 7, 8];
  const ACC = 10;
  const { get, set, i32, add, mul, shl, geS, load, store, zero, fadd, loopStart, exitIf, loopEnd } = op;
  return [
    ...elementwiseLocals(),
    ...get(COLS), ...i32(2), ...shl, ...set(RB),
    ...get(COLS), ...i32(-4), [0x71], ...i32(2), ...shl, ...set(C4),
    ...get(M), ...get(ROWS), ...get(RB), ...mul, ...add, ...set(END),
    ...i32(0), ...set(C),
    ...loopStart,
    ...exitIf([...get(C), ...get(C4), ...geS]),
    ...zero, ...set(ACC),
    ...get(M), ...get(C), ...add, ...set(P),
    ...loopStart,
    ...exitIf([...get(P), ...get(END), ...geS]),
    ...get(ACC), ...get(P), ...load(), ...fadd, ...set(ACC),
    ...get(P), ...get(RB), ...add, ...set(P),
    ...loopEnd,
    ...get(OUT), ...get(C), ...add, ...get(ACC), ...store(),
    ...get(C), ...i32(16), ...add, ...set(C),
    ...loopEnd,
    0x0b,
  ].flat(); // prettier-ignore
}
