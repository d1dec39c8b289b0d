/**
 * Accumulates a data profile one row at a time in bounded memory: Welford moments, a KLL
 * sketch, exact distinct counts up to a cap then HyperLogLog, capped category counts, streaming
 * Pearson for the first numeric columns, a reservoir sample for rank and categorical measures,
 * and a hash set of row hashes for duplicates.
 */
import { averageRanks, correlationRatio, cramersV, pearson, spearman } from './associationMeasures';
import { HyperLogLog } from './hyperLogLog';
import { KllSketch, type KllState } from './kllSketch';
import { NumberSet } from './numberSet';
import type { ColumnProfile, DataProfile, ProfileColumnType, ProfileWarning, TargetAssociation } from './profileTypes';
import { isNumericType } from './typeInference';

const EXACT_DISTINCT_CAP = 10_000;
const CATEGORY_CAP = 10_000;
/** the first rows kept as text for the panel's sample grid and the reports (capped: a profile stays small) */
export const HEAD_ROWS = 100;
const TOP_CATEGORIES = 20;
const HISTOGRAM_BINS = 20;
const MAX_CATEGORICAL_LEVELS = 100;
const LEAKAGE_THRESHOLD = 0.98;
/** Duplicate detection stops adding rows beyond this many (16M slots ≈ 128 MB). */
const MAX_DUPLICATE_SLOTS = 1 << 24;

interface ColumnState {
  name: string;
  type: ProfileColumnType;
  numeric: boolean;
  count: number;
  missing: number;
  hll: HyperLogLog;
  /** distinct values (numbers) or hashes (text) while there are at most EXACT_DISTINCT_CAP */
  exact: NumberSet | null;
  // numeric
  n: number;
  mean: number;
  m2: number;
  m3: number;
  min: number;
  max: number;
  kll: KllSketch | null;
  // categorical
  categories: Map<number, { value: string; count: number }> | null;
  categoriesCapped: boolean;
  mismatches: number;
  firstMismatch: { line: number; value: string } | null;
  sampleNumbers: Float64Array | null;
  sampleText: (string | null)[] | null;
  pearsonSlot: number;
}

export interface ProfileBuilderOptions {
  file: string;
  format: DataProfile['format'];
  target?: string;
  sampleSize?: number;
  exactPearsonColumns?: number;
  /** the text of cell `col` of the current row (used sparingly: new categories, samples, head rows) */
  cellText: (col: number) => string;
  /**
   * Where row hashes go instead of this builder's duplicate table: parallel profiling counts
   * duplicates across all ranges in one table (see addRowHashes).
   */
  onRowHash?: (hash: number) => void;
  /** seed of the reservoir sample (each range of a parallel profile draws its own) */
  sampleSeed?: number;
  /** rows expected (from the file size): the duplicate table starts at its final size instead of doubling its way there */
  expectedRows?: number;
}

type ColumnStatic = 'name' | 'type' | 'numeric' | 'pearsonSlot';

/** One column's statistics as plain data (structured-cloneable). */
export type ColumnPartial = Omit<ColumnState, ColumnStatic | 'hll' | 'kll' | 'exact'> & { hll: Uint8Array; kll: KllState | null; exact: Float64Array | null };

/** What a builder accumulated over one range of rows, to be merged into another builder. */
export interface ProfilePartial {
  rows: number;
  head: string[][];
  columns: ColumnPartial[];
  shifts: Float64Array;
  pairs: Float64Array;
}

export class ProfileBuilder {
  private readonly columns: ColumnState[];
  private readonly sampleSize: number;
  private rows = 0;
  private slot = -1;
  private sampled = 0;
  private rng: number;
  private readonly pearsonColumns: number[];
  private readonly rowValues: Float64Array;
  private readonly pairs: Float64Array; // per pair: n, Σx, Σy, Σxy, Σx², Σy² (shifted)
  private readonly shifts: Float64Array;
  // rows with every Pearson column present: one count, per-column Σx and Σx², per-pair Σxy
  // (folded into `pairs` before use; 1 + 2p + p(p−1)/2 additions a row instead of 3p(p−1))
  private completeRows = 0;
  private readonly completeSums: Float64Array;
  private readonly completeCross: Float64Array;
  private readonly head: string[][] = [];
  private dupTable: Float64Array = new Float64Array(1 << 16);
  private dupUsed = 0;
  private duplicates = 0;
  private dupExact = true;

