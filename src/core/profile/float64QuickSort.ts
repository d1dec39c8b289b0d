/**
 * In-place ascending sort of a Float64Array range without NaN. Float64Array.prototype.sort costs
 * ~40 ns per element on 256-element arrays here (it honours NaN and -0 ordering); this
 * quicksort with insertion sort for short runs is several times faster, and KLL compactions
 * sort constantly.
 */
export function sortFloat64(a: Float64Array, lo: number, hi: number): void {
  // sorts a[lo, hi)
  while (hi - lo > 16) {
    const mid = (lo + hi) >>> 1;
    // median of three as pivot
    let x = a[lo]!;
    let y = a[mid]!;
    const z = a[hi - 1]!;
    if (x > y) [x, y] = [y, x];
    if (y > z) {
      y = z;
      if (x > y) y = x;
    }
    const pivot = y;
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    // recurse into the smaller side, loop on the larger
    if (j + 1 - lo < hi - i) {
      sortFloat64(a, lo, j + 1);
      lo = i;
    } else {
      sortFloat64(a, i, hi);
      hi = j + 1;
    }
  }
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}
