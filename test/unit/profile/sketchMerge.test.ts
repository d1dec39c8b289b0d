import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashNumber } from '../../../src/core/profile/byteCells';
import { HyperLogLog } from '../../../src/core/profile/hyperLogLog';
import { KllSketch } from '../../../src/core/profile/kllSketch';
import { NumberSet } from '../../../src/core/profile/numberSet';

function values(n: number): Float64Array {
  let seed = 99;
  return Float64Array.from({ length: n }, () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
}

/** Largest |rank(q_p)/n − p| over p = 1%..99%. */
function worstRankError(sketch: KllSketch, data: Float64Array): number {
  const sorted = data.slice().sort();
  const ps = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
  let worst = 0;
  sketch.quantiles(ps).forEach((q, i) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < q) lo = mid + 1;
      else hi = mid;
    }
    worst = Math.max(worst, Math.abs(lo / sorted.length - ps[i]!));
  });
  return worst;
}

test('KLL: one sketch and sketches merged from 2 or 3 parts stay within 1% rank (2M values: the sampled bottom levels too)', () => {
  const data = values(2_000_000);
  const one = new KllSketch();
  for (const v of data) one.add(v);
  assert.ok(worstRankError(one, data) < 0.01, `single ${worstRankError(one, data)}`);
  for (const parts of [2, 3]) {
    const sketches = Array.from({ length: parts }, () => new KllSketch());
    data.forEach((v, i) => sketches[Math.floor((i * parts) / data.length)]!.add(v));
    const merged = sketches[0]!;
    for (const s of sketches.slice(1)) merged.merge(KllSketch.fromState(s.toState()));
    assert.equal(merged.n, data.length);
    assert.ok(worstRankError(merged, data) < 0.01, `${parts} parts: ${worstRankError(merged, data)}`);
  }
});

test('KLL: merged sketches that hold every value together (≤ 256) give the exact quantiles of one sketch', () => {
  const data = values(256);
  const one = new KllSketch();
  const a = new KllSketch();
  const b = new KllSketch();
  data.forEach((v, i) => {
    one.add(v);
    (i < 100 ? a : b).add(v);
  });
  a.merge(b);
  assert.ok(a.exact && one.exact);
  const ps = [0, 0.1, 0.5, 0.9, 1];
  assert.deepEqual(a.quantiles(ps), one.quantiles(ps));
  a.add(0.5); // the 257th value compacts, as in one pass
  assert.equal(a.exact, false);
});

test('HyperLogLog: the union of two halves has the registers of one sketch; addNumber = add(hashNumber)', () => {
  const whole = new HyperLogLog();
  const left = new HyperLogLog();
  const right = new HyperLogLog();
  const viaFloat = new HyperLogLog();
  for (let i = 0; i < 100_000; i++) {
    const v = i % 2 === 0 ? i * 1.5 : -i / 3;
    whole.addNumber(v);
    viaFloat.add(hashNumber(v));
    (i < 40_000 ? left : right).addNumber(v);
  }
  left.merge(right);
  assert.deepEqual(left.state, whole.state);
  assert.deepEqual(viaFloat.state, whole.state);
  assert.ok(Math.abs(whole.estimate() - 100_000) < 3_000, `estimate ${whole.estimate()}`);
});

test('NumberSet counts distinct numbers like a Set (0 and -0 alike), through growth', () => {
  const set = new NumberSet();
  const reference = new Set<number>();
  for (let i = 0; i < 30_000; i++) {
    const v = i % 3 === 0 ? -((i * 7) % 5000) / 4 : ((i * 13) % 7000) * 1e9;
    set.add(v);
    reference.add(v);
  }
  set.add(-0);
  reference.add(-0);
  set.add(0);
  assert.equal(set.size, reference.size);
  assert.deepEqual(new Set(set.values()), reference);
});