  constructor(
    names: readonly string[],
    types: readonly ProfileColumnType[],
    private readonly options: ProfileBuilderOptions,
  ) {
    this.sampleSize = options.sampleSize ?? 20_000;
    this.rng = options.sampleSeed ?? 0x9e3779b9;
    if (options.expectedRows !== undefined) {
      // the load factor stays below 0.7; a doubling would hold the old and the new table at once
      const slots = 2 ** Math.ceil(Math.log2(Math.max(1 << 16, (options.expectedRows * 10) / 7)));
      this.dupTable = new Float64Array(Math.min(slots, MAX_DUPLICATE_SLOTS));
    }
    const exactPearson = options.exactPearsonColumns ?? 16;
    this.pearsonColumns = [];
    this.columns = names.map((name, i) => {
      const type = types[i] ?? 'string';
      const numeric = isNumericType(type);
      let pearsonSlot = -1;
      if (numeric && type !== 'datetime' && this.pearsonColumns.length < exactPearson) {
        pearsonSlot = this.pearsonColumns.length;
        this.pearsonColumns.push(i);
      }
      return {
        name,
        type,
        numeric,
        count: 0,
        missing: 0,
        hll: new HyperLogLog(),
        exact: new NumberSet(),
        n: 0,
        mean: 0,
        m2: 0,
        m3: 0,
        min: Infinity,
        max: -Infinity,
        kll: numeric ? new KllSketch() : null,
        categories: numeric ? null : new Map(),
        categoriesCapped: false,
        mismatches: 0,
        firstMismatch: null,
        sampleNumbers: numeric ? new Float64Array(this.sampleSize).fill(NaN) : null,
        sampleText: numeric ? null : new Array<string | null>(this.sampleSize).fill(null),
        pearsonSlot,
      };
    });
    this.rowValues = new Float64Array(this.pearsonColumns.length);
    this.shifts = new Float64Array(this.pearsonColumns.length).fill(NaN);
    const p = this.pearsonColumns.length;
    this.pairs = new Float64Array(((p * (p - 1)) / 2) * 6);
    this.completeSums = new Float64Array(p * 2);
    this.completeCross = new Float64Array((p * (p - 1)) / 2);
  }

  get rowCount(): number {
    return this.rows;
  }

  columnTypes(): ProfileColumnType[] {
    return this.columns.map((c) => c.type);
  }

  startRow(): void {
    const index = this.rows++;
    if (index < this.sampleSize) {
      this.slot = index;
      this.sampled = index + 1;
    } else {
      // Algorithm R with a seeded xorshift, so a profile is reproducible
      let x = this.rng;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.rng = x >>> 0;
      const j = Math.floor((this.rng / 4294967296) * (index + 1));
      this.slot = j < this.sampleSize ? j : -1;
    }
    if (this.head.length < HEAD_ROWS) {
      const cells: string[] = [];
      for (let i = 0; i < this.columns.length; i++) cells.push(this.options.cellText(i));
      this.head.push(cells);
    }
  }

  /** A numeric cell; NaN = missing. */
  number(col: number, value: number): void {
    const c = this.columns[col]!;
    if (c.pearsonSlot >= 0) this.rowValues[c.pearsonSlot] = value;
    if (Number.isNaN(value)) {
      c.missing++;
      if (this.slot >= 0) c.sampleNumbers![this.slot] = NaN;
      return;
    }
    c.count++;
    const n = ++c.n;
    const delta = value - c.mean;
    const deltaN = delta / n;
    const term = delta * deltaN * (n - 1);
    c.mean += deltaN;
    c.m3 += term * deltaN * (n - 2) - 3 * deltaN * c.m2;
    c.m2 += term;
    if (value < c.min) c.min = value;
    if (value > c.max) c.max = value;
    c.kll!.add(value);
    // the HyperLogLog is only needed once the exact set gives up: it is filled from the set then
    if (c.exact === null) c.hll.addNumber(value);
    else {
      c.exact.add(value);
      if (c.exact.size > EXACT_DISTINCT_CAP) giveUpExact(c);
    }
    if (this.slot >= 0) c.sampleNumbers![this.slot] = value;
  }

