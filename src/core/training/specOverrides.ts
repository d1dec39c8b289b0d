import type { TrainSpec } from './trainSpec';

/** Values set by dotted path on the normalized spec, e.g. { "optimizer.learningRate": 0.003, "model.layers.0.units": 64 }. */
export type SpecOverrides = Readonly<Record<string, unknown>>;

/** A copy of the spec with the overrides applied; an unknown path is an error rather than silently ignored. */
export function applySpecOverrides(spec: TrainSpec, overrides: SpecOverrides): TrainSpec {
  const copy = structuredClone(spec);
  for (const [path, value] of Object.entries(overrides)) {
    const parts = path.split('.');
    let node: unknown = copy;
    for (const part of parts.slice(0, -1)) {
      if (node === null || typeof node !== 'object' || !(part in node)) throw new Error(`cannot override "${path}": the spec has no "${part}" there`);
      node = (node as Record<string, unknown>)[part];
    }
    const last = parts[parts.length - 1] as string;
    if (node === null || typeof node !== 'object') throw new Error(`cannot override "${path}"`);
    (node as Record<string, unknown>)[last] = value;
  }
  return copy;
}
