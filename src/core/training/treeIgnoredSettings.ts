import { isMap, type Document } from 'yaml';

/*
 * The spec settings a tree model does without, in one place: the parser warns about them when a
 * tree spec has them, and a spec written for a tree model (Find Best Model's winner) leaves them
 * out, so that it says only what the model uses.
 */

/** Gradient descent's settings: a tree model is grown, not fitted by batches over epochs. */
export const NETWORK_ONLY_SETTINGS = ['optimizer', 'epochs', 'batch_size', 'log_every_n_batches'] as const;

/** Preprocessing a tree model skips: trees route missing values themselves and need no scaling. */
export const NETWORK_ONLY_PREPROCESSING = ['impute', 'standardize'] as const;

/**
 * Paths (YAML keys) of the settings `type` ignores; empty for a network or a linear model. A
 * forest grows all its trees, so it ignores early stopping too.
 */
export function settingsIgnoredBy(type: string): readonly (readonly string[])[] {
  if (type !== 'gbdt' && type !== 'random_forest') return [];
  return [
    ...NETWORK_ONLY_SETTINGS.map((key) => [key]),
    ...NETWORK_ONLY_PREPROCESSING.map((key) => ['preprocessing', key]),
    ...(type === 'random_forest' ? [['early_stopping']] : []),
  ];
}

/**
 * Deletes from a spec document the settings its `type` model ignores (an emptied `preprocessing`
 * with them); returns the dotted paths it deleted, for a header to say so.
 */
export function leaveOutIgnoredSettings(doc: Document, type: string): string[] {
  const present = settingsIgnoredBy(type).filter((path) => doc.hasIn(path));
  for (const path of present) doc.deleteIn(path);
  const preprocessing: unknown = doc.get('preprocessing');
  if (isMap(preprocessing) && preprocessing.items.length === 0) doc.delete('preprocessing');
  return present.map((path) => path.join('.'));
}