  /** A text cell identified by the hash of its bytes. */
  text(col: number, hash: number): void {
    const c = this.columns[col]!;
    c.count++;
    if (c.exact === null) c.hll.add(hash);
    else {
      c.exact.add(hash);
      if (c.exact.size > EXACT_DISTINCT_CAP) giveUpExact(c);
    }
    const entry = c.categories!.get(hash);
    let value: string | null = null;
    if (entry) {
      entry.count++;
      value = entry.value;
    } else if (c.categories!.size < CATEGORY_CAP) {
      value = this.options.cellText(col);
      c.categories!.set(hash, { value, count: 1 });
    } else c.categoriesCapped = true;
    if (this.slot >= 0) c.sampleText![this.slot] = value ?? this.options.cellText(col);
  }

  missing(col: number): void {
    const c = this.columns[col]!;
    c.missing++;
    if (c.pearsonSlot >= 0) this.rowValues[c.pearsonSlot] = NaN;
    if (this.slot >= 0) {
      if (c.sampleNumbers) c.sampleNumbers[this.slot] = NaN;
      else c.sampleText![this.slot] = null;
    }
  }

  /** A cell that does not fit the column's type: remembered, counted as missing. */
  mismatch(col: number, line: number): void {
    const c = this.columns[col]!;
    c.mismatches++;
    if (!c.firstMismatch) c.firstMismatch = { line, value: this.options.cellText(col) };
    this.missing(col);
  }

  endRow(rowHash: number): void {
    this.updatePearson();
    if (this.options.onRowHash) this.options.onRowHash(rowHash);
    else this.noteRowHash(rowHash);
  }

  /**
   * Row hashes of other ranges. Whether a row repeats does not depend on the order rows arrive
   * in, so the count equals a single pass's while the table is exact (below its cap).
   */
  addRowHashes(hashes: Float64Array): void {
    for (let i = 0; i < hashes.length; i++) this.noteRowHash(hashes[i]!);
  }

  /** Everything accumulated so far, as plain data (the builder is not used afterwards). */
  toPartial(): ProfilePartial {
    this.foldCompleteRows();
    const sampled = this.sampled;
    return {
      rows: this.rows,
      head: this.head,
      shifts: this.shifts,
      pairs: this.pairs,
      columns: this.columns.map((c) => ({
        count: c.count,
        missing: c.missing,
        hll: c.hll.state,
        exact: c.exact ? c.exact.values() : null,
        n: c.n,
        mean: c.mean,
        m2: c.m2,
        m3: c.m3,
        min: c.min,
        max: c.max,
        kll: c.kll ? c.kll.toState() : null,
        categories: c.categories,
        categoriesCapped: c.categoriesCapped,
        mismatches: c.mismatches,
        firstMismatch: c.firstMismatch,
        sampleNumbers: c.sampleNumbers ? c.sampleNumbers.slice(0, sampled) : null,
        sampleText: c.sampleText ? c.sampleText.slice(0, sampled) : null,
      })),
    };
  }

  /**
   * Adds the rows of a later range (rows after every row seen so far; `lineOffset` turns its
   * line numbers into the file's). Counts, min/max, distinct sets, HyperLogLog and category
   * counts merge exactly as if one pass had seen both; moments merge with Chan et al.'s
   * pairwise formulas and the Pearson sums are re-shifted, both equal to a single pass up to
   * rounding. KLL sketches merge with the same rank-error bound (exact while both hold every
   * value and together fit). The reservoir samples combine into a uniform sample of all rows:
   * the same rows as a single pass while everything fits in the sample, another equally
   * uniform draw beyond (what Spearman, Cramér's V, η and histograms see then differs only by
   * sampling noise).
   */
  mergePartial(p: ProfilePartial, lineOffset: number): void {
    this.mergeSample(p);
    for (let i = 0; i < this.columns.length; i++) mergeColumn(this.columns[i]!, p.columns[i]!, lineOffset);
    this.mergePearson(p);
    for (const row of p.head) if (this.head.length < HEAD_ROWS) this.head.push(row);
    this.rows += p.rows;
  }

