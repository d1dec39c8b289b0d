import { isMap, parseDocument } from 'yaml';
import type { SpecOverrides } from './specOverrides';
import { leaveOutIgnoredSettings } from './treeIgnoredSettings';

/**
 * The spec text a run keeps with its model (model/spec.train.yaml), which is what trained: a
 * tuning trial or a Find Best Model candidate trains its study's spec with overrides, and a copy
 * without them would show the card's reader, Compare Code and Re-run a different model (a search's
 * boosted-tree winner kept as the base spec's MLP with its epochs). When the overrides replace the
 * whole `model`, as a model search does, the settings the new model ignores are left out too.
 * Comments and layout of the rest are kept.
 */
export function specTextAsTrained(text: string, overrides: SpecOverrides | undefined): string {
  if (!overrides || Object.keys(overrides).length === 0) return text;
  try {
    const doc = parseDocument(text);
    // the training already applied these (applySpecOverrides) and failed on a path that does not fit
    for (const [path, value] of Object.entries(overrides)) doc.setIn(path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)), doc.createNode(value));
    const model: unknown = doc.get('model');
    if ('model' in overrides && isMap(model)) {
      const type: unknown = model.get('type');
      if (typeof type === 'string') leaveOutIgnoredSettings(doc, type);
    }
    return doc.toString({ lineWidth: 0 });
  } catch {
    // a kept spec without the overrides beats a training that fails while packaging
    return text;
  }
}
