/**
 * How deep request bodies may nest arrays and objects. MLflow's requests and the scoring formats
 * need a handful of levels (tensors a few more); JSON.parse copes with any depth, but the code
 * that walks a value recursively afterwards overflows the stack at some thousands.
 */
export const MAX_JSON_NESTING = 100;

/**
 * Whether a parsed JSON value nests arrays and objects more than `limit` levels deep (`{}` is one
 * level, `{"a": [1]}` two). Walks without recursion, so any depth is safe to check; stops at the
 * first container past the limit.
 */
export function jsonNestingExceeds(value: unknown, limit: number = MAX_JSON_NESTING): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const next = values.pop();
    const depth = depths.pop() as number;
    if (typeof next !== 'object' || next === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(next) ? (next as unknown[]) : Object.values(next)) {
      if (typeof child === 'object' && child !== null) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