  private mergeSample(p: ProfilePartial): void {
    const s = this.sampleSize;
    const nA = this.rows;
    const nB = p.rows;
    const sA = Math.min(nA, s);
    const sB = Math.min(nB, s);
    if (nB === 0) return;
    if (nA + nB <= s || nA === 0) {
      // everything fits (or nothing is here yet): the rows in file order, as a single pass keeps them
      this.columns.forEach((c, i) => {
        const from = p.columns[i]!;
        if (c.sampleNumbers) c.sampleNumbers.set(from.sampleNumbers!.subarray(0, sB), nA);
        else for (let k = 0; k < sB; k++) c.sampleText![nA + k] = from.sampleText![k]!;
      });
      this.sampled = Math.min(nA + nB, s);
      return;
    }
    // how many of the s rows come from A: hypergeometric, drawn one row at a time
    let remainingA = nA;
    let remaining = nA + nB;
    let fromA = 0;
    for (let k = 0; k < s; k++) {
      if (this.nextRandom() * remaining < remainingA) {
        fromA++;
        remainingA--;
      }
      remaining--;
    }
    // a uniform subset of each reservoir (partial Fisher–Yates over slot numbers)
    const pick = (size: number, want: number): Int32Array => {
      const slots = Int32Array.from({ length: size }, (_, k) => k);
      for (let k = 0; k < want; k++) {
        const j = k + Math.floor(this.nextRandom() * (size - k));
        const t = slots[k]!;
        slots[k] = slots[j]!;
        slots[j] = t;
      }
      return slots.subarray(0, want);
    };
    const slotsA = pick(sA, fromA);
    const slotsB = pick(sB, s - fromA);
    this.columns.forEach((c, i) => {
      const from = p.columns[i]!;
      if (c.sampleNumbers) {
        const mine = c.sampleNumbers.slice(0, sA);
        slotsA.forEach((slot, k) => (c.sampleNumbers![k] = mine[slot]!));
        slotsB.forEach((slot, k) => (c.sampleNumbers![fromA + k] = from.sampleNumbers![slot]!));
      } else {
        const mine = c.sampleText!.slice(0, sA);
        slotsA.forEach((slot, k) => (c.sampleText![k] = mine[slot]!));
        slotsB.forEach((slot, k) => (c.sampleText![fromA + k] = from.sampleText![slot]!));
      }
    });
    this.sampled = s;
  }

  private nextRandom(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng / 4294967296;
  }

  /** Adds another range's co-moment sums after moving them to this builder's shifts. */
  private mergePearson(p: ProfilePartial): void {
    this.foldCompleteRows();
    const cols = this.pearsonColumns.length;
    const shifts = this.shifts;
    for (let i = 0; i < cols; i++) if (shifts[i] !== shifts[i]) shifts[i] = p.shifts[i]!;
    let k = 0;
    for (let i = 0; i < cols; i++) {
      for (let j = i + 1; j < cols; j++, k += 6) {
        const b = p.pairs;
        const n = b[k]!;
        if (n === 0) continue;
        // the other range's values were x − its shift: x − ours = that + d
        const d = p.shifts[i]! - shifts[i]!;
        const e = p.shifts[j]! - shifts[j]!;
        const sx = b[k + 1]!;
        const sy = b[k + 2]!;
        const s = this.pairs;
        s[k]! += n;
        s[k + 1]! += sx + n * d;
        s[k + 2]! += sy + n * e;
        s[k + 3]! += b[k + 3]! + e * sx + d * sy + n * d * e;
        s[k + 4]! += b[k + 4]! + 2 * d * sx + n * d * d;
        s[k + 5]! += b[k + 5]! + 2 * e * sy + n * e * e;
      }
    }
  }

