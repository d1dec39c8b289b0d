/**
 * Values to set in a spec by dotted path, in the YAML's own terms: { "optimizer.learning_rate":
 * 0.003, "model.layers.0.units": 64 }. Numeric segments index arrays.
 */
export type SpecOverrides = Readonly<Record<string, unknown>>;

/**
 * A copy of the raw spec object with the overrides set. Missing objects on the way are created,
 * so a search may set a field the base spec leaves to its default; indexing past an array's end
 * is an error rather than a silent no-op.
 */
export function applySpecOverrides(raw: Readonly<Record<string, unknown>>, overrides: SpecOverrides): Record<string, unknown> {
  const copy = structuredClone(raw) as Record<string, unknown>;
  for (const [path, value] of Object.entries(overrides)) {
    const parts = path.split('.');
    let node: Record<string, unknown> | unknown[] = copy;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      if (Array.isArray(node)) {
        const index = Number(part);
        if (!Number.isInteger(index) || index < 0 || index >= node.length) throw new Error(`cannot set "${path}": "${part}" is not an index of the list there (it has ${node.length} items)`);
        if (last) node[index] = value;
        else node = ensureContainer(node, index, parts[i + 1] as string, path);
        return;
      }
      if (last) node[part] = value;
      else node = ensureContainer(node, part, parts[i + 1] as string, path);
    });
  }
  return copy;
}

function ensureContainer(parent: Record<string, unknown> | unknown[], key: string | number, next: string, path: string): Record<string, unknown> | unknown[] {
  const current = (parent as Record<string | number, unknown>)[key];
  if (current !== null && typeof current === 'object') return current as Record<string, unknown> | unknown[];
  if (current !== undefined) throw new Error(`cannot set "${path}": "${String(key)}" holds a value, not an object`);
  if (/^\d+$/.test(next)) throw new Error(`cannot set "${path}": the spec has no list at "${String(key)}" to index (write it out in the spec, e.g. the model's layers, to search its items)`);
  const created: Record<string, unknown> = {};
  (parent as Record<string | number, unknown>)[key] = created;
  return created;
}