  /**
   * Pairwise-complete co-moments as plain sums of values shifted by each column's first value
   * (the shift keeps the sums small so the final subtraction loses little precision; no division
   * per row, which is what made the Welford form slow here).
   */
  private updatePearson(): void {
    const p = this.pearsonColumns.length;
    const values = this.rowValues;
    const shifts = this.shifts;
    const s = this.pairs;
    let complete = true;
    for (let i = 0; i < p; i++) {
      const v = values[i]!;
      if (v !== v) complete = false;
      else if (shifts[i] !== shifts[i]) shifts[i] = v;
      values[i] = v - shifts[i]!;
    }
    if (complete) {
      this.completeRows++;
      const sums = this.completeSums;
      const cross = this.completeCross;
      let c = 0;
      for (let i = 0; i < p; i++) {
        const x = values[i]!;
        sums[2 * i]! += x;
        sums[2 * i + 1]! += x * x;
        for (let j = i + 1; j < p; j++) cross[c++]! += x * values[j]!;
      }
      return;
    }
    let k = 0;
    for (let i = 0; i < p; i++) {
      const x = values[i]!;
      if (x !== x) {
        k += (p - 1 - i) * 6;
        continue;
      }
      for (let j = i + 1; j < p; j++, k += 6) {
        const y = values[j]!;
        if (y !== y) continue;
        s[k]!++;
        s[k + 1]! += x;
        s[k + 2]! += y;
        s[k + 3]! += x * y;
        s[k + 4]! += x * x;
        s[k + 5]! += y * y;
      }
    }
  }

  private noteRowHash(hash: number): void {
    if (!this.dupExact) return;
    const key = hash + 1; // 0 marks an empty slot
    let table = this.dupTable;
    if ((this.dupUsed + 1) * 10 > table.length * 7) {
      if (table.length >= MAX_DUPLICATE_SLOTS) {
        this.dupExact = false;
        return;
      }
      table = this.growDuplicates();
    }
    const mask = table.length - 1;
    let i = (hash >>> 0) & mask; // ToUint32 is the hash modulo 2^32 (a float % calls fmod)
    for (;;) {
      const v = table[i]!;
      if (v === 0) {
        table[i] = key;
        this.dupUsed++;
        return;
      }
      if (v === key) {
        this.duplicates++;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  private growDuplicates(): Float64Array {
    const old = this.dupTable;
    const table = new Float64Array(old.length * 2);
    const mask = table.length - 1;
    for (let k = 0; k < old.length; k++) {
      const v = old[k]!;
      if (v === 0) continue;
      let i = ((v - 1) >>> 0) & mask;
      while (table[i] !== 0) i = (i + 1) & mask;
      table[i] = v;
    }
    this.dupTable = table;
    return table;
  }

  finish(extra: { bytes: number; elapsedMs: number }): DataProfile {
    const rows = this.rows;
    const sampleN = Math.min(this.sampled, this.sampleSize);
    const fromSample = rows > this.sampleSize;
    const columns = this.columns.map((c) => this.columnProfile(c, sampleN, fromSample));
    const numericCols = this.columns.map((c, i) => ({ c, i })).filter(({ c }) => c.numeric && c.type !== 'datetime');
    const sampleOf = (c: ColumnState): Float64Array => c.sampleNumbers!.subarray(0, sampleN);
    const textOf = (c: ColumnState): (string | null)[] => c.sampleText!.slice(0, sampleN);

    // Pearson: exact streaming pairs where kept, else the sample
    const pearsonValues = numericCols.map(({ c: a }) =>
      numericCols.map(({ c: b }) => {
        if (a === b) return 1;
        if (a.pearsonSlot >= 0 && b.pearsonSlot >= 0) return this.exactPearson(a.pearsonSlot, b.pearsonSlot);
        return pearson(sampleOf(a), sampleOf(b));
      }),
    );
    const allExact = numericCols.every(({ c }) => c.pearsonSlot >= 0);
    const samples = numericCols.map(({ c }) => sampleOf(c));
    // a column without missing values is ranked once; pairs with gaps rank their complete rows
    const ranks = samples.map((x) => (x.some((v) => Number.isNaN(v)) ? null : averageRanks(x)));
    const spearmanOf = (a: number, b: number): number | null => {
      const ra = ranks[a];
      const rb = ranks[b];
      return ra && rb ? pearson(ra, rb) : spearman(samples[a]!, samples[b]!);
    };
    const spearmanValues = numericCols.map((_, a) => numericCols.map((__, b) => (a === b ? 1 : a < b ? spearmanOf(a, b) : null)));
    for (let a = 0; a < numericCols.length; a++) for (let b = 0; b < a; b++) spearmanValues[a]![b] = spearmanValues[b]![a]!;
    const categorical = this.columns.filter((c) => !c.numeric && c.type !== 'empty' && levels(textOf(c)) <= MAX_CATEGORICAL_LEVELS);
    const cramers = categorical.map((a) => categorical.map((b) => (a === b ? 1 : cramersV(textOf(a), textOf(b)))));

    const warnings: ProfileWarning[] = [];
    let target: DataProfile['target'];
    if (this.options.target !== undefined) {
      const t = this.columns.find((c) => c.name === this.options.target);
      if (!t) throw new Error(`The target column "${this.options.target}" is not in ${this.options.file}; its columns are: ${this.columns.map((c) => c.name).join(', ')}`);
      const associations: TargetAssociation[] = [];
      for (const c of this.columns) {
        if (c === t || c.type === 'empty') continue;
        let a: TargetAssociation | null = null;
        if (t.numeric && c.numeric) {
          const r = t.pearsonSlot >= 0 && c.pearsonSlot >= 0 ? this.exactPearson(t.pearsonSlot, c.pearsonSlot) : pearson(sampleOf(t), sampleOf(c));
          if (r !== null) a = { column: c.name, measure: 'pearson', value: Math.abs(r) };
        } else if (t.numeric !== c.numeric) {
          const groups = t.numeric ? c : t;
          const values = t.numeric ? t : c;
          if (levels(textOf(groups)) <= MAX_CATEGORICAL_LEVELS) {
            const eta = correlationRatio(textOf(groups), sampleOf(values));
            if (eta !== null) a = { column: c.name, measure: 'eta', value: eta };
          }
        } else if (levels(textOf(c)) <= MAX_CATEGORICAL_LEVELS) {
          const v = cramersV(textOf(t), textOf(c));
          if (v !== null) a = { column: c.name, measure: 'cramersV', value: v };
        }
        if (a) {
          associations.push(a);
          if (a.value >= LEAKAGE_THRESHOLD) {
            warnings.push({ kind: 'leakage', column: c.name, message: `"${c.name}" predicts the target "${t.name}" almost perfectly (${a.measure} ${a.value.toFixed(3)}): suspected target leakage` });
          }
        }
      }
      associations.sort((x, y) => y.value - x.value);
      target = { column: t.name, associations };
    }
    for (const col of columns) warnings.push(...columnWarnings(col, rows));
    if (this.duplicates > 0) {
      warnings.push({ kind: 'duplicates', message: `${this.duplicates} duplicate row${this.duplicates === 1 ? '' : 's'} (${pct(this.duplicates / Math.max(1, rows))})` });
    }
    return {
      version: 1,
      file: this.options.file,
      format: this.options.format,
      bytes: extra.bytes,
      rows,
      columns,
      duplicates: { rows: this.duplicates, exact: this.dupExact },
      correlations: {
        pearson: { columns: numericCols.map(({ c }) => c.name), values: pearsonValues, rows: allExact ? rows : sampleN },
        spearman: { columns: numericCols.map(({ c }) => c.name), values: spearmanValues, rows: sampleN },
        cramersV: { columns: categorical.map((c) => c.name), values: cramers, rows: sampleN },
      },
      ...(target ? { target } : {}),
      warnings,
      head: { columns: this.columns.map((c) => c.name), rows: this.head },
      sampleSize: sampleN,
      elapsedMs: extra.elapsedMs,
      createdAt: new Date().toISOString(),
    };
  }

  /** Moves the complete-row sums into the per-pair sums. */
  private foldCompleteRows(): void {
    const n = this.completeRows;
    if (n === 0) return;
    const p = this.pearsonColumns.length;
    const sums = this.completeSums;
    const s = this.pairs;
    let c = 0;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++, c++) {
        const k = c * 6;
        s[k]! += n;
        s[k + 1]! += sums[2 * i]!;
        s[k + 2]! += sums[2 * j]!;
        s[k + 3]! += this.completeCross[c]!;
        s[k + 4]! += sums[2 * i + 1]!;
        s[k + 5]! += sums[2 * j + 1]!;
      }
    }
    this.completeRows = 0;
    sums.fill(0);
    this.completeCross.fill(0);
  }

  private exactPearson(a: number, b: number): number | null {
    this.foldCompleteRows();
    const p = this.pearsonColumns.length;
    const i = Math.min(a, b);
    const j = Math.max(a, b);
    const k = (i * (2 * p - i - 1) / 2 + (j - i - 1)) * 6;
    const s = this.pairs;
    const n = s[k]!;
    if (n < 3) return null;
    const c = s[k + 3]! - (s[k + 1]! * s[k + 2]!) / n;
    const vx = s[k + 4]! - (s[k + 1]! * s[k + 1]!) / n;
    const vy = s[k + 5]! - (s[k + 2]! * s[k + 2]!) / n;
    if (vx <= 1e-12 * Math.abs(s[k + 4]!) || vy <= 1e-12 * Math.abs(s[k + 5]!) || vx <= 0 || vy <= 0) return null;
    return Math.max(-1, Math.min(1, c / Math.sqrt(vx * vy)));
  }

  private columnProfile(c: ColumnState, sampleN: number, fromSample: boolean): ColumnProfile {
    const rows = this.rows;
    const distinct = c.exact !== null ? c.exact.size : c.hll.estimate();
    const profile: ColumnProfile = {
      name: c.name,
      type: c.type,
      count: c.count,
      missing: c.missing,
      missingShare: rows === 0 ? 0 : c.missing / rows,
      distinct,
      distinctExact: c.exact !== null,
    };
    if (c.numeric && c.n > 0) {
      const ps = Array.from({ length: 101 }, (_, i) => i / 100);
      const std = c.n > 1 ? Math.sqrt(c.m2 / (c.n - 1)) : 0;
      const skewness = c.m2 > 0 ? (Math.sqrt(c.n) * c.m3) / c.m2 ** 1.5 : 0;
      profile.numeric = {
        min: c.min,
        max: c.max,
        mean: c.mean,
        std,
        skewness,
        percentiles: c.kll!.quantiles(ps),
        quantilesExact: c.kll!.exact,
        histogram: histogram(c.sampleNumbers!.subarray(0, sampleN), c.min, c.max, fromSample),
      };
    }
    if (c.categories) {
      profile.top = [...c.categories.values()]
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
        .slice(0, TOP_CATEGORIES)
        .map((e) => ({ value: e.value, count: e.count }));
      if (c.categoriesCapped) profile.topApproximate = true;
    }
    if (c.mismatches > 0 && c.firstMismatch) profile.mismatches = { count: c.mismatches, firstLine: c.firstMismatch.line, firstValue: c.firstMismatch.value };
    return profile;
  }
}

/** Too many distinct values to count exactly: from now on the HyperLogLog, filled with the set's values. */
function giveUpExact(c: ColumnState): void {
  addToHll(c, c.exact!.values());
  c.exact = null;
}

/** HyperLogLog registers do not depend on order or repeats, so adding the distinct values later gives the same sketch. */
function addToHll(c: ColumnState, values: Float64Array): void {
  // numeric sets hold the values, text sets the hashes of the bytes
  if (c.numeric) for (const v of values) c.hll.addNumber(v);
  else for (const v of values) c.hll.add(v);
}

function mergeColumn(c: ColumnState, p: ColumnPartial, lineOffset: number): void {
  c.count += p.count;
  c.missing += p.missing;
  // a side's HyperLogLog holds its values only once its exact set gave up (see number())
  if (c.exact !== null && p.exact !== null) {
    for (const v of p.exact) c.exact.add(v);
    // the set only grows, so a single pass would have given up exactly when the union is too big
    if (c.exact.size > EXACT_DISTINCT_CAP) giveUpExact(c);
  } else {
    if (c.exact !== null) giveUpExact(c);
    if (p.exact !== null) addToHll(c, p.exact);
    else c.hll.merge(new HyperLogLog(p.hll));
  }
  if (p.n > 0) {
    if (c.n === 0) {
      c.mean = p.mean;
      c.m2 = p.m2;
      c.m3 = p.m3;
    } else {
      // Chan, Golub & LeVeque: moments of the union from the moments of the parts
      const nA = c.n;
      const nB = p.n;
      const n = nA + nB;
      const delta = p.mean - c.mean;
      const m2 = c.m2 + p.m2 + (delta * delta * nA * nB) / n;
      c.m3 = c.m3 + p.m3 + (delta * delta * delta * nA * nB * (nA - nB)) / (n * n) + (3 * delta * (nA * p.m2 - nB * c.m2)) / n;
      c.m2 = m2;
      c.mean = c.mean + (delta * nB) / n;
    }
    c.n += p.n;
    if (p.min < c.min) c.min = p.min;
    if (p.max > c.max) c.max = p.max;
  }
  if (c.kll && p.kll) c.kll.merge(KllSketch.fromState(p.kll));
  if (c.categories && p.categories) {
    // in the other range's first-seen order, as a single pass would have met the new values
    for (const [hash, entry] of p.categories) {
      const mine = c.categories.get(hash);
      if (mine) mine.count += entry.count;
      else if (c.categories.size < CATEGORY_CAP) c.categories.set(hash, { value: entry.value, count: entry.count });
      else c.categoriesCapped = true;
    }
    if (p.categoriesCapped) c.categoriesCapped = true;
  }
  c.mismatches += p.mismatches;
  if (!c.firstMismatch && p.firstMismatch) c.firstMismatch = { line: p.firstMismatch.line + lineOffset, value: p.firstMismatch.value };
}

function levels(values: readonly (string | null)[]): number {
  const seen = new Set<string>();
  for (const v of values) {
    if (v === null) continue;
    seen.add(v);
    if (seen.size > MAX_CATEGORICAL_LEVELS) break;
  }
  return seen.size;
}

function histogram(values: Float64Array, min: number, max: number, fromSample: boolean): { edges: number[]; counts: number[]; fromSample: boolean } {
  const bins = min === max ? 1 : HISTOGRAM_BINS;
  const width = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    const b = width === 0 ? 0 : Math.min(bins - 1, Math.max(0, Math.floor((v - min) / width)));
    counts[b]!++;
  }
  return { edges, counts, fromSample };
}

function pct(share: number): string {
  return `${(share * 100).toFixed(share < 0.01 ? 2 : 1)}%`;
}

function columnWarnings(col: ColumnProfile, rows: number): ProfileWarning[] {
  const out: ProfileWarning[] = [];
  const name = col.name;
  if (rows > 0 && col.count === 0) out.push({ kind: 'allMissing', column: name, message: `"${name}" has no values` });
  else if (col.missingShare > 0.5) out.push({ kind: 'mostlyMissing', column: name, message: `"${name}" is ${pct(col.missingShare)} missing` });
  if (col.count > 0 && col.distinct === 1) out.push({ kind: 'constant', column: name, message: `"${name}" is constant (${col.top?.[0]?.value ?? col.numeric?.min})` });
  if ((col.type === 'string') && col.distinct > 50 && col.distinct > 0.5 * col.count) {
    out.push({ kind: 'highCardinality', column: name, message: `"${name}" has ${col.distinct} distinct values in ${col.count} (${pct(col.distinct / col.count)}): an identifier? one-hot encoding would explode` });
  }
  if (col.numeric && Math.abs(col.numeric.skewness) > 2) out.push({ kind: 'skewed', column: name, message: `"${name}" is highly skewed (skewness ${col.numeric.skewness.toFixed(2)}): consider a log transform` });
  if (col.mismatches) {
    out.push({ kind: 'typeMismatch', column: name, message: `"${name}" looked ${col.type} in the first rows but ${col.mismatches.count} cell(s) are not (first at line ${col.mismatches.firstLine}: "${col.mismatches.firstValue}"); counted as missing` });
  }
  return out;
}
